#!/usr/bin/env bash
# tests/soak.sh BUILD_DIR [SECONDS] - long-running daemon soak (`make soak`,
# default 600 s).
#
# Problem: leaks and slow drifts (memory, file descriptors, lost messages)
# only show after hours of signal; a unit test cannot wait that long.
# Approach: vagusd on its simulator (ECG 500 Hz + 4 EMG 1000 Hz) at speed
# 20, so SECONDS of wall time are 20 x SECONDS of signal; SOAK_SUBS (4)
# subscribers (vagus-tap piped into awk, which counts messages and per-topic
# seq gaps without storing anything); one stalled subscriber (vagus-tap
# writing into a pipe nobody reads, so the daemon's queue for it fills to
# its high-water mark); a control request every 2 s (ping, status, sources,
# config, session start/stop, mark, hold start/stop; vagusctl). VmRSS, file
# descriptors and threads of the daemon are sampled every 5 s; the growth
# is taken from the end of the warm-up (SECONDS/10, 15..60 s, long enough
# for the stalled queue to fill) to the end.
# Prints the figures; exits 1 only when the harness fails or the daemon
# dies (a crash is a finding, not a figure). Run from the project root.
# Environment: SOAK_SUBS (default 4), SOAK_STALLED (default 1), SOAK_SPEED
# (default 20).
# Limits: Linux /proc; ports are picked free on 127.0.0.1 just before use.
set -u
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
build=${1:?usage: tests/soak.sh BUILD_DIR [SECONDS]}
secs=${2:-600}
subs=${SOAK_SUBS:-4}
stalled=${SOAK_STALLED:-1}
speed=${SOAK_SPEED:-20}
bin="$root/$build/bin"
for p in vagusd vagus-tap vagusctl; do
  [ -x "$bin/$p" ] || { echo "soak: $bin/$p missing (make first)"; exit 1; }
done
case "$secs" in ''|*[!0-9]*) echo "soak: SECONDS must be an integer"; exit 1;; esac

