"""Checks the TextMate grammar of .dl files (editors/vscode) against the
language: every built-in op (`dlc --list-ops`) is in the built-in rule, every
keyword of the ANTLR grammar in a keyword rule, every regex compiles (Python's
`re`, close to Oniguruma for these), and the extension's version is dlc's.

Usage: check_textmate.py GRAMMAR.json OPS.txt DL.g4 PACKAGE.json VERSION.txt
Prints one line per check; exits 1 on the first failure.
"""
import json
import re
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def regexes(node, found):
    """Every (path, regex) of the grammar's match/begin/end keys."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("match", "begin", "end") and isinstance(value, str):
                found.append(value)
            else:
                regexes(value, found)
    elif isinstance(node, list):
        for item in node:
            regexes(item, found)
    return found


def words(rule):
    """The names of a `\\b(?:a|b|c)\\b` rule."""
    m = re.fullmatch(r"\\b\(\?:([A-Za-z_0-9|]+)\)\\b", rule["match"])
    if not m:
        fail("rule %r is not a list of words" % rule)
    return set(m.group(1).split("|"))


grammar_path, ops_path, g4_path, package_path, version_path = sys.argv[1:6]
with open(grammar_path) as f:
    grammar = json.load(f)
print("json: parses")
if grammar.get("scopeName") != "source.dl":
    fail("scopeName is %r" % grammar.get("scopeName"))

all_regexes = regexes(grammar, [])
for r in all_regexes:
    try:
        re.compile(r)
    except re.error as e:
        fail("regex %r does not compile: %s" % (r, e))
print("regexes: %d compile" % len(all_regexes))

repo = grammar["repository"]
builtins = words(repo["builtin"])
with open(ops_path) as f:
    ops = [line.split("(", 1)[0] for line in f if line.strip()]
if not ops:
    fail("no ops in " + ops_path)
missing = [op for op in ops if op not in builtins]
if missing:
    fail("ops missing from the grammar: " + ", ".join(missing))
extra = sorted(builtins - set(ops))
if extra:
    fail("built-in names that are no ops: " + ", ".join(extra))
print("ops: all %d in support.function.builtin.dl" % len(ops))

with open(g4_path) as f:
    g4 = f.read()
keywords = re.findall(r"^[A-Z_]+\s*:\s*'([A-Za-z_][A-Za-z_0-9]*)'\s*;", g4, re.M)
if len(keywords) < 10:
    fail("only %d keywords found in %s" % (len(keywords), g4_path))
highlighted = words(repo["keyword"]) | words(repo["constant"])
missing = [k for k in keywords if k not in highlighted]
if missing:
    fail("keywords missing from the grammar: " + ", ".join(missing))
print("keywords: all %d of DL.g4 highlighted" % len(keywords))

with open(package_path) as f:
    package = json.load(f)
with open(version_path) as f:
    version = re.match(r"dlc (\S+) ", f.read()).group(1)
if package["version"] != version:
    fail("editors/vscode/package.json has version %s, dlc %s"
         % (package["version"], version))
grammars = package["contributes"]["grammars"]
if grammars[0]["scopeName"] != "source.dl" or \
        grammars[0]["path"] != "./syntaxes/dl.tmLanguage.json":
    fail("package.json does not name the grammar: %r" % grammars)
print("package.json: version %s, grammar source.dl" % version)
