#!/usr/bin/env bash
# report_python.sh - the Python client (clients/python) against a real vagusd:
# record_csv.py records a live simulated session to CSV and plots it
# (matplotlib); then the same client over CURVE: with the daemon's public key
# and an allowed client key pair it receives messages, without keys it
# receives none. Prints PASS/FAIL lines.
set -u
root=${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${VG_BIN:-$root/build/bin}
py=/usr/bin/python3; [ -x "$py" ] || py=python3
if ! "$py" -c "import zmq, matplotlib" 2>/dev/null; then
  echo "SKIP: python3-zmq or python3-matplotlib missing"; exit 0
fi
work=$(mktemp -d /tmp/vg-py-XXXXXX)
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(port); P2=$(port)

"$bin/vagusd" --source 'sim,speed=20,seed=5,scenario=release' --pub tcp://127.0.0.1:$P1 \
  --ctl tcp://127.0.0.1:$P2 --log-level err >"$work/d.log" 2>&1 &
dpid=$!
if "$py" "$root/clients/python/record_csv.py" --pub tcp://127.0.0.1:$P1 --seconds 60 \
     --until-signal-s 90 --out "$work/csv" --plot "$work/plot.png" >"$work/rec.log" 2>&1; then
  echo "PASS record_csv.py recorded: $(tr '\n' ' ' <"$work/rec.log")"
else
  echo "FAIL record_csv.py"; cat "$work/rec.log"
fi
kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=
"$py" - "$work" <<'PYEOF'
import csv, os, sys
d = sys.argv[1]
def rows(t):
    p = os.path.join(d, "csv", t + ".csv")
    return list(csv.DictReader(open(p))) if os.path.exists(p) else []
b, h, e = rows("beat"), rows("hrv"), rows("emg")
ok = len(b) > 60 and all(r["topic"] == "beat" for r in b) and float(b[-1]["t_ns"]) > float(b[0]["t_ns"])
print(("PASS" if ok else "FAIL") + " beat.csv: %d rows, columns %s" % (len(b), list(b[0].keys())[:8] if b else []))
ok = len(h) > 60 and "rmssd_ms" in h[0] and len(e) > 100 and {r["name"] for r in e} == {"trapezius-left", "trapezius-right"}
print(("PASS" if ok else "FAIL") + " hrv.csv %d rows, emg.csv %d rows over 2 regions" % (len(h), len(e)))
p = os.path.join(d, "plot.png")
ok = os.path.exists(p) and open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(p) > 20000
print(("PASS" if ok else "FAIL") + " matplotlib plot %s (%d bytes)" % (p, os.path.getsize(p) if os.path.exists(p) else 0))
PYEOF

# CURVE: the daemon's key, an allowed client (observer), the client's key file
"$bin/vagusctl" keygen >"$work/server.key"; "$bin/vagusctl" keygen >"$work/client.key"
chmod 600 "$work"/*.key
cpub=$(sed -n 's/^public = //p' "$work/client.key"); spub=$(sed -n 's/^public = //p' "$work/server.key")
sed -i '/^public = /d' "$work/client.key"   # the client derives its public key, as keys.c does
cat >"$work/vagusd.conf" <<CONF
[security]
secret_key_file = $work/server.key
[client py]
public_key = $cpub
role = observer
CONF
P1=$(port); P2=$(port)
"$bin/vagusd" --config "$work/vagusd.conf" --source 'sim,speed=5,seed=6' --pub tcp://127.0.0.1:$P1 \
  --ctl tcp://127.0.0.1:$P2 --log-level err >"$work/d2.log" 2>&1 &
dpid=$!
count() {
  "$py" - "tcp://127.0.0.1:$P1" <<'PYEOF'
import os, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.environ["VG_ROOT_PY"], "clients", "python"))
import vagus_client
try:
    s = vagus_client.Subscriber(sys.argv[1], ["beat", "status"])
except ValueError as e:
    print("error: %s" % e); sys.exit(0)
n, end = 0, time.monotonic() + 6
while time.monotonic() < end and n < 5:
    if s.recv(200):
        n += 1
s.close()
print(n)
PYEOF
}
export VG_ROOT_PY="$root"
n_ok=$(VAGUS_SERVER_KEY="$spub" VAGUS_KEY_FILE="$work/client.key" count)
n_plain=$(env -u VAGUS_SERVER_KEY -u VAGUS_KEY_FILE bash -c "$(declare -f count); P1=$P1; py=$py; count")
[ "$n_ok" = 5 ] && echo "PASS CURVE: with the server key and an allowed key pair the client receives ($n_ok messages)" \
  || { echo "FAIL CURVE client received '$n_ok'"; cat "$work/d2.log"; }
[ "$n_plain" = 0 ] && echo "PASS CURVE: without keys the client receives nothing" \
  || echo "FAIL a plain client received '$n_plain' messages from a CURVE daemon"
bad=$(VAGUS_SERVER_KEY="short" VAGUS_KEY_FILE="$work/client.key" count)
case "$bad" in error:*) echo "PASS a malformed VAGUS_SERVER_KEY is refused ($bad)";; *) echo "FAIL bad key accepted: $bad";; esac
