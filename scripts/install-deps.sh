#!/usr/bin/env bash
# Installs every Debian 12 package dlc needs to build, test and run its
# examples. Idempotent: packages already present are left alone. Fails loudly
# (non-zero exit, the package named) when a package cannot be installed.
set -euo pipefail

PACKAGES=(
  # Toolchain and build
  build-essential cmake ninja-build ccache pkg-config
  # LLVM / MLIR 19 (compiler infrastructure, lit, FileCheck, not)
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools clang-19
  # Halide 14 (kernel generation; brings its own LLVM 14)
  libhalide14-0-dev
  # ANTLR 4: the tool (generates the parser) and the C++ runtime
  antlr4 libantlr4-runtime-dev default-jre-headless
  # Libraries used instead of hand-written code
  zlib1g-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  # PCA/ZCA whitening in libdlrt: LAPACKE and the serial OpenBLAS (BLAS and
  # LAPACK), linked into every trainer as static archives with the static
  # GNU Fortran runtime that OpenBLAS's LAPACK needs
  liblapacke-dev libopenblas-serial-dev libgfortran-12-dev
  # ONNX export (dlc --emit=onnx): the ONNX protobuf classes (libonnx_proto)
  libonnx-dev libprotobuf-dev
  # Tests (librsvg2-bin: rsvg-convert renders the trainer's SVG plots)
  googletest libgtest-dev python3 valgrind librsvg2-bin
  # Tests of the ONNX export: the ONNX checker, and Node.js + npm to run the
  # exported models in ONNX Runtime (npm onnxruntime-node, installed below)
  python3-onnx
  # PyTorch on the CPU: the recurrent layers' values are compared with
  # torch.nn.LSTM/GRU/RNN (test/E2E/rnn-values.test); also bench/'s peer
  python3-torch
  # Data-parallel trainers (dlc --mpi, mpirun -np N ./train): OpenMPI's
  # headers, libraries and pkg-config file, and mpirun
  libopenmpi-dev openmpi-bin
  # The Debian package (cpack -G DEB: dpkg-shlibdeps finds its Depends)
  dpkg-dev file
  # The data set of the main job
  dataset-fashion-mnist
  # The word list of the character-level language model example
  # (examples/words_charlm.dl: /usr/share/dict/words)
  wamerican
)

# Node.js and npm from Debian, unless a node with npm is already installed
# (e.g. NodeSource's nodejs, which bundles npm and conflicts with Debian's).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# ONNX Runtime for the tests of the ONNX export: the npm package
# The npm packages of the tests, each at the version of its
# package-lock.json, into tools/<dir>/node_modules (which lit puts on
# NODE_PATH): install_npm DIR PACKAGE [ENV=VALUE...].
install_npm() {
  local dir package
  dir="$(cd "$(dirname "$0")/.." && pwd)/tools/$1"
  package=$2
  shift 2
  if [[ -f "$dir/node_modules/$package/package.json" ]]; then
    echo "install-deps: $package already in $dir/node_modules"
    return
  fi
  echo "install-deps: installing $package into $dir/node_modules"
  if ! (cd "$dir" && env "$@" npm ci --no-audit --no-fund); then
    echo "install-deps: error: npm could not install $package" >&2
    exit 1
  fi
}
# onnxruntime-node (its CPU library included; no CUDA download) runs the
# exported models; vscode-textmate and vscode-oniguruma, VS Code's TextMate
# engine, test the editor grammar (test/Tools/textmate.test).
install_onnxruntime() {
  install_npm onnx onnxruntime-node ONNXRUNTIME_NODE_INSTALL_CUDA=skip
}
install_textmate() {
  install_npm textmate vscode-textmate
}

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  install_onnxruntime
  install_textmate
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "install-deps: error: apt-get could not install: ${missing[*]}" >&2
  exit 1
fi

# Check again: apt-get may succeed while a package is still not configured.
for p in "${missing[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "install-deps: error: package '$p' is not installed" >&2
    exit 1
  fi
done
install_onnxruntime
install_textmate
echo "install-deps: done"
