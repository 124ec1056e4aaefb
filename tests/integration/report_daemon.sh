#!/usr/bin/env bash
# report_daemon.sh - the report is made by vagusd itself at session.stop
# (issue 18: "made at session.stop"): a real daemon on the simulator, a
# session started and stopped with vagusctl; then BASE.html and BASE.pdf
# appear next to the recording, private (0600) like the recording, the
# session is in the index (vagus-report --list), and the client is named
# by the same pseudonym in the file names and the index. Prints PASS/FAIL.
set -u
root=${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${VG_BIN:-$root/build/bin}
dir=$(mktemp -d /tmp/vg-rptd-XXXXXX)
chmod 700 "$dir"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pub="tcp://127.0.0.1:$(port)"; ctl="tcp://127.0.0.1:$(port)"
"$bin/vagusd" --source sim,speed=20 --record-dir "$dir" --pub "$pub" --ctl "$ctl" 2>"$dir/log" &
pid=$!
ok=0
for _ in $(seq 50); do "$bin/vagusctl" --ctl "$ctl" ping >/dev/null 2>&1 && { ok=1; break; }; sleep 0.2; done
[ "$ok" = 1 ] || { echo "FAIL vagusd did not answer"; cat "$dir/log"; exit 0; }
"$bin/vagusctl" --ctl "$ctl" session start --client "Rae Porter" --technique myofascial >/dev/null
sleep 4
"$bin/vagusctl" --ctl "$ctl" session stop >/dev/null
base=
for _ in $(seq 100); do
  edf=$(ls "$dir"/*.edf 2>/dev/null | head -1)
  [ -n "$edf" ] && base=${edf%.edf}
  [ -n "$base" ] && [ -s "$base.html" ] && [ -s "$base.pdf" ] && break
  sleep 0.2
done
if [ -n "$base" ] && [ -s "$base.html" ] && [ -s "$base.pdf" ]; then
  echo "PASS vagusd made $(basename "$base").html and .pdf at session.stop"
else
  echo "FAIL no report after session.stop in $dir: $(ls "$dir")"; tail -5 "$dir/log"
fi
modes=$(stat -c '%a' "$base.html" "$base.pdf" "$dir/vagus-index.sqlite" 2>/dev/null | sort -u | tr '\n' ' ')
[ "$modes" = "600 " ] && echo "PASS report and index are private (0600)" || echo "FAIL report/index modes: $modes"
code=$(basename "$base" | sed 's/^[0-9]*-[0-9]*_//')
list=$("$bin/vagus-report" --list --dir "$dir" 2>&1)
if echo "$list" | grep -q "^$code .*Rae Porter"; then
  echo "PASS the index lists the session under the recording's pseudonym $code"
else
  echo "FAIL index listing lacks $code / Rae Porter:"; echo "$list"
fi
case "$(basename "$base")" in *Rae*|*Porter*) echo "FAIL the client's name is in the file name";; *) echo "PASS no client name in the report's file name";; esac
