#!/usr/bin/env python3
"""The explicit step of step-semantics.dl by hand, in double precision:

  init OUT.safetensors        writes starting values of G.s and D.v
  check CKPT.safetensors DIR  the checkpoint after one step on the first 4
                              training images of DIR (Fashion-MNIST idx, gzip)
                              holds the parameters the step's statements give
                              in order: D's update first, then G's with D's
                              new parameters (rel. 1e-4); it also fails for
                              G's update computed with D's old parameters

Exits 1 with a message otherwise."""
import gzip
import json
import struct
import sys

import safetensors_read

B, P = 4, 784


def start():
    s = [0.7]
    v = [((i * 37) % 101 - 50) / 5000.0 for i in range(P)]
    return s, v


def write_safetensors(path, tensors):
    header, blob = {}, b""
    for name, (shape, values) in tensors.items():
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + blob)


def read_safetensors(path):
    return {k: v[1] for k, v in safetensors_read.tensors(path).items()}


def images(directory):
    with gzip.open(directory + "/train-images-idx3-ubyte.gz") as f:
        f.read(16)
        raw = f.read(B * P)
    return [[raw[i * P + j] / 255.0 for j in range(P)] for i in range(B)]


def step(x, s, v, g_sees_new_d=True):
    dot = lambda a, b: sum(p * q for p, q in zip(a, b))
    xv = [dot(xi, v) for xi in x]
    # d_loss = mean((xv - 1)^2) + mean((s xv)^2); its gradient in v.
    grad_v = [0.0] * P
    for i in range(B):
        c = 2.0 / B * ((xv[i] - 1.0) + s * s * xv[i])
        for j in range(P):
            grad_v[j] += c * x[i][j]
    v1 = [vj - 0.1 * gj for vj, gj in zip(v, grad_v)]
    vg = v1 if g_sees_new_d else v
    xv1 = [dot(xi, vg) for xi in x]
    # mse(s xv1, 1); sgd with momentum 0.9: the first step's buffer is the
    # gradient.
    grad_s = sum(2.0 / B * (s * xv1[i] - 1.0) * xv1[i] for i in range(B))
    return s - 0.1 * grad_s, v1


if sys.argv[1] == "init":
    s, v = start()
    write_safetensors(sys.argv[2], {"G.s": ([1], s), "D.v": ([P, 1], v)})
    print("wrote", sys.argv[2])
    sys.exit(0)

got = read_safetensors(sys.argv[2])
x = images(sys.argv[3])
s, v = start()
s1, v1 = step(x, s[0], v)
s_old, _ = step(x, s[0], v, g_sees_new_d=False)


def close(a, b):
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


bad = [j for j in range(P) if not close(got["D.v"][j], v1[j])]
if bad:
    j = bad[0]
    sys.exit("D.v[%d] = %.7g, expected %.7g (%d of %d differ)" % (j, got["D.v"][j], v1[j], len(bad), P))
print("G.s = %.7g; expected %.7g (with D's old parameters it would be %.7g)" % (got["G.s"][0], s1, s_old))
if not close(got["G.s"][0], s1):
    sys.exit("G.s differs")
if close(s_old, s1):
    sys.exit("the check cannot tell the orders apart")
print("PASS")
