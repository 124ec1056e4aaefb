#!/usr/bin/env bash
# vagus_analyze_hrv.sh - `vagus-analyze hrv` end to end: the EC57 HRV test
# patterns through --rr (band powers within 2 % of the standard's values,
# TP5 < 5 ms2), one nsr2db window against the independent reference
# (PhysioNet nsr2db, ../shared/data/reference), the ECG path on mitdb 230
# (PhysioNet MIT-BIH Arrhythmia Database) against its annotations, the JSON
# (schema fields, null never NaN, fixed decimals), and clear errors on
# hostile input. Prints PASS/FAIL lines (tests/run.sh counts them).
set -u
bin="${VG_BIN:-build/bin}/vagus-analyze"
data="${VG_DATA:-../shared/data}"
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for spec in "TP2 hf_ms2 612.5" "TP3 lf_ms2 2450" "TP4 vlf_ms2 39200"; do
  set -- $spec
  out=$("$bin" hrv --rr "$data/ec57/HRV256_$1.txt" 2>&1)
  check "ec57_$1" "python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if abs(j[\"$2\"]-$3)<=0.02*$3 else 1)' '$out'"
done
out=$("$bin" hrv --rr "$data/ec57/HRV256_TP5.txt" 2>&1)
check "ec57_TP5" "python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if max(j[\"vlf_ms2\"],j[\"lf_ms2\"],j[\"hf_ms2\"])<5 else 1)' '$out'"

out=$("$bin" hrv "$data/nsr2db/nsr001" --from 1800 --to 2100 --annotations ecg 2>&1)
check "nsr2db_reference" "python3 - '$out' '$data' <<'PY'
import json, sys
j = json.loads(sys.argv[1]); r = json.load(open(sys.argv[2] + '/reference/nsr2db_hrv_5min.json'))['nsr001@1800']
ok = j['n'] == r['n_nn'] and j['t_ns'] == 2100 * 10**9 and j['window_s'] == 300.0
for a, b, tol in [('mean_nn_ms', 'mean_nn', .005), ('sdnn_ms', 'sdnn', .005), ('rmssd_ms', 'rmssd', .005),
                  ('sd1_ms', 'sd1', .005), ('sd2_ms', 'sd2', .005), ('lf_ms2', 'lf', .03), ('hf_ms2', 'hf', .03)]:
    ok &= abs(j[a] - r[b]) <= tol * r[b]
sys.exit(0 if ok else 1)
PY"

ann=$("$bin" hrv "$data/mitdb/230" --from 300 --to 600 --annotations atr 2>&1)
ecg=$("$bin" hrv "$data/mitdb/230" --from 300 --to 600 2>&1)
check "ecg_path_mitdb230" "python3 -c '
import json, sys
a, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.exit(0 if abs(e[\"rmssd_ms\"] - a[\"rmssd_ms\"]) <= 0.05 * a[\"rmssd_ms\"] and abs(e[\"hf_ms2\"] - a[\"hf_ms2\"]) <= 0.05 * a[\"hf_ms2\"] else 1)' '$ann' '$ecg'"

short=$("$bin" hrv "$data/mitdb/230" --from 0 --to 40 --annotations atr 2>&1)
check "json_schema_nulls" "python3 - '$short' <<'PY'
import json, re, sys
l = sys.argv[1]; j = json.loads(l)
ok = 'nan' not in l.lower() and j['topic'] == 'hrv' and j['v'] == 1 and j['seq'] == 0
ok &= j['hf_ms2'] is None and j['lf_ms2'] is None and j['vlf_ms2'] is None and j['lf_hf'] is None
ok &= re.search(r'\"rmssd_ms\":[0-9]+\.[0-9]{3},', l) is not None
for k in ['n', 'mean_nn_ms', 'sdnn_ms', 'rmssd_ms', 'pnn50', 'sd1_ms', 'sd2_ms', 'hr_bpm', 'artifacts_pct',
          'lf_nu', 'hf_nu', 'hf_peak_hz', 'rsa_ms2', 'slow_breathing', 'pns_index', 'calm', 'calm_trend']:
    ok &= k in j
sys.exit(0 if ok else 1)
PY"

printf '1.0,0.8\nnot a number\n' >"$tmp/bad.txt"
"$bin" hrv --rr "$tmp/bad.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad_rr_file" "[ $rc -ne 0 ] && grep -q 'bad.txt:2' '$tmp/err' && [ ! -s '$tmp/out' ]"
head -c 1001 "$data/mitdb/230.atr" >"$tmp/t.atr"; cp "$data/mitdb/230.hea" "$tmp/t.hea"
"$bin" hrv "$tmp/t" --from 0 --to 300 --annotations atr >"$tmp/out" 2>"$tmp/err"; rc=$?
check "truncated_annotations" "[ $rc -ne 0 ] && grep -q 'truncated' '$tmp/err'"
"$bin" hrv "$tmp/none" --from 0 --to 300 --annotations atr >"$tmp/out" 2>"$tmp/err"; rc=$?
check "missing_record" "[ $rc -ne 0 ] && grep -q 'not found' '$tmp/err'"
"$bin" hrv --rr "$data/ec57/HRV256_TP2.txt" --from 10 --to 5 >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad_window" "[ $rc -eq 2 ]"
