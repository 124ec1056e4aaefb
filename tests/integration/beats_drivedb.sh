#!/usr/bin/env bash
# tests/integration/beats_drivedb.sh - beats on a non-standard rate and a
# multi-frequency record: drivedb/drive05 has its ECG at 496 Hz (16x32 in a
# 15.5 Hz frame) and a heart-rate signal (HR, 15.5 Hz, from the original
# study's own beat detection). The median heart rate of our beats in each
# 5-minute window must be within 3 bpm of the HR signal's mean, wherever
# that signal is valid (above 40 bpm all window). Prints PASS/FAIL lines.
# Data: Stress Recognition in Automobile Drivers (Healey & Picard 2005),
# PhysioNet (Goldberger et al. 2000). Env: VG_BIN, VG_DATA (tests/run.sh).
set -u
bin=${VG_BIN:-build/bin}/vagus-analyze
data=${VG_DATA:-../shared/data}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! "$bin" beats "$data/drivedb/drive05" > "$tmp/beats.json" 2> "$tmp/err"; then
  echo "FAIL beats_drive05: analyzer failed: $(head -c 300 "$tmp/err")"; exit 0
fi
python3 - "$tmp/beats.json" "$data/drivedb/drive05" <<'PY'
import json, struct, sys
beats = [json.loads(l) for l in open(sys.argv[1])]
# HR signal: signal 4 of drive05, format 16, frame = 32+1+2+2+1+1+2 = 41 samples
hea = open(sys.argv[2] + '.hea').read().split('\n')
frame_fs = float(hea[0].split()[2])
spf = [int(l.split()[1].split('x')[1]) if 'x' in l.split()[1] else 1 for l in hea[1:8]]
raw = open(sys.argv[2] + '.dat', 'rb').read()
nframe = len(raw) // (2 * sum(spf))
off = sum(spf[:4])
hr = [struct.unpack_from('<h', raw, 2 * (f * sum(spf) + off))[0] for f in range(nframe)]
ecg_fs = frame_fs * spf[0]
win = 300.0
ok = bad = 0
for w in range(int(nframe / frame_fs // win)):
    ref = hr[int(w * win * frame_fs):int((w + 1) * win * frame_fs)]
    if not ref or min(ref) < 40:
        continue
    ours = sorted(b['hr_bpm'] for b in beats
                  if b['hr_bpm'] is not None and w * win <= b['sample'] / ecg_fs < (w + 1) * win)
    if not ours:
        bad += 1
        continue
    med, mean = ours[len(ours) // 2], sum(ref) / len(ref)
    if abs(med - mean) <= 3.0:
        ok += 1
    else:
        bad += 1
        print('  window %d min: ours %.1f bpm, HR signal %.1f bpm' % (w * 5, med, mean))
print('%s beats_drive05 (496 Hz ECG: %d beats; %d of %d 5-minute windows within 3 bpm of the HR signal)'
      % ('PASS' if ok >= 10 and bad == 0 else 'FAIL', len(beats), ok, ok + bad))
PY
