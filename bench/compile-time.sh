#!/usr/bin/env bash
# Compile time of dlc (`build/bin/dlc FILE -o OUT`, the whole exe stage) for
# the examples and for generated models of a given size. Not a test: the
# figures depend on the machine and its load (printed with them).
#
# Usage: bench/compile-time.sh [-r RUNS] [-R RUNS] [-s "SIZES"] [-t "STEPS"]
#                              [--no-j1] [--examples-only | --models-only]
#                              [-k DIR]
#   -r RUNS   runs per example, the median is shown (default 3)
#   -R RUNS   runs per generated model (default 3)
#   -s SIZES  forward ops of the generated MLPs and CNNs (default "100 200 300")
#   -t STEPS  time steps of the unrolled LSTMs (default "7 20")
#   --no-j1   only the default number of compile processes (one per core)
#   -k DIR    keep the generated models in DIR
#
# Columns:
#   fwd ops   the ops of the model's forward function: the lines matching
#             ' = nn.' in func.func @<Model> of `dlc FILE --emit=mlir`
#             (the train step adds the backward pass and the optimiser)
#   kernels   the Halide kernels of the trainer (all steps):
#             `dlc FILE --emit=halide | grep -c '^pipeline'`
#   distinct  the kernels compiled after sharing identical ones: the symbols
#             `<step>_g<i>` defined in the trainer (`nm OUT`)
#   default   median wall time of `dlc FILE -o OUT` (one compile process per core)
#   cpu s     median CPU time (user + sys, dlc and its compile processes)
#             of the default runs: less dependent on the load than wall time
#   -j1       the same with `dlc -j 1`
# The generated models are written by bench/compile_models.py: a deep MLP
# and a deep CNN of varied, repeated blocks, and an LSTM cell unrolled over
# T steps from primitives (matmul, sigmoid, tanh, mul, add, concat).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 model_runs=3 sizes="100 200 300" steps="7 20" j1=1 what=all keep=
while [ $# -gt 0 ]; do
  case $1 in
    -r) runs=$2; shift 2 ;;
    -R) model_runs=$2; shift 2 ;;
    -s) sizes=$2; shift 2 ;;
    -t) steps=$2; shift 2 ;;
    --no-j1) j1=0; shift ;;
    --examples-only) what=examples; shift ;;
    --models-only) what=models; shift ;;
    -k) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compile-time: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
dlc=build/bin/dlc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
models=${keep:-$work/models}
mkdir -p "$models"

# dlc may be briefly missing while someone relinks it: wait up to 2 min.
wait_dlc() {
  local i
  for i in $(seq 120); do
    [ -x "$dlc" ] && return 0
    sleep 1
  done
  echo "compile-time: $dlc is missing (build it with scripts/build.sh dlc)" >&2
  exit 1
}

load() { uptime | sed 's/.*load average: //; s/,//g' | awk '{print $1}'; }

now() { date +%s.%N; }

# median TIMES...: the median (the mean of the middle two for an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
    if (NR % 2) printf "%.2f", a[(NR + 1) / 2]
    else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# time_compile N OUT ARGS...: prints the medians of N compiles, wall and
# CPU time (seconds), or FAIL.
time_compile() {
  local n=$1 out=$2 i t0 t1 times=() cpus=()
  shift 2
  for i in $(seq "$n"); do
    wait_dlc
    rm -f "$out"
    t0=$(now)
    if ! /usr/bin/time -f '%U %S' -o "$work/rusage" "$dlc" "$@" -o "$out" >"$work/log" 2>&1; then
      echo FAIL
      return
    fi
    t1=$(now)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
    cpus+=("$(awk '{print $1 + $2}' "$work/rusage")")
  done
  echo "$(median "${times[@]}") $(median "${cpus[@]}")"
}

fmt='%-18s %7s %8s %8s %9s %6s %7s %7s %6s\n'
printf "$fmt" model "fwd ops" kernels distinct "default s" "cpu s" "-j1 s" speedup load
failures=()
# row NAME FILE RUNS
row() {
  local name=$1 file=$2 n=$3 ops kernels distinct t cpu tj speed l
  wait_dlc
  l=$(load)
  ops=$(python3 bench/compile_models.py count "$file" "$dlc" 2>/dev/null || echo '?')
  kernels=$("$dlc" "$file" --emit=halide 2>/dev/null | grep -c '^pipeline' || true)
  t=$(time_compile "$n" "$work/train" "$file")
  if [ "$t" = FAIL ]; then
    failures+=("$name: $(grep -m1 -E 'error|Error' "$work/log" || head -1 "$work/log")")
    printf "$fmt" "$name" "$ops" "$kernels" - FAIL - - - "$l"
    return
  fi
  read -r t cpu <<<"$t"
  distinct=$(nm "$work/train" | grep -cE ' T [A-Za-z0-9_]+_g[0-9]+$' || true)
  tj=- speed=-
  if [ "$j1" = 1 ]; then
    tj=$(time_compile "$n" "$work/train1" -j 1 "$file" | awk '{print $1}')
    [ "$tj" != FAIL ] && speed=$(awk -v a="$t" -v b="$tj" 'BEGIN {printf "%.2fx", b / a}')
  fi
  printf "$fmt" "$name" "$ops" "$kernels" "$distinct" "$t" "$cpu" "$tj" "$speed" "$l"
}

if [ "$what" != models ]; then
  for f in examples/*.dl; do
    row "$(basename "$f")" "$f" "$runs"
  done
fi
if [ "$what" != examples ]; then
  for kind in mlp cnn; do
    for s in $sizes; do
      f=$models/$kind$s.dl
      if ! python3 bench/compile_models.py gen "$kind" "$s" "$f" "$dlc" >/dev/null 2>"$work/gen"; then
        failures+=("$kind$s: cannot generate: $(tail -1 "$work/gen")")
        continue
      fi
      row "$kind ($s ops)" "$f" "$model_runs"
    done
  done
  for t in $steps; do
    f=$models/lstm$t.dl
    python3 bench/compile_models.py gen lstm "$t" "$f" "$dlc" >/dev/null
    row "lstm ($t steps)" "$f" "$model_runs"
  done
fi
echo "runs: examples $runs, models $model_runs (median); $(nproc) cores;" \
  "uptime at the end: $(uptime | sed 's/^ *//')"
for m in "${failures[@]}"; do
  echo "failed: $m"
done
[ ${#failures[@]} -eq 0 ]
