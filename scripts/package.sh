#!/usr/bin/env bash
# Builds the Debian package of dlc (cmake/Install.cmake) from a built build
# directory (run ninja first): the installed files of `cmake --install` below
# /usr, with the Depends that dpkg-shlibdeps finds for dlc and dlc-opt, plus
# libllvm19, g++ and zlib1g-dev (the link of a trainer).
#
#   bash scripts/package.sh [BUILD_DIR [OUT_DIR]]    # default: build build
#
# Prints the path of the .deb; `dpkg-deb -I`/`-c` show its control data and
# files, `sudo apt install ./dlc_VERSION_amd64.deb` installs it.
set -euo pipefail

build="$(cd "${1:-build}" && pwd)"
mkdir -p "${2:-$build}"
out="$(cd "${2:-$build}" && pwd)"

(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log") || {
  echo "package: error: cpack failed; see $out/cpack.log" >&2
  exit 1
}
deb=$(ls -t "$out"/dlc_*.deb | head -n 1)
echo "$deb"
