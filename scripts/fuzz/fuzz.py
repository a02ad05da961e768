#!/usr/bin/env python3
"""Model fuzzer (issue 7, item 5): generates N random valid programs
(gen.py), and for each one

  1. dlc prog.dl --emit=mlir-train                       (front end, MLIR, autodiff, train step)
  2. dlc-halide-check --func=M_train_step --func=M_eval_step --groups=op
     --chain --rtol=1e-4 --dynamic-size=<b>             (compiled kernels vs the reference
                                                          evaluator: loss, every gradient,
                                                          updated parameters and optimizer state)
  3. for programs on 1x28x28 images with 10 classes (the trainer runtime
     reads idx files today): dlc prog.dl -o train, then ./train on a few
     random idx samples, 1 epoch; the loss in the log must be finite;
     then ./train gradcheck (f32 central differences) and ./train info. A
     gradcheck failure whose gradient passes dlc-gradcheck in double
     precision (the inference-form loss) is a warning (FINDINGS.md, F8).

Any crash, timeout, internal error, Halide "guaranteed to fail" warning,
disagreement, or rejection of a generated program is a failure: the program
is saved to the failures directory together with a reduced version
(statements and train settings removed while the same failure persists) and
a repro.sh.
"""

import sys
sys.dont_write_bytecode = True
import argparse
import json
import math
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlctools as T  # noqa: E402
import gen  # noqa: E402


def program_seed(seed, i):
    return seed * 1000003 + i


def write_idx_dir(path, n_train=64, n_test=32, seed=0):
    """Random Fashion-MNIST-shaped idx files (the layout fashion_mnist() reads)."""
    os.makedirs(path, exist_ok=True)
    r = random.Random(seed)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        img = struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + bytes(r.randrange(256) for _ in range(n * 784))
        lab = struct.pack(">BBBBI", 0, 0, 8, 1, n) + bytes(r.randrange(10) for _ in range(n))
        with open(os.path.join(path, "%s-images-idx3-ubyte" % prefix), "wb") as f:
            f.write(img)
        with open(os.path.join(path, "%s-labels-idx1-ubyte" % prefix), "wb") as f:
            f.write(lab)


def norm_msg(s):
    s = re.sub(r"c?[0-9a-f]{10,}", "#", s)
    s = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", s)
    return s.strip()[:160]


class Failure(Exception):
    def __init__(self, stage, sig, detail, log=""):
        self.stage, self.sig, self.detail, self.log = stage, sig, detail, log
        super().__init__("%s: %s" % (stage, sig))


def check_signature(out):
    """A short signature of a dlc-halide-check failure: the failing op(s) or
    the Halide error."""
    sigs = []
    for line in out.splitlines():
        m = re.match(r"\s+\w+ = (nn\.\w+) \[[^\]]*\]: .* FAIL$", line)
        if m:
            sigs.append("mismatch in " + m.group(1))
        m = re.match(r"FAIL: (\S+): (Halide error: .*)", line)
        if m:
            sigs.append(norm_msg(m.group(2)))
        m = re.match(r"FAIL: (\S+): shape of", line)
        if m:
            sigs.append("output shape not computable")
        if re.match(r"FAIL: @\S+ does not lower", line):
            sigs.append("does not lower")
    if not sigs:
        return "FAIL"
    return sigs[0]


def failing_ops(out):
    return re.findall(r"^\s+\w+ = (nn\.\w+) \[[^\]]*\]: .* FAIL$", out, re.M)


def mismatch_only(out):
    """Only value mismatches (no Halide error, no shape or lowering failure)."""
    other = [l for l in out.splitlines() if l.startswith("FAIL:") and not re.match(r"FAIL: @\S+ \(", l)]
    return bool(failing_ops(out)) and not other


def max_rel(out):
    vals = [float(v) for v in re.findall(r"max rel ([0-9.e+-]+), max abs [0-9.e+-]+ FAIL$", out, re.M)]
    return "%.1e" % max(vals) if vals else "?"


