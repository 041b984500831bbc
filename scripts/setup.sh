#!/usr/bin/env bash
# Installs what Cairn needs on a fresh Debian 12 machine, idempotently.
#   scripts/setup.sh core      RocksDB runtime, tools and headers, Debian's grpcio (interop peer), and the C++ shim
#                              (.tools/native/libcairn_rocksdb.so, rebuilt when its source changes)
#   scripts/setup.sh storage   Ceph radosgw (S3), azurite (Azure Blob), firebase-tools storage emulator (GCS)
#   scripts/setup.sh all       both
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
what=${1:-all}

core_pkgs=(librocksdb7.8 librocksdb-dev g++ rocksdb-tools python3 python3-grpcio python3-grpc-tools python3-protobuf)
storage_pkgs=(radosgw ceph-mon ceph-osd)

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_install() {
  local missing
  missing=$(missing_pkgs "$@")
  [ -z "$missing" ] && return 0
  echo "setup: installing $(echo $missing | tr '\n' ' ')" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

npm_install() {
  # Emulators live under .tools/emulators, pinned by scripts/emulators/package.json.
  local dest="$root/.tools/emulators"
  local spec="$root/scripts/emulators/package.json"
  [ -f "$spec" ] || return 0
  if [ -f "$dest/.installed" ] && cmp -s "$spec" "$dest/package.json"; then return 0; fi
  command -v npm >/dev/null || { echo "setup: npm is required for the storage emulators" >&2; exit 1; }
  echo "setup: installing storage emulators with npm (first run takes a few minutes)" >&2
  mkdir -p "$dest"
  cp "$spec" "$dest/package.json"
  [ -f "$root/scripts/emulators/package-lock.json" ] && cp "$root/scripts/emulators/package-lock.json" "$dest/"
  (cd "$dest" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$dest/.installed"
}

build_shim() {
  # Cairn's C++ extension of the RocksDB C API (table-properties collector, table filter, statistics), built against
  # Debian's librocksdb-dev, the same 7.8 as the runtime library. The stamp holds a hash of the source and the flags.
  local src="$root/src/Cairn.RocksDb/Native/shim/cairn_rocksdb.cc"
  local dest="$root/.tools/native"
  local out="$dest/libcairn_rocksdb.so"
  local flags="-std=c++17 -O2 -fPIC -shared -Wall -Wextra -Werror -Wl,--no-undefined -Wl,-soname,libcairn_rocksdb.so"
  local stamp
  stamp=$( (cat "$src"; echo "$flags"; dpkg-query -W -f='${Version}' librocksdb-dev) | sha256sum | cut -d' ' -f1)
  if [ -f "$out" ] && [ "$(cat "$dest/libcairn_rocksdb.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  echo "setup: building $out" >&2
  mkdir -p "$dest"
  # shellcheck disable=SC2086
  g++ $flags "$src" -o "$out.tmp" -lrocksdb
  mv -f "$out.tmp" "$out"
  echo "$stamp" > "$dest/libcairn_rocksdb.stamp"
}

case "$what" in
  core) apt_install "${core_pkgs[@]}"; build_shim ;;
  storage) apt_install "${storage_pkgs[@]}"; npm_install ;;
  all) apt_install "${core_pkgs[@]}" "${storage_pkgs[@]}"; build_shim; npm_install ;;
  *) echo "usage: scripts/setup.sh core|storage|all" >&2; exit 2 ;;
esac
