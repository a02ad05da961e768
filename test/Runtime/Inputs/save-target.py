"""Helpers of save-target.test.

Usage:
  save-target.py stale CKPT   creates CKPT.tmp.<pid of a finished process>
                              (a killed save's leftover) and CKPT.tmp.1 (pid 1
                              is alive: a save in progress, to be kept)
  save-target.py swap CKPT    trains 3 epochs saving to CKPT, replaces CKPT by
                              a symlink after the first epoch and prints the
                              exit code, the error and whether the symlink
                              survived
"""
import os
import subprocess
import sys
import time

what, ckpt = sys.argv[1], sys.argv[2]
if what == "stale":
    done = subprocess.Popen(["true"])
    done.wait()
    with open(f"{ckpt}.tmp.{done.pid}", "w") as f:
        f.write("left by a killed save")
    with open(f"{ckpt}.tmp.1", "w") as f:
        f.write("a save in progress")
elif what == "swap":
    target = ckpt + ".target"
    open(target, "w").write("not a checkpoint")
    proc = subprocess.Popen(["dlrt-demo-train", "--limit", "30000", "--epochs",
                             "3", "--threads", "1", "--save", ckpt],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    for line in proc.stdout:
        if line.startswith("epoch 1/3:"):
            break
    time.sleep(0.3)  # the first checkpoint is written right after the line
    os.unlink(ckpt)
    os.symlink(os.path.basename(target), ckpt)
    out, err = proc.communicate()
    print(f"exit code {proc.returncode}")
    print(err.strip())
    print("symlink kept" if os.path.islink(ckpt) else "SYMLINK REPLACED")
    print("target " + ("unchanged" if open(target).read() == "not a checkpoint"
                       else "CHANGED"))
    print("saved printed" if "saved" in out else "no saved line")
else:
    sys.exit(f"unknown command {what}")