class Runner:
    def __init__(self, opts, work):
        self.opts, self.work = opts, work
        self.data_dir = os.path.join(work, "data")
        write_idx_dir(self.data_dir)
        # The first --train-max trainable programs are compiled and trained.
        self.train_set = set()
        if opts.train_max > 0:
            for i in range(opts.n):
                if gen.generate(self.seed_of(i), trainable=opts.trainable,
                                max_stmts=opts.max_stmts).trainable:
                    self.train_set.add(i)
                    if len(self.train_set) == opts.train_max:
                        break

    def stages(self, prog, d, upto=3, chain=True):
        """Runs the stages on prog in directory d; raises Failure. Returns a
        dict of timings."""
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, "prog.dl")
        with open(src, "w") as f:
            f.write(prog.text())
        t = {}
        o = self.opts
        res = T.run([T.tool("dlc"), src, "--emit=mlir-train", "--stdlib", T.stdlib_dir()], o.timeout)
        t["mlir"] = res.seconds
        if res.timed_out:
            raise Failure("dlc --emit=mlir-train", "timeout", "timed out after %d s" % o.timeout, res.text)
        if res.crashed():
            raise Failure("dlc --emit=mlir-train", "crash rc %d" % res.rc, res.err[-2000:], res.text)
        if res.rc != 0:
            if T.clear_error(res.err) and res.rc == 1:
                m = re.search(r"error: (.*)", res.err)
                raise Failure("dlc --emit=mlir-train", "rejected: " + norm_msg(m.group(1)), res.err, res.text)
            raise Failure("dlc --emit=mlir-train", "internal error rc %d: %s" % (res.rc, norm_msg(res.err[-300:])),
                          res.err, res.text)
        mlir = os.path.join(d, "prog.mlir")
        with open(mlir, "w") as f:
            f.write(res.out)
        if upto < 2:
            return t
        args = ["--func=M_train_step", "--func=M_eval_step", "--groups=%s" % o.groups] + \
            (["--chain"] if chain else []) + ["--rtol=1e-4", "--dynamic-size=%d" % prog.check_batch, "--seed=%d" % (prog.seed % 100000 + 1)]
        res = T.run(T.tool_cmd("dlc-halide-check") + [mlir] + args, o.timeout)
        t["check"] = res.seconds
        with open(os.path.join(d, "check.log"), "w") as f:
            f.write(res.text)
        if res.timed_out:
            raise Failure("dlc-halide-check", "timeout", "timed out after %d s" % o.timeout, res.text)
        if res.crashed():
            raise Failure("dlc-halide-check", "crash rc %d" % res.rc, res.text[-2000:], res.text)
        unchained = not chain
        if res.rc == 1 and chain and o.chain_warn and mismatch_only(res.out):
            # Fed the kernels' own outputs (--chain), f32 roundoff grows
            # along the step (batch-norm backward on few samples, gradient
            # clipping, ...) and an element-wise 1e-4 can fail although
            # every kernel is right. If every kernel passes on the oracle's
            # inputs (no --chain), it is reported as a warning.
            res2 = T.run(T.tool_cmd("dlc-halide-check") + [mlir] + [a for a in args if a != "--chain"], o.timeout)
            with open(os.path.join(d, "check-unchained.log"), "w") as f:
                f.write(res2.text)
            if res2.rc == 0:
                ops = failing_ops(res.out)
                t["warn"] = "chained-only mismatch in %d kernel output(s) (%s; max rel %s), every kernel " \
                    "passes unchained" % (len(ops), ", ".join(sorted(set(ops))[:4]), max_rel(res.out))
                res = res2
            else:
                res = res2  # the unchained failure points at one kernel
                unchained = True
        if res.rc != 0:
            f = Failure("dlc-halide-check" + (" (unchained)" if unchained else ""), check_signature(res.out),
                        "\n".join(l for l in res.out.splitlines() if "FAIL" in l or "element(s)" in l)[:3000],
                        res.text)
            raise f
        if "guaranteed to fail" in res.err:
            raise Failure("dlc-halide-check", "Halide warning: guaranteed to fail", res.err[-2000:], res.text)
        if upto < 3 or not prog.trainable or not getattr(prog, "do_train", False):
            return t
        exe = os.path.join(d, "train")
        kernels = getattr(prog, "kernels", "per-op")
        res = T.run([T.tool("dlc"), src, "-o", exe, "--stdlib", T.stdlib_dir(), "--kernels=" + kernels], o.timeout)
        t["compile"] = res.seconds
        stage = "dlc -o train --kernels=" + kernels
        if res.timed_out:
            raise Failure(stage, "timeout", "timed out after %d s" % o.timeout, res.text)
        if res.crashed():
            raise Failure(stage, "crash rc %d" % res.rc, res.err[-2000:], res.text)
        if res.rc != 0:
            m = re.search(r"error: (.*)", res.err)
            msg = m.group(1) if m else (res.err.strip().splitlines() or [""])[0]
            if T.clear_error(res.err) and "not supported by the trainer runtime yet" in msg:
                t["unsupported"] = msg
                return t
            kind = "rejected" if T.clear_error(res.err) else "internal error"
            raise Failure(stage, "%s: %s" % (kind, norm_msg(msg)), res.err[-3000:], res.text)
        if "guaranteed to fail" in res.text:
            raise Failure(stage, "Halide warning: guaranteed to fail (and exit 0)", res.text[-2000:], res.text)
        log = os.path.join(d, "train.jsonl")
        cmd = [exe, "train", "--data", self.data_dir, "--limit", str(o.train_limit), "--epochs", "1",
               "--no-save", "--threads", "1", "--log", log]
        res = T.run(cmd, o.timeout)
        t["train"] = res.seconds
        if res.timed_out:
            raise Failure("./train", "timeout", "timed out after %d s" % o.timeout, res.text)
        if res.crashed():
            sig = {-4: "SIGILL", -11: "SIGSEGV", -6: "SIGABRT", -8: "SIGFPE"}.get(res.rc, "signal %d" % -res.rc) \
                if res.rc < 0 else "rc %d" % res.rc
            raise Failure("./train", "crash " + sig, res.text[-2000:], res.text)
        if res.rc != 0:
            raise Failure("./train", "exit %d: %s" % (res.rc, norm_msg(res.err.strip().splitlines()[-1] if res.err.strip() else "")),
                          res.text[-3000:], res.text)
        losses = []
        try:
            with open(log) as f:
                for line in f:
                    rec = json.loads(line)
                    for k in ("loss", "val_loss"):
                        if k in rec:
                            v = rec[k]
                            losses.append(v if isinstance(v, (int, float)) else float("nan"))
        except (OSError, ValueError) as e:
            raise Failure("./train", "no readable log", str(e), res.text)
        if not losses:
            raise Failure("./train", "no loss in the log", res.text[-2000:], res.text)
        if not all(math.isfinite(x) for x in losses):
            raise Failure("./train", "non-finite loss", str(losses), res.text)
        # The compiled gradient against central differences of the compiled
        # loss, and the layer table.
        for sub in (["gradcheck", "--data", self.data_dir, "--limit", str(o.train_limit), "--threads", "1"],
                    ["info"]):
            res = T.run([exe] + sub, o.timeout)
            t[sub[0]] = res.seconds
            if res.timed_out:
                raise Failure("./train " + sub[0], "timeout", "timed out after %d s" % o.timeout, res.text)
            if res.rc == 1 and sub[0] == "gradcheck" and "gradcheck FAILED" in res.out:
                # `./train gradcheck` works in f32 and cannot resolve relu
                # kinks that a channel-wide shift moves across (FINDINGS.md,
                # F8). The same gradient in double precision decides: if it
                # passes, the f32 failure is a warning.
                fwd = os.path.join(d, "forward.mlir")  # without the *_grad functions
                T.run([T.tool("dlc"), src, "--emit=mlir", "-o", fwd, "--stdlib", T.stdlib_dir()], o.timeout)
                res2 = T.run(T.tool_cmd("dlc-gradcheck") + [fwd, "--func=M_eval_loss", "--max-elements=8",
                                                           "--num-classes=10", "--dynamic-size=3", "--positive",
                                                           "--min=0.01", "--max=0.3", "--tolerance=1e-4"],
                             o.timeout)
                with open(os.path.join(d, "gradcheck-f64.log"), "w") as f:
                    f.write(res2.text)
                if res2.rc == 0:
                    t["warn"] = "./train gradcheck (f32) failed, the gradient passes in double precision"
                    continue
            if res.rc != 0:
                last = res.text.strip().splitlines()[-1] if res.text.strip() else ""
                raise Failure("./train " + sub[0], "exit %d: %s" % (res.rc, norm_msg(last)), res.text[-3000:],
                              res.text)
        return t

    # --- reduction ------------------------------------------------------

    def fails_same(self, prog, f, d, upto):
        try:
            # A failure of the unchained check is reproduced unchained only.
            self.stages(prog, d, upto, chain=not f.stage.endswith("(unchained)"))
        except Failure as g:
            return g.stage == f.stage and g.sig == f.sig
        return False

    def reduce(self, prog, f, d):
        upto = 1 if f.stage == "dlc --emit=mlir-train" else 2 if f.stage.startswith("dlc-halide-check") else 3
        best = prog
        budget = self.opts.reduce_budget
        deadline = time.time() + self.opts.reduce_seconds
        tries = 0
        changed = True
        tried = set()
        while changed and tries < budget and time.time() < deadline:
            changed = False
            candidates = []
            # Train settings first (cheap to lose, rarely the cause), then
            # the head, keyword arguments and whole statements.
            for i in reversed(range(len(best.train))):
                if best.train[i].startswith("data"):
                    continue
                candidates.append(best.copy(train=best.train[:i] + best.train[i + 1:]))
                if best.train[i].startswith("optimizer") and best.train[i] != "optimizer = sgd(lr=0.01)":
                    candidates.append(best.copy(train=best.train[:i] + ["optimizer = sgd(lr=0.01)"] + best.train[i + 1:]))
            if best.head.startswith("log_softmax("):
                candidates.append(best.copy(head=best.head[len("log_softmax("):-1],
                                            train=[t for t in best.train if t != "loss = nll"]))
            # Simplify calls: drop keyword arguments one at a time.
            for i, s in enumerate(best.stmts):
                for m in re.finditer(r", (\w+)=([^,()\[\]]+|\[[^\]]*\])", s):
                    ns = s[:m.start()] + s[m.end():]
                    candidates.append(best.copy(stmts=best.stmts[:i] + [ns] + best.stmts[i + 1:]))
            for i in reversed(range(len(best.stmts))):
                candidates.append(best.copy(stmts=best.stmts[:i] + best.stmts[i + 1:]))
            if best.check_batch != 2:
                candidates.append(best.copy(check_batch=2))
            for c in candidates:
                if tries >= budget or time.time() > deadline:
                    break
                key = (c.text(), c.check_batch)
                if key in tried:
                    continue
                tried.add(key)
                tries += 1
                if self.fails_same(c, f, os.path.join(d, "reduce-try"), upto):
                    best = c
                    changed = True
                    break
        shutil.rmtree(os.path.join(d, "reduce-try"), ignore_errors=True)
        return best, tries

    # --- one program ------------------------------------------------------

    def seed_of(self, i):
        o = self.opts
        return o.program_seed if o.program_seed is not None else program_seed(o.seed, i)

    def one(self, i):
        o = self.opts
        s = self.seed_of(i)
        prog = gen.generate(s, trainable=o.trainable, max_stmts=o.max_stmts)
        prog.do_train = prog.trainable and (o.train_max < 0 or i in self.train_set)
        # One trainer in four is compiled with one pipeline per step.
        prog.kernels = "whole-step" if random.Random(s).random() < 0.25 else "per-op"
        d = os.path.join(self.work, "p%d" % i)
        start = time.time()
        try:
            t = self.stages(prog, d)
            st = "WARN" if "warn" in t else "UNSUPPORTED" if "unsupported" in t else "PASS"
            return {"i": i, "seed": s, "status": st, "warn": t.get("warn") or t.get("unsupported"),
                    "seconds": time.time() - start, "times": t,
                    "trained": prog.do_train, "stmts": len(prog.stmts)}
        except Failure as f:
            rec = {"i": i, "seed": s, "status": "FAIL", "stage": f.stage, "sig": f.sig, "detail": f.detail,
                   "seconds": time.time() - start, "trained": prog.do_train, "stmts": len(prog.stmts)}
            fd = os.path.join(o.failures, "seed%d" % s)
            os.makedirs(fd, exist_ok=True)
            with open(os.path.join(fd, "prog.dl"), "w") as fh:
                fh.write(prog.text())
            with open(os.path.join(fd, "log.txt"), "w") as fh:
                fh.write("stage: %s\nsignature: %s\n\n%s\n\n--- full output ---\n%s" % (f.stage, f.sig, f.detail, f.log))
            red = prog
            if o.reduce:
                red, tries = self.reduce(prog, f, d)
                rec["reduce_tries"] = tries
            with open(os.path.join(fd, "reduced.dl"), "w") as fh:
                fh.write(red.text())
            rec["reduced_stmts"] = len(red.stmts)
            write_repro(fd, f, red)
            rec["dir"] = fd
            shutil.rmtree(d, ignore_errors=True)
            return rec
        finally:
            if not o.keep:
                shutil.rmtree(d, ignore_errors=True)


