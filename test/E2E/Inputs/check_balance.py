#!/usr/bin/env python3
"""Compares the test records of JSON Lines logs: every BALANCED log's test
METRIC must exceed the BASELINE log's by at least MARGIN.

Usage: check_balance.py METRIC MARGIN BASELINE BALANCED...
Exits 1 with a message otherwise."""
import json
import sys


def test_record(path):
    test = None
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if record["event"] == "test":
                test = record
    if test is None:
        sys.exit("%s has no test record" % path)
    return test


metric, margin, baseline, balanced = (sys.argv[1], float(sys.argv[2]),
                                      sys.argv[3], sys.argv[4:])
base = test_record(baseline)[metric]
print("%s: %s %.4f" % (baseline, metric, base))
for path in balanced:
    value = test_record(path)[metric]
    print("%s: %s %.4f" % (path, metric, value))
    if not value >= base + margin:
        sys.exit("%s: test %s %.4f is not %.2f above the baseline's %.4f"
                 % (path, metric, value, margin, base))
