#!/usr/bin/env bash
# analyze_time.sh BUILD_DIR - the whole `vagus-analyze beats` process per
# 30-minute 360 Hz record (issue 17: <= 10 ms; gqrs 25 ms), as a user runs
# it: exec, dynamic loading, reading the WFDB files, detection, one JSON
# line per beat written to a file. Per mitdb record: `perf stat -r N`
# task-clock (CPU time of the process, less sensitive to other work than
# wall time), and the same for /bin/true (the floor of any process here).
# Prints the mean, median and worst over the records. ANALYZE_TIME_RUNS=N
# (default 20). Skipped without perf.
# ANALYZE_TIME_VS=OTHER_BINARY times another vagus-analyze the same way,
# record by record in alternation with this one, and prints both and their
# ratio: on a shared virtual machine the speed drifts by 20 % within
# minutes, so two runs minutes apart do not compare; alternating ones do.
set -u
bin="${VG_BIN:-${1:-build}/bin}"
data="${VG_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/data}"
runs="${ANALYZE_TIME_RUNS:-20}"
vs="${ANALYZE_TIME_VS:-}"
if ! command -v perf >/dev/null || ! perf stat -x, -e task-clock true >/dev/null 2>&1; then
  echo "analyze_time: perf (linux-perf) missing or not permitted, skipped"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
clock() { # command... -> task-clock ms (mean of $runs)
  perf stat -r "$runs" -x, -e task-clock "$@" 2>&1 >"$tmp/out" | awk -F, '/task-clock/ {print $1}'
}
summary() { # file label
  sort -k2 -n "$1" | awk -v floor="$floor" -v label="$2" '
    { n++; t[n] = $2; s += $2; name[n] = $1; beats += $3 }
    END {
      if (!n) { print "analyze_time: no mitdb records"; exit 1 }
      printf "analyze_time: %s beats, whole process, %d mitdb records (%d beats): " \
             "mean %.2f ms, median %.2f ms, worst %.2f ms (%s); less the /bin/true floor: mean %.2f ms\n",
             label, n, beats, s / n, t[int((n + 1) / 2)], t[n], name[n], s / n - floor
    }'
}
floor=$(clock /bin/true)
echo "analyze_time: /bin/true ${floor} ms task-clock (the floor of a process here); load $(cut -d' ' -f1 /proc/loadavg)"
: >"$tmp/all"
: >"$tmp/vs"
for h in "$data"/mitdb/*.hea; do
  r=${h%.hea}
  ms=$(clock "$bin/vagus-analyze" beats "$r")
  echo "$(basename "$r") $ms $(( $(wc -l <"$tmp/out") / runs ))" >>"$tmp/all"
  if [ -n "$vs" ]; then
    ms=$(clock "$vs" beats "$r")
    echo "$(basename "$r") $ms $(( $(wc -l <"$tmp/out") / runs ))" >>"$tmp/vs"
  fi
done
summary "$tmp/all" "$bin/vagus-analyze" || exit 1
if [ -n "$vs" ]; then
  summary "$tmp/vs" "$vs"
  paste "$tmp/all" "$tmp/vs" | awk '{ a += $2; b += $5; n++ }
    END { printf "analyze_time: alternating, mean %.2f vs %.2f ms: %.3f of the other\n", a / n, b / n, a / b }'
fi
