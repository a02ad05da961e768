#!/usr/bin/env python3
"""The attention layers of attention-values.dl by hand, in double precision
(standard library only):

  data DIR                  writes DIR/x.npy (6 images 1 x 14 x 14, fixed
                            pseudo-random values) and DIR/y.npy (zeros)
  check CKPT X PREDICT      recomputes every output of the model from the
                            checkpoint's weights and the images X, and
                            compares them with ./train predict's (rel. 1e-4)

Attention as PyTorch's F.scaled_dot_product_attention (softmax(q k^T /
sqrt(D)) v, causal: key j > query i left out), multi-head attention as
nn.MultiheadAttention (in-projection, heads, out-projection), the block as
nn.TransformerEncoderLayer(norm_first=True, activation="gelu", dropout=0).
Exits 1 with a message otherwise."""
import json
import math
import sys

N, T, D = 6, 4, 8


from npy_f32 import read_npy, write_npy  # noqa: E402
from safetensors_read import tensors as read_safetensors  # noqa: E402


def matrix(flat, rows, cols):
    return [flat[r * cols:(r + 1) * cols] for r in range(rows)]


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b)))
             for j in range(len(b[0]))] for i in range(len(a))]


def add_row(a, row):
    return [[v + r for v, r in zip(line, row)] for line in a]


def add(a, b):
    return [[x + y for x, y in zip(la, lb)] for la, lb in zip(a, b)]


def columns(a, lo, hi):
    return [line[lo:hi] for line in a]


def sdpa(q, k, v, causal=False):
    scale = 1.0 / math.sqrt(len(q[0]))
    out = []
    for i in range(len(q)):
        keys = range(i + 1) if causal else range(len(k))
        s = [scale * sum(a * b for a, b in zip(q[i], k[j])) for j in keys]
        m = max(s)
        e = [math.exp(x - m) for x in s]
        z = sum(e)
        out.append([sum(e[n] / z * v[j][c] for n, j in enumerate(keys))
                    for c in range(len(v[0]))])
    return out


def heads_attention(q, k, v, heads, causal):
    d = len(q[0]) // heads
    parts = [sdpa(columns(q, h * d, (h + 1) * d), columns(k, h * d, (h + 1) * d),
                  columns(v, h * d, (h + 1) * d), causal) for h in range(heads)]
    return [sum((parts[h][t] for h in range(heads)), []) for t in range(len(q))]


class Weights:
    def __init__(self, tensors):
        self.t = tensors

    def vec(self, name):
        return self.t[name][1]

    def mat(self, name):
        shape, values = self.t[name]
        return matrix(values, shape[0], shape[1])

    def linear(self, x, name):
        return add_row(matmul(x, self.mat(name + ".w")), self.vec(name + ".b"))

    def layer_norm(self, x, name, eps=1e-5):
        g, b = self.vec(name + ".gamma"), self.vec(name + ".beta")
        out = []
        for line in x:
            mu = sum(line) / len(line)
            var = sum((v - mu) ** 2 for v in line) / len(line)
            out.append([(v - mu) / math.sqrt(var + eps) * gi + bi
                        for v, gi, bi in zip(line, g, b)])
        return out

    def mha(self, x, name, heads, causal=False):
        qkv = self.linear(x, name + ".in_proj")
        e = len(x[0])
        a = heads_attention(columns(qkv, 0, e), columns(qkv, e, 2 * e),
                            columns(qkv, 2 * e, 3 * e), heads, causal)
        return self.linear(a, name + ".out_proj")

    def block(self, x, name, heads):
        x = add(x, self.mha(self.layer_norm(x, name + ".ln1"), name + ".attn",
                            heads))
        h = self.linear(self.layer_norm(x, name + ".ln2"), name + ".fc1")
        h = [[0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in line]
             for line in h]
        return add(x, self.linear(h, name + ".fc2"))


def forward(w, image):
    cw, cb = w.vec("patch.proj.w"), w.vec("patch.proj.b")
    t = []
    for ph in range(2):
        for pw in range(2):
            t.append([cb[o] + sum(cw[o * 49 + ky * 7 + kx] *
                                  image[(ph * 7 + ky) * 14 + pw * 7 + kx]
                                  for ky in range(7) for kx in range(7))
                      for o in range(D)])
    p = add(t, w.mat("pos.w"))
    s = sdpa(p, t, [[2 * v for v in line] for line in t])
    c = sdpa(p, p, t, causal=True)
    h = heads_attention(p, p, p, 2, causal=True)
    m = w.mha(p, "mha", 2)
    b = w.block(p, "block", 2)
    return [sum((part[i] for part in (t, p, s, c, h, m, b)), [])
            for i in range(T)]


def check(ckpt, xpath, predict):
    w = Weights(read_safetensors(ckpt))
    x = read_npy(xpath)
    lines = open(predict).read().split("\n")
    rows = [l.split(",") for l in lines[1:] if l]
    if len(rows) != N:
        sys.exit("expected %d predictions, got %d" % (N, len(rows)))
    k = T * 56
    worst = 0.0
    for i, row in enumerate(rows):
        got = [float(v) for v in row[1:1 + k]]
        want = sum(forward(w, x[i * 196:(i + 1) * 196]), [])
        for j, (g, e) in enumerate(zip(got, want)):
            err = abs(g - e) / (abs(e) + 1e-2)
            worst = max(worst, err)
            if err > 1e-4:
                sys.exit("sample %d, token %d, value %d: predict %.8g, by hand "
                         "%.8g" % (i, j // 56, j % 56, g, e))
    # The causal and the full attention must differ (else the mask is not
    # tested): column block c against the full attention of the same q, k, v.
    first = sum(forward(w, x[:196]), [])
    full = sdpa(*[[first[t * 56 + 8:t * 56 + 16] for t in range(T)]] * 2,
                [first[t * 56:t * 56 + 8] for t in range(T)])
    if all(abs(full[0][c] - first[24 + c]) < 1e-3 for c in range(D)):
        sys.exit("the causal output of the first query equals the full one")
    print("attention values ok: %d samples x %d values, worst relative error "
          "%.2g" % (N, k, worst))


if sys.argv[1] == "data":
    seed, xs = 12345, []
    for _ in range(N * 196):
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        xs.append(seed / 2.0 ** 31)
    write_npy(sys.argv[2] + "/x.npy", [N, 1, 14, 14], xs)
    write_npy(sys.argv[2] + "/y.npy", [N, T, 56], [0.0] * (N * T * 56))
else:
    check(sys.argv[2], sys.argv[3], sys.argv[4])
