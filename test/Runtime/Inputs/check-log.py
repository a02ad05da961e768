"""Checks a trainer's JSON Lines log: the loss falls and accuracy has a floor.

Usage: check-log.py LOG.jsonl MIN_TEST_ACCURACY. Every line must be valid
JSON; the training loss of the last epoch must be below that of the first,
and the "test" record's accuracy at least MIN_TEST_ACCURACY. Prints a summary
and exits 1 on any failed check.
"""
import json
import sys

path, floor = sys.argv[1], float(sys.argv[2])
records = [json.loads(line) for line in open(path)]
epochs = [r for r in records if r["event"] == "epoch"]
tests = [r for r in records if r["event"] == "test"]
ok = True
if len(epochs) < 2 or not epochs[-1]["loss"] < epochs[0]["loss"]:
    print(f"FAIL: loss did not fall: {[e['loss'] for e in epochs]}")
    ok = False
if len(tests) != 1 or tests[0]["acc"] < floor:
    print(f"FAIL: test accuracy below {floor}: {tests}")
    ok = False
if ok:
    print(f"OK: {len(epochs)} epochs, loss {epochs[0]['loss']:.3f} -> "
          f"{epochs[-1]['loss']:.3f}, test accuracy >= {floor}")
sys.exit(0 if ok else 1)
