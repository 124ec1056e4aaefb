#!/usr/bin/env bash
# tests/fuzz.sh BUILD_DIR SECONDS - run every libFuzzer target for SECONDS
# each, starting from its seed corpus tests/fuzz/corpus/NAME/ (kept in the
# repo) and its regression inputs tests/fuzz/regress/NAME/; new inputs go to
# a scratch copy. Prints one line per target with runs and exec/s. UB and
# leaks are findings (UBSAN_OPTIONS halt_on_error=1, built with
# -fno-sanitize-recover=all). Every finding is copied to
# tests/fuzz/regress/NAME/ (make check replays it there) and fails the run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
secs=${2:-120}; rc=0; found=0
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
for f in "$1"/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work=$(mktemp -d); art=$(mktemp -d)
  for d in corpus regress; do
    [ -d "tests/fuzz/$d/$name" ] && cp -r "tests/fuzz/$d/$name/." "$work/"
  done
  if "$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$art/" \
       "$work" >"$work.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work.log")
    echo "ok   $name: ${secs}s, $execs runs, $rate exec/s, no finding"
  else
    echo "FAIL $name: see below"; tail -30 "$work.log"; rc=1
    mkdir -p "tests/fuzz/regress/$name"
    for a in "$art"/*; do
      [ -f "$a" ] || continue
      cp "$a" "tests/fuzz/regress/$name/"; found=$((found + 1))
      echo "     kept as tests/fuzz/regress/$name/$(basename "$a")"
    done
  fi
  rm -rf "$work" "$work.log" "$art"
done
[ "$rc" -eq 0 ] && echo "fuzz: no finding" || echo "fuzz: $found finding(s) kept under tests/fuzz/regress/"
exit $rc
