#!/usr/bin/env bash
# Differential shape sweep (issue 7, item 4): every op with a Halide
# lowering, forward and every gradient kernel, compiled kernels against
# dlc's double-precision reference evaluator over a matrix of shapes and
# attributes. See scripts/fuzz/sweep.py --help.
#
#   scripts/shape-sweep.sh --sample N [--seed S] [-j J]   a deterministic random subset
#   scripts/shape-sweep.sh --all [-j J]                   the whole matrix (hours)
#   scripts/shape-sweep.sh --family conv --filter 'k5x5'  a slice of it
#
# Prints PASS/FAIL/SKIP per case, saves failing cases (model.dl, case.mlir,
# log.txt, repro.sh) under --failures DIR (default ./sweep-failures) and
# exits 1 on any failure. DLC_TOOLS overrides the tool directory (build/bin).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/fuzz/sweep.py" "$@"
