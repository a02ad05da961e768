"""Checks that a closed stdout and a file-size limit lose no checkpoint.

Usage: pipe-and-limit.py DIR. Trains 2 epochs straight; then
  pipe:  the same run with stdout read for one line and closed (as
         `| head -1`): it must finish (exit 0) with the same checkpoint,
         byte for byte, after one warning on stderr;
  limit: a run under a file-size limit smaller than a checkpoint (as
         `ulimit -f`), saving over a good checkpoint: it must exit 1 with an
         error, leave the good checkpoint unchanged and no temporary file.
Prints one line per check.
"""
import filecmp
import os
import resource
import shutil
import subprocess
import sys

out = sys.argv[1]
base = ["dlrt-demo-train", "--limit", "2000", "--epochs", "2", "--threads", "1"]
straight = os.path.join(out, "straight.safetensors")
subprocess.run(base + ["--save", straight], check=True, stdout=subprocess.DEVNULL)

piped = os.path.join(out, "piped.safetensors")
proc = subprocess.Popen(base + ["--save", piped], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
print("pipe: first line:", proc.stdout.readline().decode().strip())
proc.stdout.close()
err = proc.stderr.read().decode()
proc.wait()
print(f"pipe: exit code {proc.returncode}")
print("pipe: stderr:", err.strip())
print("pipe: checkpoint", "identical" if os.path.exists(piped) and
      filecmp.cmp(straight, piped, shallow=False) else "DIFFERENT OR MISSING")

limited = os.path.join(out, "limited.safetensors")
shutil.copy(straight, limited)


def limit():
    resource.setrlimit(resource.RLIMIT_FSIZE, (200000, 200000))


proc = subprocess.run(base + ["--save", limited], stdout=subprocess.PIPE,
                      stderr=subprocess.PIPE, preexec_fn=limit)
print(f"limit: exit code {proc.returncode}")
print("limit: stderr:", proc.stderr.decode().strip())
print("limit: checkpoint", "unchanged" if filecmp.cmp(straight, limited,
                                                       shallow=False) else "CHANGED")
left = [f for f in os.listdir(out) if ".tmp." in f]
print("limit: temporary files:", left if left else "none")
