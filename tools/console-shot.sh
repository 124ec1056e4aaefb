#!/usr/bin/env bash
# tools/console-shot.sh [OUT] [COLSxROWS] - a text screenshot of
# vagus-console for the README (default docs/console.txt, 120x40; the docs
# also keep docs/console-80x24.txt and docs/console-120x40.txt made with
# this): vagusd on the simulator's massage scenario at --speed 10,
# recording to a temporary directory, the console in a detached tmux; a
# session is started, a mark set, a trigger-point hold started on
# trapezius-left during the simulated hold, which then releases; the pacer
# key pressed; the screen captured with tmux capture-pane. About 35 s.
# Environment: BUILD (default build).
set -eu
cd "$(dirname "$0")/.."
out=${1:-docs/console.txt}
size=${2:-120x40}
cols=${size%x*} rows=${size#*x}
bin=${BUILD:-build}/bin
export LANG=C.UTF-8 LC_ALL=C.UTF-8
tmp=$(mktemp -d)
T="tmux -u -S $tmp/tmux.sock"
pid=""
for try in 1 2 3; do # a free port may be taken before vagusd binds it
  read -r p1 p2 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  pub="tcp://127.0.0.1:$p1" ctl="tcp://127.0.0.1:$p2"
  mkdir -p "$tmp/rec"
  "$bin/vagusd" --source sim,scenario=massage --speed 10 --pub "$pub" --ctl "$ctl" \
    --record-dir "$tmp/rec" \
    2>"${VAGUSD_LOG:-$tmp/vagusd.log}" &
  pid=$!
  sleep 0.5
  if kill -0 "$pid" 2>/dev/null; then break; fi
  pid=""
done
[ -n "$pid" ] || { echo "vagusd did not start"; exit 1; }
trap 'kill $pid 2>/dev/null || true; $T kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
$T new-session -d -x "$cols" -y "$rows" -s con "$bin/vagus-console --pub $pub --ctl $ctl"
keys() { $T send-keys -t con "$@"; }
sleep 0.5; keys s; sleep 0.3; keys -l "Demo Client"; keys Enter
sleep 4; keys m; sleep 0.3; keys -l "neck warm-up"; keys Enter
sleep 14; keys h; sleep 0.3; keys 1   # sim 190 s: the trigger-point hold
sleep 9; keys p                       # past the release at sim 253 s
sleep 2
$T capture-pane -p -t con | sed 's/ *$//' >"$out"
echo "wrote $out"
