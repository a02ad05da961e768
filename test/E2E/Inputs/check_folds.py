#!/usr/bin/env python3
"""Checks the JSON Lines log of a k-fold cross-validation run: K "fold"
records (folds 1..K, each with the validation and test metrics of its
model), epoch records tagged with their fold, and a final "cv_summary"
whose mean and population std are those of the fold records.

Usage: check_folds.py LOG K
Exits 1 with a message otherwise."""
import json
import math
import sys

path, k = sys.argv[1], int(sys.argv[2])
records = [json.loads(line) for line in open(path)]
folds = [r for r in records if r["event"] == "fold"]
summaries = [r for r in records if r["event"] == "cv_summary"]
epochs = [r for r in records if r["event"] == "epoch"]
if [r["fold"] for r in folds] != list(range(1, k + 1)):
    sys.exit("expected fold records 1..%d, got %s" % (k, [r["fold"] for r in folds]))
if len(summaries) != 1 or records[-1] is not summaries[0]:
    sys.exit("expected one cv_summary record, the last; got %d" % len(summaries))
if sorted({r.get("fold") for r in epochs}) != list(range(1, k + 1)):
    sys.exit("the epoch records do not name folds 1..%d" % k)
summary = summaries[0]
if summary["folds"] != k:
    sys.exit("cv_summary says %s folds" % summary["folds"])
for key in ("val_loss", "val_acc", "val_recall", "test_acc"):
    values = [r[key] for r in folds]
    mean = sum(values) / k
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / k)
    if not (abs(summary["mean"][key] - mean) < 1e-9 and
            abs(summary["std"][key] - std) < 1e-9):
        sys.exit("cv_summary %s: mean %s std %s, but the folds give %s and %s"
                 % (key, summary["mean"][key], summary["std"][key], mean, std))
    print("%s: %s; mean %.4f std %.4f" % (key, ", ".join("%.4f" % v for v in values),
                                          mean, std))
