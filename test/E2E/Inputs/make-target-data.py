#!/usr/bin/env python3
"""Writes small data sets with float targets for the end-to-end tests.

Usage: make-target-data.py KIND DIR, KIND one of:
  regression-csv  train.csv (800 rows), test.csv (200 rows): numeric
                  features a, b, a categorical feature color, and the
                  targets y = 2a - 3b + 0.5 + offset(color) + noise and
                  z = a * b, in columns a, color, b, y, z
  scaled-csv      train.csv (800 rows), test.csv (200 rows): features a in
                  [-1, 1] and b in [-1000, 1000] (scales 1 and 1000), the
                  target y = 2a - 3b/1000 + 0.5 + noise (std 0.05), in
                  columns a, b, y
  correlated-csv  train.csv (800 rows), test.csv (200 rows): features
                  a = u, b = u + 0.1 v, c = 1000 v (u, v uniform in
                  [-1, 1]) and the constant k = 5, the target
                  y = 2a - 3c/1000 + 0.5 + noise (std 0.05), in columns
                  a, b, c, k, y
  multilabel-npy  x_{train,test}.npy: [N, 8] f32 in [-1, 1]; y_{train,test}.npy
                  [N, 3] f32 0/1 labels, label j = (x . w_j > 0) for fixed w_j
"""
import random
import struct
import sys

kind, out = sys.argv[1], sys.argv[2]
rng = random.Random(7)


def regression_csv(path, n):
    offsets = {"red": 0.0, "green": 1.0, "blue": -1.0}
    with open(path, "w") as f:
        f.write("a,color,b,y,z\n")
        for _ in range(n):
            a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
            color = rng.choice(sorted(offsets))
            y = 2 * a - 3 * b + 0.5 + offsets[color] + rng.gauss(0, 0.05)
            f.write(f'{a:.5f},"{color}",{b:.5f},{y:.5f},{a * b:.5f}\n')


def scaled_csv(path, n):
    with open(path, "w") as f:
        f.write("a,b,y\n")
        for _ in range(n):
            a, b = rng.uniform(-1, 1), rng.uniform(-1000, 1000)
            y = 2 * a - 3 * b / 1000 + 0.5 + rng.gauss(0, 0.05)
            f.write(f"{a:.5f},{b:.3f},{y:.5f}\n")


def correlated_csv(path, n):
    with open(path, "w") as f:
        f.write("a,b,c,k,y\n")
        for _ in range(n):
            u, v = rng.uniform(-1, 1), rng.uniform(-1, 1)
            y = 2 * u - 3 * v + 0.5 + rng.gauss(0, 0.05)
            f.write(f"{u:.5f},{u + 0.1 * v:.5f},{1000 * v:.3f},5,{y:.5f}\n")


def npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join(f"{d}, " for d in shape))
    while (10 + len(header) + 1) % 64:
        header += " "
    header += "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def multilabel(part, n):
    w = [[1, -1, 0.5, 0, 0, 1, 0, 0], [0, 1, 1, -1, 0, 0, 0.5, 0],
         [-1, 0, 0, 0.5, 1, 0, 0, 1]]
    xs, ys = [], []
    for _ in range(n):
        x = [rng.uniform(-1, 1) for _ in range(8)]
        xs += x
        ys += [1.0 if sum(a * b for a, b in zip(x, wj)) > 0 else 0.0 for wj in w]
    npy(f"{out}/x_{part}.npy", (n, 8), xs)
    npy(f"{out}/y_{part}.npy", (n, 3), ys)


if kind == "regression-csv":
    regression_csv(f"{out}/train.csv", 800)
    regression_csv(f"{out}/test.csv", 200)
elif kind == "scaled-csv":
    scaled_csv(f"{out}/train.csv", 800)
    scaled_csv(f"{out}/test.csv", 200)
elif kind == "correlated-csv":
    correlated_csv(f"{out}/train.csv", 800)
    correlated_csv(f"{out}/test.csv", 200)
elif kind == "multilabel-npy":
    multilabel("train", 2000)
    multilabel("test", 500)
else:
    sys.exit(f"unknown kind {kind}")
