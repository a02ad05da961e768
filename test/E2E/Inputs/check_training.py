#!/usr/bin/env python3
"""Checks a trainer's JSON Lines log: the loss falls and the test accuracy
reaches a floor. Exits 1 with a message otherwise."""
import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("--min-test-acc", type=float, required=True)
args = parser.parse_args()

steps, epochs, test = [], [], None
with open(args.log) as f:
    for line in f:
        record = json.loads(line)
        if record["event"] == "step":
            steps.append(record["loss"])
        elif record["event"] == "epoch":
            epochs.append(record)
        elif record["event"] == "test":
            test = record

if len(steps) < 4 or test is None or not epochs:
    sys.exit("log has too few records: %d steps, %d epochs, test=%s" % (len(steps), len(epochs), test))
first = sum(steps[:2]) / 2
last = sum(steps[-2:]) / 2
print("first steps' loss %.4f, last steps' loss %.4f, test accuracy %.4f" % (first, last, test["acc"]))
if not last < 0.8 * first:
    sys.exit("the loss did not fall: %.4f -> %.4f" % (first, last))
if test["acc"] < args.min_test_acc:
    sys.exit("test accuracy %.4f is below the floor %.4f" % (test["acc"], args.min_test_acc))
print("PASS")
