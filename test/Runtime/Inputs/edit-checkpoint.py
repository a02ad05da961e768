"""Rewrites the metadata of a safetensors checkpoint, for the tests of what
--resume accepts.

Usage: edit-checkpoint.py IN OUT EDIT...; each EDIT is one of
  config.PATH=JSON   set a field of the train_config JSON (PATH dotted, e.g.
                     optimizer.lr); JSON is parsed, so 0, -1, "x", NaN work
  config.PATH=       delete that field
  meta.KEY=TEXT      set a metadata string as it is
  meta.KEY.PATH=JSON set a field of a JSON metadata value (early_stop.wait)
The tensors are copied unchanged.
"""
import json
import struct
import sys

src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
data = open(src, "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
meta = header["__metadata__"]


def set_path(obj, path, text):
    *parents, last = path.split(".")
    for p in parents:
        obj = obj[p]
    if text == "":
        del obj[last]
    else:
        obj[last] = json.loads(text)


for edit in edits:
    key, text = edit.split("=", 1)
    scope, rest = key.split(".", 1)
    if scope == "config":
        config = json.loads(meta["train_config"])
        set_path(config, rest, text)
        meta["train_config"] = json.dumps(config)
    elif scope == "meta" and "." in rest:
        name, path = rest.split(".", 1)
        value = json.loads(meta[name])
        set_path(value, path, text)
        meta[name] = json.dumps(value)
    elif scope == "meta":
        meta[rest] = text
    else:
        sys.exit(f"bad edit {edit}")
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(dst, "wb").write(struct.pack("<Q", len(text)) + text + data[8 + n:])
