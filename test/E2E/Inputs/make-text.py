#!/usr/bin/env python3
"""Writes a deterministic text for the language-model tests: sentences of
words drawn from a small list with a fixed seed, one sentence per line.
Usage: make-text.py FILE CHARACTERS SEED"""
import random
import sys

path, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "her",
         "big", "red", "hat", "and", "then", "slept"]
rng = random.Random(seed)
out = []
n = 0
while n < size:
    line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8))) + ".\n"
    out.append(line)
    n += len(line)
open(path, "w").write("".join(out)[:size])
