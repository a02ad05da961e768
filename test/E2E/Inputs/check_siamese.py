#!/usr/bin/env python3
"""The embeddings of a trained examples/fashion_siamese.dl checkpoint
separate the classes: over 16 pairs of test images of one class and 16 of
two classes (the first found in file order), the mean distance of the
same-class pairs is below FACTOR times that of the others.

  check_siamese.py CKPT.safetensors DATA_DIR FACTOR"""
import gzip
import json
import math
import struct
import sys


from safetensors_read import tensors as read_safetensors  # noqa: E402


def linear(x, w, b, relu):
    (n_in, n_out), wv = w
    out = list(b[1])
    for i, xi in enumerate(x):
        if xi:
            row = wv[i * n_out:(i + 1) * n_out]
            for j in range(n_out):
                out[j] += xi * row[j]
    return [max(v, 0.0) for v in out] if relu else out


def embed(p, x):
    h = linear(x, p["E.fc1.w"], p["E.fc1.b"], True)
    h = linear(h, p["E.fc2.w"], p["E.fc2.b"], True)
    return linear(h, p["E.out.w"], p["E.out.b"], False)


path, directory, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
p = read_safetensors(path)
n = 200
with gzip.open(directory + "/t10k-images-idx3-ubyte.gz") as f:
    f.read(16)
    raw = f.read(n * 784)
with gzip.open(directory + "/t10k-labels-idx1-ubyte.gz") as f:
    f.read(8)
    labels = list(f.read(n))
images = [[raw[i * 784 + j] / 255.0 for j in range(784)] for i in range(n)]
same, other = [], []
for i in range(n):
    for j in range(i + 1, n):
        pairs = same if labels[i] == labels[j] else other
        if len(pairs) < 16:
            pairs.append((i, j))
    if len(same) == 16 and len(other) == 16:
        break
cache = {}
def e(i):
    if i not in cache:
        cache[i] = embed(p, images[i])
    return cache[i]
dist = lambda i, j: math.sqrt(sum((a - b) ** 2 for a, b in zip(e(i), e(j))))
d_same = sum(dist(i, j) for i, j in same) / len(same)
d_other = sum(dist(i, j) for i, j in other) / len(other)
print("mean distance: same class %.4f, different classes %.4f" % (d_same, d_other))
if not d_same < factor * d_other:
    sys.exit("the embeddings do not separate the classes")
print("PASS")
