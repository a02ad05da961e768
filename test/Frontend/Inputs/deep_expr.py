#!/usr/bin/env python3
"""Writes a model whose body has one very deep expression.

    deep_expr.py plus N   ->  y = x + x + ... + x   (N terms)
    deep_expr.py neg N    ->  y = ---...-x          (N minus signs)
    deep_expr.py call N   ->  y = relu(relu(...(x)...)) (N calls)
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind == "plus":
    expr = " + ".join(["x"] * n)
elif kind == "neg":
    expr = "-" * n + "x"
elif kind == "call":
    expr = "relu(" * n + "x" + ")" * n
else:
    sys.exit("deep_expr.py: unknown kind " + kind)
sys.stdout.write("model M(x: f32[B, 4]) -> f32[B, 4] {\n  y = %s\n  return x\n}\n" % expr)
