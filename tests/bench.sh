#!/usr/bin/env bash
# tests/bench.sh BUILD_DIR - run every benchmark program (tests/bench/*.c,
# built into BUILD_DIR/bench) and script (tests/bench/*.sh); each prints its
# figures. Run from the project root.
set -u
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
export VG_ROOT="$root" VG_BIN="$root/$1/bin"
export VG_DATA="${VG_DATA:-$root/../shared/data}" VG_SHARED="${VG_SHARED:-$root/../shared}"
rc=0
for b in "$1"/bench/*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"; "$b" || rc=1
done
for s in tests/bench/*.sh; do
  [ -f "$s" ] || continue
  echo "== $(basename "$s")"; bash "$s" "$1" || rc=1
done
exit $rc
