#!/usr/bin/env bash
# tests/bench/score_rates.sh [BUILD_DIR] - the detector at other sampling
# rates on annotated real ECG: every mitdb record (DS1 + paced) resampled
# from 360 Hz to 250, 500 and 1000 Hz (resample_beats, linear
# interpolation), scored against the reference beats with score_beats.py
# (150 ms window). Prints the gross Se/+P per rate (svdb covers 128 Hz).
# Data: MIT-BIH Arrhythmia Database (Moody & Mark 2001), PhysioNet
# (Goldberger et al. 2000).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd); cd "$root"
build=${1:-build}
prog=$root/$build/bench/resample_beats
data=${VG_DATA:-$root/../shared/data}
scorer=${VG_SHARED:-$root/../shared}/tools/score_beats.py
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -x "$prog" ] || { echo "score_rates: $prog not built"; exit 1; }
one() { # rate record
  "$prog" "$data/mitdb/$2" "$1" > "$tmp/$1_$2.json" &&
    python3 "$scorer" "$data/mitdb/$2" "$tmp/$1_$2.json" > "$tmp/$1_$2.score"
}
export -f one; export prog data scorer tmp
recs=$(ls "$data/mitdb"/*.hea | xargs -n1 basename | sed 's/\.hea$//')
for rate in 250 500 1000; do
  printf '%s\n' $recs | xargs -P "$jobs" -I{} bash -c "one $rate {}"
  for r in $recs; do cat "$tmp/${rate}_$r.score"; done |
    awk -v rate="$rate" '{ for (i = 2; i <= 4; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } n++ }
      END { printf "GROSS mitdb resampled to %4d Hz: records=%d TP=%d FN=%d FP=%d Se=%.2f +P=%.2f\n",
            rate, n, s["TP"], s["FN"], s["FP"], 100 * s["TP"] / (s["TP"] + s["FN"]),
            100 * s["TP"] / (s["TP"] + s["FP"]) }'
done
