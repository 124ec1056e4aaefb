#!/usr/bin/env bash
# tests/bench/quality_nstdb.sh [BUILD_DIR] - does the beat "quality" say when
# the signal is unreadable? On the MIT-BIH Noise Stress Test records (noise
# in alternating 2-minute segments from 5:00: noisy 5-7, 9-11, ... min,
# clean in between), prints per record: mean beat quality in the noisy and
# in the clean segments, the share of false beats (no reference beat within
# 150 ms) flagged low quality (< 0.3), and the share of true beats that keep
# quality >= 0.3; and Se/+P counting only beats with quality >= 0.3.
# Data: MIT-BIH Noise Stress Test Database (Moody, Muldrow & Mark 1984),
# PhysioNet (Goldberger et al. 2000).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd); cd "$root"
build=${1:-build}
bin=${VG_BIN:-$root/$build/bin}/vagus-analyze
data=${VG_DATA:-$root/../shared/data}
tools=${VG_SHARED:-$root/../shared}/tools
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '%-8s %9s %9s %12s %12s %15s\n' record q_noisy q_clean FP_flagged TP_kept "Se/+P(q>=0.3)"
for hea in "$data"/nstdb/118*.hea; do
  rec=$(basename "$hea" .hea)
  "$bin" beats "$data/nstdb/$rec" > "$tmp/$rec.json" || { echo "$rec analyzer failed"; continue; }
  python3 - "$tools" "$data/nstdb/$rec" "$tmp/$rec.json" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
from wfdbann import beats, score
rec, path = sys.argv[2], sys.argv[3]
fs = 360.0
ref = [r for r in beats(rec + '.atr') if r >= 300 * fs]
det = [json.loads(l) for l in open(path)]
det = [(d['sample'], d['quality']) for d in det if d['sample'] >= 300 * fs]
noisy = lambda s: int((s / fs - 300) // 120) % 2 == 0
qn = [q for s, q in det if noisy(s)]
qc = [q for s, q in det if not noisy(s)]
w = int(round(0.15 * fs))
# greedy matching as in wfdbann.score, keeping which detections matched
used = [False] * len(det)
j = 0
for r in ref:
    while j < len(det) and det[j][0] < r - w:
        j += 1
    best, bd, k = -1, w + 1, j
    while k < len(det) and det[k][0] <= r + w:
        if not used[k] and abs(det[k][0] - r) < bd:
            best, bd = k, abs(det[k][0] - r)
        k += 1
    if best >= 0:
        used[best] = True
fp = [q for (s, q), u in zip(det, used) if not u]
tp = [q for (s, q), u in zip(det, used) if u]
flag = 100.0 * sum(q < 0.3 for q in fp) / len(fp) if fp else 100.0
kept = 100.0 * sum(q >= 0.3 for q in tp) / len(tp) if tp else 0.0
good = [s for s, q in det if q >= 0.3]
t, n, p = score(ref, good, fs, start=int(300 * fs))
se = 100.0 * t / (t + n) if t + n else 0
pp = 100.0 * t / (t + p) if t + p else 0
mean = lambda v: sum(v) / len(v) if v else float('nan')
print('%-8s %9.3f %9.3f %11.1f%% %11.1f%% %7.2f/%6.2f' % (rec.split('/')[-1], mean(qn), mean(qc), flag, kept, se, pp))
EOF
done
