#!/usr/bin/env bash
# tests/integration/beats_mitdb.sh - regression floor for beat detection:
# runs `vagus-analyze beats` on several MIT-BIH Arrhythmia records (easy,
# noisy, PVC-rich, paced) and scores them with the shared score_beats.py
# (150 ms window). Prints PASS/FAIL per record (Se/+P floors set a little
# under today's figures, so a regression fails CI) and for the gross
# figures, plus block-size independence of the analyzer's output.
# Data: MIT-BIH Arrhythmia Database (Moody & Mark 2001), PhysioNet
# (Goldberger et al. 2000). Env: VG_BIN, VG_DATA, VG_SHARED (tests/run.sh).
set -u
bin=${VG_BIN:-build/bin}/vagus-analyze
data=${VG_DATA:-../shared/data}
scorer=${VG_SHARED:-../shared}/tools/score_beats.py
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# record  Se floor  +P floor   (today: see tests/bench/score_beats.sh)
floors="
101 99.8 99.6
106 99.8 99.7
108 99.4 99.0
119 99.9 99.8
203 99.2 99.0
208 99.3 99.6
217 99.6 99.7
"
tp=0; fn=0; fp=0
while read -r rec se_min pp_min; do
  [ -n "$rec" ] || continue
  if ! "$bin" beats "$data/mitdb/$rec" > "$tmp/$rec.json" 2> "$tmp/$rec.err"; then
    echo "FAIL beats_$rec: analyzer failed: $(head -c 300 "$tmp/$rec.err")"; continue
  fi
  line=$(python3 "$scorer" "$data/mitdb/$rec" "$tmp/$rec.json") || { echo "FAIL beats_$rec: scorer failed"; continue; }
  read -r _ t n p se pp <<< "$(echo "$line" | tr '=' ' ' | awk '{print $1, $3, $5, $7, $9, $11}')"
  tp=$((tp + t)); fn=$((fn + n)); fp=$((fp + p))
  if awk -v a="$se" -v b="$se_min" -v c="$pp" -v d="$pp_min" 'BEGIN { exit !(a >= b && c >= d) }'; then
    echo "PASS beats_$rec ($line; floors Se $se_min +P $pp_min)"
  else
    echo "FAIL beats_$rec ($line; floors Se $se_min +P $pp_min)"
  fi
done <<< "$floors"
gross=$(awk -v t=$tp -v n=$fn -v p=$fp 'BEGIN { printf "%.2f %.2f", 100*t/(t+n), 100*t/(t+p) }')
read -r gse gpp <<< "$gross"
if awk -v a="$gse" -v b="$gpp" 'BEGIN { exit !(a >= 99.6 && b >= 99.5) }'; then
  echo "PASS beats_gross (Se $gse +P $gpp over the records above; floors 99.6/99.5)"
else
  echo "FAIL beats_gross (Se $gse +P $gpp over the records above; floors 99.6/99.5)"
fi
# the analyzer's output does not depend on the block size it feeds
"$bin" beats "$data/mitdb/119" --block 1 > "$tmp/b1.json" 2>/dev/null
"$bin" beats "$data/mitdb/119" --block 4096 > "$tmp/b4096.json" 2>/dev/null
if [ -s "$tmp/b1.json" ] && cmp -s "$tmp/b1.json" "$tmp/b4096.json" && cmp -s "$tmp/b1.json" "$tmp/119.json"; then
  echo "PASS beats_block_independent"
else
  echo "FAIL beats_block_independent"
fi
# a missing record is a clear error, not a crash
if "$bin" beats "$data/mitdb/nosuch" > /dev/null 2> "$tmp/err"; then
  echo "FAIL beats_missing_record (exit 0)"
elif grep -q "nosuch" "$tmp/err"; then
  echo "PASS beats_missing_record"
else
  echo "FAIL beats_missing_record (no message)"
fi
