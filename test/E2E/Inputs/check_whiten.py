#!/usr/bin/env python3
"""Checks the whitening statistics of a checkpoint (prep-whiten.test):

  check_whiten.py CKPT CSV pca|zca EPS

The checkpoint's normalize.mean must be the mean of every row of the CSV's
feature columns (all but the last; the run trained without validation),
normalize.whiten a D x D matrix W with W (C + eps I) W^T = I for the
population covariance C of those rows (so W C W^T, the covariance of the
whitened rows, is the identity up to eps), and W's rows orthogonal (pca) or
W symmetric (zca). Exits 1 with a message otherwise."""
import json
import struct
import sys

path, csv, kind, eps = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
with open(path, "rb") as f:
    data = f.read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
names = sorted(k for k in header if k.startswith("normalize."))
shapes = ", ".join(k + " " + str(header[k]["shape"]) for k in names)
print(f"normalization tensors: {shapes}")
if names != ["normalize.mean", "normalize.whiten"]:
    sys.exit(f"expected normalize.mean and normalize.whiten, got {names}")


def tensor(name):
    begin, end = header[name]["data_offsets"]
    raw = data[8 + n + begin:8 + n + end]
    return list(struct.unpack("<%df" % (len(raw) // 4), raw))


mean, w = tensor("normalize.mean"), tensor("normalize.whiten")
d = len(mean)
if header["normalize.whiten"]["shape"] != [d, d]:
    sys.exit(f"normalize.whiten has shape {header['normalize.whiten']['shape']}")
with open(csv) as f:
    rows = [[float(v) for v in line.split(",")[:-1]] for line in f.readlines()[1:]]
m = [sum(r[j] for r in rows) / len(rows) for j in range(d)]
c = [[sum((r[i] - m[i]) * (r[j] - m[j]) for r in rows) / len(rows)
      for j in range(d)] for i in range(d)]
for j in range(d):
    if abs(mean[j] - m[j]) > 1e-4 * max(1.0, abs(m[j]), c[j][j] ** 0.5):
        sys.exit(f"mean[{j}] = {mean[j]} is not the rows' {m[j]}")
W = [w[i * d:(i + 1) * d] for i in range(d)]
ce = [[c[i][j] + (eps if i == j else 0.0) for j in range(d)] for i in range(d)]
wc = [[sum(W[i][k] * ce[k][j] for k in range(d)) for j in range(d)] for i in range(d)]
ident = [[sum(wc[i][k] * W[j][k] for k in range(d)) for j in range(d)] for i in range(d)]
white = [[sum(W[i][k] * c[k][l] * W[j][l] for k in range(d) for l in range(d))
          for j in range(d)] for i in range(d)]
print("covariance of the whitened rows (diagonal):",
      " ".join(f"{white[i][i]:.4f}" for i in range(d)))
for i in range(d):
    for j in range(d):
        if abs(ident[i][j] - (1.0 if i == j else 0.0)) > 2e-3:
            sys.exit(f"W (C + eps I) W^T [{i}][{j}] = {ident[i][j]}, not the identity")
for i in range(d):
    for j in range(d):
        if kind == "zca" and W[i][j] != W[j][i]:
            sys.exit(f"zca: W[{i}][{j}] = {W[i][j]} but W[{j}][{i}] = {W[j][i]}")
        if kind == "pca" and i != j:
            dot = sum(W[i][k] * W[j][k] for k in range(d))
            norm = (sum(v * v for v in W[i]) * sum(v * v for v in W[j])) ** 0.5
            if abs(dot) > 1e-4 * norm:
                sys.exit(f"pca: rows {i} and {j} of W are not orthogonal ({dot})")
print(f"{kind} whitening matrix: ok")
