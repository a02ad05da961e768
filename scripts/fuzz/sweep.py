#!/usr/bin/env python3
"""Differential shape sweep (issue 7, item 4).

Every case is a one-op `.dl` model. The front end turns it into the nn
dialect (`dlc --emit=mlir`); the model's function (and its inference form,
where it differs) is wrapped into a scalar loss sum(y * c) and checked by
`dlc-halide-check --grad --groups=op --rtol=1e-4`: every forward kernel and
every gradient kernel that nn-autodiff produces is compared with the
double-precision reference evaluator.

Cases the language rejects are skipped, but only when dlc rejects them with
a clear diagnostic (file:line:col: error:, exit 1). A rejection that looks
internal, a crash, or accepting a case that cannot be valid (e.g. an output
size < 1) is a failure. So is a front-end output shape that differs from the
PyTorch formula.
"""

import sys
sys.dont_write_bytecode = True
import argparse
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlctools as T  # noqa: E402

HW = [1, 3, 13, 28, 29, 64]
CH = [1, 3, 17, 64]
BATCH = [1, 7, 128]
MM = [1, 3, 10, 17, 128, 784]


class Case:
    def __init__(self, family, key, inputs, body, expr, valid, out_shape=None,
                 dyn=None, cost=0, why=""):
        self.family = family
        self.key = key                  # human-readable description
        self.inputs = inputs            # "x: f32[B, 3, 13, 13], ..."
        self.body = body                # list of statements
        self.expr = expr                # the returned expression
        self.valid = valid              # what PyTorch's rules say
        self.why = why                  # why it is invalid
        self.out_shape = out_shape      # expected output shape, B = dyn
        self.dyn = dyn                  # size of the symbolic batch B
        self.cost = cost                # multiply-adds of the forward op
        self.id = None

    def dl(self):
        lines = ["use nn", "", "# sweep case: %s" % self.key,
                 "model M(%s) {" % self.inputs]
        lines += ["  " + s for s in self.body]
        lines.append("  return %s" % self.expr)
        lines.append("}")
        return "\n".join(lines) + "\n"


