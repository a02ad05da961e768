"""Writes small valid or deliberately broken idx files for the error tests.

Usage: make-idx.py KIND PATH, KIND one of:
  images       a valid 10x28x28 ubyte image file
  labels       a valid 10-entry ubyte label file
  bad-label    a label file whose first label is 200
  bad-magic    an image file whose magic starts 01 02
  truncated    an image file that declares 10 images but holds 9.5
  bad-type     an image file with element type code 0x42
"""
import struct
import sys

kind, path = sys.argv[1], sys.argv[2]
images = bytes((i * 37) % 256 for i in range(10 * 28 * 28))
if kind == "images":
    data = struct.pack(">BBBBIII", 0, 0, 8, 3, 10, 28, 28) + images
elif kind == "labels":
    data = struct.pack(">BBBBI", 0, 0, 8, 1, 10) + bytes(i % 10 for i in range(10))
elif kind == "bad-label":
    data = struct.pack(">BBBBI", 0, 0, 8, 1, 10) + bytes([200] + [1] * 9)
elif kind == "bad-magic":
    data = struct.pack(">BBBBIII", 1, 2, 8, 3, 10, 28, 28) + images
elif kind == "truncated":
    data = struct.pack(">BBBBIII", 0, 0, 8, 3, 10, 28, 28) + images[:-392]
elif kind == "bad-type":
    data = struct.pack(">BBBBIII", 0, 0, 0x42, 3, 10, 28, 28) + images
else:
    sys.exit(f"unknown kind {kind}")
open(path, "wb").write(data)
