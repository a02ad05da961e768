#!/usr/bin/env bash
# The main job: installs the dependencies, builds dlc, compiles
# examples/fashion_mlp.dl into ./train and trains it on Fashion-MNIST (from
# the Debian package dataset-fashion-mnist) with the recipe of its train
# block. Extra arguments are passed to ./train (e.g. --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dlc
echo "== build/bin/dlc examples/fashion_mlp.dl -o train"
build/bin/dlc examples/fashion_mlp.dl -o train
echo "== ./train $*"
./train "$@"