def shape_str(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


def win(n, k, s, p, d):
    v = n + 2 * p - d * (k - 1) - 1
    return None if v < 0 else v // s + 1


# --- families ---------------------------------------------------------------

def conv_case(n, c, o, h, w, kh, kw, s, p, d, g, bias, tag):
    sh, sw = s
    ph, pw = p
    dh, dw_ = d
    valid, why = True, ""
    if c % g or o % g:
        valid, why = False, "groups do not divide channels"
    oh, ow = win(h, kh, sh, ph, dh), win(w, kw, sw, pw, dw_)
    if oh is None or ow is None:
        valid, why = False, "kernel larger than the padded input"
    inputs = "x: f32[B, %d, %d, %d]" % (c, h, w)
    cg = c // g if valid else max(c // g, 1)
    body = ["param w: f32[%d, %d, %d, %d]" % (o, cg, kh, kw)]
    args = "x, w"
    if bias:
        body.append("param b: f32[%d]" % o)
        args += ", b"
    expr = ("convolution(%s, stride=[%d, %d], padding=[%d, %d], dilation=[%d, %d], groups=%d)"
            % (args, sh, sw, ph, pw, dh, dw_, g))
    key = ("conv%s n%d c%d o%d hw%dx%d k%dx%d s%dx%d p%dx%d d%dx%d g%d%s" %
           (tag, n, c, o, h, w, kh, kw, sh, sw, ph, pw, dh, dw_, g, " bias" if bias else ""))
    cost = n * o * (oh or 0) * (ow or 0) * cg * kh * kw
    return Case("conv", key, inputs, body, expr, valid,
                [n, o, oh, ow] if valid else None, n, cost, why)


def conv_cases():
    cases = []
    spatial = [(13, 13), (28, 28), (29, 29), (13, 29), (29, 13), (64, 28)]
    i = 0
    # Attribute matrix: every kernel 1-7 x 1-7, stride, padding, dilation 1-3
    # (square), groups 1, 2 and depthwise.
    for kh, kw, s, p, d, g in itertools.product(range(1, 8), range(1, 8), range(1, 4),
                                                range(0, 4), range(1, 4), ("1", "2", "dw")):
        h, w = spatial[i % len(spatial)]
        if g == "1":
            c, o, gg = 3, 4, 1
        elif g == "2":
            c, o, gg = 4, 6, 2
        else:
            c, o, gg = 3, 3 if i % 2 else 6, 3
        cases.append(conv_case(2, c, o, h, w, kh, kw, (s, s), (p, p), (d, d), gg, i % 2 == 0, "-attr"))
        i += 1
    # Non-square strides, paddings and dilations.
    for (kh, kw), s, p, d in itertools.product([(3, 5), (5, 3), (2, 7), (7, 7), (1, 4)],
                                               [(1, 2), (2, 1), (3, 1)], [(0, 1), (2, 0), (3, 1)],
                                               [(1, 2), (2, 1), (3, 1)]):
        h, w = spatial[i % len(spatial)]
        cases.append(conv_case(3, 2, 5, h, w, kh, kw, s, p, d, 1, i % 2 == 0, "-mixed"))
        i += 1
    # Shape matrix: H=W, channels in and out, batch, a few kernel shapes,
    # groups 1, 2 and depthwise.
    kcfgs = [(1, 1, 1, 0), (3, 3, 1, 1), (5, 5, 2, 2), (7, 3, 1, 0)]
    for hw, c, o, n, (kh, kw, s, p), g in itertools.product(HW, CH, CH, BATCH, kcfgs, ("1", "2", "dw")):
        if g == "dw":
            if o != c:
                continue
            gg = c
        else:
            gg = int(g)
        cases.append(conv_case(n, c, o, hw, hw, kh, kw, (s, s), (p, p), (1, 1), gg, True, "-shape"))
    return cases


def pool_case(op, n, c, h, w, k, s, p, tag):
    kh, kw = k
    sh, sw = s if s else k
    ph, pw = p
    valid, why = True, ""
    if 2 * ph > kh or 2 * pw > kw:
        valid, why = False, "padding more than half the kernel"
    oh, ow = win(h, kh, sh, ph, 1), win(w, kw, sw, pw, 1)
    if oh is None or ow is None:
        valid, why = False, "window larger than the padded input"
    sarg = "" if s is None else ", stride=[%d, %d]" % s
    expr = "%s(x, [%d, %d]%s, padding=[%d, %d])" % (op, kh, kw, sarg, ph, pw)
    key = "%s%s n%d c%d hw%dx%d k%dx%d s%s p%dx%d" % (
        op, tag, n, c, h, w, kh, kw, "%dx%d" % s if s else "=k", ph, pw)
    return Case("pool", key, "x: f32[B, %d, %d, %d]" % (c, h, w), [], expr, valid,
                [n, c, oh, ow] if valid else None, n, n * c * (oh or 0) * (ow or 0) * kh * kw, why)


def pool_cases():
    cases = []
    spatial = [(13, 13), (28, 28), (29, 29), (13, 29), (29, 13), (64, 64), (3, 3)]
    i = 0
    for op, kh, kw, s, p in itertools.product(("max_pool2d", "avg_pool2d"), range(1, 8), range(1, 8),
                                              (None, 1, 2, 3), range(0, 4)):
        h, w = spatial[i % len(spatial)]
        cases.append(pool_case(op, 2, 3, h, w, (kh, kw), (s, s) if s else None, (p, p), "-attr"))
        i += 1
    for op, hw, c, n, (k, s, p) in itertools.product(("max_pool2d", "avg_pool2d"), HW, CH, BATCH,
                                                     [((2, 2), None, (0, 0)), ((3, 3), (2, 2), (1, 1)),
                                                      ((3, 2), (1, 2), (1, 0))]):
        cases.append(pool_case(op, n, c, hw, hw, k, s, p, "-shape"))
    for hw, c, n, size in itertools.product(HW, (3, 17), (1, 7), ("1", "2", "7", "hw", "1xw")):
        sz = {"1": (1, 1), "2": (2, 2), "7": (7, 7), "hw": (hw, hw), "1xw": (1, hw)}[size]
        valid = sz[0] <= hw and sz[1] <= hw
        expr = "adaptive_avg_pool2d(x, [%d, %d])" % sz
        cases.append(Case("pool", "adaptive n%d c%d hw%d size%dx%d" % (n, c, hw, sz[0], sz[1]),
                          "x: f32[B, %d, %d, %d]" % (c, hw, hw), [], expr, valid,
                          [n, c, sz[0], sz[1]] if valid else None, n, n * c * hw * hw,
                          "" if valid else "output larger than input"))
    return cases


def matmul_cases():
    cases = []

    def mm(key, a, b, out, dyn=None):
        ins = "a: f32%s, b: f32%s" % (shape_str(a), shape_str(b))
        flat = lambda s: [d if d != "B" else dyn for d in s]  # noqa: E731
        aa, bb = flat(a), flat(b)
        k = aa[-1]
        cost = k
        for d in [d for d in flat(out)]:
            cost *= d
        return Case("matmul", key, ins, [], "matmul(a, b)", True, flat(out), dyn, cost)

    for m, n, k in itertools.product(MM, MM, MM):
        cases.append(mm("matmul m%d n%d k%d" % (m, n, k), [m, k], [k, n], [m, n]))
        cases.append(mm("matmul-batch m=B%d n%d k%d" % (m, n, k), ["B", k], [k, n], ["B", n], dyn=m))
    for a, b in itertools.product(MM, MM):
        cases.append(mm("matmul-vecmat k%d n%d" % (a, b), [a], [a, b], [b]))
        cases.append(mm("matmul-matvec m%d k%d" % (a, b), [a, b], [b], [a]))
    for k in MM:
        cases.append(mm("matmul-dot k%d" % k, [k], [k], []))
    for ba, bb, m, n, k in itertools.product((None, 1, 3), (None, 1, 3), (1, 3, 17), (1, 3, 17), (1, 17)):
        a = ([ba] if ba else []) + [m, k]
        b = ([bb] if bb else []) + [k, n]
        bo = [max(x for x in (ba, bb) if x)] if (ba or bb) else []
        cases.append(mm("matmul-bcast a%s b%s" % (shape_str(a), shape_str(b)), a, b, bo + [m, n]))
    for m, n, k in [(3, 5, 4), (1, 17, 3), (10, 1, 17)]:
        cases.append(mm("matmul-bcast4 m%d n%d k%d" % (m, n, k), [2, 1, m, k], [3, k, n], [2, 3, m, n]))
    return cases


REDUCE_SHAPES = [[7], [128], [1], [3, 17], [64, 1], [1, 29], [7, 3, 13], [2, 17, 3, 29],
                 ["B", 3, 13], ["B", 17, 1, 5]]


def with_batch(shape, dyn):
    return [dyn if d == "B" else d for d in shape]


def reduce_cases():
    cases = []
    for shape in REDUCE_SHAPES:
        r = len(shape)
        dyn = 7 if "B" in shape else None
        full = with_batch(shape, dyn)
        subsets = [None] + [list(c) for k in range(1, r + 1) for c in itertools.combinations(range(r), k)]
        for op, axes, keep in itertools.product(("sum", "mean", "max"), subsets, (False, True)):
            if axes is None:
                arg = ", keepdims=true" if keep else ""
                out = [1] * r if keep else []
            else:
                arg = ", axis=%s%s" % (shape_str(axes), ", keepdims=true" if keep else "")
                out = [1 if i in axes else d for i, d in enumerate(full)] if keep else \
                    [d for i, d in enumerate(full) if i not in axes]
            # A negative axis once per shape.
            cases.append(Case("reduce", "%s x%s axes%s keep%d" % (op, shape_str(shape), axes, keep),
                              "x: f32%s" % shape_str(shape), [], "%s(x%s)" % (op, arg), True, out, dyn,
                              sum(full) if full else 1))
        for op, axis in itertools.product(("softmax", "log_softmax"), list(range(r)) + [-1]):
            cases.append(Case("reduce", "%s x%s axis%d" % (op, shape_str(shape), axis),
                              "x: f32%s" % shape_str(shape), [], "%s(x, axis=%d)" % (op, axis), True,
                              full, dyn, 1))
        for axis in (r, -r - 1):
            cases.append(Case("reduce", "softmax x%s bad-axis%d" % (shape_str(shape), axis),
                              "x: f32%s" % shape_str(shape), [], "softmax(x, axis=%d)" % axis, False,
                              None, dyn, 1, "axis out of range"))
    return cases


def bcast_variants(base):
    """Every operand shape that broadcasts to base: a suffix of base's rank,
    each dimension either full or 1."""
    out = []
    r = len(base)
    for k in range(0, r + 1):
        suffix = base[r - k:]
        for mask in itertools.product((False, True), repeat=k):
            out.append([1 if m else d for d, m in zip(suffix, mask)])
    return out


def bcast_shape(a, b):
    r = max(len(a), len(b))
    a = [1] * (r - len(a)) + a
    b = [1] * (r - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(max(x, y))
    return out


def elementwise_cases():
    cases = []
    ops = ("add", "sub", "mul", "div", "pow")
    base3 = [3, 5, 17]
    v3 = bcast_variants(base3)
    for op, a, b in itertools.product(ops, v3, v3):
        cases.append(Case("bcast", "%s a%s b%s" % (op, shape_str(a), shape_str(b)),
                          "a: f32%s, b: f32%s" % (shape_str(a), shape_str(b)), [],
                          "%s(a, b)" % op, True, bcast_shape(a, b), None, 1))
    base4 = [2, 3, 4, 29]
    v4 = bcast_variants(base4)
    for op, a in itertools.product(ops, v4):
        for x, y in ((a, base4), (base4, a)):
            cases.append(Case("bcast", "%s a%s b%s" % (op, shape_str(x), shape_str(y)),
                              "a: f32%s, b: f32%s" % (shape_str(x), shape_str(y)), [],
                              "%s(a, b)" % op, True, bcast_shape(x, y), None, 1))
    # With the symbolic batch, as in models: [B, C, H, W] (+) per-channel.
    for op, b in itertools.product(ops, ([1], [13], [3, 1, 1], [1, 3, 1, 13], ["B", 1, 1, 1], ["B", 3, 13, 13])):
        cases.append(Case("bcast", "%s a[B,3,13,13] b%s" % (op, shape_str(b)),
                          "a: f32[B, 3, 13, 13], b: f32%s" % shape_str(b), [], "%s(a, b)" % op, True,
                          [7, 3, 13, 13], 7, 1))
    # Incompatible shapes must be rejected clearly.
    for a, b in (([3, 5], [4, 5]), ([2, 3, 4], [3, 5]), ([3], [4])):
        cases.append(Case("bcast", "add-bad a%s b%s" % (shape_str(a), shape_str(b)),
                          "a: f32%s, b: f32%s" % (shape_str(a), shape_str(b)), [], "a + b", False,
                          None, None, 1, "shapes do not broadcast"))
    unary = ("neg", "exp", "log", "sqrt", "abs", "relu", "leaky_relu", "sigmoid", "tanh", "gelu")
    for op, shape in itertools.product(unary, ([1], [7], [17], [3, 29], ["B", 64], [2, 3, 13, 13], [128, 784])):
        dyn = 5 if "B" in shape else None
        expr = "leaky_relu(x, slope=0.2)" if op == "leaky_relu" else "%s(x)" % op
        cases.append(Case("unary", "%s x%s" % (op, shape_str(shape)), "x: f32%s" % shape_str(shape), [],
                          expr, True, with_batch(shape, dyn), dyn, 1))
    return cases


def layer_cases():
    cases = []
    for c, n, sp in itertools.product((1, 3, 17, 64), (1, 2, 7, 128), ([], [1, 1], [3, 3], [13, 13])):
        shape = ["B", c] + sp
        full = [n, c] + sp
        cases.append(Case("norm", "batch_norm x%s n%d" % (shape_str(shape), n), "x: f32%s" % shape_str(shape),
                          [], "batch_norm(x)", True, full, n, 1))
    for shape in ([1], [17], ["B", 1], ["B", 64], [3, 5, 29], ["B", 3, 13, 13]):
        dyn = 7 if "B" in shape else None
        cases.append(Case("norm", "layer_norm x%s" % shape_str(shape), "x: f32%s" % shape_str(shape),
                          [], "layer_norm(x)", True, with_batch(shape, dyn), dyn, 1))
    for p, shape in itertools.product((0.1, 0.5, 0.9), (["B", 17], ["B", 3, 13, 13])):
        cases.append(Case("norm", "dropout p%g x%s" % (p, shape_str(shape)), "x: f32%s" % shape_str(shape),
                          [], "dropout(x, p=%g)" % p, True, with_batch(shape, 7), 7, 1))
    for loss, c, n in itertools.product(("mse", "l1", "bce", "bce_with_logits"), (1, 3, 17), (1, 7, 128)):
        ins = "x: f32[B, %d], t: f32[B, %d]" % (c, c)
        x = "sigmoid(x)" if loss == "bce" else "x"
        t = "sigmoid(t)" if loss.startswith("bce") else "t"
        cases.append(Case("loss", "%s c%d n%d" % (loss, c, n), ins, [], "%s(%s, %s)" % (loss, x, t),
                          True, [], n, 1))
    for loss, c, n, ls in itertools.product(("cross_entropy", "nll"), (1, 2, 10, 17), (1, 7, 128), (0, 0.1)):
        if loss == "nll" and ls:
            continue
        ins = "x: f32[B, %d], y: i64[B]" % c
        if loss == "nll":
            expr = "nll(log_softmax(x), y)"
        else:
            expr = "cross_entropy(x, y%s)" % (", label_smoothing=%g" % ls if ls else "")
        cases.append(Case("loss", "%s c%d n%d ls%g" % (loss, c, n, ls), ins, [], expr, True, [], n, 1))
    # Shape ops.
    for perm in itertools.permutations(range(4)):
        shape = [2, 3, 5, 17]
        cases.append(Case("shape", "transpose %s" % list(perm), "x: f32%s" % shape_str(shape), [],
                          "transpose(x, %s)" % list(perm), True, [shape[i] for i in perm], None, 1))
    for perm in itertools.permutations(range(3)):
        shape = [3, 29, 4]
        cases.append(Case("shape", "transpose3 %s" % list(perm), "x: f32%s" % shape_str(shape), [],
                          "transpose(x, %s)" % list(perm), True, [shape[i] for i in perm], None, 1))
    for shape in ([7], [3, 5], ["B", 3, 4], [2, 3, 4, 5]):
        r = len(shape)
        for axis in range(r):
            if shape[axis] == "B":
                continue
            for k in (2, 3):
                shapes = []
                for j in range(k):
                    s = list(shape)
                    s[axis] = shape[axis] + j
                    shapes.append(s)
                ins = ", ".join("x%d: f32%s" % (j, shape_str(s)) for j, s in enumerate(shapes))
                out = with_batch(list(shape), 7 if "B" in shape else None)
                out[axis] = sum(s[axis] for s in shapes)
                cases.append(Case("shape", "concat%d x%s axis%d" % (k, shape_str(shape), axis), ins, [],
                                  "concat([%s], axis=%d)" % (", ".join("x%d" % j for j in range(k)), axis),
                                  True, out, 7 if "B" in shape else None, 1))
    for start, end in ((1, -1), (0, -1), (1, 2), (2, 3), (0, 1)):
        shape = ["B", 3, 5, 7]
        full = [4, 3, 5, 7]
        e = end % 4
        out = full[:start] + [eval("*".join(str(d) for d in full[start:e + 1]))] + full[e + 1:]
        cases.append(Case("shape", "flatten s%d e%d" % (start, end), "x: f32[B, 3, 5, 7]", [],
                          "flatten(x, start=%d, end=%d)" % (start, end), True, out, 4, 1))
    for target in ([-1], ["B", -1], ["B", 5, 21], ["B", 105, 1]):
        shape = ["B", 3, 5, 7]
        cases.append(Case("shape", "reshape %s" % target, "x: f32[B, 3, 5, 7]", [],
                          "reshape(x, %s)" % shape_str(target), True, None, 4, 1))
    return cases


def convt_case(n, c, o, h, w, k, s, p, op, d, g):
    """conv_transpose2d through its op-table row: PyTorch's output size and
    its validity rules (output_padding < max(stride, dilation))."""
    valid, why = True, ""
    if c % g or o % g:
        valid, why = False, "groups do not divide channels"
    if op >= s:
        # PyTorch also allows op < dilation at stride 1; dlc does not (the
        # result would not be the input size of its gradient's conv2d).
        valid, why = False, "output_padding not below the stride"
    oh = (h - 1) * s - 2 * p + d * (k - 1) + op + 1
    ow = (w - 1) * s - 2 * p + d * (k - 1) + op + 1
    if oh < 1 or ow < 1:
        valid, why = False, "the padding leaves no output"
    og = o // g if valid else max(o // g, 1)
    inputs = "x: f32[B, %d, %d, %d]" % (c, h, w)
    body = ["param w: f32[%d, %d, %d, %d]" % (c, og, k, k)]
    expr = ("convolution_transpose(x, w, stride=%d, padding=%d, output_padding=%d, dilation=%d, groups=%d)"
            % (s, p, op, d, g))
    key = "convt n%d c%d o%d hw%dx%d k%d s%d p%d op%d d%d g%d" % (n, c, o, h, w, k, s, p, op, d, g)
    cost = n * c * h * w * og * k * k
    return Case("convt", key, inputs, body, expr, valid,
                [n, o, oh, ow] if valid else None, n, cost, why)


def convt_cases():
    cases = []
    spatial = [(1, 1), (3, 3), (7, 7), (13, 5), (14, 14)]
    i = 0
    for k, s, p, op, d, g in itertools.product(range(1, 6), range(1, 4), range(0, 3), range(0, 3),
                                               range(1, 3), (1, 2)):
        h, w = spatial[i % len(spatial)]
        c, o = (4, 6) if g == 2 else (3, 5)
        cases.append(convt_case(1 + i % 3, c, o, h, w, k, s, p, op, d, g))
        i += 1
    return cases


def reshape_op_cases():
    """pad, flip and slice (Python bounds), each on several shapes; their
    invalid forms (a padded or sliced batch, an empty slice) must be clear
    errors."""
    cases = []
    shapes = [(1, 1, 1), (3, 5, 7), (2, 13, 4), (17, 1, 9)]
    for c, h, w in shapes:
        x = "x: f32[B, %d, %d, %d]" % (c, h, w)
        for pads in ([1, 2], [0, 0, 3, 1], [2, 2, 2, 2, 1, 0]):
            per = [(0, 0)] * 4
            for k in range(0, len(pads), 2):
                per[3 - k // 2] = (pads[k], pads[k + 1])
            out = [3, c + sum(per[1]), h + sum(per[2]), w + sum(per[3])]
            cases.append(Case("reshape-ops", "pad %s %s" % (shape_str([c, h, w]), pads), x, [],
                              "pad(x, %s, value=0.5)" % pads, True, out, 3))
        cases.append(Case("reshape-ops", "pad batch %s" % shape_str([c, h, w]), x, [],
                          "pad(x, [0, 0, 0, 0, 0, 0, 1, 1])", False, None, 3,
                          why="pads the symbolic batch"))
        for axes in ("3", "[2, 3]", "[1, -1]", "0"):
            cases.append(Case("reshape-ops", "flip %s %s" % (shape_str([c, h, w]), axes), x, [],
                              "flip(x, %s)" % axes, True, [3, c, h, w], 3))
        for axis, n in ((1, c), (2, h), (3, w)):
            for start, end, step in ((0, None, 1), (1, None, 2), (-2, None, 1), (0, -1, 1), (1, 3, 1)):
                lo = max(0, min(n, start + n if start < 0 else start))
                hi = n if end is None else max(0, min(n, end + n if end < 0 else end))
                length = max(0, (hi - lo + step - 1) // step)
                out = [3, c, h, w]
                out[axis] = length
                args = "x, %d, %d%s, step=%d" % (axis, start, "" if end is None else ", %d" % end, step)
                cases.append(Case("reshape-ops", "slice %s %s" % (shape_str([c, h, w]), args), x, [],
                                  "slice(%s)" % args, length > 0, out if length > 0 else None, 3,
                                  why="an empty slice"))
    return cases


def index_op_cases():
    """one_hot (integer indices drawn in [0, n + 2) by dlc-halide-check, so
    out-of-range rows of zeros occur), used as an embedding lookup
    one_hot(y, n) @ e and times a float tensor; upsample (nearest and
    bilinear, PyTorch's sizes H * scale), stack and split (a tuple, unpacked)
    on odd sizes and batch 1; gather (e[y], x[:, k]) and x[...] subscripts.
    Invalid forms (upsample of a rank-2 tensor, one_hot of a float tensor,
    a stack of different shapes, an axis out of range) must be clear
    errors."""
    cases = []
    for shape, n in itertools.product((["B"], ["B", 1], ["B", 7], [3, 5], ["B", 2, 3]), (1, 2, 10, 17)):
        dyn = 3 if "B" in shape else None
        full = with_batch(list(shape), dyn)
        ins = "y: i64%s, x: f32%s" % (shape_str(shape), shape_str(shape + [n]))
        cases.append(Case("index-ops", "one_hot y%s n%d" % (shape_str(shape), n), ins, [],
                          "one_hot(y, %d) * x" % n, True, full + [n], dyn, 1))
        ins = "y: i64%s" % shape_str(shape)
        cases.append(Case("index-ops", "one_hot-embed y%s n%d" % (shape_str(shape), n), ins,
                          ["param e: f32[%d, 5]" % n], "matmul(one_hot(y, %d), e)" % n, True,
                          full + [5], dyn, 1))
    cases.append(Case("index-ops", "one_hot float", "y: f32[B, 3]", [], "one_hot(y, 4)", False, None, 3,
                      why="one_hot of a float tensor"))
    # gather: a table read by batched indices (an embedding, e[y]), and a
    # batched tensor read along a static axis by a static index tensor.
    for shape, n in itertools.product((["B"], ["B", 7], [3, 5], ["B", 2, 3]), (1, 2, 17)):
        dyn = 3 if "B" in shape else None
        full = with_batch(list(shape), dyn)
        cases.append(Case("index-ops", "gather-embed y%s n%d" % (shape_str(shape), n),
                          "y: i64%s" % shape_str(shape), ["param e: f32[%d, 5]" % n], "e[y]", True,
                          full + [5], dyn, 1))
    for (c, w), k, axis in itertools.product(((1, 1), (7, 3), (13, 17)), ([1], [4], [2, 3]), (1, 2)):
        x = [3, c, w]
        out = x[:axis] + k + x[axis + 1:]
        sub = ":, k" if axis == 1 else ":, :, k"
        cases.append(Case("index-ops", "gather x%s k%s axis%d" % (shape_str([c, w]), shape_str(k), axis),
                          "x: f32[B, %d, %d], k: i64%s" % (c, w, shape_str(k)), [], "x[%s]" % sub, True,
                          out, 3, 1))
    cases.append(Case("index-ops", "gather float ids", "x: f32[B, 3], k: f32[2]", [], "gather(x, k, 1)",
                      False, None, 3, why="indices that are not integers"))
    cases.append(Case("index-ops", "gather batch axis", "x: f32[B, 3], k: i64[2]", [], "gather(x, k, 0)",
                      False, None, 3, why="gathering the symbolic batch"))
    # Python's subscripts: an integer drops its axis, a slice keeps it.
    for sub, out in (("0", [3, 5, 6]), ("-1, 1:4", [3, 3, 6]), ("..., ::2", [3, 4, 5, 3]),
                     ("2, :, -3", [3, 5])):
        cases.append(Case("index-ops", "subscript [%s]" % sub, "x: f32[B, 4, 5, 6]", [], "x[:, %s]" % sub,
                          True, out, 3, 1))
    for (c, h, w), scale, mode in itertools.product(((1, 1, 1), (3, 5, 7), (2, 13, 4), (1, 28, 28), (17, 1, 9)),
                                                    (1, 2, 3), ("nearest", "bilinear")):
        for n in (1, 4):
            x = "x: f32[B, %d, %d, %d]" % (c, h, w)
            cases.append(Case("index-ops", "upsample %s n%d %s x%d" % (mode, n, shape_str([c, h, w]), scale),
                              x, [], 'upsample(x, scale=%d, mode="%s")' % (scale, mode), True,
                              [n, c, h * scale, w * scale], n, n * c * h * w * scale * scale))
    cases.append(Case("index-ops", "upsample rank 2", "x: f32[B, 5]", [], 'upsample(x, mode="bilinear")',
                      False, None, 3, why="upsample of a rank-2 tensor"))
    for shape, k in itertools.product((["B", 1], ["B", 3, 5], [1], [2, 7, 3]), (1, 2, 3)):
        dyn = 1 if "B" in shape else None
        for axis in range(-len(shape) - 1, len(shape) + 1):
            ins = ", ".join("x%d: f32%s" % (j, shape_str(shape)) for j in range(k))
            full = with_batch(list(shape), dyn)
            a = axis + len(shape) + 1 if axis < 0 else axis
            out = full[:a] + [k] + full[a:]
            cases.append(Case("index-ops", "stack%d x%s axis%d" % (k, shape_str(shape), axis), ins, [],
                              "stack([%s], axis=%d)" % (", ".join("x%d" % j for j in range(k)), axis),
                              True, out, dyn, 1))
        cases.append(Case("index-ops", "stack x%s axis out of range" % shape_str(shape),
                          "x0: f32%s" % shape_str(shape), [], "stack([x0, x0], axis=%d)" % (len(shape) + 1),
                          False, None, 1, why="axis out of range"))
    for shape, axis in itertools.product((["B", 5], ["B", 3, 7], [1, 4, 9], ["B", 2, 13, 1]), (-1, 1)):
        dyn = 1 if "B" in shape else None
        full = with_batch(list(shape), dyn)
        n = shape[axis]
        if n < 2:
            continue
        for sizes in (str(n // 2), "[%d, %d]" % (n - 1, 1)):
            body = ["(a, b) = split(x, %s, axis=%d)" % (sizes, axis)] if sizes.startswith("[") or \
                -(-n // (n // 2)) == 2 else None
            if body is None:
                continue
            cases.append(Case("index-ops", "split x%s %s axis%d" % (shape_str(shape), sizes, axis),
                              "x: f32%s" % shape_str(shape), body, "concat([b, a * 2], axis=%d)" % axis,
                              True, full, dyn, 1))
    # A loop over a sequence axis: one slice per step (merged into one
    # nn.split by dlc), restacked; some steps skipped so that the split has
    # unused pieces (zero cotangents) and gaps.
    for shape, axis, step in itertools.product((["B", 5, 3], ["B", 1, 4], [2, 7, 3], ["B", 3, 6, 2]),
                                               (1, -1), (1, 2)):
        dyn = 2 if "B" in shape else None
        full = with_batch(list(shape), dyn)
        n = shape[axis]
        a = axis % len(shape)
        count = len(range(0, n, step))
        body = ["ys = []",
                "for t in range(0, %d, %d) {" % (n, step),
                "  ys = ys + [slice(x, %d, t, t + 1) * (t + 1)]" % axis,
                "}"]
        out = full[:a] + [count] + full[a + 1:]
        cases.append(Case("index-ops", "slice-loop x%s axis%d step%d" % (shape_str(shape), axis, step),
                          "x: f32%s" % shape_str(shape), body,
                          "reshape(stack(ys, axis=%d), [%s])" % (a, ", ".join(
                              "B" if d == "B" else str(d) for d in shape[:a] + [count] + shape[a + 1:])),
                          True, out, dyn, 1))
    cases.append(Case("index-ops", "stack different shapes", "a: f32[B, 3], b: f32[B, 4]", [],
                      "stack([a, b])", False, None, 1, why="shapes differ"))
    return cases


FAMILIES = {
    "conv": conv_cases, "pool": pool_cases, "matmul": matmul_cases, "reduce": reduce_cases,
    "elementwise": elementwise_cases, "layers": layer_cases,
    "convt": convt_cases, "reshape-ops": reshape_op_cases,
    "index-ops": index_op_cases,
}


def all_cases(families):
    cases = []
    for f in families:
        cases += FAMILIES[f]()
    seen = set()
    unique = []
    for c in cases:
        if c.key in seen:
            continue
        seen.add(c.key)
        c.id = "c" + hashlib.sha1(c.key.encode()).hexdigest()[:10]
        unique.append(c)
    return unique


# --- running ------------------------------------------------------------------

def mlir_type(shape, dyn, elem="f32"):
    dims = ["?" if d == "B" else str(d) for d in shape]
    return "tensor<%s%s>" % ("x".join(dims) + "x" if dims else "", elem)


def expected_type(case):
    if case.out_shape is None:
        return None
    return "tensor<%s>" % "x".join([("?" if False else str(d)) for d in case.out_shape] + ["f32"])


class Outcome:
    def __init__(self, case, status, detail="", log="", cmd=""):
        self.case, self.status, self.detail, self.log, self.cmd = case, status, detail, log, cmd


def front_end(case, work, opts):
    """Runs dlc on the case. Returns (Outcome or None, module text)."""
    path = os.path.join(work, case.id + ".dl")
    with open(path, "w") as f:
        f.write(case.dl())
    res = T.run([T.tool("dlc"), path, "--emit=mlir", "--stdlib", T.stdlib_dir()], opts.timeout)
    cmd = "build/bin/dlc %s.dl --emit=mlir" % case.id
    if res.timed_out:
        return Outcome(case, "FAIL", "dlc timed out", res.text, cmd), None
    if res.crashed():
        return Outcome(case, "FAIL", "dlc crashed (rc %d)" % res.rc, res.text, cmd), None
    if res.rc != 0:
        if not T.clear_error(res.err) or res.rc != 1:
            return Outcome(case, "FAIL", "dlc rejects it without a clear diagnostic (rc %d)" % res.rc,
                           res.text, cmd), None
        msg = re.search(r"error: (.*)", res.err).group(1)
        if case.valid:
            return Outcome(case, "SKIP-REJECTED", msg, res.text, cmd), None
        return Outcome(case, "SKIP", msg, res.text, cmd), None
    if not case.valid:
        return Outcome(case, "FAIL", "dlc accepts an invalid case (%s)" % case.why, res.text, cmd), None
    # The front end's output shape against the PyTorch formula.
    if case.out_shape is not None:
        funcs = T.parse_functions(res.out)
        got = T.type_of(funcs[0][2][0])
        want = "tensor<%s>" % "x".join([str(d) for d in case.out_shape] + ["f32"])
        got_sized = got.replace("?", str(case.dyn)) if case.dyn else got
        if got_sized != want:
            return Outcome(case, "FAIL", "front end output type %s, expected %s" % (got, want),
                           res.text, cmd), None
    return None, res.out


def check_chunk(chunk, work, opts):
    """Checks a list of (case, module text) in one dlc-halide-check run;
    returns {case id: Outcome}. A crash or timeout reruns the cases alone."""
    parts, names = [], {}
    for case, text in chunk:
        body, fnames = T.loss_module(text, case.id)
        parts.append(body)
        names[case.id] = fnames
    tag = chunk[0][0].id if len(chunk) == 1 else "chunk-" + chunk[0][0].id
    path = os.path.join(work, tag + ".mlir")
    with open(path, "w") as f:
        f.write("module {\n" + "\n".join(parts) + "\n}\n")
    dyn = chunk[0][0].dyn or 3
    args = ["--grad", "--merge-slices", "--groups=%s" % opts.groups, "--rtol=1e-4", "--dynamic-size=%d" % dyn]
    res = T.run(T.tool_cmd("dlc-halide-check") + [path] + args, opts.timeout * len(chunk))
    cmd = "build/bin/dlc-halide-check case.mlir " + " ".join(args)
    status = T.parse_check_output(res.out)
    out = {}
    if (res.timed_out or res.crashed() or res.rc not in (0, 1)) and len(chunk) > 1:
        for item in chunk:
            out.update(check_chunk([item], work, opts))
        return out
    warn = "guaranteed to fail" in res.err
    for case, text in chunk:
        expected = []
        for n in names[case.id]:
            expected += [n, n + "_grad"]
        got = {n: status.get(n) for n in expected}
        log = "\n".join(l for l in res.out.splitlines()) + "\n--- stderr ---\n" + res.err
        case_mlir = "module {\n" + T.loss_module(text, case.id)[0] + "\n}\n"
        if res.timed_out:
            out[case.id] = Outcome(case, "FAIL", "dlc-halide-check timed out", log, cmd)
        elif res.crashed():
            out[case.id] = Outcome(case, "FAIL", "dlc-halide-check crashed (rc %d)" % res.rc, log, cmd)
        elif any(v == "FAIL" for v in got.values()):
            bad = [n for n, v in got.items() if v == "FAIL"]
            detail = summarize_failure(res.out, bad)
            out[case.id] = Outcome(case, "FAIL", detail, log, cmd)
        elif any(v is None for v in got.values()):
            missing = [n for n, v in got.items() if v is None]
            out[case.id] = Outcome(case, "FAIL", "no result for %s (rc %d)" % (missing, res.rc), log, cmd)
        elif warn and len(chunk) == 1:
            out[case.id] = Outcome(case, "FAIL", "Halide warns the pipeline is guaranteed to fail", log, cmd)
        elif warn:
            out.update(check_chunk([(case, text)], work, opts))
        else:
            out[case.id] = Outcome(case, "PASS", "", log, cmd)
        out[case.id].mlir = case_mlir
    return out


def summarize_failure(text, bad):
    """The first failing kernel line of the failing functions."""
    current, first = None, []
    for line in text.splitlines():
        m = re.match(r"function @([\w$.]+)", line)
        if m:
            current = m.group(1)
            continue
        if current in bad and ("FAIL" in line) and not line.startswith("FAIL: @") \
                and "SOME FAILED" not in line:
            first.append(line.strip())
    if not first:
        return "FAIL in %s" % ", ".join(bad)
    kinds = []
    for l in first:
        m = re.search(r"= (nn\.\w+) \[([^\]]*)\]", l)
        kinds.append("%s [%s]" % (m.group(1), m.group(2)) if m else l[:200])
    return "; ".join(sorted(set(kinds)))


def save_failure(o, faildir):
    d = os.path.join(faildir, o.case.id)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.dl"), "w") as f:
        f.write(o.case.dl())
    mlir = getattr(o, "mlir", None)
    if mlir:
        with open(os.path.join(d, "case.mlir"), "w") as f:
            f.write(mlir)
    with open(os.path.join(d, "log.txt"), "w") as f:
        f.write(o.log)
    with open(os.path.join(d, "repro.sh"), "w") as f:
        f.write("#!/bin/sh\n# %s\n# %s\n" % (o.case.key, o.detail))
        f.write("cd \"$(dirname \"$0\")\"\nBIN=${DLC_TOOLS:-%s}\n" % T.tool_dir())
        if mlir:
            f.write("$BIN/dlc-halide-check case.mlir %s\n" % o.cmd.split("case.mlir ", 1)[1])
        else:
            f.write("$BIN/dlc model.dl --emit=mlir --stdlib %s\n" % T.stdlib_dir())
    os.chmod(os.path.join(d, "repro.sh"), 0o755)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--all", action="store_true", help="run the whole matrix")
    g.add_argument("--sample", type=int, help="run a deterministic random subset of N cases")
    ap.add_argument("--seed", type=int, default=0, help="seed of --sample")
    ap.add_argument("--family", action="append", choices=sorted(FAMILIES),
                    help="only these families (repeatable; default: all)")
    ap.add_argument("--filter", help="only cases whose description matches this regex")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="parallel checks")
    ap.add_argument("--max-macs", type=float, default=3e8,
                    help="skip cases whose forward op has more multiply-adds (the double-precision "
                         "reference evaluator is slow); 0 = no limit (default 3e8)")
    ap.add_argument("--chunk", type=int, default=8,
                    help="cheap cases checked per dlc-halide-check run (default 8)")
    ap.add_argument("--groups", default="op", choices=("op", "function"))
    ap.add_argument("--timeout", type=int, default=600, help="seconds per tool run")
    ap.add_argument("--failures", default="sweep-failures", help="directory for failing cases")
    ap.add_argument("--list", action="store_true", help="print the selected cases and exit")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    opts = ap.parse_args()

    families = opts.family or list(FAMILIES)
    cases = all_cases(families)
    total = len(cases)
    if opts.filter:
        cases = [c for c in cases if re.search(opts.filter, c.key)]
    over = []
    if opts.max_macs:
        over = [c for c in cases if c.cost > opts.max_macs]
        cases = [c for c in cases if c.cost <= opts.max_macs]
    if opts.sample is not None:
        # Stratified: round robin over the op families (conv has most of
        # the matrix), a random order within each.
        rng = random.Random(opts.seed)
        fam = {}
        for c in cases:
            fam.setdefault(c.family, []).append(c)
        order = sorted(fam)
        for f in order:
            rng.shuffle(fam[f])
        picked = []
        while len(picked) < opts.sample and any(fam.values()):
            for f in order:
                if fam[f] and len(picked) < opts.sample:
                    picked.append(fam[f].pop())
        cases = sorted(picked, key=lambda c: c.key)
        over = []
    elif not opts.all and not opts.filter and not opts.family:
        ap.error("give --all, --sample N, --family or --filter")
    if opts.list:
        for c in cases:
            print(c.id, c.key, "(invalid: %s)" % c.why if not c.valid else "")
        print("%d of %d cases selected, %d over --max-macs" % (len(cases), total, len(over)))
        return 0

    start = time.time()
    work = tempfile.mkdtemp(prefix="dlc-sweep-")
    results = {}
    lock_print = __import__("threading").Lock()

    def report(o):
        with lock_print:
            results[o.case.id] = o
            if o.status == "FAIL" or not opts.quiet:
                print("%s: %s  [%s]%s" % (o.status, o.case.key, o.case.id,
                                          (" -- " + o.detail) if o.detail else ""), flush=True)

    # Front end first (fast), then the kernel checks, cheap cases in chunks.
    to_check = []
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
        for c, (o, text) in zip(cases, ex.map(lambda c: front_end(c, work, opts), cases)):
            if o is not None:
                report(o)
            else:
                to_check.append((c, text))
    cheap = lambda c: c.family in ("bcast", "unary", "reduce", "shape") or (  # noqa: E731
        c.family in ("loss", "norm") and (c.dyn or 1) <= 7)
    chunks = []
    pending = {}
    for c, text in to_check:
        if cheap(c) and opts.chunk > 1:
            k = (c.family, c.dyn)
            pending.setdefault(k, []).append((c, text))
            if len(pending[k]) == opts.chunk:
                chunks.append(pending.pop(k))
        else:
            chunks.append([(c, text)])
    chunks += list(pending.values())

    def job(chunk):
        for o in check_chunk(chunk, work, opts).values():
            report(o)

    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
        list(ex.map(job, chunks))

    fails = [o for o in results.values() if o.status == "FAIL"]
    if fails:
        os.makedirs(opts.failures, exist_ok=True)
        for o in fails:
            save_failure(o, opts.failures)
        with open(os.path.join(opts.failures, "summary.json"), "w") as f:
            json.dump([{"id": o.case.id, "case": o.case.key, "detail": o.detail} for o in fails], f, indent=1)
    counts = {}
    for o in results.values():
        counts[o.status] = counts.get(o.status, 0) + 1
    print("\n== shape sweep: %d case(s) in %.0f s: %s%s" % (
        len(results), time.time() - start,
        ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())),
        ("; %d over --max-macs not run" % len(over)) if over else ""))
    rej = [o for o in results.values() if o.status == "SKIP-REJECTED"]
    if rej:
        print("valid by PyTorch's rules but rejected by dlc (clear error):")
        for o in sorted(rej, key=lambda o: o.case.key)[:50]:
            print("  %s: %s" % (o.case.key, o.detail))
    if fails:
        groups = {}
        for o in fails:
            k = o.detail.replace(o.case.id, "<case>")
            k = re.sub(r"\[[^\]]*\]", "[..]", k)
            k = re.sub(r"_g\d+|val\d+|\(\d+\)", "#", k)
            groups.setdefault(k, []).append(o)
        print("failures by kind:")
        for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print("  %4d  %s  (e.g. %s/%s)" % (len(v), k, opts.failures, v[0].case.id))
        print("failing cases saved under %s/ (each with repro.sh)" % opts.failures)
    shutil.rmtree(work, ignore_errors=True)
    print("SWEEP %s" % ("FAILED" if fails else "PASSED"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
