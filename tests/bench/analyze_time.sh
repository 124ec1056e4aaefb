#!/usr/bin/env bash
# analyze_time.sh BUILD_DIR - the whole `vagus-analyze beats` process per
# 30-minute 360 Hz record (issue 17: <= 10 ms; gqrs 25 ms), as a user runs
# it: exec, dynamic loading, reading the WFDB files, detection, one JSON
# line per beat written to a file. Per mitdb record: `perf stat -r N`
# task-clock (CPU time of the process, less sensitive to other work than
# wall time), and the same for /bin/true (the floor of any process here).
# Prints the mean, median and worst over the records. ANALYZE_TIME_RUNS=N
# (default 20). Skipped without perf.
set -u
bin="${VG_BIN:-${1:-build}/bin}"
data="${VG_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/data}"
runs="${ANALYZE_TIME_RUNS:-20}"
if ! command -v perf >/dev/null || ! perf stat -x, -e task-clock true >/dev/null 2>&1; then
  echo "analyze_time: perf (linux-perf) missing or not permitted, skipped"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
clock() { # command... -> task-clock ms (mean of $runs)
  perf stat -r "$runs" -x, -e task-clock "$@" 2>&1 >"$tmp/out" | awk -F, '/task-clock/ {print $1}'
}
floor=$(clock /bin/true)
echo "analyze_time: /bin/true ${floor} ms task-clock (the floor of a process here); load $(cut -d' ' -f1 /proc/loadavg)"
: >"$tmp/all"
for h in "$data"/mitdb/*.hea; do
  r=${h%.hea}
  ms=$(clock "$bin/vagus-analyze" beats "$r")
  echo "$(basename "$r") $ms $(( $(wc -l <"$tmp/out") / runs ))" >>"$tmp/all"
done
sort -k2 -n "$tmp/all" | awk -v floor="$floor" '
  { n++; t[n] = $2; s += $2; name[n] = $1; beats += $3 }
  END {
    if (!n) { print "analyze_time: no mitdb records"; exit 1 }
    printf "analyze_time: vagus-analyze beats, whole process, %d mitdb records (%d beats): " \
           "mean %.2f ms, median %.2f ms, worst %.2f ms (%s); less the /bin/true floor: mean %.2f ms\n",
           n, beats, s / n, t[int((n + 1) / 2)], t[n], name[n], s / n - floor
  }'
