"""Writes small data directories whose samples hold one value that is not a
finite f32, for nonfinite-data.test.

Usage: make-nonfinite.py KIND DIR, KIND one of:
  idx-f32-nan   idx float32 images (10x28x28), element 1000 is NaN
  idx-f64-inf   idx float64 images, element 7 is +inf
  idx-f64-big   idx float64 images, element 9 is 1e39 (finite f64, inf f32)
  npy-f4-inf    x_train.npy <f4 [10, 784], element 5 is -inf
  npy-f8-big    x_train.npy <f8 [10, 28, 28], element 783 is 1e39
  csv-big       train.csv, line 3 (second data row) column 4 is 1e39
  csv-nan       train.csv, line 2 column 2 is nan
Labels are valid; the test files are absent (training data is read first).
"""
import math
import os
import struct
import sys

kind, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
N, SIZE = 10, 784
values = [((i * 37) % 256) / 255.0 for i in range(N * SIZE)]
labels = [i % 10 for i in range(N)]


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def idx(code, fmt, bad_index, bad_value):
    vals = list(values)
    vals[bad_index] = bad_value
    write("train-images-idx3-ubyte",
          struct.pack(">BBBBIII", 0, 0, code, 3, N, 28, 28) +
          struct.pack(">%d%s" % (len(vals), fmt), *vals))
    write("train-labels-idx1-ubyte",
          struct.pack(">BBBBI", 0, 0, 8, 1, N) + bytes(labels))


def npy(name, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    write(name, b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
          header.encode() + payload)


def npy_x(descr, fmt, shape, bad_index, bad_value):
    vals = list(values)
    vals[bad_index] = bad_value
    npy("x_train.npy", descr, shape, struct.pack("<%d%s" % (len(vals), fmt), *vals))
    npy("y_train.npy", "<i8", [N], struct.pack("<%dq" % N, *labels))


def csv(line, column, text):
    rows = []
    for i in range(N):
        fields = [str(labels[i])] + ["%g" % v for v in values[i * SIZE:(i + 1) * SIZE]]
        rows.append(fields)
    rows[line - 2][column - 1] = text  # line 1 is the header
    lines = ["label," + ",".join("p%d" % j for j in range(SIZE))]
    lines += [",".join(r) for r in rows]
    write("train.csv", ("\n".join(lines) + "\n").encode())


if kind == "idx-f32-nan":
    idx(0x0D, "f", 1000, math.nan)
elif kind == "idx-f64-inf":
    idx(0x0E, "d", 7, math.inf)
elif kind == "idx-f64-big":
    idx(0x0E, "d", 9, 1e39)
elif kind == "npy-f4-inf":
    npy_x("<f4", "f", [N, SIZE], 5, -math.inf)
elif kind == "npy-f8-big":
    npy_x("<f8", "d", [N, 28, 28], 783, 1e39)
elif kind == "csv-big":
    csv(3, 4, "1e39")
elif kind == "csv-nan":
    csv(2, 2, "nan")
else:
    sys.exit(f"unknown kind {kind}")
