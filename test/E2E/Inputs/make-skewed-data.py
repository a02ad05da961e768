#!/usr/bin/env python3
"""Writes a skewed two-class CSV data set for the class-balancing tests.

Usage: make-skewed-data.py DIR
  train.csv: 1000 rows, 90 % class 0 (900) and 10 % class 1 (100), in a
             seeded random order; test.csv: 400 rows, 200 of each class.
  Columns label, a, b; class 0 is N((0, 0), 1), class 1 N((1.5, 1.5), 1),
  so that the prior of the training set moves an unbalanced classifier's
  boundary towards class 1 (low recall of class 1 on the balanced test set).
"""
import random
import sys

out = sys.argv[1]
rng = random.Random(11)


def rows(counts):
    result = []
    for label, n in enumerate(counts):
        mean = 1.5 * label
        for _ in range(n):
            result.append((label, rng.gauss(mean, 1), rng.gauss(mean, 1)))
    rng.shuffle(result)
    return result


for name, counts in (("train.csv", (900, 100)), ("test.csv", (200, 200))):
    with open(f"{out}/{name}", "w") as f:
        f.write("label,a,b\n")
        for label, a, b in rows(counts):
            f.write(f"{label},{a:.5f},{b:.5f}\n")
