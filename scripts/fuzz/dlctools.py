"""Shared helpers of the shape sweep and the model fuzzer: where the tools
are, running them with a timeout, and turning the forward function that
`dlc --emit=mlir` prints into a scalar loss that `dlc-halide-check --grad`
differentiates (so the check covers the forward kernels and every gradient
kernel that nn-autodiff produces)."""

import os
import re
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tool_dir():
    """DLC_TOOLS, else (DLC_TOOLS_FROM_PATH=1, as in the lit tests) the
    directory of the dlc on PATH, else build/bin of this tree."""
    if os.environ.get("DLC_TOOLS"):
        return os.environ["DLC_TOOLS"]
    if os.environ.get("DLC_TOOLS_FROM_PATH"):
        import shutil
        found = shutil.which("dlc")
        if found:
            return os.path.dirname(os.path.abspath(found))
    return os.path.join(ROOT, "build", "bin")


def tool(name):
    return os.path.join(tool_dir(), name)


def tool_cmd(name):
    """The command (a list) that runs tool `name`; DLC_HALIDE_CHECK (a
    command line) replaces dlc-halide-check, for the self-tests of the
    harness."""
    if name == "dlc-halide-check" and os.environ.get("DLC_HALIDE_CHECK"):
        import shlex
        return shlex.split(os.environ["DLC_HALIDE_CHECK"])
    return [tool(name)]


def stdlib_dir():
    return os.environ.get("DLC_STDLIB", os.path.join(ROOT, "stdlib"))


class Result:
    def __init__(self, rc, out, err, seconds, timed_out):
        self.rc, self.out, self.err = rc, out, err
        self.seconds, self.timed_out = seconds, timed_out

    @property
    def text(self):
        return self.out + self.err

    def crashed(self):
        """Killed by a signal (segfault, abort, SIGILL, ...)."""
        return self.rc < 0 or self.rc >= 128


def run(cmd, timeout, cwd=None, env=None, retries=36):
    """Runs cmd (a list), returns a Result. A tool that is briefly missing
    (being relinked by a concurrent build) is waited for and retried."""
    for attempt in range(retries + 1):
        if os.path.isabs(cmd[0]) and not os.access(cmd[0], os.X_OK) and attempt < retries:
            time.sleep(5)
            continue
        start = time.time()
        try:
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 cwd=cwd, env=env, start_new_session=True)
        except OSError as e:
            if attempt < retries:
                time.sleep(5)
                continue
            return Result(127, "", "cannot run %s: %s\n" % (cmd[0], e), 0, False)
        try:
            out, err = p.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            out, err = p.communicate()
            timed_out = True
        res = Result(p.returncode if not timed_out else 124,
                     out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                     time.time() - start, timed_out)
        # "Text file busy" / exec format errors while a tool is being linked.
        if res.rc in (126, 127) and attempt < retries:
            time.sleep(5)
            continue
        return res
    return res


def clear_error(text):
    """True when dlc's rejection is a user-facing diagnostic: at least one
    `file:line:col: error:` line and nothing that looks internal."""
    if re.search(r"internal|assert|Assertion|LLVM ERROR|Stack dump|PLEASE submit|"
                 r"verif|Segmentation|Aborted|terminate called", text):
        return False
    return re.search(r"^[^\s:]+:\d+:\d+: error: ", text, re.M) is not None


# --- MLIR text surgery -------------------------------------------------------

