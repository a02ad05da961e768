"""Runs a command and checks its exit status: expect-exit.py CODE CMD...

lit's `not` accepts any non-zero status; this checks the exact one and that
the command did not end by a signal.
"""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if proc.returncode != want:
    how = (f"signal {-proc.returncode}" if proc.returncode < 0
           else f"exit status {proc.returncode}")
    print(f"expected exit status {want}, got {how}: {' '.join(sys.argv[2:])}")
    sys.exit(1)
