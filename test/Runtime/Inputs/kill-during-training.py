"""Kills a training run with SIGKILL at arbitrary moments and checks that the
checkpoint it writes every epoch is never broken.

Usage: kill-during-training.py CHECKPOINT ROUNDS [TRAINER]. After one epoch
of training, each round starts `TRAINER --resume CHECKPOINT` (default
dlrt-demo-train; a trainer built by dlc works the same), kills it with
SIGKILL after a pseudo-random delay, and then runs `TRAINER eval` on
CHECKPOINT, which must succeed. Prints one line per round; exits 1 on the first
broken checkpoint.
"""
import os
import random
import signal
import subprocess
import sys
import time

ckpt, rounds = sys.argv[1], int(sys.argv[2])
trainer = sys.argv[3] if len(sys.argv) > 3 else "dlrt-demo-train"
rng = random.Random(1234)
seen = 0
# A first checkpoint, so that every round has one to keep intact even on a
# machine too slow to reach the end of an epoch before the kill.
subprocess.run([trainer, "--limit", "6000", "--epochs", "1",
                "--save", ckpt], check=True, stdout=subprocess.DEVNULL)
for r in range(rounds):
    cmd = [trainer, "--epochs", "1000", "--save", ckpt]
    # A resumed run takes its --limit from the checkpoint (giving it again
    # is an error).
    if os.path.exists(ckpt):
        cmd += ["--resume", ckpt]
    else:
        cmd += ["--limit", "6000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.3, 1.2))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if not os.path.exists(ckpt):
        print(f"round {r}: killed before the first checkpoint")
        continue
    check = subprocess.run([trainer, "eval", "--limit", "200",
                            "--weights", ckpt], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"round {r}: BROKEN checkpoint: {check.stderr.strip()}")
        sys.exit(1)
    seen += 1
    print(f"round {r}: checkpoint intact")
print(f"{seen} intact checkpoints after {rounds} kills")
sys.exit(0 if seen > 0 else 1)
