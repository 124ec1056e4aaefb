#!/usr/bin/env bash
# report_course.sh - reports end to end with the real daemon, browser, PDF
# renderer and databases.
#
# A course of 8 simulated sessions whose physiology improves (surge ->
# release -> calm scenarios, report_course.py) is recorded by vagusd at 100x
# speed; each session is reported and registered through vagus-report (the
# same call the daemon makes at session.stop). Checks: the SQLite index
# holds the 8 sessions with their summaries' figures; every plot of a
# session report and of the progress report has data, axis labels and the
# right number of points; the progress trends have the right signs;
# headless chromium renders the HTML and pdftoppm the PDF; the CSV export
# reads back with Python's csv; a damaged and a missing index are rebuilt;
# PostgreSQL and SQLite give byte-identical progress reports.
# In the ASan build (slow daemon) one short session is recorded instead and
# only the session report, CSV and index checks run (reason printed).
# VG_REPORT_SHOTS=DIR keeps the screenshots there (docs/report-*.png).
set -u
root=${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${VG_BIN:-$root/build/bin}
py=/usr/bin/python3; [ -x "$py" ] || py=python3
chk() { "$py" "$root/tests/integration/report_check.py" "$@"; }
. "$root/tests/integration/report_pg.inc"
work=$(mktemp -d /tmp/vg-course-XXXXXX)
trap 'pg_stop; rm -rf "$work"' EXIT
rec=$work/rec
client="Ann Example"

asan=0
case "$bin" in *asan*) asan=1 ;; esac
if [ "$asan" = 1 ]; then
  echo "SKIP the 8-session course, browser and PostgreSQL comparison in the ASan build (slow"
  echo "     daemon; they run in the normal build): one short session instead"
  n=1; sig=150; speed=30
else
  n=8; sig=240; speed=100
fi

# the PostgreSQL server starts (slowly) while the course records
if [ "$asan" = 0 ]; then
  ( pg_start >"$work/pg.msg" && declare -p PG_URL PG_DIR PG_BIN PG_RUN >"$work/pg.env" ) &
  pg_pid=$!
fi

if "$py" "$root/tests/integration/report_course.py" --bin "$bin" --out "$rec" --sessions $n \
     --speed $speed --signal-s $sig --client "$client" >"$work/bases" 2>"$work/course.log"; then
  echo "PASS recorded $n session(s) with vagusd (sim, ${speed}x)"
else
  echo "FAIL recording the course"; tail -20 "$work/course.log"; exit 1
fi

# each session as the daemon will do it at session.stop (the first builds the index)
ok=1
while read -r base; do
  "$bin/vagus-report" "$base" >"$work/r.log" 2>&1 || { ok=0; cat "$work/r.log"; }
  [ -s "$base.html" ] && [ -s "$base.pdf" ] || ok=0
done <"$work/bases"
[ $ok = 1 ] && echo "PASS vagus-report wrote HTML + PDF for every session" || echo "FAIL session reports"
db=$rec/vagus-index.sqlite
chk index "$db" "$rec" $n
first=$(head -1 "$work/bases"); last=$(tail -1 "$work/bases")
chk plots "$first.html" "$first.jsonl"
[ "$n" -gt 1 ] && chk plots "$last.html" "$last.jsonl" | grep -v "^PASS.*plot '"

# data out
mkdir -p "$work/csv"
if "$bin/vagus-report" --export csv -o "$work/csv" "$first.edf" >"$work/csv.log" 2>&1; then
  prefix=$(sed -n 's/\.{session.*//p' "$work/csv.log")
  chk csv "$prefix" "$first.jsonl" "$client"
else
  echo "FAIL --export csv"; cat "$work/csv.log"
fi

# a damaged index is moved aside and rebuilt at the next session's end
head -c 3000 /dev/urandom >"$db"
"$bin/vagus-report" "$last" >/dev/null 2>"$work/dmg.log"
if [ -f "$db.damaged" ] && grep -q "damaged" "$work/dmg.log"; then
  echo "PASS a damaged index is kept aside as vagus-index.sqlite.damaged"
else
  echo "FAIL damaged index: $(cat "$work/dmg.log")"
fi
chk index "$db" "$rec" $n | sed 's/^\(PASS\|FAIL\) /\1 after the damage: /'
rm -f "$db"
"$bin/vagus-report" --rebuild-index "$rec" >"$work/rb.log" 2>&1
grep -q "$n session(s) registered" "$work/rb.log" && echo "PASS --rebuild-index after the index was deleted: $(cat "$work/rb.log")" \
  || { echo "FAIL --rebuild-index"; cat "$work/rb.log"; }
"$bin/vagus-report" --list --dir "$rec" >"$work/list.log" 2>&1
grep -q "$client" "$work/list.log" && [ "$(grep -c "_Ann_Example$" "$work/list.log")" = "$n" ] \
  && echo "PASS --list shows the client and its $n sessions" || { echo "FAIL --list"; cat "$work/list.log"; }

