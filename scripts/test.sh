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
# lit's summary lines read "  Passed: 151 (100.00%)": the count follows the colon.
count='{for (i = 1; i <= NF; i++) if ($i ~ /:$/) {s += $(i + 1); break}} END {print s + 0}'
passed=$(awk "/^ *Passed *:/ $count" "$log")
failed=$(awk "/^ *(Failed|Unresolved|Timed Out|Unexpectedly Passed) *:/ $count" "$log")
echo "lit: ${passed} passed, ${failed} failed"
rm -f "$log"
exit $status
