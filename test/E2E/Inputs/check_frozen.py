"""Compares two checkpoints of one model, before and after training.

Usage: check_frozen.py BEFORE AFTER FROZEN_PREFIX...
Every tensor whose key starts with a FROZEN_PREFIX (and a dot) must be the
same bit for bit and have no optimizer state ("opt.*" keys) in AFTER; every
other trainable tensor must have changed and have optimizer state. Buffers
(keys without optimizer state in both, e.g. running statistics) are not
checked. Exits 1 with a message otherwise.
"""
import json
import struct
import sys


from safetensors_read import raw as tensors  # noqa: E402


before, after = tensors(sys.argv[1]), tensors(sys.argv[2])
frozen_prefixes = sys.argv[3:]
params = [k for k in after if not k.startswith("opt.") and "normalize." not in k]


def has_state(ckpt, key):
    return any(k.startswith("opt.") and k.endswith("." + key) for k in ckpt)


frozen, trained = [], []
for key in params:
    if any(key.startswith(p + ".") for p in frozen_prefixes):
        if before[key] != after[key]:
            sys.exit("frozen tensor %s changed" % key)
        if has_state(after, key):
            sys.exit("frozen tensor %s has optimizer state" % key)
        frozen.append(key)
    elif has_state(after, key):
        if before[key] == after[key]:
            sys.exit("trainable tensor %s did not change" % key)
        trained.append(key)
if not frozen:
    sys.exit("no tensor matches the frozen prefixes %s" % frozen_prefixes)
if not trained:
    sys.exit("no tensor was trained")
print("frozen (unchanged, no optimizer state): %s" % ", ".join(sorted(frozen)))
print("trained: %s" % ", ".join(sorted(trained)))
