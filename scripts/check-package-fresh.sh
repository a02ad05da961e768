#!/usr/bin/env bash
# Installs dlc's Debian package into a fresh Debian 12 (debootstrap, minbase
# variant) and compiles and trains an example there with the installed dlc:
# the check that the package's Depends are complete. Needs root and the
# Debian mirror; downloads about 1 GB; not part of the test suite.
#
#   bash scripts/check-package-fresh.sh [DLC.deb [DIR]]
#     default: the newest build/dlc_*.deb (scripts/package.sh), /tmp/dlc-fresh
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:-$(ls -t build/dlc_*.deb 2>/dev/null | head -n 1)}
root=${2:-/tmp/dlc-fresh}
if [[ -z "$deb" || ! -f "$deb" ]]; then
  echo "check-package-fresh: error: no .deb (run scripts/package.sh)" >&2
  exit 1
fi
command -v debootstrap >/dev/null || apt-get install -y debootstrap
rm -rf "$root" && mkdir -p "$root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
cp "$deb" "$root/root/dlc.deb"
cp examples/fashion_mlp.dl "$root/root/"
mkdir -p "$root/root/data"
cp -r /usr/share/datasets/fashion-mnist "$root/root/data/"
mount --bind /proc "$root/proc"
trap 'umount "$root/proc" || true' EXIT
chroot "$root" /bin/bash -c '
  set -e
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /root/dlc.deb
  cd /root
  dlc --version
  dlc fashion_mlp.dl -o train
  ./train --version
  ./train --data data/fashion-mnist --data-format idx --limit 1024 --epochs 1 --no-save'
echo "check-package-fresh: the package installs and works on a fresh Debian 12"
