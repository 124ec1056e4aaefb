#!/usr/bin/env bash
# web_bench.sh BUILD_DIR - the web console's figures (web_bench.py): vagusd
# CPU with 0 and 20 browsers on vagus-web (60 s each), sample -> screen
# p50/p99 over 2 min and the audible pacer's drift over 10 min, in headless
# Chromium, vagusd on its simulator in real time. Targets: the daemon's CPU
# unchanged by browsers (vagus-web is its only subscriber), p99 <= 250 ms,
# drift < 50 ms. WEB_BENCH_CPU_S / _LAT_S / _DRIFT_S shorten it.
set -u
bin="${VG_BIN:-${1:-build}/bin}"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
if ! command -v chromium >/dev/null || ! $py -c 'import websocket' 2>/dev/null; then
  echo "web_bench: chromium or python3-websocket missing (make deps), skipped"; exit 0
fi
tmp=$(mktemp -d)
dpid="" wpid=""
trap '[ -n "$wpid" ] && kill $wpid 2>/dev/null; [ -n "$dpid" ] && kill $dpid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
for try in 1 2 3; do
  read -r p1 p2 p3 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  "$bin/vagusd" --source sim,xtalk=300 --pub "tcp://127.0.0.1:$p1" --ctl "tcp://127.0.0.1:$p2" 2>"$tmp/vagusd.log" &
  dpid=$!
  sleep 0.5
  kill -0 "$dpid" 2>/dev/null && break
  dpid=""
done
[ -n "$dpid" ] || { echo "web_bench: vagusd did not start"; cat "$tmp/vagusd.log"; exit 1; }
"$bin/vagus-web" --pub "tcp://127.0.0.1:$p1" --ctl "tcp://127.0.0.1:$p2" --http "127.0.0.1:$p3" --quiet 2>"$tmp/web.log" &
wpid=$!
sleep 0.5
$py "$(dirname "$0")/web_bench.py" "http://127.0.0.1:$p3/" "$dpid" "$wpid"
