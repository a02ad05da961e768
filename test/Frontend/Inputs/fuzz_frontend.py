#!/usr/bin/env python3
"""Robustness test of the dlc front end: no input may crash dlc.

Takes every .dl file of examples/ and stdlib/ and derives malformed inputs
from each, deterministically (fixed seed):

  - truncations at many offsets,
  - byte mutations: bit flips, deleted ranges, inserted random bytes
    (ASCII punctuation, keywords, non-ASCII UTF-8, invalid UTF-8, NUL),
  - line edits: duplicated, deleted and swapped lines,
  - token edits: numbers replaced by 0, -1, huge or fractional values,
    names replaced by other names of the language,
  - deep bracket nesting, just under and far over the parser's limit,
  - inputs that used to crash dlc (long operator chains, long unary minus,
    INT64_MIN / -1, reshape volume overflow, a train block of a model named
    like a built-in op) or give wrong results (a list bound to a name, an
    unbound result dimension, two train blocks of a model, `step` as a
    name), kept as regression cases.

Examples are compiled against a copy of stdlib/ given with -I; mutated
stdlib modules are compiled on their own and also used by the (intact)
examples through -I, so that errors inside a used module are exercised.

Each input runs through `dlc FILE --emit=ast` with a timeout. The test fails
if a run ends by a signal, times out, or exits with a status other than 0 or
1, or exits with 1 without printing an error. Every offending input is
printed (and saved under --save-dir) so it can be reproduced.

    fuzz_frontend.py --srcroot DIR [--dlc PATH] [--seed N] [--per-file N]
                     [--timeout S] [--jobs N] [--save-dir DIR]
                     [--known-bugs]

--known-bugs is accepted for compatibility and does nothing: the inputs it
used to add crashed dlc before d66ac16 and are now always generated.
"""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KEYWORDS = [b"use", b"layer", b"model", b"train", b"param", b"buffer", b"init",
            b"return", b"step", b"update", b"with", b"minimizing", b"if",
            b"else", b"true", b"false"]
NAMES = [b"x", b"B", b"N", b"relu", b"linear", b"conv2d", b"matmul", b"reshape",
         b"concat", b"f32", b"i64", b"int", b"float", b"bool", b"str", b"nn",
         b"fashion_mnist", b"sgd", b"adam", b"cross_entropy", b"accuracy",
         b"glorot_uniform", b"name", b"_", b"C", b"groups", b"out"]
PUNCT = [b"(", b")", b"[", b"]", b"{", b"}", b",", b":", b"=", b"->", b"...",
         b"+", b"-", b"*", b"/", b"@", b".", b"#", b'"', b"\\", b"\n", b" "]
NUMBERS = [b"0", b"-1", b"1", b"2", b"3", b"0.5", b"1e-9", b"1e308", b"1e999",
           b"9223372036854775807", b"99999999999999999999", b"65536",
           b"4294967296", b"2.5", b".5e3"]
WEIRD = [b"\x00", b"\xff", b"\xc3", b"\xe2\x82", b"\xc3\xa9", b"\xe2\x82\xac",
         b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\r",
         b"\t", b"\x0b", b"\x7f", b"\x1b[0m"]


