#!/usr/bin/env bash
# web_console.sh - the web console (vagus-web) end to end against a live
# vagusd on its simulator (free ports, real time, recording on):
#  1. the bind policy: a non-loopback --http without TLS and logins is
#     refused, so are logins over plain HTTP; --insecure lets it start;
#  2. --add-user writes Argon2id hashes (no password in the file, mode 0600);
#  3. over HTTPS (self-signed certificate made here with openssl): logins,
#     roles (observer: view only, 403 on control), cookie flags, CSRF token,
#     malformed and oversize requests (web_http.py), and the mark it sends
#     reaches vagusd's event topic; the access log holds no label or name;
#  4. in headless Chromium (web_console.py): login form, figures equal to
#     the daemon's messages seen by a parallel vagus-tap, every control
#     matched by its event, the pacer's sound timing, screenshots (into a
#     temporary folder; WEB_SHOTS=docs remakes the README's), sample -> screen
#     delay, and a vagusd
#     restart and a hung link to vagus-web the page survives by itself.
# The browser part runs once per `make check`: skipped in the ASan build
# (Chromium under the same 90 s budget twice adds nothing). Prints PASS/FAIL.
set -u
bin="${VG_BIN:-build/bin}"
root="${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
tmp=$(mktemp -d)
dpid="" tpid="" wpid=""
cleanup() {
  for p in $wpid $tpid; do kill "$p" 2>/dev/null; done
  [ -f "$tmp/dpid" ] && kill "$(cat "$tmp/dpid")" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; [ -n "${3:-}" ] && sed 's/^/    |/' "$3" | tail -20; fi; }
free_ports() {
  python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])' "$1"
}

# ---------------------------------------------------------------- 1 policy
read -r hp < <(free_ports 1)
"$bin/vagus-web" --http "0.0.0.0:$hp" --seconds 2 >"$tmp/p1.log" 2>&1; rc=$?
check "policy: non-loopback --http without TLS and logins is refused" \
  '[ $rc -ne 0 ] && grep -q "refusing" "$tmp/p1.log"' "$tmp/p1.log"
touch "$tmp/empty-users"
"$bin/vagus-web" --http "127.0.0.1:$hp" --users "$tmp/empty-users" --seconds 2 >"$tmp/p2.log" 2>&1; rc=$?
check "policy: logins over plain HTTP are refused" '[ $rc -ne 0 ] && grep -q "plain HTTP" "$tmp/p2.log"' "$tmp/p2.log"
"$bin/vagus-web" --http "0.0.0.0:$hp" --insecure --seconds 1 --pub tcp://127.0.0.1:1 >"$tmp/p3.log" 2>&1; rc=$?
check "policy: --insecure allows it, with a warning" '[ $rc -eq 0 ] && grep -q WARNING "$tmp/p3.log"' "$tmp/p3.log"

# ---------------------------------------------------------------- 2 users
users="$tmp/users"
echo "console-pass-1" | "$bin/vagus-web" --add-user therapist --role console --users "$users"
echo "observer-pass-1" | "$bin/vagus-web" --add-user watcher --role observer --users "$users"
echo "short" | "$bin/vagus-web" --add-user bad --role console --users "$users" 2>/dev/null; rc=$?
check "users: --add-user stores Argon2id hashes, no password, mode 0600" \
  '[ "$(grep -c "^therapist:console:.argon2id.v=" "$users")" = 1 ] && grep -q "^watcher:observer:.argon2id.v=" "$users" && ! grep -q "pass-1" "$users" && [ "$(stat -c %a "$users")" = 600 ] && [ $rc -ne 0 ]' "$users"

# ---------------------------------------------------------------- daemon, tap
if ! command -v openssl >/dev/null; then echo "FAIL openssl is not installed (make deps)"; exit 1; fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
mkdir -p "$tmp/rec"
for try in 1 2 3; do
  read -r p1 p2 p3 < <(free_ports 3)
  pub="tcp://127.0.0.1:$p1" ctl="tcp://127.0.0.1:$p2"
  cat >"$tmp/start-daemon.sh" <<EOF
"$bin/vagusd" --source sim --scenario massage --pub "$pub" --ctl "$ctl" --record-dir "$tmp/rec" 2>>"$tmp/vagusd.log" &
echo \$! >"$tmp/dpid"
sleep 0.5
EOF
  bash "$tmp/start-daemon.sh"
  kill -0 "$(cat "$tmp/dpid")" 2>/dev/null && break
done
kill -0 "$(cat "$tmp/dpid")" 2>/dev/null || { echo "FAIL vagusd did not start"; cat "$tmp/vagusd.log"; exit 1; }
export VG_START_DAEMON="bash $tmp/start-daemon.sh"
export VG_KILL_DAEMON="kill \$(cat $tmp/dpid); sleep 0.3"
"$bin/vagus-tap" --pub "$pub" >"$tmp/tap.jsonl" 2>/dev/null &
tpid=$!

# ---------------------------------------------------------------- 3 HTTPS
"$bin/vagus-web" --pub "$pub" --ctl "$ctl" --http "127.0.0.1:$p3" --tls-cert "$tmp/cert.pem" \
  --tls-key "$tmp/key.pem" --users "$users" 2>"$tmp/web.log" &
wpid=$!
base="https://127.0.0.1:$p3"
for _ in $(seq 50); do grep -q serving "$tmp/web.log" && break; sleep 0.1; done
check "https: vagus-web serves over TLS with logins" 'grep -q "serving https://127.0.0.1:$p3/ .*logins required" "$tmp/web.log"' "$tmp/web.log"
python3 "$(dirname "$0")/web_http.py" "$base" therapist console-pass-1 watcher observer-pass-1 "https-mark-42"
found=0
for _ in $(seq 30); do
  grep '"topic":"event"' "$tmp/tap.jsonl" | grep -q '"kind":"mark".*https-mark-42' && { found=1; break; }
  sleep 0.2
done
check "https: the console's mark reaches vagusd's event topic" '[ $found = 1 ]'
check "https: the access log has routes and statuses, no label" \
  'grep -q "POST /api/ctl 403" "$tmp/web.log" && grep -q "POST /api/ctl 200" "$tmp/web.log" && ! grep -q "https-mark-42\|observer-mark\|pass-1" "$tmp/web.log"' "$tmp/web.log"

# ---------------------------------------------------------------- 4 browser
case "$bin" in
*build-asan*)
  echo "SKIP web browser part in the ASan build: Chromium drives the same page once per make check (normal build)"
  exit 0 ;;
esac
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3 # Debian's python3-websocket
if ! command -v chromium >/dev/null || ! $py -c 'import websocket' 2>/dev/null; then
  echo "FAIL chromium or python3-websocket is not installed (make deps)"; exit 1
fi
export VG_WEB_PID=$wpid
shots="${WEB_SHOTS:-$tmp/shots}" # the tree stays clean; WEB_SHOTS=docs for the README
mkdir -p "$shots"
$py "$(dirname "$0")/web_console.py" "$base/" therapist console-pass-1 "$tmp/tap.jsonl" "$shots" "${WEB_LATENCY_S:-20}"
check "browser: the access log never holds the client's name" '! grep -q "Web Test Client\|web-mark-1" "$tmp/web.log"' "$tmp/web.log"
