#!/usr/bin/env python3
"""Checks of snapshots.test:

  lr LOG.jsonl CYCLES EPOCHS LR    the logged lr of every step ("step"
                                   records, --log-every 1) follows CYCLES
                                   cosine cycles of EPOCHS / CYCLES epochs
                                   from LR down towards 0: LR at the first
                                   step of each cycle, falling within it
  same-weights A B                 checkpoints A and B hold the same tensors
                                   (metadata aside)
  members EVAL.jsonl SINGLE.jsonl I  snapshot I's metrics in the ensemble
                                   eval log equal those of a plain eval of
                                   its file (rel. 1e-6), and the ensemble's
                                   metrics are printed

Exits 1 with a message otherwise."""
import json
import math
import struct
import sys


def records(path, event):
    with open(path) as f:
        return [r for r in map(json.loads, f) if r["event"] == event]


def tensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    return {k: data[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]
            for k, v in header.items()}


kind = sys.argv[1]
if kind == "lr":
    steps = records(sys.argv[2], "step")
    cycles, epochs, lr = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    total = len(steps)
    per_epoch = total // epochs
    cycle = per_epoch * epochs // cycles
    for r in steps:
        s = r["step"] - 1  # the step record is written after the step
        pct = (s % cycle) / cycle
        want = lr * 0.5 * (1 + math.cos(math.pi * pct))
        if abs(r["lr"] - want) > 1e-6 * lr:
            sys.exit(f"step {s}: lr {r['lr']}, expected {want}")
    starts = [r["lr"] for r in steps if (r["step"] - 1) % cycle == 0]
    ends = [r["lr"] for r in steps if (r["step"] - 1) % cycle == cycle - 1]
    print(f"{len(starts)} cycles of {cycle} steps: lr {starts[0]:.4g} at "
          f"each start, {max(ends):.3g} at most at each end")
    if len(starts) != cycles:
        sys.exit(f"{len(starts)} cycles, expected {cycles}")
elif kind == "same-weights":
    a, b = tensors(sys.argv[2]), tensors(sys.argv[3])
    if a != b:
        sys.exit(f"{sys.argv[2]} and {sys.argv[3]} hold different tensors")
    print(f"same {len(a)} tensors")
elif kind == "members":
    ensemble = records(sys.argv[2], "test")[-1]
    single = records(sys.argv[3], "test")[-1]
    i = int(sys.argv[4])
    member = ensemble["snapshots"][i - 1]
    for key in ("loss", "acc", "log_loss"):
        if abs(member[key] - single[key]) > 1e-6 * max(abs(single[key]), 1e-12):
            sys.exit(f"snapshot {i}: {key} {member[key]} in the ensemble eval "
                     f"but {single[key]} alone")
    accs = ", ".join("%.4f" % m["acc"] for m in ensemble["snapshots"])
    losses = ", ".join("%.4f" % m["log_loss"] for m in ensemble["snapshots"])
    print(f"snapshot accuracies {accs}; ensemble {ensemble['acc']:.4f} "
          f"(log loss {ensemble['log_loss']:.4f} vs {losses})")
else:
    sys.exit(f"unknown check {kind}")
