"""F7: batch_norm_grad over two samples is ill-conditioned.

For N = 2 samples per channel, xhat = +-s with s^2 = var / (var + eps), and
the input gradient gamma / sigma / N * (N * g - sum(g) - xhat * sum(g * xhat))
reduces to gamma / sigma * (1 - s^2) * (g_i - g_j) / 2: a difference of two
nearly equal terms whose exact value is eps / (var + eps) of either. This
script evaluates the formula in exact double arithmetic twice, once on
double inputs and once on the same inputs rounded to f32 (what an f32 kernel
is given), and prints the largest relative difference: the error of the
*problem*, before any kernel arithmetic. Plain Python, no dependencies.
"""
import math
import random
import struct


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def bn_grad(g, x, gamma, mean, var, eps=1e-5):
    inv = 1 / math.sqrt(var + eps)
    xhat = [(xi - mean) * inv for xi in x]
    dbeta = sum(g)
    dgamma = sum(gi * h for gi, h in zip(g, xhat))
    return [gamma * inv / len(x) * (len(x) * gi - dbeta - h * dgamma)
            for gi, h in zip(g, xhat)]


def worst(n, trials=20000, seed=0):
    rng = random.Random(seed)
    result = 0.0
    for _ in range(trials):
        scale = rng.choice([1e-3, 1e-2, 1e-1, 1.0])
        x = [rng.gauss(0.3, 1) * scale for _ in range(n)]
        g = [rng.gauss(0, 1) for _ in range(n)]
        gamma = rng.gauss(1, 0.2)
        mean = sum(x) / n
        var = sum((xi - mean) ** 2 for xi in x) / n
        ref = bn_grad(g, x, gamma, mean, var)
        got = bn_grad([f32(v) for v in g], [f32(v) for v in x], f32(gamma),
                      f32(mean), f32(var))
        result = max(result, max(abs(a - b) / abs(b) for a, b in zip(got, ref)))
    return result


for n in (2, 3, 8, 64):
    print("N = %2d: largest relative error from rounding the inputs to f32: "
          "%.2e" % (n, worst(n, trials=20000 if n < 8 else 2000)))
