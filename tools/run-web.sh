#!/usr/bin/env bash
# tools/run-web.sh - what `make run-web` does: start vagusd on its built-in
# simulator and the web console (vagus-web) on it, print the URL to open in
# a browser, and stop both on Ctrl-C. Environment: VAGUS_PUB and VAGUS_CTL
# (endpoints, default tcp://127.0.0.1:5560 and :5561), VAGUS_HTTP (default
# 127.0.0.1:8080), VAGUS_ARGS (more vagusd options), VAGUS_WEB_ARGS (more
# vagus-web options, e.g. --tls-cert/--tls-key/--users for a tablet on the
# network), BUILD (default build).
set -eu
cd "$(dirname "$0")/.."
bin=${BUILD:-build}/bin
pub=${VAGUS_PUB:-tcp://127.0.0.1:5560}
ctl=${VAGUS_CTL:-tcp://127.0.0.1:5561}
http=${VAGUS_HTTP:-127.0.0.1:8080}
dlog=$(mktemp /tmp/vagusd.XXXXXX.log)
wlog=$(mktemp /tmp/vagus-web.XXXXXX.log)
# shellcheck disable=SC2086
"$bin/vagusd" --source sim --pub "$pub" --ctl "$ctl" ${VAGUS_ARGS:-} 2>"$dlog" &
dpid=$!
wpid=""
trap 'kill $wpid $dpid 2>/dev/null; wait 2>/dev/null || true' EXIT INT TERM
sleep 0.3
if ! kill -0 "$dpid" 2>/dev/null; then
  echo "vagusd did not start:"; cat "$dlog"; exit 1
fi
# shellcheck disable=SC2086
"$bin/vagus-web" --pub "$pub" --ctl "$ctl" --http "$http" ${VAGUS_WEB_ARGS:-} 2>"$wlog" &
wpid=$!
for _ in $(seq 30); do grep -q "serving" "$wlog" && break; sleep 0.1; done
if ! kill -0 "$wpid" 2>/dev/null; then
  echo "vagus-web did not start:"; cat "$wlog"; exit 1
fi
url=$(sed -n 's/^vagus-web: serving \([^ ]*\) .*/\1/p' "$wlog" | head -1)
echo "vagus web console: $url   (vagusd on the simulator; Ctrl-C stops both)"
echo "logs: $dlog $wlog"
wait "$wpid"
