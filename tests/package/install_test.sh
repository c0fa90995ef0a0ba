#!/usr/bin/env bash
# Installs hscsim into a scratch prefix and builds a project that uses find_package(hscsim)
# and links hscsim::core: the installed headers, library and CMake package work.
#   tests/package/install_test.sh BUILD_DIR
set -euo pipefail
BUILD=$1
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
test -x "$TMP/prefix/bin/hscsim" || { echo "FAIL: no installed hscsim"; exit 1; }
test -f "$TMP/prefix/share/hscsim/configs/default.yaml" || { echo "FAIL: configs not installed"; exit 1; }
cmake -S "$HERE" -B "$TMP/consumer" -DCMAKE_PREFIX_PATH="$TMP/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$TMP/consumer" >/dev/null
out=$("$TMP/consumer/consumer")
case "$out" in "linked against hscsim "*) echo "ok: $out" ;; *) echo "FAIL: consumer printed '$out'"; exit 1 ;; esac
"$TMP/prefix/bin/hscsim" --version
