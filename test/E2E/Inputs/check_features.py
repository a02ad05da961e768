"""Compares the logs of precompute.test.

  check_features.py same A.jsonl B.jsonl       every epoch record's loss and
                                               metrics and the test record
                                               are equal (rel. 1e-6)
  check_features.py last-test A.jsonl B.jsonl  the last test records agree

Exits 1 with a message otherwise."""
import json
import sys

SKIP = {"samples_per_s", "seconds"}


def records(path, event):
    return [r for r in map(json.loads, open(path)) if r.get("event") == event]


def same(a, b, what):
    keys = (set(a) | set(b)) - SKIP
    for k in sorted(keys):
        x, y = a.get(k), b.get(k)
        if isinstance(x, float) or isinstance(y, float):
            if x is None or y is None or abs(x - y) > 1e-6 * max(1.0, abs(y)):
                sys.exit("%s: %s differs: %r and %r" % (what, k, x, y))
        elif x != y:
            sys.exit("%s: %s differs: %r and %r" % (what, k, x, y))


mode, a, b = sys.argv[1:4]
if mode == "same":
    ea, eb = records(a, "epoch"), records(b, "epoch")
    if len(ea) != len(eb) or not ea:
        sys.exit("%d and %d epoch records" % (len(ea), len(eb)))
    for x, y in zip(ea, eb):
        same(x, y, "epoch %s" % x.get("epoch"))
    same(records(a, "test")[-1], records(b, "test")[-1], "test")
    print("%d epochs and the test record agree" % len(ea))
else:
    same(records(a, "test")[-1], records(b, "test")[-1], "test")
    print("the test records agree")
