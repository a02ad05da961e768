#!/usr/bin/env bash
# Speed of dlc's trainers against the PyTorch peer (Debian's python3-torch,
# CPU), side by side in one run, on the same data and recipe. Prints the
# training throughput of each and the ratio. Not a test: timings depend on
# the machine and its load.
#
# The peer runs in its best configuration here: OMP_WAIT_POLICY=PASSIVE,
# torch.set_num_threads(threads), one inter-op thread (bench/pytorch_peer.py).
#
# Usage: bench/run.sh [mlp|cnn|rowlstm] [epochs] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-mlp}
epochs=${2:-1}
threads=${3:-2}
case $model in
  mlp) src=examples/fashion_mlp.dl ;;
  cnn) src=examples/fashion_cnn.dl ;;
  rowlstm) src=examples/fashion_rowlstm.dl ;;
  *) echo "bench: unknown model '$model' (mlp, cnn or rowlstm)" >&2; exit 1 ;;
esac
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "bench: the peer needs python3-torch (apt-get install python3-torch)" >&2
  exit 1
fi
bash scripts/build.sh dlc >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/bin/dlc "$src" -o "$work/train"

echo "== dlc ($model, $epochs epoch(s), $threads threads)"
(cd "$work" && ./train --epochs "$epochs" --threads "$threads" --no-save) | tee "$work/dlc.txt" \
  | grep -E '^epoch [0-9]+/[0-9]+:|^test:'
echo "== PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/pytorch_peer.py --model "$model" --epochs "$epochs" --threads "$threads" \
  | tee "$work/torch.txt"

dlc_rate=$(grep -E '^epoch [0-9]+/[0-9]+:' "$work/dlc.txt" | grep -oE '[0-9.]+ samples/s' \
  | awk '{s+=$1; n++} END {print s/n}')
torch_rate=$(grep -E '^epoch [0-9]+/[0-9]+:' "$work/torch.txt" | grep -oE '[0-9.]+ samples/s' \
  | awk '{s+=$1; n++} END {print s/n}')
awk -v a="$dlc_rate" -v b="$torch_rate" -v m="$model" 'BEGIN {
  printf "%s training: dlc %.0f samples/s, PyTorch %.0f samples/s, ratio %.2fx\n", m, a, b, a / b }'
