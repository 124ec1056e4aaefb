#!/usr/bin/env bash
# record_faults.sh - the recording meets a full disk: the daemon must not
# die, must say what happened in words, and must go on analysing and
# publishing; what was recorded must stay readable.
#
# 1. File-size limit (prlimit --fsize, works unprivileged): vagusd on the
#    simulator at 10x records a session until its files pass 150 kB. Before
#    the fix SIGXFSZ killed it (exit 153). Now: a "record.error" event whose
#    detail says "file too large (size limit)", messages still published
#    after it, `session stop` answered, exit 0 on SIGTERM, the EDF+ file
#    opens in EDFlib (vagusctl repair has nothing left to do) and in MNE.
# 2. Disk full (a 300 kB tmpfs; only as root, skipped otherwise): the same
#    with "disk full".
# Prints PASS/FAIL lines. Needs VG_BIN.
set -u
bin=${VG_BIN:-build/bin}
tmp=$(mktemp -d)
pids=()
mnt=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

py=""
for c in python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import mne' 2>/dev/null; then py=$c; break; fi
done

ports() { python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])'; }

# run_case NAME DIR WORDS PREFIX... : a session until the recording fails
run_case() {
  local name=$1 dir=$2 words=$3; shift 3
  local log="$tmp/$name.log" ev="$tmp/$name.events" dpid="" pub="" ctl=""
  for try in 1 2 3; do
    read -r p1 p2 < <(ports)
    pub="tcp://127.0.0.1:$p1" ctl="tcp://127.0.0.1:$p2"
    "$@" "$bin/vagusd" --source sim --speed 10 --record-dir "$dir" --log-level warn \
      --pub "$pub" --ctl "$ctl" 2>"$log" &
    dpid=$!
    for _ in $(seq 50); do
      "$bin/vagusctl" --ctl "$ctl" --timeout 200 ping >/dev/null 2>&1 && break 2
      kill -0 "$dpid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; dpid=""
  done
  if [ -z "$dpid" ]; then echo "FAIL ${name}_daemon_start"; cat "$log"; return; fi
  "$bin/vagus-tap" --pub "$pub" --seconds 60 >"$ev" 2>/dev/null &
  local tpid=$!
  pids+=("$tpid")
  sleep 0.5
  "$bin/vagusctl" --ctl "$ctl" session start --client "Full Disk" >/dev/null
  local n=0
  for _ in $(seq 300); do # until the recording reports its failure
    grep -q '"kind":"record.error"' "$ev" && break
    kill -0 "$dpid" 2>/dev/null || break
    sleep 0.1
  done
  local line; line=$(grep -m1 '"kind":"record.error"' "$ev")
  if [ -n "$line" ] && grep -q "\"detail\":\"$words\"" <<<"$line"; then
    echo "PASS ${name}_record_error_in_words ($words)"
  else
    echo "FAIL ${name}_record_error_in_words: ${line:-no record.error event}"; tail -5 "$log"
  fi
  # publishing and analysis go on after the failure
  local before; before=$(wc -l <"$ev")
  sleep 1
  n=$(( $(wc -l <"$ev") - before ))
  # session stop is answered: ok, or (the disk being full, the summary
  # cannot be written) an error that says so in words
  if kill -0 "$dpid" 2>/dev/null && [ "$n" -gt 10 ] &&
     "$bin/vagusctl" --json --ctl "$ctl" session stop |
       grep -Eq '"ok":true|"ok":false,"error":"cannot write the session summary'; then
    echo "PASS ${name}_daemon_goes_on ($n messages in the next second)"
  else
    echo "FAIL ${name}_daemon_goes_on (alive: $(kill -0 "$dpid" 2>/dev/null && echo yes || echo no), $n messages)"; tail -5 "$log"
  fi
  kill "$dpid" 2>/dev/null; wait "$dpid"; local rc=$?
  if [ "$rc" -eq 0 ]; then echo "PASS ${name}_clean_exit"; else echo "FAIL ${name}_clean_exit (exit $rc)"; fi
  kill "$tpid" 2>/dev/null
  local edf; edf=$(ls "$dir"/*.edf 2>/dev/null | head -1)
  if [ -n "$edf" ] && "$bin/vagusctl" repair "$edf" 2>&1 | grep -qv 'error\|not repaired' &&
     head -c 244 "$edf" | tail -c 8 | grep -Eq '^[0-9]+ *$'; then
    echo "PASS ${name}_edf_whole ($(head -c 244 "$edf" | tail -c 8 | tr -d ' ') records)"
  else
    echo "FAIL ${name}_edf_whole"; ls -la "$dir"
  fi
  if [ -n "$py" ] && [ -n "$edf" ]; then
    "$py" - "$edf" "$name" <<'PY'
import sys, warnings, mne
mne.set_log_level("ERROR")
edf, name = sys.argv[1:]
try:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = mne.io.read_raw_edf(edf, infer_types=True, preload=True)
    print("PASS %s_mne_reads %.1f s, %d annotations" % (name, raw.times[-1], len(raw.annotations)))
except Exception as e:
    print("FAIL %s_mne_reads %r" % (name, e))
PY
  fi
}

mkdir -m 700 "$tmp/fsize"
run_case record_fsize "$tmp/fsize" "file too large (size limit)" prlimit --fsize=150000

if [ "$(id -u)" = 0 ] && mkdir -m 700 "$tmp/tmpfs" && mount -t tmpfs -o size=300k tmpfs "$tmp/tmpfs" 2>/dev/null; then
  mnt="$tmp/tmpfs"
  chmod 700 "$mnt"
  run_case record_enospc "$mnt" "disk full" env
else
  echo "note: not root or no tmpfs: disk-full case skipped (the size limit covers the write-error path)"
fi
