#!/usr/bin/env python3
"""Checks of the language-model tests.
  check_text.py log LOG.jsonl [MAX]   the step losses fall (last two below
                                      0.8 times the first two), and the
                                      test loss is below MAX
  check_text.py strip CKPT OUT        writes CKPT without its vocabulary
  check_text.py sample TEXT CKPT N [PROMPT]
                                      TEXT is the output of ./train sample
                                      --length N [--prompt PROMPT]: the
                                      prompt, then N tokens (characters, or
                                      words, blanks and newlines if the
                                      checkpoint's text_unit is word), each
                                      in the vocabulary of the checkpoint
                                      CKPT (plus a newline when the text
                                      does not end in one)
Exits 1 with a message otherwise."""
import json
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_read  # noqa: E402

if sys.argv[1] == "log":
    steps = [json.loads(l)["loss"] for l in open(sys.argv[2])
             if json.loads(l)["event"] == "step"]
    if len(steps) < 4:
        sys.exit("too few step records: %d" % len(steps))
    first, last = sum(steps[:2]) / 2, sum(steps[-2:]) / 2
    print("first steps' loss %.4f, last steps' loss %.4f" % (first, last))
    if not last < 0.8 * first:
        sys.exit("the loss did not fall enough: %.4f -> %.4f" % (first, last))
    if len(sys.argv) > 3:
        tests = [json.loads(l) for l in open(sys.argv[2])
                 if json.loads(l)["event"] == "test"]
        if not tests:
            sys.exit("no test record")
        if not tests[-1]["loss"] < float(sys.argv[3]):
            sys.exit("test loss %.4f is not below %s" % (tests[-1]["loss"], sys.argv[3]))
        print("test loss %.4f" % tests[-1]["loss"])
    print("PASS")
elif sys.argv[1] == "strip":
    data = open(sys.argv[2], "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    del header["__metadata__"]["vocabulary"]
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    open(sys.argv[3], "wb").write(struct.pack("<Q", len(encoded)) + encoded + data[8 + n:])
elif sys.argv[1] == "sample":
    text = open(sys.argv[2], encoding="utf-8").read()
    meta = safetensors_read.metadata(sys.argv[3])
    vocabulary = json.loads(meta["vocabulary"])
    n = int(sys.argv[4])
    prompt = sys.argv[5] if len(sys.argv) > 5 else ""
    if not text.startswith(prompt):
        sys.exit("the text does not start with the prompt %r: %r" % (prompt, text[:40]))
    generated = text[len(prompt):]
    if meta.get("text_unit") == "word":
        tokens = re.findall(r"[^ \t\n]+|[ \t]+|\n", generated)
    else:
        tokens = list(generated)
    # ./train sample ends its output with a newline if the text has none.
    if len(tokens) == n + 1 and tokens[-1] == "\n":
        tokens = tokens[:-1]
    if len(tokens) != n:
        sys.exit("expected %d generated tokens, got %d: %r" % (n, len(tokens), generated))
    stray = sorted(set(tokens) - set(vocabulary))
    if stray:
        sys.exit("tokens outside the vocabulary: %r" % stray)
    print("%d tokens from a vocabulary of %d: %r" % (n, len(vocabulary), generated[:60]))
    print("PASS")
else:
    sys.exit("unknown check %r" % sys.argv[1])
