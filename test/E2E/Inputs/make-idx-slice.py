"""Writes an idx directory with a slice of Fashion-MNIST.

Usage: make-idx-slice.py OUTDIR TRAIN_FIRST TRAIN_COUNT TEST_COUNT. The
training files hold the samples [TRAIN_FIRST, TRAIN_FIRST + TRAIN_COUNT) of
the training set, the test files the first TEST_COUNT samples of the test
set (raw idx, not gzipped).
"""
import gzip
import os
import struct
import sys

SRC = "/usr/share/datasets/fashion-mnist"
out, first, count, tests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)


def copy(name, start, n):
    data = gzip.open(os.path.join(SRC, name + ".gz")).read()
    rank = data[3]
    dims = list(struct.unpack(">%dI" % rank, data[4:4 + 4 * rank]))
    per = 1
    for d in dims[1:]:
        per *= d
    body = data[4 + 4 * rank:]
    assert start + n <= dims[0], (name, start, n, dims[0])
    dims[0] = n
    with open(os.path.join(out, name), "wb") as f:
        f.write(data[:4] + struct.pack(">%dI" % rank, *dims))
        f.write(body[start * per:(start + n) * per])


copy("train-images-idx3-ubyte", first, count)
copy("train-labels-idx1-ubyte", first, count)
copy("t10k-images-idx3-ubyte", 0, tests)
copy("t10k-labels-idx1-ubyte", 0, tests)
