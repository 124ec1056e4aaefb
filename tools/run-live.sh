#!/usr/bin/env bash
# tools/run-live.sh - what `make run` does: start vagusd on its built-in
# simulator (named explicitly: --source sim; the console shows SIMULATOR)
# and open the live console on it; stop the daemon when the console quits
# (SIGTERM: a running session is closed and its summary written).
# Sessions are recorded in VAGUS_RECORD_DIR (default: a new temporary
# directory, kept and named at the end). Environment: VAGUS_PUB and
# VAGUS_CTL (endpoints, default tcp://127.0.0.1:5560 and :5561),
# VAGUS_SPEED (default 1), VAGUS_ARGS (more vagusd options), BUILD
# (default build).
set -eu
cd "$(dirname "$0")/.."
bin=${BUILD:-build}/bin
pub=${VAGUS_PUB:-tcp://127.0.0.1:5560}
ctl=${VAGUS_CTL:-tcp://127.0.0.1:5561}
rec=${VAGUS_RECORD_DIR:-$(mktemp -d /tmp/vagus-sessions.XXXXXX)}
log=$(mktemp /tmp/vagusd.XXXXXX.log)
echo "vagusd: simulator, sessions recorded in $rec, log in $log"
# shellcheck disable=SC2086
"$bin/vagusd" --source sim --speed "${VAGUS_SPEED:-1}" --pub "$pub" --ctl "$ctl" \
  --record-dir "$rec" ${VAGUS_ARGS:-} 2>"$log" &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "sessions recorded in $rec:"
  ls -l "$rec" 2>/dev/null | sed 1d || true
  echo "daemon log: $log"
}
trap stop EXIT
sleep 0.3
if ! kill -0 "$pid" 2>/dev/null; then
  echo "vagusd did not start:"; cat "$log"; exit 1
fi
"$bin/vagus-console" --pub "$pub" --ctl "$ctl"