tmp=$(mktemp -d)
pids=(); stalled_pid=""
cleanup() {
  [ -n "$stalled_pid" ] && kill -9 "$stalled_pid" 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
pub="tcp://127.0.0.1:$(free_port)"
ctl="tcp://127.0.0.1:$(free_port)"

"$bin/vagusd" --source sim,emg=4 --speed "$speed" --pub "$pub" --ctl "$ctl" \
  --log-level warn 2>"$tmp/vagusd.log" &
dpid=$!; pids+=("$dpid")
for _ in $(seq 50); do
  "$bin/vagusctl" --ctl "$ctl" --timeout 200 ping >/dev/null 2>&1 && break
  sleep 0.1
done
if ! kill -0 "$dpid" 2>/dev/null; then
  echo "soak: vagusd did not start:"; cat "$tmp/vagusd.log"; exit 1
fi

# subscribers: count messages and per-topic seq gaps
awk_gaps='
{ n++
  t = ""; if (match($0, /"topic":"[^"]*"/)) t = substr($0, RSTART + 9, RLENGTH - 10)
  if (match($0, /"seq":[0-9]+/)) {
    s = substr($0, RSTART + 6, RLENGTH - 6) + 0
    if ((t in last) && s > last[t] + 1) gaps += s - last[t] - 1
    last[t] = s
  }
}
END { printf "%d %d\n", n, gaps + 0 }'
tap_pids=()
for i in $(seq "$subs"); do
  mkfifo "$tmp/f$i"
  awk "$awk_gaps" <"$tmp/f$i" >"$tmp/sub$i" &
  pids+=("$!")
  "$bin/vagus-tap" --pub "$pub" >"$tmp/f$i" &
  tap_pids+=("$!"); pids+=("$!")
done
if [ "$stalled" = 1 ]; then
  mkfifo "$tmp/stalled"
  exec 9<>"$tmp/stalled"          # held open, never read: tap blocks on write
  "$bin/vagus-tap" --pub "$pub" >"$tmp/stalled" &
  stalled_pid=$!
fi

proc_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

warm=$((secs / 10)); [ "$warm" -lt 15 ] && warm=15; [ "$warm" -gt 60 ] && warm=60
[ "$warm" -ge "$secs" ] && warm=$((secs / 2))
start=$(date +%s); t_end=$((start + secs))
ctl_n=0; ctl_fail=0; ctl_refused=0; k=0
rss0=""; fds0=""; thr0=""; rss_max=0; cpu0=""; died=0
cmds=("ping" "status" "sources" "config" "session start --client soak --technique effleurage"
      "mark knot --region neck --pressure deep" "hold start --technique ischemic_compression --region trapezius-left"
      "hold stop" "session stop")
next_sample=$start
while :; do
  now=$(date +%s)
  [ "$now" -ge "$t_end" ] && break
  if ! kill -0 "$dpid" 2>/dev/null; then died=1; break; fi
  # a control request every 2 s
  # shellcheck disable=SC2086
  "$bin/vagusctl" --ctl "$ctl" --timeout 2000 ${cmds[$((k % ${#cmds[@]}))]} >/dev/null 2>&1
  rc=$?; k=$((k + 1)); ctl_n=$((ctl_n + 1))
  [ "$rc" -eq 1 ] && ctl_refused=$((ctl_refused + 1))
  [ "$rc" -gt 1 ] && ctl_fail=$((ctl_fail + 1))
  if [ "$now" -ge "$next_sample" ]; then
    rss=$(proc_field "$dpid" VmRSS)
    [ -n "$rss" ] && [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    if [ -z "$rss0" ] && [ "$now" -ge $((start + warm)) ]; then
      rss0=$rss; fds0=$(nfds "$dpid"); thr0=$(proc_field "$dpid" Threads)
      cpu0=$(cpu_ticks "$dpid"); tcpu0=$now
    fi
    next_sample=$((next_sample + 5))
  fi
  sleep 2
done
elapsed=$(( $(date +%s) - start ))
if [ "$died" = 0 ]; then
  rss1=$(proc_field "$dpid" VmRSS); hwm=$(proc_field "$dpid" VmHWM)
  fds1=$(nfds "$dpid"); thr1=$(proc_field "$dpid" Threads)
  cpu1=$(cpu_ticks "$dpid"); tcpu1=$(date +%s)
fi
for p in "${tap_pids[@]}"; do kill "$p" 2>/dev/null; done
for i in $(seq "$subs"); do
  for _ in $(seq 50); do [ -s "$tmp/sub$i" ] && break; sleep 0.1; done
done
if [ "$died" = 0 ]; then
  kill "$dpid"; wait "$dpid"; drc=$?
else
  wait "$dpid"; drc=$?
fi

hz=$(getconf CLK_TCK)
echo "soak: ${elapsed} s at ${speed}x ($((elapsed * speed)) s of signal), sim ECG 500 Hz + 4 EMG 1000 Hz,"
echo "      $subs subscribers$([ "$stalled" = 1 ] && echo " + 1 stalled"), a control request every 2 s; warm-up ${warm} s"
if [ "$died" = 1 ]; then
  echo "FAIL: vagusd died during the soak (exit status $drc); its log:"
  tail -20 "$tmp/vagusd.log"
  exit 1
fi
if [ -n "$rss0" ]; then
  awk -v a="$rss0" -v b="$rss1" -v m="$rss_max" -v h="$hwm" -v t="$((elapsed - warm))" 'BEGIN {
    printf "  RSS     %.1f MB after warm-up -> %.1f MB at end (max sampled %.1f, VmHWM %.1f): growth %+.2f MB",
      a / 1024, b / 1024, m / 1024, h / 1024, (b - a) / 1024
    if (t > 0) printf " (%+.1f MB/h)", (b - a) / 1024 * 3600 / t
    printf "\n" }'
  echo "  fds     $fds0 -> $fds1;  threads $thr0 -> $thr1"
  awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" -v t="$((tcpu1 - tcpu0))" 'BEGIN {
    if (t > 0) printf "  CPU     %.2f %% of one core (after warm-up)\n", 100 * (b - a) / hz / t }'
else
  echo "  RSS     $((rss1 / 1024)) MB at end (run shorter than the warm-up)"
fi
tot_gaps=0
for i in $(seq "$subs"); do
  read -r n g <"$tmp/sub$i" 2>/dev/null || { n=?; g=?; }
  echo "  subscriber $i: $n messages, $g seq gaps"
  [ "$g" != "?" ] && tot_gaps=$((tot_gaps + g))
done
echo "  control: $ctl_n requests, $ctl_fail failed (no reply), $ctl_refused refused"
echo "  vagusd: exit status $drc after SIGTERM; $(grep -c . "$tmp/vagusd.log") log lines (warn and above)"
echo "  seq gaps, all readers: $tot_gaps"
exit 0