def split_top(s, sep=","):
    """Splits s at sep outside of <>, (), {}, [] and quotes."""
    parts, depth, cur, quote = [], 0, [], False
    for ch in s:
        if ch == '"':
            quote = not quote
        if not quote:
            if ch in "<({[":
                depth += 1
            elif ch in ">)}]":
                depth -= 1
        if ch == sep and depth == 0 and not quote:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def matching_paren(s, i):
    """Index of the ')' matching the '(' at s[i]."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced parentheses")


def parse_functions(module_text):
    """Returns [(name, args, results, body_lines)] of the module's functions;
    args and results are lists of 'TYPE {attrs}' strings (args with their
    %name)."""
    funcs = []
    lines = module_text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*func\.func @([\w$.]+)\(", line)
        if not m:
            i += 1
            continue
        name = m.group(1)
        open_at = line.index("(", m.end() - 1)
        close = matching_paren(line, open_at)
        args = split_top(line[open_at + 1:close])
        rest = line[close + 1:].strip()
        assert rest.startswith("->") and rest.endswith("{"), line
        res = rest[2:-1].strip()
        if res.startswith("("):
            results = split_top(res[1:-1])
        else:
            results = [res]
        body = []
        i += 1
        while not re.match(r"^\s*}\s*$", lines[i]):
            body.append(lines[i])
            i += 1
        funcs.append((name, args, results, body))
        i += 1
    return funcs


def type_of(entry):
    """'tensor<..>' of an argument ('%a: tensor<..> {..}') or a result."""
    if ":" in entry.split("tensor")[0]:
        entry = entry.split(":", 1)[1]
    m = re.match(r"\s*(tensor<[^>]*>)", entry)
    return m.group(1)


def to_loss_function(name, args, results, body, new_name):
    """The function's body followed by a scalar loss sum(y0 * c) with a new
    random argument c, so that --grad checks every gradient kernel with a
    random upstream gradient. Float arguments without an attribute become
    nn.param (differentiated); buffers stay buffers. Extra results (buffer
    updates) are kept."""
    new_args = []
    for k, a in enumerate(args):
        t = type_of(a)
        if "{" not in a and re.match(r"tensor<.*f(32|64)>", t):
            a = '%s {nn.param = "in%d"}' % (a, k)
        new_args.append(a)
    y0type = type_of(results[0])
    new_args.append("%%lossw: %s" % y0type)
    ret = body[-1]
    m = re.match(r"(\s*)return (.*) : (.*)$", ret)
    indent = m.group(1)
    values = split_top(m.group(2))
    types = split_top(m.group(3))
    scalar = y0type in ("tensor<f32>", "tensor<f64>")
    elem = "f64" if y0type.endswith("f64>") else "f32"
    lines = list(body[:-1])
    lines.append("%s%%lossp = nn.mul %s, %%lossw : (%s, %s) -> %s" %
                 (indent, values[0], y0type, y0type, y0type))
    if scalar:
        loss = "%lossp"
    else:
        lines.append("%s%%lossl = nn.sum %%lossp : (%s) -> tensor<%s>" % (indent, y0type, elem))
        loss = "%lossl"
    lines.append("%sreturn %s : %s" % (indent, ", ".join([loss] + values[1:]),
                                         ", ".join(["tensor<%s>" % elem] + types[1:])))
    res = ["tensor<%s>" % elem] + results[1:]
    res_text = res[0] if len(res) == 1 else "(" + ", ".join(res) + ")"
    out = ["  func.func @%s(%s) -> %s {" % (new_name, ", ".join(new_args), res_text)]
    out += lines
    out.append("  }")
    return "\n".join(out)


def loss_module(module_text, prefix):
    """Rewrites `dlc --emit=mlir` output of a one-model program: @M becomes
    @<prefix> and @M_eval @<prefix>_eval (only if it differs from @M), both
    as loss functions. Returns (text, [function names])."""
    funcs = parse_functions(module_text)
    byname = {f[0]: f for f in funcs}
    model = [f for f in funcs if not f[0].endswith(("_eval", "_loss", "_eval_loss"))][0]
    out, names = [], []
    out.append(to_loss_function(*model, new_name=prefix))
    names.append(prefix)
    ev = byname.get(model[0] + "_eval")
    if ev is not None and (ev[3] != model[3] or ev[2] != model[2]):
        out.append(to_loss_function(*ev, new_name=prefix + "_eval"))
        names.append(prefix + "_eval")
    return "\n".join(out), names


def parse_check_output(text):
    """{function name: 'PASS'|'FAIL'} from dlc-halide-check's output."""
    status = {}
    for m in re.finditer(r"^(PASS|FAIL): @([\w$.]+)", text, re.M):
        status[m.group(2)] = m.group(1)
    # "FAIL: <group>: Halide error" lines name a group, not a function: the
    # function is the last "function @" header before it.
    current = None
    for line in text.splitlines():
        m = re.match(r"function @([\w$.]+)", line)
        if m:
            current = m.group(1)
        elif line.startswith("FAIL:") and current is not None:
            if not re.match(r"FAIL: @", line):
                status[current] = "FAIL"
    return status
