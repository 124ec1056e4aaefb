#!/usr/bin/env bash
# tests/bench/score_beats.sh [BUILD_DIR] [SET...] - detection accuracy of
# `vagus-analyze beats` on whole databases, scored with the shared
# score_beats.py (150 ms window, EC57/bxb matching). Sets: mitdb (DS1 +
# paced, whole records), svdb (128 Hz), nstdb (noise stress, from 5:00).
# Prints one line per record and a gross Se/+P line per set, then the
# targets. Data: PhysioNet (Goldberger et al. 2000), MIT-BIH Arrhythmia,
# Supraventricular Arrhythmia and Noise Stress Test databases.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd); cd "$root"
build=${1:-build}; shift || true
sets=${*:-mitdb svdb nstdb}
bin=${VG_BIN:-$root/$build/bin}/vagus-analyze
data=${VG_DATA:-$root/../shared/data}
scorer=${VG_SHARED:-$root/../shared}/tools/score_beats.py
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

score_one() { # set record -> line "record TP= FN= FP= Se= +P="
  local from=""; [ "$1" = nstdb ] && from="--from 300"
  if "$bin" beats "$data/$1/$2" > "$tmp/$1_$2.beats"; then
    python3 "$scorer" $from "$data/$1/$2" "$tmp/$1_$2.beats" > "$tmp/$1_$2.score"
  else
    echo "$2 analyzer failed" > "$tmp/$1_$2.score"
  fi
}
export -f score_one; export bin data scorer tmp

for set in $sets; do
  case $set in
    mitdb|svdb) recs=$(ls "$data/$set"/*.hea | xargs -n1 basename | sed 's/\.hea$//') ;;
    nstdb) recs=$(ls "$data/nstdb"/118*.hea | xargs -n1 basename | sed 's/\.hea$//') ;;
    *) echo "unknown set $set"; exit 2 ;;
  esac
  echo "-- $set"
  printf '%s\n' $recs | xargs -P "$jobs" -I{} bash -c "score_one $set {}"
  for r in $recs; do cat "$tmp/${set}_$r.score"; done > "$tmp/$set.txt"
  cat "$tmp/$set.txt"
  awk -v set="$set" '{ for (i = 2; i <= 4; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } n++ }
    END { se = 100 * s["TP"] / (s["TP"] + s["FN"]); pp = 100 * s["TP"] / (s["TP"] + s["FP"]);
          printf "GROSS %s records=%d TP=%d FN=%d FP=%d Se=%.2f +P=%.2f\n", set, n, s["TP"], s["FN"], s["FP"], se, pp }' "$tmp/$set.txt"
done
echo "targets: mitdb Se>=99.80 +P>=99.80 (gqrs 99.67/99.66); svdb Se>=99.70 +P>=99.50;"
echo "  nstdb better than gqrs at every SNR; 118e12 118ma12 118bw06 +P>=95 with Se>=99"
