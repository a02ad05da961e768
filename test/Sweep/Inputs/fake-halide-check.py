"""A stand-in for dlc-halide-check that reports every function of its input
as failing (a mismatch in a made-up kernel), for the self-tests of the
sweep and the fuzzer: they must report the failure, save the case and exit 1."""
import re
import sys

path = [a for a in sys.argv[1:] if not a.startswith("-")][0]
names = re.findall(r"func\.func @([\w$.]+)\(", open(path).read())
funcs = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--func=")] or names
if "--grad" in sys.argv:
    funcs = funcs + [f + "_grad" for f in funcs]
for f in funcs:
    print("function @%s (groups=op)" % f)
    print("  val0 = nn.fake_kernel [2x3]: max rel 1.00e+00, max abs 1.00e+00 FAIL")
    print("    6 element(s) out of tolerance; first at flat index 0: got 1, expected 2")
    print("FAIL: @%s (1 pipeline(s))" % f)
print("SOME FAILED")
sys.exit(1)
