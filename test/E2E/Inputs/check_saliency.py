#!/usr/bin/env python3
"""check_saliency.py OUT.npy CKPT.safetensors OUT.txt [PNG]: the saliency
written for a linear classifier (saliency-linear.dl) is column CLASS of its
weights fc.w [784, 10] (rel. 1e-5), CLASS the predicted class the
trainer printed (OUT.txt), and the PNG, if given, is an RGB image
of 2 x 28 x 8 + 8 by 28 x 8 pixels."""
import json
import struct
import sys

npy = open(sys.argv[1], "rb").read()
if npy[:8] != b"\x93NUMPY\x01\x00":
    sys.exit("not a .npy 1.0 file")
(hlen,) = struct.unpack("<H", npy[8:10])
header = npy[10:10 + hlen].decode()
if "'descr': '<f4'" not in header or "'shape': (1, 28, 28)" not in header or (10 + hlen) % 64:
    sys.exit("unexpected header: " + header)
grad = struct.unpack("<784f", npy[10 + hlen:])

data = open(sys.argv[2], "rb").read()
(n,) = struct.unpack("<Q", data[:8])
meta = json.loads(data[8:8 + n])
a, b = meta["fc.w"]["data_offsets"]
w = struct.unpack("<%df" % ((b - a) // 4), data[8 + n + a:8 + n + b])
import re
m = re.search(r"predicted (\d+);", open(sys.argv[3]).read())
if not m:
    sys.exit("no predicted class in " + sys.argv[3])
c = int(m.group(1))
column = [w[i * 10 + c] for i in range(784)]
worst = max(abs(g - e) / max(1e-3, abs(e)) for g, e in zip(grad, column))
print("max relative difference from fc.w[:, %d]: %.2e" % (c, worst))
if worst > 1e-5:
    sys.exit("the saliency is not the weight column")
if len(sys.argv) > 4:
    png = open(sys.argv[4], "rb").read()
    wid, hei, depth, colour = struct.unpack(">IIBB", png[16:26])
    if png[:8] != b"\x89PNG\r\n\x1a\n" or (wid, hei, depth, colour) != (456, 224, 8, 2):
        sys.exit("unexpected PNG: %dx%d depth %d colour %d" % (wid, hei, depth, colour))
print("PASS")