# the command line: a session named by its id in --dir, report elsewhere, no index
id=$(basename "$first"); mkdir -p "$work/byid"
"$bin/vagus-report" --no-index -o "$work/byid" --dir "$rec" "$id" >/dev/null 2>&1 &&
  [ -s "$work/byid/$id.html" ] && [ -s "$work/byid/$id.pdf" ] &&
  echo "PASS a session named by its id (--dir, -o, --no-index)" || echo "FAIL vagus-report by session id"
"$bin/vagus-report" --version | grep -q "^vagus-report [0-9]" && "$bin/vagus-report" --help | grep -q -- "--export csv" &&
  echo "PASS --version and --help" || echo "FAIL --version/--help"
"$bin/vagus-report" --export xml "$first" >/dev/null 2>&1; rc1=$?
"$bin/vagus-report" "$work/no-such-session" >/dev/null 2>&1; rc2=$?
[ $rc1 = 2 ] && [ $rc2 = 1 ] && echo "PASS usage error exits 2, a missing session exits 1" ||
  echo "FAIL exit codes $rc1 $rc2"

[ "$asan" = 1 ] && exit 0

# the progress report
mkdir -p "$work/lite" "$work/pg"
if "$bin/vagus-report" --client "$client" --dir "$rec" -o "$work/lite" >"$work/p.log" 2>&1; then
  prog=$(ls "$work"/lite/progress_*.html)
  echo "PASS progress report $(basename "$prog") and its PDF"
  chk plots "$prog"
  chk trends "$prog"
else
  echo "FAIL progress report"; cat "$work/p.log"; prog=
fi

# rendering: a real browser and a real PDF renderer
if command -v chromium >/dev/null && command -v pdftoppm >/dev/null; then
  for f in "$first.html" "$prog"; do   # both pages at once
    png=$work/$(basename "${f%.html}").png
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$(mktemp -d "$work/chr-XXXXXX")" --screenshot="$png" --window-size=1100,3000 \
      "file://$f" >/dev/null 2>&1 &
  done
  wait $(jobs -p | grep -v "^${pg_pid:-none}$") 2>/dev/null
  for f in "$first.html" "$prog"; do
    png=$work/$(basename "${f%.html}").png
    [ -f "$png" ] && chk png "$png" || echo "FAIL chromium did not render $(basename "$f")"
  done
  for f in "$first.pdf" "${prog%.html}.pdf"; do
    pdftoppm -r 80 -png -f 1 -l 1 "$f" "$work/pdf" && chk png "$(ls "$work"/pdf*.png | head -1)" \
      || echo "FAIL pdftoppm $(basename "$f")"
    pages=$(pdftoppm -r 10 -png "$f" "$work/pg" && ls "$work"/pg*.png | wc -l)
    [ "${pages:-0}" -ge 1 ] && echo "PASS $(basename "$f") renders to $pages page(s)" \
      || echo "FAIL $(basename "$f"): no page rendered"
    rm -f "$work"/pdf*.png "$work"/pg*.png
  done
  if [ -n "${VG_REPORT_SHOTS:-}" ]; then
    cp "$work/$(basename "${first%.html}").png" "$VG_REPORT_SHOTS/report-session.png" 2>/dev/null
    cp "$work/$(basename "${prog%.html}").png" "$VG_REPORT_SHOTS/report-progress.png" 2>/dev/null
    cp "$first.pdf" "$VG_REPORT_SHOTS/report-session.pdf"; cp "${prog%.html}.pdf" "$VG_REPORT_SHOTS/report-progress.pdf"
  fi
else
  echo "SKIP rendering: chromium or pdftoppm missing (Debian chromium, poppler-utils)"
fi

# the same index on PostgreSQL gives the same report
wait "$pg_pid"
if [ -s "$work/pg.env" ]; then
  . "$work/pg.env"
  "$bin/vagus-report" --rebuild-index "$rec" --index "$PG_URL" >"$work/pgr.log" 2>&1
  if "$bin/vagus-report" --client "$client" --index "$PG_URL" -o "$work/pg" >>"$work/pgr.log" 2>&1 &&
     cmp -s "$prog" "$work/pg/$(basename "$prog")"; then
    echo "PASS PostgreSQL and SQLite give the same progress report ($(wc -c <"$prog") bytes, identical)"
  else
    echo "FAIL PostgreSQL report differs from SQLite"; cat "$work/pgr.log"
    diff <(tr '>' '\n' <"$prog") <(tr '>' '\n' <"$work/pg/$(basename "$prog")") | head -10
  fi
  "$bin/vagus-report" --list --index "$PG_URL" | grep -c "_Ann_Example$" | grep -qx "$n" \
    && echo "PASS the PostgreSQL index lists the $n sessions" || echo "FAIL PostgreSQL --list"
else
  cat "$work/pg.msg"
fi
