#!/usr/bin/env bash
# tests/fuzz.sh BUILD_DIR SECONDS - run every libFuzzer target for SECONDS
# each, starting from its seed corpus tests/fuzz/corpus/NAME/ (kept in the
# repo); new inputs go to a scratch copy. Prints one line per target.
set -u
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
secs=${2:-120}; rc=0
for f in "$1"/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work=$(mktemp -d); [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
  if "$f" -max_total_time="$secs" -print_final_stats=1 "$work" >"$work.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
    echo "ok   $name: ${secs}s, $execs runs, no crash"
  else
    echo "FAIL $name: see below"; tail -30 "$work.log"; rc=1
  fi
  rm -rf "$work" "$work.log"
done
exit $rc
