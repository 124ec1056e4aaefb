#!/usr/bin/env bash
# tests/run.sh BUILD_DIR... - run every test program of each build directory
# (cmocka unit and integration tests, and tests/integration/*.sh scripts),
# count test cases, and end with the line "N passed, N failed".
# Environment given to tests: VG_BIN (programs), VG_DATA (../shared/data),
# VG_ROOT (project root). Run from the project root.
# XDG_DATA_HOME (a temporary directory, removed at the end).
# With several build directories the suites run side by side, one lane per
# build (most tests wait on real time, not on the CPU), unless
# VG_CHECK_LANES=1; each lane's output is printed whole when it ends.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -gt 1 ] && [ "${VG_CHECK_LANES:-2}" != 1 ]; then
  lanes=$(mktemp -d); trap 'rm -rf "$lanes"' EXIT
  pids=()
  for b in "$@"; do
    VG_CHECK_LANES=1 bash "$0" "$b" >"$lanes/$(basename "$b").log" 2>&1 &
    pids+=($!)
  done
  i=0; pass=0; fail=0; failed=""
  for b in "$@"; do
    wait "${pids[$i]}"; i=$((i + 1))
    l="$lanes/$(basename "$b").log"
    grep -v '^failed: \|^[0-9]* passed, [0-9]* failed$' "$l"
    failed="$failed $(sed -n 's/^failed: //p' "$l")"
    t=$(tail -1 "$l")
    case "$t" in
      *" passed, "*" failed") p=${t%% *}; f=${t#*, }; f=${f%% *} ;;
      *) p=0; f=1; failed="$failed $b(lane-crashed)" ;;
    esac
    pass=$((pass + p)); fail=$((fail + f))
  done
  failed=$(echo $failed)
  [ -n "$failed" ] && echo "failed: $failed"
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
fi
export VG_ROOT="$root"
export VG_DATA="${VG_DATA:-$root/../shared/data}"
export VG_SHARED="${VG_SHARED:-$root/../shared}"
# undefined behaviour stops a sanitized test with a stack (issue 15)
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
pass=0; fail=0; failed_names=()
log=$(mktemp); xdg=$(mktemp -d); trap 'rm -f "$log"; rm -rf "$xdg"' EXIT
# vagusd records sessions by default in $XDG_DATA_HOME/vagus/sessions: keep
# the tests' sessions out of the user's home
export XDG_DATA_HOME="$xdg"

count_cmocka() { # file -> sets p f
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
}

for b in "$@"; do
  export VG_BIN="$root/$b/bin"
  echo "== tests in $b"
  for t in "$b"/tests/unit/* "$b"/tests/integration/*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    name="$b/${t#"$b"/tests/}"
    start=$(date +%s.%N)
    timeout 600 "$t" >"$log" 2>&1; rc=$?
    count_cmocka "$log"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or timed out
    pass=$((pass + p)); fail=$((fail + f))
    dur=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
    if [ "$f" -gt 0 ]; then
      echo "FAIL $name ($p passed, $f failed, rc $rc, ${dur}s)"; sed 's/^/    /' "$log" | tail -40
      failed_names+=("$name")
    else
      echo "ok   $name ($p passed, ${dur}s)"
    fi
  done
  # fuzz targets replayed over their crash inputs and seeds (regress_main.c)
  for t in "$b"/tests/fuzz/fuzz_*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    n=$(basename "$t"); name="$b/fuzz/$n"
    timeout 600 "$t" "tests/fuzz/regress/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1; rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^PASS ' "$log"; then
      pass=$((pass + 1)); echo "ok   $name ($(sed -n 's/^PASS [^:]*: //p' "$log"))"
    else
      fail=$((fail + 1)); failed_names+=("$name")
      echo "FAIL $name (rc $rc)"; sed 's/^/    /' "$log" | tail -40
    fi
  done
  for s in tests/integration/*.sh; do
    [ -f "$s" ] || continue
    name="$b/${s#tests/}"
    start=$(date +%s.%N)
    timeout 600 bash "$s" >"$log" 2>&1; rc=$?
    p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    dur=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
    if [ "$f" -gt 0 ]; then
      echo "FAIL $name ($p passed, $f failed, rc $rc, ${dur}s)"; sed 's/^/    /' "$log" | tail -40
      failed_names+=("$name")
    else
      echo "ok   $name ($p passed, ${dur}s)"
    fi
  done
done
if [ "${#failed_names[@]}" -gt 0 ]; then
  echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
