#!/usr/bin/env bash
# console_cpu.sh BUILD_DIR - CPU used by vagus-console drawing a live
# daemon: vagusd on the simulator in real time with 4 EMG channels, the
# console in a detached 120 x 40 tmux for SECONDS (default 10); prints the
# console's and the daemon's CPU time as a share of one core (from
# /proc/PID/stat). Target: the console well under 5 % of a core.
set -u
bin="${VG_BIN:-${1:-build}/bin}"
secs=${SECONDS_RUN:-10}
command -v tmux >/dev/null 2>&1 || { echo "console_cpu: tmux is not installed, skipped"; exit 0; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8
tmp=$(mktemp -d)
T="tmux -u -S $tmp/tmux.sock"
dpid=""
trap '[ -n "$dpid" ] && kill $dpid 2>/dev/null; $T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
for try in 1 2 3; do
  read -r p1 p2 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  pub="tcp://127.0.0.1:$p1" ctl="tcp://127.0.0.1:$p2"
  "$bin/vagusd" --source sim,emg=4 --speed 1 --pub "$pub" --ctl "$ctl" 2>"$tmp/vagusd.log" &
  dpid=$!
  sleep 0.5
  kill -0 "$dpid" 2>/dev/null && break
  dpid=""
done
[ -n "$dpid" ] || { echo "console_cpu: vagusd did not start"; cat "$tmp/vagusd.log"; exit 1; }
$T new-session -d -x 120 -y 40 -s con "exec $bin/vagus-console --pub $pub --ctl $ctl"
cpid=$($T list-panes -t con -F '#{pane_pid}')
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
sleep 2 # connected and drawing
c0=$(ticks "$cpid"); d0=$(ticks "$dpid"); t0=$(date +%s.%N)
sleep "$secs"
c1=$(ticks "$cpid"); d1=$(ticks "$dpid"); t1=$(date +%s.%N)
lines=$($T capture-pane -p -t con | grep -Ec '^ [ >][^ ].* [0-9.-]+ uV ')
awk -v c="$((c1 - c0))" -v d="$((d1 - d0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v l="$lines" 'BEGIN {
  w = t1 - t0
  printf "console_cpu: vagus-console %.2f %% of one core (120x40, 10 Hz redraw, EMG regions on screen: %d), vagusd %.2f %%, over %.1f s\n",
         100 * c / hz / w, l, 100 * d / hz / w, w }'
