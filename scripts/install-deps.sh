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
  # Tests
  googletest libgtest-dev python3 valgrind
  # The data set of the main job
  dataset-fashion-mnist
)

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

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
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
echo "install-deps: done"
