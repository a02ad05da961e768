#!/usr/bin/env python3
"""Checks of the data-preparation tests (prep-normalize.test,
prep-augment.test):

  better A.jsonl B.jsonl METRIC FACTOR  the test METRIC of log A is below
                                        FACTOR times that of log B
  min-test LOG METRIC FLOOR             the test METRIC of LOG is at least
                                        FLOOR
  same-test-loss TRAIN.jsonl EVAL.jsonl the test loss of an eval equals the
                                        one training logged (rel. 1e-6)
  stats CKPT CSV all|split               the checkpoint's normalize.mean and
                                        normalize.std (population) are those
                                        of every row of the CSV's feature
                                        columns (all but the last; `all`,
                                        rel. 1e-4), or of a part of them
                                        (`split`: within 10 %% of the std,
                                        but not those of every row)

Exits 1 with a message otherwise."""
import json
import math
import struct
import sys


def test_record(path):
    test = None
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if record["event"] == "test":
                test = record
    if test is None:
        sys.exit(f"{path}: no test record")
    return test


def safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[8 + n + begin:8 + n + end]
        tensors[name] = list(struct.unpack("<%df" % (len(raw) // 4), raw))
    return tensors


kind = sys.argv[1]
if kind == "better":
    a, b = test_record(sys.argv[2]), test_record(sys.argv[3])
    metric, factor = sys.argv[4], float(sys.argv[5])
    print(f"test {metric}: {a[metric]:.4f} vs {b[metric]:.4f}")
    if not a[metric] < factor * b[metric]:
        sys.exit(f"test {metric} {a[metric]} is not below {factor} * {b[metric]}")
elif kind == "min-test":
    test, metric, floor = test_record(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    print(f"test {metric}: {test[metric]:.4f}")
    if not test[metric] >= floor:
        sys.exit(f"test {metric} {test[metric]} is below {floor}")
elif kind == "same-test-loss":
    a, b = test_record(sys.argv[2])["loss"], test_record(sys.argv[3])["loss"]
    print(f"test loss: training {a}, eval {b}")
    if abs(a - b) > 1e-6 * max(abs(a), 1e-12):
        sys.exit(f"eval's test loss {b} differs from training's {a}")
elif kind == "stats":
    tensors = safetensors(sys.argv[2])
    whole = sys.argv[4] == "all"
    with open(sys.argv[3]) as f:
        rows = [[float(v) for v in line.split(",")[:-1]]
                for line in f.readlines()[1:]]
    mean, std = tensors["normalize.mean"], tensors["normalize.std"]
    print(f"mean {mean}, std {std}")
    for j in range(len(mean)):
        col = [r[j] for r in rows]
        m = sum(col) / len(col)
        s = math.sqrt(sum((v - m) ** 2 for v in col) / len(col))
        tol = 1e-4 * s if whole else 0.1 * s
        if abs(std[j] - s) > tol or abs(mean[j] - m) > tol:
            sys.exit(f"feature {j}: mean {mean[j]}, std {std[j]} are not "
                     f"near those of every row, {m}, {s}")
        if not whole and abs(mean[j] - m) < 1e-5 * s:
            sys.exit(f"feature {j}: the mean {mean[j]} is that of every row, "
                     f"the validation samples included")
else:
    sys.exit(f"unknown check {kind}")
