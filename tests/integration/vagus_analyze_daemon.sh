#!/usr/bin/env bash
# vagus_analyze_daemon.sh - the offline analyzer reads what the daemon
# writes: vagusd on the simulator records a short session (vagusctl session
# start/stop, --speed 10, free ports) and `vagus-analyze beats|hrv|emg|stream`
# run on its EDF+ file; EMG channels are found by kind (the transducer text
# as the daemon writes it today, and the EDF+ type prefix "EMG ", checked by
# rewriting the labels in a copy), never by region name; WFDB names with
# and without ".hea"; `hrv --rr` on the usual RR exports (one column in ms
# or in s, time_s,rr_s, Polar, Kubios and Elite HRV text) gives the same
# figures from the same intervals. Prints PASS/FAIL lines.
set -u
bin="${VG_BIN:-build/bin}"
data="${VG_DATA:-../shared/data}"
A="$bin/vagus-analyze"
tmp=$(mktemp -d)
dpid=""
cleanup() {
  [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; [ -n "${3:-}" ] && sed 's/^/    /' "$3" | head -20; fi; }

# ---------------------------------------------------------------- a recording
mkdir -p "$tmp/rec"
for try in 1 2 3; do
  read -r p1 p2 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  ctl="tcp://127.0.0.1:$p2"
  "$bin/vagusd" --source sim --speed 10 --record-dir "$tmp/rec" \
    --pub "tcp://127.0.0.1:$p1" --ctl "$ctl" 2>"$tmp/vagusd.log" &
  dpid=$!
  if "$bin/vagusctl" --ctl "$ctl" --timeout 3000 ping >/dev/null 2>&1; then break; fi
  kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; dpid=""
done
[ -n "$dpid" ] || { echo "FAIL analyze_daemon_start"; cat "$tmp/vagusd.log"; exit 0; }
"$bin/vagusctl" --ctl "$ctl" session start --client analyzer >"$tmp/start" 2>&1
sleep 8   # 80 s of simulated signal at --speed 10
"$bin/vagusctl" --ctl "$ctl" session stop >"$tmp/stop" 2>&1
kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=""
edf=$(ls "$tmp"/rec/*.edf 2>/dev/null | head -1)
check daemon_recorded "[ -n '$edf' ] && [ -s '$edf' ]" "$tmp/vagusd.log"
[ -n "$edf" ] || exit 0

# ---------------------------------------------------------------- beats, hrv
"$A" beats "$edf" >"$tmp/beats" 2>"$tmp/err"; rc=$?
n=$(grep -c '"topic":"beat"' "$tmp/beats")
# 80 s at 45-120 bpm
check edf_beats "[ $rc -eq 0 ] && [ $n -ge 50 ] && [ $n -le 170 ]" "$tmp/err"
"$A" hrv "$edf" >"$tmp/hrv" 2>"$tmp/err"; rc=$?
check edf_hrv "[ $rc -eq 0 ] && python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j[\"topic\"] == \"hrv\" and j[\"n\"] >= 40 and 40 <= j[\"hr_bpm\"] <= 130 and j[\"rmssd_ms\"] > 0 else 1)' '$tmp/hrv'" "$tmp/err"

# ---------------------------------------------------------------- EMG by kind
"$A" emg "$edf" >"$tmp/emg" 2>"$tmp/err"; rc=$?
check edf_emg_by_transducer "[ $rc -eq 0 ] && [ \$(grep -c '\"topic\":\"emg\"' '$tmp/emg') -ge 100 ] &&
  ! grep -q '\"name\":\"ECG' '$tmp/emg'" "$tmp/err"
"$A" stream "$edf" >"$tmp/stream" 2>"$tmp/err"; rc=$?
check edf_stream_all_kinds "[ $rc -eq 0 ] && grep -q '\"topic\":\"beat\"' '$tmp/stream' &&
  grep -q '\"topic\":\"hrv\"' '$tmp/stream' &&
  [ \$(grep '\"topic\":\"emg\"' '$tmp/stream' | grep -o '\"channel\":[0-9]*' | sort -u | wc -l) -eq 2 ]" "$tmp/err"

# the EDF+ type prefix, with a transducer that says nothing of the kind;
# then neither (region names only): the analyzer must not guess
python3 - "$edf" "$tmp/prefixed.edf" "$tmp/bare.edf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
ns = int(b[252:256])
lab = lambda i: 256 + 16 * i
tra = lambda i: 256 + ns * 16 + 80 * i
def put(off, n, s): b[off:off + n] = s.encode().ljust(n)[:n]
p, q = bytearray(b), None
for i in range(ns):
    l = b[lab(i):lab(i) + 16].decode().strip()
    if l.startswith('EDF Annotations'):
        continue
    for t in ('ECG ', 'EMG '):  # the recorder's own EDF+ type prefix, taken off
        if l.startswith(t):
            l = l[4:]
    kind = 'ECG' if l == 'ECG' else 'EMG'
    put(lab(i), 16, (kind + ' ' + l) if l != 'ECG' else 'ECG')
    put(tra(i), 80, 'AgAgCl electrodes')
open(sys.argv[2], 'wb').write(b)
for i in range(ns):
    l = b[lab(i):lab(i) + 16].decode().strip()
    if l.startswith('EMG '):
        put(lab(i), 16, l[4:])
open(sys.argv[3], 'wb').write(b)
PY
"$A" emg "$tmp/prefixed.edf" >"$tmp/emg2" 2>"$tmp/err"; rc=$?
check edf_emg_by_prefix "[ $rc -eq 0 ] && grep -q '\"name\":\"EMG trapezius-le' '$tmp/emg2'" "$tmp/err"
"$A" stream "$tmp/prefixed.edf" --seconds 20 >"$tmp/stream2" 2>"$tmp/err"; rc=$?
check edf_stream_by_prefix "[ $rc -eq 0 ] &&
  [ \$(grep '\"topic\":\"emg\"' '$tmp/stream2' | grep -o '\"channel\":[0-9]*' | sort -u | wc -l) -eq 2 ]" "$tmp/err"
"$A" emg "$tmp/bare.edf" >"$tmp/emg3" 2>"$tmp/err"; rc=$?
check edf_no_guess_by_region "[ $rc -eq 1 ] && [ ! -s '$tmp/emg3' ] && grep -q -- '--signal' '$tmp/err'" "$tmp/err"

# ---------------------------------------------------------------- .hea names
"$A" beats "$data/mitdb/230" | head -50 >"$tmp/b1"
"$A" beats "$data/mitdb/230.hea" | head -50 >"$tmp/b2" 2>"$tmp/err"
check wfdb_name_with_hea "[ -s '$tmp/b1' ] && cmp -s '$tmp/b1' '$tmp/b2'" "$tmp/err"
"$A" hrv "$data/mitdb/230.hea" --from 0 --to 300 --annotations atr >"$tmp/h2" 2>"$tmp/err"
"$A" hrv "$data/mitdb/230" --from 0 --to 300 --annotations atr >"$tmp/h1"
check wfdb_hrv_with_hea "[ -s '$tmp/h1' ] && cmp -s '$tmp/h1' '$tmp/h2'" "$tmp/err"

# ---------------------------------------------------------------- RR exports
# the same intervals (from the recording's beats) in each format
python3 - "$tmp/beats" "$tmp" <<'PY'
import json, sys
rr = [json.loads(l)['rr_ms'] for l in open(sys.argv[1])]
rr = [r for r in rr if r is not None]
d = sys.argv[2]
t, ts = 0.0, []
for r in rr:
    t += r / 1000.0; ts.append(t)
open(d + '/one_ms.txt', 'w').write(''.join('%.0f\n' % r for r in rr))
open(d + '/one_s.txt', 'w').write(''.join('%.3f\n' % (round(r) / 1000) for r in rr))
open(d + '/time_rr.csv', 'w').write(''.join('%.3f,%.3f\n' % (sum(round(x) for x in rr[:i + 1]) / 1000, round(r) / 1000) for i, r in enumerate(rr)))
# Polar Sensor Logger: "Phone timestamp;RR-interval [ms]"
open(d + '/polar.txt', 'w').write('Phone timestamp;RR-interval [ms]\n' +
    ''.join('2026-12-05T10:00:%06.3f;%.0f\n' % (i % 60, r) for i, r in enumerate(rr)))
# Kubios: preamble lines, a header with units, tab separated, CRLF
open(d + '/kubios.txt', 'w').write('Kubios HRV RR interval data\r\nSubject: anon\r\n\r\n'
    'Time (s)\tRR (s)\r\n' + ''.join('%.3f\t%.3f\r\n' % (sum(round(x) for x in rr[:i + 1]) / 1000, round(r) / 1000) for i, r in enumerate(rr)))
# Elite HRV: one interval per line in ms, a comment and blank lines
open(d + '/elite.txt', 'w').write('# Elite HRV export\n\n' + ''.join('%.0f\n\n' % r if i % 7 == 0 else '%.0f\n' % r for i, r in enumerate(rr)))
PY
for f in one_ms.txt one_s.txt time_rr.csv polar.txt kubios.txt elite.txt; do
  "$A" hrv --rr "$tmp/$f" >"$tmp/$f.out" 2>"$tmp/$f.err" || echo "rc $?" >>"$tmp/$f.err"
done
check rr_formats_agree "python3 - '$tmp' <<'PY'
import json, sys
d = sys.argv[1]
r = [json.load(open(d + '/' + f + '.out')) for f in
     ['one_ms.txt', 'one_s.txt', 'time_rr.csv', 'polar.txt', 'kubios.txt', 'elite.txt']]
ok = r[0]['n'] >= 40
for x in r:
    ok &= x['n'] == r[0]['n'] and abs(x['rmssd_ms'] - r[0]['rmssd_ms']) < 0.01
    ok &= abs(x['mean_nn_ms'] - r[0]['mean_nn_ms']) < 0.01
sys.exit(0 if ok else 1)
PY" "$tmp/polar.txt.err"
printf '812\n790\n805\nabc\n' >"$tmp/bad_rr.txt"
"$A" hrv --rr "$tmp/bad_rr.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check rr_bad_line_named "[ $rc -eq 1 ] && grep -q 'bad_rr.txt:4' '$tmp/err'" "$tmp/err"
exit 0
