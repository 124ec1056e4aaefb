#!/usr/bin/env bash
# report_index.sh - the session index suite (tests/unit/test_index) against a
# real throwaway PostgreSQL server, and vagus-report registering, listing and
# reporting through a postgresql:// URL. The same suite runs against SQLite
# as a unit test. Prints PASS/FAIL lines (SKIP with the reason when no
# server can be started).
set -u
root=${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${VG_BIN:-$root/build/bin}
tests=$(dirname "$bin")/tests
. "$root/tests/integration/report_pg.inc"
trap 'pg_stop' EXIT

if ! pg_start; then
  exit 0
fi
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $PG_DIR (port $PG_PORT, user ${PG_RUN[*]:-$(id -un)})"

log=$(mktemp)
if VG_INDEX_URL="$PG_URL" "$tests/unit/test_index" >"$log" 2>&1 && grep -q "index suite against PostgreSQL" "$log" \
   && grep -q "OK \] test_url" "$log"; then
  echo "PASS index suite on PostgreSQL ($(grep -c 'OK \]' "$log") cases)"
else
  echo "FAIL index suite on PostgreSQL"; tail -30 "$log"
fi

# vagus-report through the URL: a fixture session registered, listed, reported
work=$(mktemp -d /tmp/vg-rpt-pg-XXXXXX)
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" - "$work" <<'PYEOF'
import json, sys, os
d = sys.argv[1]
# a minimal but complete session as the daemon writes it
t0 = 1796400000000000000
lines = [{"topic": "event", "v": 1, "seq": 0, "t_ns": t0, "kind": "session.start", "source": "", "detail": "",
          "data": {"session": "20261202-100000_Pg", "client": "Pat Gresql", "technique": "myofascial", "notes": ""}}]
t = 0.0
for k in range(400):
    rr = 850 + (40 if k % 2 else -40)
    t += rr / 1000
    lines.append({"topic": "beat", "v": 1, "seq": k, "t_ns": t0 + int(t * 1e9), "sample": 0, "rr_ms": rr,
                  "hr_bpm": 60000 / rr, "source": "ECG", "quality": 1.0})
lines.append({"topic": "event", "v": 1, "seq": 1, "t_ns": t0 + int(t * 1e9), "kind": "session.summary", "source": "",
              "detail": "", "data": {"session": "20261202-100000_Pg", "start_ns": t0, "duration_s": t, "span_s": 120,
                                     "regions": [], "baseline": {"hr_bpm": 70.6, "rmssd_ms": 80, "calm": 50, "resp_bpm": 12, "emg_uv": []},
                                     "end": {"hr_bpm": 70.6, "rmssd_ms": 80, "calm": 60, "resp_bpm": 11, "emg_uv": []}}})
with open(os.path.join(d, "20261202-100000_Pg.jsonl"), "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PYEOF
if "$bin/vagus-report" --index "$PG_URL" "$work/20261202-100000_Pg" >"$log" 2>&1 &&
   "$bin/vagus-report" --index "$PG_URL" --list >"$log" 2>&1 && grep -q "Pat Gresql" "$log" &&
   grep -q "20261202-100000_Pg" "$log" && grep -q "70.6" "$log"; then
  echo "PASS vagus-report registers and lists a session in PostgreSQL"
else
  echo "FAIL vagus-report with --index postgresql://"; cat "$log"
fi
if [ -f "$work/20261202-100000_Pg.html" ] && [ -f "$work/20261202-100000_Pg.pdf" ] && [ ! -e "$work/vagus-index.sqlite" ]; then
  echo "PASS the report was written and no SQLite index was made"
else
  echo "FAIL report files with the PostgreSQL index: $(ls "$work")"
fi
rm -rf "$work" "$log"
