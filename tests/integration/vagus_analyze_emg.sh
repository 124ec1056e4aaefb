#!/usr/bin/env bash
# vagus_analyze_emg.sh - `vagus-analyze emg` end to end on PhysioNet records:
# --summary figures against the data README's reference (RMS within 2 %,
# MDF/MNF within 5 %), the JSON lines (one per 1/20 s, schema fields, fixed
# decimals, null not NaN), and drivedb's pre-smoothed EMG flagged as such.
# Prints PASS/FAIL lines (tests/run.sh counts them).
set -u
bin="${VG_BIN:-build/bin}/vagus-analyze"
data="${VG_DATA:-../shared/data}"
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fi; }

for spec in "emg_healthy 81.6 108.4 171.7" "emg_myopathy 97.0 191.4 271.9" \
            "emg_neuropathy 388.4 232.4 308.8"; do
  set -- $spec
  out=$("$bin" emg "$data/emgdb/$1" --summary 2>&1)
  check "summary_$1" "python3 - '$out' $2 $3 $4 <<'PY'
import json, sys
s = json.loads(sys.argv[1]); rms, mdf, mnf = map(float, sys.argv[2:5])
ok = abs(s['rms_uv'] - rms) <= 0.02 * rms and abs(s['mdf_hz'] - mdf) <= 0.05 * mdf \
     and abs(s['mnf_hz'] - mnf) <= 0.05 * mnf
print(s, file=sys.stderr); sys.exit(0 if ok else 1)
PY"
done

tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
"$bin" emg "$data/emgdb/emg_healthy" --signal 0 >"$tmp" 2>&1
check "lines_emg_healthy" "python3 - '$tmp' <<'PY'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
want = 50860 // 200                      # 4000 Hz / 20 Hz
ok = len(lines) == want
for i, l in enumerate(lines):
    assert 'NaN' not in l and 'nan' not in l
    m = json.loads(l)
    ok &= m['topic'] == 'emg' and m['v'] == 1 and m['seq'] == i and m['state'] in ('relaxed', 'tense', 'releasing')
    ok &= m['sample'] == 200 * i + 199 and m['t_ns'] == round(m['sample'] * 1e9 / 4000)
    if m['rms_uv'] is not None:
        ok &= re.search(r'\"rms_uv\":-?[0-9]+\.[0-9]{2},', l) is not None
    ok &= 'uncalibrated' in m['quality']
sys.exit(0 if ok else 1)
PY"

"$bin" emg "$data/drivedb/drive05" --signal 1 >"$tmp" 2>&1
check "presmoothed_drive05" "python3 - '$tmp' <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ms = [json.loads(l) for l in lines]
ok = len(ms) == 78367 and all('presmoothed' in m['quality'] and m['mdf_hz'] is None for m in ms)
ok &= all(m['rms_uv'] is not None for m in ms)
sys.exit(0 if ok else 1)
PY"

"$bin" emg "$data/emgdb/no_such_record" >/dev/null 2>&1
check "missing_record_fails" "[ $? -eq 1 ]"
"$bin" emg "$data/emgdb/emg_healthy" --signal 5 >/dev/null 2>&1
check "bad_signal_fails" "[ $? -eq 1 ]"
"$bin" emg >/dev/null 2>&1
check "usage" "[ $? -eq 2 ]"
