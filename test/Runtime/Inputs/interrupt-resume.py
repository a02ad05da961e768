"""Interrupts training with SIGINT and checks that resuming is bit-identical.

Usage: interrupt-resume.py DIR. Trains 3 epochs straight, then, for a few
delays, starts the same run, sends SIGINT after the delay (the trainer saves
a possibly mid-epoch checkpoint and exits 130), resumes it to the end and
compares the final checkpoint byte for byte with the straight one. Exits 1 on
any difference.
"""
import filecmp
import os
import signal
import subprocess
import sys
import time

out = sys.argv[1]
base = ["dlrt-demo-train", "--limit", "30000", "--epochs", "3", "--threads",
        "1"]
straight = os.path.join(out, "straight.safetensors")
subprocess.run(base + ["--save", straight], check=True,
               stdout=subprocess.DEVNULL)
ok = True
interrupted = 0
for i, delay in enumerate([0.5, 0.7, 0.9, 1.1]):
    ckpt = os.path.join(out, f"run{i}.safetensors")
    proc = subprocess.Popen(base + ["--save", ckpt], stdout=subprocess.PIPE,
                            text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    text, _ = proc.communicate()
    if proc.returncode == 130:
        interrupted += 1
        where = [l for l in text.splitlines() if l.startswith("interrupted")]
        subprocess.run(["dlrt-demo-train", "--resume", ckpt, "--save", ckpt,
                        "--threads", "1"], check=True,
                       stdout=subprocess.DEVNULL)
    elif proc.returncode == 0:
        where = ["finished before the signal"]
    else:
        print(f"round {i}: unexpected exit code {proc.returncode}")
        sys.exit(1)
    same = filecmp.cmp(straight, ckpt, shallow=False)
    ok &= same
    print(f"round {i}: {where[0] if where else '?'}: "
          f"{'identical' if same else 'DIFFERENT'}")
print(f"{interrupted} interrupted runs resumed; "
      f"{'all identical' if ok else 'MISMATCH'}")
sys.exit(0 if ok else 1)
