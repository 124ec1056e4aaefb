#!/usr/bin/env bash
# record_mne.sh - recordings made by the real daemon, read back by an
# independent reader (MNE-Python, Debian's python3-mne).
#
# 1. Gaps: vagus-sim serves a BITalino on a pty dropping 2 % of its frames
#    (4x real time); vagusd records a session until at least 1,000 "gap"
#    annotations have been made (the JSON lines say so). Every one must be
#    in the EDF+ file as MNE reads it (the old recorder kept 2 per 1-s
#    record: 34 of 1,032), on its channel ("gap LABEL" with LABEL the EDF+
#    label) over the filler's exact span.
# 2. A session on the simulator (--source sim) with marks and a hold, under
#    umask 022 in a 0755 directory: MNE opens it with warnings as errors
#    (no annotation outside the data, no fake end gap), channel types ECG
#    and EMG from the label prefix, every annotation of the JSON lines at
#    its onset; files 0600, no client name in their names or in the EDF+
#    patient field (it is in the JSON-lines header); the daemon warns about
#    the open directory and names the fix.
# Prints PASS/FAIL lines. Needs VG_BIN.
set -u
bin=${VG_BIN:-build/bin}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

py=""
for c in python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import mne' 2>/dev/null; then py=$c; break; fi
done
if [ -z "$py" ]; then echo "FAIL record_mne_reader (python3-mne not installed: make deps)"; exit 1; fi

ports() { python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])'; }

# start_daemon LOG ARGS... -> sets ctl, dpid (retries when a port was taken)
start_daemon() {
  local log=$1; shift
  for try in 1 2 3; do
    read -r p1 p2 < <(ports)
    ctl="tcp://127.0.0.1:$p2"
    (umask 022; exec "$bin/vagusd" "$@" --pub "tcp://127.0.0.1:$p1" --ctl "$ctl" 2>"$log") &
    dpid=$!
    for _ in $(seq 50); do
      "$bin/vagusctl" --ctl "$ctl" --timeout 200 ping >/dev/null 2>&1 && { pids+=("$dpid"); return 0; }
      kill -0 "$dpid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null
  done
  return 1
}
ctl() { "$bin/vagusctl" --ctl "$ctl" "$@"; }

# ---------------------------------------------------------------- 1. gaps
mkdir -m 700 "$tmp/gaps"
"$bin/vagus-sim" --device bitalino --pty --link "$tmp/bit" --drop-rate 0.02 --speed 4 \
  --seconds 0 --seed 7 >/dev/null 2>"$tmp/sim.log" &
pids+=($!)
for _ in $(seq 50); do [ -e "$tmp/bit" ] && break; sleep 0.1; done
if ! start_daemon "$tmp/gaps.log" --source "bitalino:fd:$tmp/bit" --record-dir "$tmp/gaps"; then
  echo "FAIL record_mne_gaps_daemon"; cat "$tmp/gaps.log"; exit 1
