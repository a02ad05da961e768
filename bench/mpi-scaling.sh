#!/usr/bin/env bash
# Data-parallel scaling of a trainer built with dlc --mpi, from 1 to N
# ranks on this machine (loopback, shared memory), at the same global batch.
# Prints the training throughput (samples/s of each epoch line, the mean
# over the epochs) of:
#   single   the trainer built without --mpi, --threads T
#   mpi x1   the --mpi trainer as one process (no mpirun), --threads T
#   mpi xN   mpirun -np N, --threads 1 per rank (N ranks share T cores)
# and the ratio of each to `single`. Not a test: timings depend on the
# machine and its load. On a 2-core machine 2 ranks cannot be faster than one
# process with 2 threads; the figure shows the overhead of the allreduce and
# of the per-rank work (every rank evaluates the whole validation split).
#
# Usage: bench/mpi-scaling.sh [mlp|cnn] [ranks] [limit] [epochs] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-mlp}
ranks=${2:-2}
limit=${3:-20000}
epochs=${4:-1}
threads=${5:-2}
case $model in
  mlp) src=examples/fashion_mlp.dl ;;
  cnn) src=examples/fashion_cnn.dl ;;
  *) echo "bench: unknown model '$model' (mlp or cnn)" >&2; exit 1 ;;
esac
command -v mpirun >/dev/null || { echo "bench: needs mpirun (openmpi-bin)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/bin/dlc "$src" -o "$work/single"
build/bin/dlc --mpi "$src" -o "$work/train"
flags=(--limit "$limit" --epochs "$epochs" --no-save)

rate() { grep -E '^epoch [0-9]+/[0-9]+:' "$1" | grep -oE '[0-9.]+ samples/s' | awk '{s+=$1; n++} END {printf "%.0f", s/n}'; }

echo "== $model, --limit $limit, $epochs epoch(s), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
(cd "$work" && ./single "${flags[@]}" --threads "$threads") > "$work/single.txt"
(cd "$work" && ./train "${flags[@]}" --threads "$threads") > "$work/mpi1.txt"
(cd "$work" && mpirun --oversubscribe --bind-to none -np "$ranks" ./train "${flags[@]}" --threads 1) > "$work/mpiN.txt"
single=$(rate "$work/single.txt")
one=$(rate "$work/mpi1.txt")
many=$(rate "$work/mpiN.txt")
printf '%-32s %8s samples/s\n' "single (--threads $threads)" "$single"
printf '%-32s %8s samples/s  %s\n' "mpi x1 (--threads $threads)" "$one" "$(awk -v a="$one" -v b="$single" 'BEGIN {printf "%.2fx", a/b}')"
printf '%-32s %8s samples/s  %s\n' "mpi x$ranks (--threads 1 each)" "$many" "$(awk -v a="$many" -v b="$single" 'BEGIN {printf "%.2fx", a/b}')"
grep -E '^test:' "$work/single.txt" | sed 's/^/single: /'
grep -E '^test:' "$work/mpiN.txt" | sed "s/^/mpi x$ranks: /"
