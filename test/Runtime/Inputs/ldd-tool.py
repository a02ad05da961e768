"""Prints the `ldd` output of a tool found on PATH (lit's shell has no $())."""
import shutil
import subprocess
import sys

path = shutil.which(sys.argv[1])
if path is None:
    sys.exit(f"{sys.argv[1]} not found on PATH")
sys.stdout.write(subprocess.run(["ldd", path], check=True, capture_output=True,
                                text=True).stdout)
