#!/usr/bin/env bash
# Random model generator and differential tester (issue 7, item 5).
#
#   scripts/fuzz-models.sh N SEED [-j J] [--failures DIR] [--no-reduce] ...
#
# Generates N valid .dl programs from SEED (scripts/fuzz/gen.py), checks the
# compiled train and eval steps of each against the reference evaluator,
# compiles and trains those the trainer runtime can run, saves every
# failing program, reduced, under DIR (default ./fuzz-failures) and prints
# a summary; exits 1 on any failure. See scripts/fuzz/fuzz.py --help.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 2 || "$1" == -* || "$2" == -* ]]; then
  echo "usage: $0 N SEED [options of scripts/fuzz/fuzz.py]" >&2
  exit 2
fi
exec python3 "$here/fuzz/fuzz.py" "$@"