fi
ctl session start --client "Gap Test" >/dev/null
made=0
for _ in $(seq 600); do # until 1,000 gaps are in the JSON lines (flushed each second)
  made=$(cat "$tmp"/gaps/*.jsonl 2>/dev/null | grep -c '"topic":"rec.annotation".*"text":"gap ')
  [ "$made" -ge 1000 ] && break
  sleep 0.1
done
ctl mark "after the gaps" >/dev/null
ctl session stop >/dev/null
kill "$dpid"; wait "$dpid" 2>/dev/null
edf=$(ls "$tmp"/gaps/*.edf); jsonl=$(ls "$tmp"/gaps/*.jsonl)
"$py" - "$edf" "$jsonl" <<'PY'
import json, sys, warnings
import mne
mne.set_log_level("ERROR")
warnings.simplefilter("error")
edf, jsonl = sys.argv[1:]
with open(jsonl) as f:
    lines = [json.loads(l) for l in f]
made = [(m["onset_s"], m["duration_s"], m["text"]) for m in lines
        if m.get("topic") == "rec.annotation"]
gaps_made = [a for a in made if a[2].startswith("gap ")]
try:
    raw = mne.io.read_raw_edf(edf, infer_types=True, preload=False)
except Exception as e:
    print("FAIL record_mne_gaps_read", repr(e)); sys.exit(0)
an = raw.annotations
got = sorted((round(o, 4), round(d, 4), t) for o, d, t in zip(an.onset, an.duration, an.description))
want = sorted((round(o, 4), round(d or 0.0, 4), t.rstrip()) for o, d, t in made)
gaps_got = [a for a in got if a[2].startswith("gap ")]
sig_labels = [s["label"] for s in lines[0]["signals"]]
labels = {"gap " + l for l in sig_labels}
print("gap annotations: %d made (JSON lines), %d read back by MNE %s; %d annotations in all"
      % (len(gaps_made), len(gaps_got), mne.__version__, len(got)))
ok = len(gaps_made) >= 1000 and got == want and all(g[2] in labels for g in gaps_got)
print(("PASS " if ok else "FAIL ") + "record_mne_all_gaps_read_back %d/%d" % (len(gaps_got), len(gaps_made)))
if not ok:
    missing = [a for a in want if a not in got][:5]
    print("  missing e.g.", missing, "labels", labels)
# the filler over a gap is the filler value, on its channel only
data = raw.get_data()
sf = raw.info["sfreq"]
o, d, t = gaps_got[len(gaps_got) // 2]
ch = sig_labels.index(t[4:])  # MNE keeps the file's signal order
i0, i1 = int(round(o * sf)), int(round((o + d) * sf))
span = data[ch, i0:i1]
print(("PASS " if i1 > i0 and (span == span[0]).all() else "FAIL ") +
      "record_mne_gap_span_is_filler %s %d samples" % (t, i1 - i0))
PY

# ---------------------------------------------------------------- 2. a session
mkdir -m 755 "$tmp/sess"
if ! start_daemon "$tmp/sess.log" --source sim --speed 1 --record-dir "$tmp/sess"; then
  echo "FAIL record_mne_session_daemon"; cat "$tmp/sess.log"; exit 1
fi
ctl session start --client "Jane Doe" --technique effleurage >/dev/null
sleep 1.2
ctl mark "tension" --region trapezius-left --pressure deep >/dev/null
ctl hold start --technique trigger-point --region trapezius-left >/dev/null
sleep 1.5
ctl hold stop >/dev/null
ctl mark "calm" >/dev/null
sleep 0.3
ctl session stop >/dev/null
kill "$dpid"; wait "$dpid" 2>/dev/null
edf=$(ls "$tmp"/sess/*.edf); jsonl=$(ls "$tmp"/sess/*.jsonl)
if grep -q 'open to every user.*chmod 700' "$tmp/sess.log"; then echo "PASS record_dir_mode_warning"
else echo "FAIL record_dir_mode_warning"; cat "$tmp/sess.log"; fi
m1=$(stat -c %a "$edf"); m2=$(stat -c %a "$jsonl")
if [ "$m1" = 600 ] && [ "$m2" = 600 ]; then echo "PASS record_files_0600_under_umask_022"
else echo "FAIL record_files_0600_under_umask_022 ($m1 $m2)"; fi
if ! ls "$tmp"/sess/*.edf "$tmp"/sess/*.jsonl | grep -qi jane &&
   ! head -c 88 "$edf" | grep -qi jane && grep -q '"client":"Jane Doe"' "$jsonl"; then
  echo "PASS record_deidentified"
else echo "FAIL record_deidentified"; ls "$tmp/sess"; head -c 88 "$edf"; echo; fi
"$py" - "$edf" "$jsonl" <<'PY'
import json, sys, warnings
import mne
mne.set_log_level("ERROR")
edf, jsonl = sys.argv[1:]
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    raw = mne.io.read_raw_edf(edf, infer_types=True, preload=True)
    raw.annotations  # noqa
warns = [str(x.message) for x in w]
print(("PASS " if not warns else "FAIL ") + "record_mne_no_warnings " + "; ".join(warns))
types = dict(zip(raw.ch_names, raw.get_channel_types()))
ok = "ecg" in types.values() and "emg" in types.values() and "eeg" not in types.values()
print(("PASS " if ok else "FAIL ") + "record_mne_channel_types %s" % types)
with open(jsonl) as f:
    made = [(m["onset_s"], m["duration_s"] or 0.0, m["text"].rstrip()) for m in map(json.loads, f)
            if m.get("topic") == "rec.annotation"]  # the EDF+ copy has no trailing blanks
an = raw.annotations
got = list(zip(an.onset, an.duration, an.description))
end = raw.times[-1] + 1 / raw.info["sfreq"]
inside = all(o >= 0 and o + d <= end + 1e-9 for o, d, _ in got)
fake = [t for _, _, t in got if t.startswith("gap ")]  # the simulator drops nothing
print(("PASS " if inside and not fake else "FAIL ") +
      "record_mne_inside_data_no_fake_gap end %.3f s %s" % (end, fake[:3]))
match = len(got) == len(made) and all(
    any(t == tm and abs(o - om) < 1e-6 and abs(d - dm) < 1e-6 for om, dm, tm in made)
    for o, d, t in got)
texts = [t for _, _, t in got]
print(("PASS " if match and len(made) >= 5 else "FAIL ") +
      "record_mne_annotations_at_onsets %d/%d %s" % (len(got), len(made), texts))
PY
