#!/usr/bin/env bash
# The main job: installs the dependencies, builds dlc and compiles
# examples/fashion_mlp.dl as far as the compiler goes today, showing the
# typed program with every tensor's shape.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dlc
echo "== dlc examples/fashion_mlp.dl --emit=ast"
build/bin/dlc examples/fashion_mlp.dl --emit=ast
