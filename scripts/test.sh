#!/usr/bin/env bash
# The whole test suite from a clean checkout: installs the Debian packages,
# builds everything and runs every lit test (front end, dialect, passes,
# gradient checks, runtime unit and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
log=$(mktemp)
status=0
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -v build/test 2>&1 | tee "$log" || status=$?
# One summary line in the plain `N passed, N failed` form.
passed=$(awk '/^ *Passed *:/ {s+=$NF} END {print s+0}' "$log")
failed=$(awk '/^ *(Failed|Unresolved|Timed Out|Unexpectedly Passed) *:/ {s+=$NF} END {print s+0}' "$log")
echo "lit: ${passed} passed, ${failed} failed"
rm -f "$log"
exit $status
