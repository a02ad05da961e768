#!/usr/bin/env python3
"""Checks a trainer's JSON Lines log: the loss falls and the test metrics
reach their floors (--min-test-acc, --min-test NAME VALUE) or stay under
their ceilings (--max-test NAME VALUE). Exits 1 with a message otherwise."""
import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("--min-test-acc", type=float)
parser.add_argument("--min-test", nargs=2, action="append", default=[],
                    metavar=("METRIC", "FLOOR"))
parser.add_argument("--max-test", nargs=2, action="append", default=[],
                    metavar=("METRIC", "CEILING"))
parser.add_argument("--fall", type=float, default=0.8,
                    help="the last steps' loss must be below FALL times the first's")
args = parser.parse_args()
floors = [(m, float(v)) for m, v in args.min_test]
if args.min_test_acc is not None:
    floors.append(("acc", args.min_test_acc))
ceilings = [(m, float(v)) for m, v in args.max_test]

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
print("first steps' loss %.4f, last steps' loss %.4f, test %s" % (
    first, last, ", ".join("%s %.4f" % (k, v) for k, v in test.items()
                           if isinstance(v, float))))
if not last < args.fall * first:
    sys.exit("the loss did not fall: %.4f -> %.4f" % (first, last))
for metric, floor in floors:
    if metric not in test:
        sys.exit("the test record has no '%s'" % metric)
    if not test[metric] >= floor:
        sys.exit("test %s %.4f is below the floor %.4f" % (metric, test[metric], floor))
for metric, ceiling in ceilings:
    if metric not in test:
        sys.exit("the test record has no '%s'" % metric)
    if not test[metric] <= ceiling:
        sys.exit("test %s %.4f is above the ceiling %.4f" % (metric, test[metric], ceiling))
print("PASS")