def write_repro(fd, f, prog):
    b = T.tool_dir()
    lines = ["#!/bin/sh", "# stage: %s" % f.stage, "# failure: %s" % f.sig, 'cd "$(dirname "$0")"',
             "BIN=${DLC_TOOLS:-%s}" % b,
             "$BIN/dlc reduced.dl --emit=mlir-train --stdlib %s > reduced.mlir || exit" % T.stdlib_dir()]
    if f.stage != "dlc --emit=mlir-train":
        lines.append("$BIN/dlc-halide-check reduced.mlir --func=M_train_step --func=M_eval_step --groups=op "
                     "%s--rtol=1e-4 --dynamic-size=%d --seed=%d | grep -v PASS || exit"
                     % ("" if f.stage.endswith("(unchained)") else "--chain ", prog.check_batch,
                        prog.seed % 100000 + 1))
    if f.stage.startswith(("dlc -o", "./train")):
        lines.append("$BIN/dlc reduced.dl -o reduced.train --stdlib %s --kernels=%s || exit"
                     % (T.stdlib_dir(), getattr(prog, "kernels", "per-op")))
        lines.append("python3 %s/scripts/fuzz/fuzz.py --write-data data && "
                     "./reduced.train train --data data --limit 64 --epochs 1 --no-save --threads 1" % T.ROOT)
        lines.append("./reduced.train gradcheck --data data --limit 64 --threads 1 && ./reduced.train info")
    with open(os.path.join(fd, "repro.sh"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(os.path.join(fd, "repro.sh"), 0o755)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, nargs="?", default=10, help="number of programs")
    ap.add_argument("seed", type=int, nargs="?", default=0, help="seed of the run")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--failures", default="fuzz-failures", help="directory for failing programs")
    ap.add_argument("--train-max", type=int, default=-1,
                    help="compile and train only the first K programs the trainer can run "
                         "(default: all of them; 0: none)")
    ap.add_argument("--trainable-only", dest="trainable", action="store_const", const=True, default=None,
                    help="only programs the trainer can run (1x28x28 input, 10 classes)")
    ap.add_argument("--program-seed", type=int,
                    help="run only the program of this generator seed (as printed: 'seed S'), e.g. to "
                         "reproduce and reduce one failure")
    ap.add_argument("--max-stmts", type=int, default=7, help="most statements per model (default 7)")
    ap.add_argument("--train-limit", type=int, default=64, help="samples the trainer uses (--limit)")
    ap.add_argument("--no-reduce", dest="reduce", action="store_false", help="save failing programs unreduced")
    ap.add_argument("--reduce-budget", type=int, default=60, help="most reduction attempts per failure")
    ap.add_argument("--reduce-seconds", type=int, default=900, help="most seconds of reduction per failure")
    ap.add_argument("--groups", default="op", choices=("op", "function"))
    ap.add_argument("--strict-chain", dest="chain_warn", action="store_false",
                    help="a mismatch of the chained check is a failure even when every kernel passes "
                         "unchained (default: a warning)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per tool run")
    ap.add_argument("--keep", action="store_true", help="keep the work directory of passing programs")
    ap.add_argument("--print", dest="print_only", action="store_true", help="print the programs and exit")
    ap.add_argument("--write-data", metavar="DIR", help="write the random idx data set to DIR and exit")
    o = ap.parse_args()
    if o.program_seed is not None:
        o.n = 1
    if o.write_data:
        write_idx_dir(o.write_data)
        return 0
    if o.print_only:
        for i in range(o.n):
            p = gen.generate(program_seed(o.seed, i), trainable=o.trainable, max_stmts=o.max_stmts)
            print("# ---- program %d (check batch %d%s)" % (i, p.check_batch, ", trainable" if p.trainable else ""))
            print(p.text())
        return 0
    work = tempfile.mkdtemp(prefix="dlc-fuzz-")
    runner = Runner(o, work)
    start = time.time()
    results = []

    def job(i):
        r = runner.one(i)
        line = "%s: program %d (seed %d, %d statement(s)%s) %.0f s" % (
            r["status"], i, r["seed"], r["stmts"], ", trained" if r.get("trained") else "", r["seconds"])
        if r["status"] in ("WARN", "UNSUPPORTED"):
            line += " -- " + r["warn"]
        if r["status"] == "FAIL":
            line += " -- %s: %s -> %s (reduced to %d statement(s))" % (r["stage"], r["sig"], r["dir"],
                                                                     r["reduced_stmts"])
        print(line, flush=True)
        results.append(r)

    with ThreadPoolExecutor(max_workers=max(1, o.jobs)) as ex:
        list(ex.map(job, range(o.n)))
    shutil.rmtree(work, ignore_errors=True)
    fails = [r for r in results if r["status"] == "FAIL"]
    warns = [r for r in results if r["status"] == "WARN"]
    unsup = [r for r in results if r["status"] == "UNSUPPORTED"]
    trained = sum(1 for r in results if r.get("trained") and r["status"] in ("PASS", "WARN"))
    print("\n== fuzz: %d program(s) (seed %d) in %.0f s: %d PASS, %d WARN, %d UNSUPPORTED, %d FAIL; "
          "%d compiled and trained" % (
              len(results), o.seed, time.time() - start, len(results) - len(fails) - len(warns) - len(unsup),
              len(warns), len(unsup), len(fails), trained))
    for r in sorted(warns + unsup, key=lambda r: r["i"]):
        print("  %s program %d (seed %d): %s" % (r["status"], r["i"], r["seed"], r["warn"]))
    if fails:
        kinds = {}
        for r in fails:
            kinds.setdefault((r["stage"], r["sig"]), []).append(r)
        print("distinct failures:")
        for (stage, sig), rs in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            print("  %3d  %s: %s  (e.g. %s/reduced.dl)" % (len(rs), stage, sig, rs[0]["dir"]))
        os.makedirs(o.failures, exist_ok=True)
        with open(os.path.join(o.failures, "summary.json"), "w") as f:
            json.dump(sorted(fails, key=lambda r: r["i"]), f, indent=1)
    print("FUZZ %s" % ("FAILED" if fails else "PASSED"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