def truncations(data, rng, n):
    offsets = {len(data) * i // n for i in range(n)}
    offsets |= {rng.randrange(len(data) + 1) for _ in range(n // 2)}
    return [("truncate@%d" % o, data[:o]) for o in sorted(offsets)]


def byte_mutations(data, rng, n):
    out = []
    for i in range(n):
        kind = i % 4
        pos = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            pos = min(pos, len(data) - 1)
            bit = 1 << rng.randrange(8)
            b = bytearray(data)
            b[pos] ^= bit
            out.append(("flip@%d^%d" % (pos, bit), bytes(b)))
        elif kind == 1:
            length = rng.choice([1, 1, 2, 5, 20, 200])
            out.append(("delete@%d+%d" % (pos, length), data[:pos] + data[pos + length:]))
        elif kind == 2:
            pool = rng.choice([KEYWORDS, NAMES, PUNCT, NUMBERS, WEIRD])
            ins = b"".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
            out.append(("insert@%d:%r" % (pos, ins), data[:pos] + ins + data[pos:]))
        else:
            ins = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            out.append(("random@%d:%r" % (pos, ins), data[:pos] + ins + data[pos:]))
    return out


def line_mutations(data, rng, n):
    lines = data.split(b"\n")
    out = []
    for i in range(n):
        ls = list(lines)
        a, b = rng.randrange(len(ls)), rng.randrange(len(ls))
        kind = i % 3
        if kind == 0:
            ls.insert(a, ls[b])
            out.append(("dup-line %d->%d" % (b + 1, a + 1), b"\n".join(ls)))
        elif kind == 1:
            del ls[a]
            out.append(("del-line %d" % (a + 1), b"\n".join(ls)))
        else:
            ls[a], ls[b] = ls[b], ls[a]
            out.append(("swap-lines %d,%d" % (a + 1, b + 1), b"\n".join(ls)))
    return out


def token_mutations(data, rng, n):
    tokens = list(re.finditer(rb"[A-Za-z_][A-Za-z_0-9]*|[0-9]+(?:\.[0-9]*)?(?:e-?[0-9]+)?", data))
    out = []
    for _ in range(n):
        t = rng.choice(tokens)
        if t.group(0)[:1].isdigit():
            rep = rng.choice(NUMBERS)
        else:
            rep = rng.choice(NAMES + KEYWORDS + NUMBERS)
        out.append(("token@%d %r->%r" % (t.start(), t.group(0), rep),
                    data[:t.start()] + rep + data[t.end():]))
    return out


def nesting(data, rng):
    """Deep bracket nesting at a place where an expression is expected."""
    m = re.search(rb"return ", data)
    pos = m.end() if m else len(data)
    out = []
    for depth in (50, 199, 201, 1000, 100000):
        for open_, close in ((b"(", b")"), (b"[", b"]"), (b"relu(", b")")):
            ins = open_ * depth + b"x" + close * depth
            out.append(("nest %s*%d" % (open_.decode(), depth), data[:pos] + ins + b" + " + data[pos:]))
    out.append(("nest unclosed {*100000", data + b"{" * 100000))
    out.append(("nest closers )*100000", data[:pos] + b")" * 100000 + data[pos:]))
    out.append(("nest shape [*300", data.replace(b"f32[", b"f32" + b"[" * 300, 1)))
    return out


def regressions(data, rng):
    """Inputs that used to crash dlc (fixed in d66ac16); always generated."""
    m = re.search(rb"return ", data)
    pos = m.end() if m else len(data)
    line = data.rfind(b"\n", 0, pos) + 1  # start of the line of `return`
    return [
        ("long + chain", data[:pos] + b"x + " * 50000 + data[pos:]),
        ("long unary minus", data[:pos] + b"-" * 50000 + data[pos:]),
        ("int64 min / -1", data[:pos] + b"0 * ((-9223372036854775807 - 1) / -1) + " + data[pos:]),
        ("reshape volume overflow", data + b"\nmodel Z(x: f32[4]) -> f32[4] {\n"
         b"  y = reshape(x, [-1, 4294967296, 4294967296])\n  return x\n}\n"),
        ("train of a model named like an op", data + b"\nmodel relu(x: f32[B]) -> f32[B] {\n"
         b"  return x\n}\ntrain relu {\n  data = fashion_mnist()\n}\n"),
        # Wrong results fixed in the same commit, here for their crash-freedom.
        ("list bound to a name", data[:line] + b"  l = [x, x]\n" + data[line:pos]
         + b"concat(l) + " + data[pos:]),
        ("unbound result dimension", data + b"\nmodel K(x: f32[B, 4]) -> f32[B, K] {\n"
         b"  return x\n}\ntrain K {\n  data = fashion_mnist()\n}\n"),
        ("train block twice", data + b"\n" + b"\n".join(re.findall(rb"train [^{]*\{[^}]*\}", data))),
        ("step as a name and a schedule", data + b"\nmodel S(x: f32[B, 4]) -> f32[B, 4] {\n"
         b"  step = x\n  return step\n}\ntrain S {\n  data = csv(\"a.csv\")\n"
         b"  schedule = step(step_size=3)\n  step (x, y) {\n    update S with sgd minimizing sum(S(x))\n  }\n}\n"),
    ]


def derive(name, data, rng, per_file, with_regressions):
    cases = []
    cases += truncations(data, rng, per_file // 4)
    cases += byte_mutations(data, rng, per_file // 3)
    cases += line_mutations(data, rng, per_file // 8)
    cases += token_mutations(data, rng, per_file // 4)
    cases += nesting(data, rng)
    if with_regressions:
        cases += regressions(data, rng)
    return [("%s: %s" % (name, what), body) for what, body in cases]


class Runner:
    def __init__(self, dlc, timeout, workdir):
        self.dlc = dlc
        self.timeout = timeout
        self.workdir = workdir

    def run(self, index, label, main, extra_files, include):
        """Writes the case to its own directory and runs dlc on it."""
        d = os.path.join(self.workdir, "case%04d" % index)
        os.makedirs(d, exist_ok=True)
        main_path = os.path.join(d, main[0])
        with open(main_path, "wb") as f:
            f.write(main[1])
        inc = []
        for rel, body in extra_files:
            p = os.path.join(d, "inc", rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(body)
        if extra_files:
            inc = ["-I", os.path.join(d, "inc")]
        cmd = [self.dlc, main_path, "--emit=ast"] + inc + ["-I", include]
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return index, label, cmd, "timed out after %ss" % self.timeout, None
        elapsed = time.monotonic() - start
        rc = proc.returncode
        err = proc.stderr.decode("utf-8", "replace")
        problem = None
        if rc < 0:
            problem = "killed by signal %d (%s)" % (-rc, signal.Signals(-rc).name)
        elif rc not in (0, 1):
            problem = "exit status %d" % rc
        elif rc == 1 and "error" not in err:
            problem = "exit status 1 without an error message"
        if problem is None:
            shutil.rmtree(d, ignore_errors=True)
        return index, label, cmd, problem, (elapsed, err)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcroot", required=True)
    ap.add_argument("--dlc", default=shutil.which("dlc"))
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--per-file", type=int, default=160)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--save-dir", default=None)
    ap.add_argument("--known-bugs", action="store_true",
                    help="no effect; the former known bugs are always run")
    args = ap.parse_args()
    if not args.dlc:
        sys.exit("fuzz_frontend.py: dlc not found; pass --dlc")

    rng = random.Random(args.seed)
    sources = []
    for sub in ("examples", "stdlib"):
        folder = os.path.join(args.srcroot, sub)
        for fn in sorted(os.listdir(folder)):
            if fn.endswith(".dl"):
                with open(os.path.join(folder, fn), "rb") as f:
                    sources.append((sub, fn, f.read()))

    workdir = args.save_dir or tempfile.mkdtemp(prefix="dlc-fuzz-")
    if os.path.exists(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir)
    # A private copy of stdlib/, found through -I.
    stdlib_copy = os.path.join(workdir, "stdlib")
    shutil.copytree(os.path.join(args.srcroot, "stdlib"), stdlib_copy)

    jobs = []  # (label, (main name, bytes), [(rel path, bytes)])
    examples = [(fn, data) for sub, fn, data in sources if sub == "examples"]
    for sub, fn, data in sources:
        for label, body in derive("%s/%s" % (sub, fn), data, rng, args.per_file, True):
            jobs.append((label, (fn, body), []))
        if sub == "stdlib":
            # The mutated module, used by an intact example.
            for i, (label, body) in enumerate(derive("%s/%s used" % (sub, fn), data, rng,
                                                     args.per_file // 2, False)):
                ex_name, ex_data = examples[i % len(examples)]
                jobs.append(("%s by %s" % (label, ex_name), (ex_name, ex_data), [(fn, body)]))

    runner = Runner(args.dlc, args.timeout, workdir)
    failures = []
    start = time.monotonic()
    slowest = (0.0, "")
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(runner.run, i, label, main_file, extra, stdlib_copy)
                   for i, (label, main_file, extra) in enumerate(jobs)]
        for fut in concurrent.futures.as_completed(futures):
            index, label, cmd, problem, info = fut.result()
            if info and info[0] > slowest[0]:
                slowest = (info[0], label)
            if problem:
                failures.append((index, label, cmd, problem))

    total = time.monotonic() - start
    print("fuzz_frontend: %d inputs from %d files in %.1fs (slowest %.2fs: %s)"
          % (len(jobs), len(sources), total, slowest[0], slowest[1]))
    for index, label, cmd, problem in sorted(failures):
        print("FAILED [%s] %s" % (label, problem))
        print("  command: %s" % " ".join(cmd))
        with open(cmd[1], "rb") as f:
            body = f.read()
        shown = body if len(body) <= 2000 else body[:1000] + b" ... " + body[-1000:]
        print("  input (%d bytes): %r" % (len(body), shown))
    if failures:
        print("fuzz_frontend: %d of %d inputs failed; inputs kept in %s"
              % (len(failures), len(jobs), workdir))
        sys.exit(1)
    if not args.save_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    print("fuzz_frontend: all inputs ended with exit status 0 or 1")


if __name__ == "__main__":
    main()
