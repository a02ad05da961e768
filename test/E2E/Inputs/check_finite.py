#!/usr/bin/env python3
"""Checks that every tensor of a safetensors checkpoint is finite (f32 only).
Prints the names it checked; exits 1 naming the first non-finite tensor."""
import json
import math
import struct
import sys

path = sys.argv[1]
with open(path, "rb") as f:
    (size,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(size))
    data = f.read()
for name, info in sorted(header.items()):
    if name == "__metadata__":
        continue
    if info["dtype"] != "F32":
        continue
    begin, end = info["data_offsets"]
    values = struct.unpack("<%df" % ((end - begin) // 4), data[begin:end])
    bad = [v for v in values if not math.isfinite(v)]
    if bad:
        sys.exit("%s: %d non-finite values, e.g. %r" % (name, len(bad), bad[0]))
    print("finite:", name)
