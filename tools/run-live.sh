#!/usr/bin/env bash
# tools/run-live.sh - what `make run` does: start vagusd on its built-in
# simulator and open the live console on it; stop the daemon when the
# console quits. Environment: VAGUS_PUB (endpoint, default
# tcp://127.0.0.1:5560), VAGUS_SPEED (default 1), VAGUS_ARGS (more vagusd
# options), BUILD (default build).
set -eu
cd "$(dirname "$0")/.."
bin=${BUILD:-build}/bin
pub=${VAGUS_PUB:-tcp://127.0.0.1:5560}
ctl=${VAGUS_CTL:-tcp://127.0.0.1:5561}
log=$(mktemp /tmp/vagusd.XXXXXX.log)
# shellcheck disable=SC2086
"$bin/vagusd" --source sim --speed "${VAGUS_SPEED:-1}" --pub "$pub" --ctl "$ctl" \
  ${VAGUS_ARGS:-} 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
sleep 0.3
if ! kill -0 "$pid" 2>/dev/null; then
  echo "vagusd did not start:"; cat "$log"; exit 1
fi
"$bin/vagus-console" --pub "$pub"
echo "daemon log: $log"
