#!/usr/bin/env bash
# Builds mediasoup's worker from Debian's own libraries (no download), caches
# the binary outside node_modules keyed by mediasoup version + a hash of this
# recipe, and prints the binary's path on stdout. Quick when already built.
#
# Usage: scripts/mediasoup-worker/build.sh [path/to/mediasoup-package]
# Env:   CONCLAVE_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/conclave)
#
# The Dockerfile runs this same script, so the binary users run is built the
# way the tests built it. Logs go to stderr; stdout is only the path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
log() { echo "[mediasoup-worker] $*" >&2; }

PKG=${1:-}
if [ -z "$PKG" ]; then
  PKG=$(readlink -f "$ROOT/apps/server/node_modules/mediasoup")
fi
VER=$(node -p "require('$PKG/package.json').version")
RECIPE_HASH=$(cat "$HERE/build.sh" "$HERE/srtp.h" "$HERE/dtls-bio-callback.patch" | sha256sum | cut -c1-16)
CACHE=${CONCLAVE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/conclave}
OUT_DIR="$CACHE/mediasoup-worker/$VER-$RECIPE_HASH"
BIN="$OUT_DIR/mediasoup-worker"

if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

DEPS=(g++ make pkg-config python3 meson ninja-build patch libuv1-dev libssl-dev libsrtp2-dev
      libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler nlohmann-json3-dev)
missing=()
for p in "${DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing build dependencies: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

log "building mediasoup-worker $VER (recipe $RECIPE_HASH); this takes about 4 minutes on 2 cores"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$PKG/worker" "$WORK/worker"
W="$WORK/worker"
chmod -R u+w "$W"
patch -d "$W" -p1 --forward --quiet < "$HERE/dtls-bio-callback.patch" >&2
# Bookworm ships meson 1.0.1; the build declares >= 1.1.0 but needs nothing newer.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$W/meson.build"

# Each subprojects/NAME.wrap names a directory; when that directory exists,
# meson uses it as-is and never downloads. Fill it with a meson.build that
# wraps the Debian library and exposes the variables mediasoup's meson.build
# reads, plus the options it passes in default_options. The *_lib variables only feed the optional static library, so they
# point at an empty stub.
subproject() { # $1 wrap name, $2 meson.build body, $3 meson_options.txt body
  local wrap="$W/subprojects/$1.wrap" dir
  [ -f "$wrap" ] || return 0
  dir="$W/subprojects/$(sed -n 's/^directory *= *//p' "$wrap" | tr -d '\r')"
  mkdir -p "$dir"
  echo '/* empty: the code comes from the Debian library */' > "$dir/stub.c"
  printf '%s\n' "$2" > "$dir/meson.build"
  printf '%s\n' "$3" > "$dir/meson_options.txt"
}
STUB="stub = static_library('system_stub', 'stub.c', install: false)"
subproject openssl "project('openssl', 'c')
openssl_dep = dependency('openssl', version: '>=3.0', allow_fallback: false)
$STUB
libcrypto_lib = stub
libssl_lib = stub" ""
subproject libuv "project('libuv', 'c')
libuv_dep = dependency('libuv', version: '>=1.44', allow_fallback: false)
$STUB
libuv = stub" "option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)"
subproject libsrtp3 "project('libsrtp3', 'c')
_srtp = dependency('libsrtp2', allow_fallback: false)
$STUB
libsrtp3_dep = declare_dependency(dependencies: _srtp,
  include_directories: include_directories('shim', '/usr/include/srtp2'))
libsrtp3 = stub" "option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')"
SRTP_DIR="$W/subprojects/$(sed -n 's/^directory *= *//p' "$W/subprojects/libsrtp3.wrap" | tr -d '\r')"
mkdir -p "$SRTP_DIR/shim" && cp "$HERE/srtp.h" "$SRTP_DIR/shim/srtp.h"
subproject usrsctp "project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp', allow_fallback: false)
$STUB
usrsctp = stub" "option('sctp_build_programs', type: 'boolean', value: false)"
subproject abseil-cpp "project('abseil-cpp', 'c', 'cpp')
absl_container_dep = dependency('absl_flat_hash_map', allow_fallback: false)
absl_strings_dep = dependency('absl_strings', allow_fallback: false)
absl_types_dep = dependency('absl_optional', allow_fallback: false)
$STUB
absl_container_lib = stub" ""
subproject flatbuffers "project('flatbuffers', 'c', 'cpp')
flatbuffers_dep = dependency('flatbuffers', allow_fallback: false)
flatc = find_program('flatc')
$STUB
flatbuffers_lib = stub" ""
subproject catch2 "project('catch2', 'cpp')
catch2_dep = dependency('catch2', required: false, allow_fallback: false)
catch2_with_main_dep = catch2_dep" ""

cd "$W"
meson setup --buildtype release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
  -Dms_disable_liburing=true out/build >&2
# Upstream lacks an ordering edge from the sources to the generated FBS headers.
ninja -C out/build fbs/FBS >&2
ninja -C out/build mediasoup-worker >&2
mkdir -p "$OUT_DIR"
cp out/build/mediasoup-worker "$OUT_DIR/.mediasoup-worker.tmp"
strip "$OUT_DIR/.mediasoup-worker.tmp"
mv "$OUT_DIR/.mediasoup-worker.tmp" "$BIN"
log "built $BIN"
echo "$BIN"
