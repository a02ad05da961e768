"""Writes a safetensors file of zero-filled tensors, for tests of --init.

Usage: make-safetensors.py OUT NAME:DTYPE:SHAPE... where SHAPE is
comma-separated dimensions (empty for a scalar), e.g. fc1.w:F32:784,128.
"""
import json
import struct
import sys

SIZES = {"F32": 4, "F64": 8, "F16": 2, "I64": 8, "U8": 1}
header, offset = {}, 0
for spec in sys.argv[2:]:
    name, dtype, shape = spec.split(":")
    dims = [int(d) for d in shape.split(",") if d]
    count = 1
    for d in dims:
        count *= d
    size = count * SIZES[dtype]
    header[name] = {"dtype": dtype, "shape": dims,
                    "data_offsets": [offset, offset + size]}
    offset += size
text = json.dumps(header).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + bytes(offset))
