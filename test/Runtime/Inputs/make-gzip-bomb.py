"""Writes gzip-compressed data files whose content goes on past what their
header declares, for special-files.test.

Usage: make-gzip-bomb.py KIND DIR, KIND one of:
  idx-bomb   train-images-idx3-ubyte.gz: a valid 10x28x28 idx image file
             followed by 256 MiB of zeros (about 256 KB compressed)
  idx-extra  the same followed by one byte
  npy-bomb   x_train.npy.gz: a valid |u1 [10, 784] array, then 256 MiB of
             zeros
A valid label file (10 labels) is written next to it.
"""
import os
import struct
import sys
import zlib

kind, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
images = bytes((i * 37) % 256 for i in range(10 * 784))
labels = bytes(i % 10 for i in range(10))


def gzip_file(path, head, zeros):
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "wb") as f:
        f.write(c.compress(head))
        block = bytes(1 << 20)
        for _ in range(zeros >> 20):
            f.write(c.compress(block))
        f.write(c.compress(bytes(zeros & ((1 << 20) - 1))))
        f.write(c.flush())


def npy(descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


if kind in ("idx-bomb", "idx-extra"):
    head = struct.pack(">BBBBIII", 0, 0, 8, 3, 10, 28, 28) + images
    gzip_file(os.path.join(out, "train-images-idx3-ubyte.gz"), head,
              256 << 20 if kind == "idx-bomb" else 1)
    with open(os.path.join(out, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 10) + labels)
elif kind == "npy-bomb":
    gzip_file(os.path.join(out, "x_train.npy.gz"), npy("|u1", [10, 784], images),
              256 << 20)
    with open(os.path.join(out, "y_train.npy"), "wb") as f:
        f.write(npy("|u1", [10], labels))
else:
    sys.exit(f"unknown kind {kind}")
