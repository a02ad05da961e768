"""Converts the first N samples of Fashion-MNIST to the npy or csv layout.

Usage: convert-fmnist.py npy|csv OUTDIR N. Writes x_train.npy, y_train.npy,
x_test.npy, y_test.npy (uint8 images [N, 28, 28], int64 labels) or
train.csv and test.csv (label, then 784 values scaled to [0, 1]), without
NumPy.
"""
import gzip
import os
import struct
import sys

SRC = "/usr/share/datasets/fashion-mnist"
fmt, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)


def idx(name):
    data = gzip.open(os.path.join(SRC, name + ".gz")).read()
    rank = data[3]
    return data[4 + 4 * rank:]


def npy(path, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + payload)


for part, stem in (("train", "train"), ("test", "t10k")):
    images = idx(stem + "-images-idx3-ubyte")[: n * 784]
    labels = idx(stem + "-labels-idx1-ubyte")[:n]
    if fmt == "npy":
        npy(os.path.join(out, "x_%s.npy" % part), "|u1", (n, 28, 28), images)
        npy(os.path.join(out, "y_%s.npy" % part), "<i8", (n,),
            b"".join(struct.pack("<q", l) for l in labels))
    else:
        with open(os.path.join(out, part + ".csv"), "w") as f:
            f.write("label," + ",".join("p%d" % i for i in range(784)) + "\n")
            for i in range(n):
                row = images[i * 784:(i + 1) * 784]
                f.write("%d," % labels[i])
                f.write(",".join("%.6g" % (v / 255.0) for v in row) + "\n")
