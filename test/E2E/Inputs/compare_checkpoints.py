"""Compares two checkpoints of one model value by value.

Usage: compare_checkpoints.py A B TOLERANCE
Every tensor of A must be in B with the same shape; prints the largest
absolute difference over all values (parameters, buffers, optimizer state)
and exits 1 when it exceeds TOLERANCE, or when the files are identical bit
for bit while TOLERANCE is negative (-1: "must differ").
"""
import sys

from safetensors_read import tensors

a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
tol = float(sys.argv[3])
if sorted(a) != sorted(b):
    sys.exit("the checkpoints hold different tensors: %s vs %s" % (sorted(a), sorted(b)))
worst, where, count = 0.0, None, 0
for key in sorted(a):
    (sa, va), (sb, vb) = a[key], b[key]
    if sa != sb:
        sys.exit("tensor %s: shape %s vs %s" % (key, sa, sb))
    for x, y in zip(va, vb):
        count += 1
        d = abs(x - y)
        if d > worst or d != d:
            worst, where = d, key
print("max abs difference %.3g (%s) over %d values" % (worst, where, count))
if tol < 0:
    if worst == 0:
        sys.exit("the checkpoints are identical, but they should differ")
elif not worst <= tol:
    sys.exit("difference %.3g exceeds the tolerance %g" % (worst, tol))
print("within tolerance" if tol >= 0 else "they differ")
