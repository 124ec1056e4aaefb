#!/usr/bin/env bash
# report_time.sh BUILD - how long vagus-report takes: the report (HTML + PDF)
# of a 90-minute session, and over a course of 20 sessions: registering
# them all (index rebuild with their reports) and the progress report.
# The recordings are made by the real daemon (simulator, massage scenario
# for the long session, the improving course for the 20) at high speed.
set -u
root=${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${VG_BIN:-$root/${1:-build-bench}/bin}
py=/usr/bin/python3; [ -x "$py" ] || py=python3
work=$(mktemp -d /tmp/vg-rptbench-XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }

"$py" "$root/tests/integration/report_course.py" --bin "$bin" --out "$work/long" --sessions 1 \
  --jobs 1 --speed 300 --signal-s 5400 --scenario massage --client "Long Session" >"$work/long.txt" || exit 1
base=$(head -1 "$work/long.txt")
beats=$(grep -c '"topic":"beat"' "$base.jsonl")
mb=$(du -m "$base.jsonl" | cut -f1)
best=
for i in 1 2 3; do
  t0=$(now); "$bin/vagus-report" --no-index "$base" >/dev/null || exit 1; t1=$(now)
  t=$(el "$t0" "$t1"); best=$(awk -v a="${best:-1e9}" -v b="$t" 'BEGIN{print (b<a)?b:a}')
done
echo "report_90min_s ${best}  (session $(grep -m1 Duration "$base.summary.md" | cut -d' ' -f2) s, $beats beats, ${mb} MB of JSON lines; HTML $(du -k "$base.html" | cut -f1) kB, PDF $(du -k "$base.pdf" | cut -f1) kB; best of 3)"

"$py" "$root/tests/integration/report_course.py" --bin "$bin" --out "$work/course" --sessions 20 \
  --speed 100 --signal-s 240 --client "Course Client" >/dev/null || exit 1
t0=$(now); "$bin/vagus-report" --rebuild-index "$work/course" >/dev/null || exit 1; t1=$(now)
echo "register_20_sessions_s $(el "$t0" "$t1")  (index rebuild: read 20 recordings of 4 min, write 20 HTML + PDF reports, SQLite)"
t0=$(now); "$bin/vagus-report" --client "Course Client" --dir "$work/course" -o "$work" >/dev/null || exit 1; t1=$(now)
echo "progress_20_sessions_s $(el "$t0" "$t1")  (progress report of 20 sessions from the index, HTML + PDF)"
t0=$(now); "$bin/vagus-report" --rebuild-index "$work/course" >/dev/null || exit 1; t1=$(now)
echo "reindex_20_sessions_s $(el "$t0" "$t1")  (rebuild with the reports already there)"
