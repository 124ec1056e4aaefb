#!/usr/bin/env bash
# console_tmux.sh - vagus-console end to end, drawn in a real terminal:
# vagusd on the simulator (--speed 20, free ports), the console in a
# detached tmux (120 x 40), the screen read back with capture-pane.
# Checks the calm gauge, HR, the tension bars, the pacer and the advice
# sections; then keys: p (pacer, or the daemon's refusal shown plainly),
# s + name + Enter (a session starts: header clock, and the daemon agrees),
# m (mark on the selected region), Tab + h 1 (hold on the other region), c
# (calibrate), b (baseline), s y (stop); a resize to 80 x 24; the daemon
# killed (stale and silent shown); q quits. Then the guidance topics the
# simulator daemon may not publish yet (pacer, advice, hold, release) and a
# lost source, from a scripted publisher (console_feed.py, plain ZMTP).
# Layout at 120 x 40 and at 80 x 24, during a recorded session on the
# simulator: no line reaches the last column (a line that did would wrap
# into stray characters on the next row), every key is on the key line,
# REC and SIMULATOR are shown, ? explains the words, b shows the baseline
# capture, q asks before quitting a running session (Esc cancels; s stops
# it, the summary is written, the console exits 0).
# Prints PASS/FAIL lines (tests/run.sh counts them); "SKIP" without tmux.
# CONSOLE_CAPTURE=FILE saves the first full screen (docs/console.txt);
# CONSOLE_CAPTURE_DIR=DIR saves console-120x40.txt and console-80x24.txt.
set -u
bin="${VG_BIN:-build/bin}"
if ! command -v tmux >/dev/null 2>&1; then
  echo "SKIP console_tmux: tmux is not installed (make deps installs it)"
  exit 0
fi
export LANG=C.UTF-8 LC_ALL=C.UTF-8
tmp=$(mktemp -d)
T="tmux -u -S $tmp/tmux.sock"
dpid="" fpid=""
cleanup() {
  [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
  [ -n "$fpid" ] && kill "$fpid" 2>/dev/null
  $T kill-server 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT


screen() { $T capture-pane -p -t con; }
# wait_for SECONDS REGEX: poll the screen until a line matches
wait_for() {
  local end=$((SECONDS + $1))
  while [ "$SECONDS" -le "$end" ]; do
    screen | grep -Eq -- "$2" && return 0
    sleep 0.2
  done
  return 1
}
# wait_gone SECONDS REGEX: poll until no line matches
wait_gone() {
  local end=$((SECONDS + $1))
  while [ "$SECONDS" -le "$end" ]; do
    screen | grep -Eq -- "$2" || return 0
    sleep 0.2
  done
  return 1
}
check() {
  if eval "$2"; then echo "PASS $1"; else
    echo "FAIL $1"; echo "--- screen:"; screen | sed 's/^/    |/'; fi
}
keys() { $T send-keys -t con "$@"; }
text() { $T send-keys -t con -l "$1"; }

# free ports can be taken by someone else before vagusd binds them: retry
for try in 1 2 3; do
  read -r p1 p2 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  pub="tcp://127.0.0.1:$p1" ctl="tcp://127.0.0.1:$p2"
  mkdir -p "$tmp/rec"
  "$bin/vagusd" --source sim --speed 20 --pub "$pub" --ctl "$ctl" --record-dir "$tmp/rec" \
    2>"$tmp/vagusd.log" &
  dpid=$!
  sleep 0.5
  kill -0 "$dpid" 2>/dev/null && break
  wait "$dpid" 2>/dev/null; dpid=""
done
if [ -z "$dpid" ]; then
  echo "FAIL console_tmux_daemon_start"; cat "$tmp/vagusd.log"; exit 1
fi
$T new-session -d -x 120 -y 40 -s con \
  "$bin/vagus-console --pub $pub --ctl $ctl; echo CONSOLE-EXIT-\$?; sleep 60"

# --- the screen fills with live figures
wait_for 15 'calm [0-9]+/100' && wait_for 5 'trapezius-right +[0-9.]+ uV'
s=$(screen)
[ -n "${CONSOLE_CAPTURE:-}" ] && printf '%s\n' "$s" >"$CONSOLE_CAPTURE"
check gauge_value "grep -Eq 'calm [0-9]+/100' <<<\"\$s\" && grep -q '^ CALM' <<<\"\$s\""
# the big gauge: block digits and a 3-row bar of at least 40 cells
check gauge_blocks "[ \$(grep -c '█' <<<\"\$s\") -ge 5 ] &&
  [ \$(grep -Ec '[█░]{40}' <<<\"\$s\") -ge 3 ]"
hr=$(sed -nE 's/.*HR +([0-9]+) bpm.*/\1/p' <<<"$s" | head -1)
check heart_rate "[ -n '$hr' ] && [ '${hr:-0}' -ge 35 ] && [ '${hr:-0}' -le 150 ]"
check rmssd_breathing "grep -Eq 'RMSSD +[0-9]+ ms' <<<\"\$s\" && grep -q 'Breathing' <<<\"\$s\""
check tension_bars "[ \$(grep -Ec 'trapezius-(left|right) +[0-9.]+ uV +[0-9-]+ % +[█░]{10,}' <<<\"\$s\") -eq 2 ]"
check pacer_and_advice "grep -q '^ PACER' <<<\"\$s\" && grep -q '^ ADVICE' <<<\"\$s\""
check keys_shown "grep -q 's session  m mark  h hold  p pacer  b baseline  c calibrate  arrows/tab region  ? help  q quit' <<<\"\$s\""
# no line reaches the last column: W-1 characters at most
fits() { [ "$(screen | wc -L)" -le $(($1 - 1)) ]; }
check fits_120x40 "fits 120"
check simulator_shown "wait_for 5 'SIMULATOR'"
check not_recording_shown "wait_for 5 ' NOT RECORDING +SIMULATOR'"
check sources_running "wait_for 5 'all sources running'"

# the guidance engine may or may not be in this daemon: either the pacer and
# advice show their words, or the console says plainly that they are absent
if grep -q 'no guide data from the daemon' <<<"$s"; then
  guide=0
  check guide_absent_plain "grep -q 'no pressure advice without the guidance engine' <<<\"\$s\""
else
  guide=1
  check pacer_phase "grep -Eq 'BREATHE IN|BREATHE OUT|HOLD \\((in|out)\\)|off \\(p chooses' <<<\"\$s\""
  check advice_word "grep -Eq 'ADVICE +(EASE OFF|HOLD PRESSURE|MAY DEEPEN|no signal)' <<<\"\$s\""
fi

# --- p: the next pacer pattern, or the refusal in words
keys p
if [ "$guide" = 1 ]; then
  check key_p_pacer "wait_for 5 'PACER +4-2-6' && wait_for 8 'BREATHE (IN|OUT)'"
else
  check key_p_refused "wait_for 5 \"'pacer.set' is not available in this build yet\" &&
    wait_for 1 'requested pattern: 4-2-6'"
fi

# --- s + name + Enter: a session starts
keys s; wait_for 3 'client name:' >/dev/null
text "Test Client"; keys Enter
check key_s_session "wait_for 5 'session started: [0-9]{8}-[0-9]{6}_Test_Client' &&
  wait_for 5 'SESSION [0-9:]+  [0-9]{8}-[0-9]{6}_Test_Client'"
check session_in_daemon "\"$bin/vagusctl\" --ctl $ctl status | grep -q '_Test_Client'"
# the session clock is signal time (--speed 20: twenty seconds a second)
clock() { screen | sed -nE 's/.*SESSION ([0-9]+):([0-9]+).*/\1 \2/p' | awk '{print $1 * 60 + $2}'; }
c1=$(clock); sleep 1; c2=$(clock)
check session_clock_runs "[ -n '$c1' ] && [ -n '$c2' ] && [ '${c2:-0}' -gt '${c1:-0}' ]"
check rec_shown "wait_for 3 ' REC +SIMULATOR' && wait_for 1 'recording to .*_C[0-9a-f]{8}'"

# --- m: a mark on the selected region (the first one)
keys m; wait_for 3 'mark label:' >/dev/null
text "effleurage"; keys Enter
check key_m_mark "wait_for 5 \"marked 'effleurage' on trapezius-left\" &&
  wait_for 3 \"mark 'effleurage' on trapezius-left\""

# --- Tab selects the next region; h 1 holds on it; h stops
keys Tab
check key_tab_region "wait_for 3 '>trapezius-right'"
keys h; wait_for 3 'hold technique' >/dev/null
keys 1
check key_h_hold "wait_for 5 'HOLD 00:[0-9][0-9]  trigger_point on trapezius-right'"
keys h
check key_h_stop "wait_for 5 'hold stopped' && wait_for 3 'no hold'"

# --- c: calibrate rest on the selected region
keys c
# (a rest calibration of a tense muscle is refused in words: issue 14)
check key_c_calibrate "wait_for 5 'calibrating rest on trapezius-right for [0-9]+ s|trapezius-right is (tense|not at rest|still guarding)'"
# --- b: baseline capture, accepted or refused in words
keys b
check key_b_baseline "wait_for 5 'capturing the calm baseline: [0-9]+ s left, keep the client at rest'"
if [ -n "${CONSOLE_CAPTURE_DIR:-}" ]; then screen | sed 's/ *$//' >"$CONSOLE_CAPTURE_DIR/console-120x40.txt"; fi

# --- s y: stop the session
keys s; wait_for 3 'stop session' >/dev/null
keys y
check key_s_stop "wait_for 5 'session stopped: .*_Test_Client, [0-9]+ s, 1 marks' &&
  wait_for 3 'no session \\(s starts one\\)'"
check status_line_clears "wait_gone 15 'session stopped:'"

# --- follows the terminal size: 80 x 24 during a session with a hold
$T resize-window -t con -x 80 -y 24
keys s; wait_for 3 'client name:' >/dev/null
text "Small Screen"; keys Enter
wait_for 5 'session started: .*_Small_Screen' >/dev/null
keys h; wait_for 3 'hold technique' >/dev/null; keys 1
wait_for 5 'HOLD [0-9:]+  trigger_point' >/dev/null
keys m; wait_for 3 'mark label:' >/dev/null
text "a long label to push the event line past the edge of a small screen"; keys Enter
sleep 1
s=$(screen)
check resize_80x24 "grep -q 'CALM' <<<\"\$s\" && grep -Eq 'HR [0-9]+ bpm' <<<\"\$s\" &&
  grep -q 'trapezius-right' <<<\"\$s\" && grep -q 'PACER' <<<\"\$s\" &&
  [ \$(wc -l <<<\"\$s\") -eq 24 ]"
check fits_80x24 "fits 80"
check keys_shown_80x24 "wait_for 10 '^s:session m:mark h:hold p:pacer b:baseline c:calibrate tab:region \\?:help q:quit'"
check rec_sim_80x24 "grep -Eq ' REC +SIMULATOR' <<<\"\$s\""
if [ -n "${CONSOLE_CAPTURE_DIR:-}" ]; then screen | sed 's/ *$//' >"$CONSOLE_CAPTURE_DIR/console-80x24.txt"; fi
keys '?'
check help_explains "wait_for 3 'heart follows pacer N %  how closely' && wait_for 1 'Breathing \\(measured\\)' &&
  wait_for 1 'REC / NOT RECORDING' && fits 80"
keys x
check help_closes "wait_for 3 '^ PACER'"
keys q
check quit_asks "wait_for 3 'session running: s stop it and quit, l leave it running and quit, Esc cancel' &&
  fits 80"
keys Escape
check quit_cancel "wait_for 3 '^s:session' && ! screen | grep -q 'CONSOLE-EXIT'"
keys q; wait_for 3 'session running' >/dev/null; keys s
check quit_stops_session "wait_for 5 'CONSOLE-EXIT-0' &&
  ls '$tmp'/rec/*.summary.md >/dev/null 2>&1 &&
  ! \"$bin/vagusctl\" --ctl $ctl status | grep -q '_Small_Screen'"
$T kill-session -t con
$T new-session -d -x 80 -y 24 -s con \
  "$bin/vagus-console --pub $pub --ctl $ctl; echo CONSOLE-EXIT-\$?; sleep 60"
wait_for 10 'HR [0-9]+ bpm' >/dev/null; wait_for 10 'all sources running' >/dev/null

# --- the daemon goes away: stale data and a silent daemon shown plainly
kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=""
check stale_shown "wait_for 10 'daemon silent [0-9]+ s' && wait_for 2 'stale [0-9]+ s'"

# --- q quits
keys q
check key_q_quit "wait_for 5 'CONSOLE-EXIT-0'"

# --- the guidance topics, drawn from a scripted publisher (console_feed.py:
# known pacer, advice, hold, release, calm and a lost source)
fport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$(dirname "$0")/console_feed.py" "$fport" 20 &
fpid=$!
$T kill-session -t con
$T new-session -d -x 120 -y 40 -s con \
  "$bin/vagus-console --pub tcp://127.0.0.1:$fport --ctl tcp://127.0.0.1:1; echo CONSOLE-EXIT-\$?; sleep 60"
check feed_pacer "wait_for 8 'PACER +4-2-6 +5.0 /min +heart follows pacer 62 %' &&
  wait_for 3 '^ (BREATHE IN |HOLD \\(in\\) |BREATHE OUT) +[█░]{30,} [0-9]+ s'"
a=$(screen | grep -E '^ (BREATHE|HOLD \()'); sleep 1.2; b=$(screen | grep -E '^ (BREATHE|HOLD \()')
check feed_pacer_moves "[ -n \"\$a\" ] && [ \"\$a\" != \"\$b\" ]"
check feed_advice "wait_for 3 'ADVICE +EASE OFF +confidence 0.80 +profile standard' &&
  wait_for 1 'because: EMG neck-left \\+35 % in 10 s \\(18 -> 24 uV\\); HR \\+8 bpm'"
check feed_gauge "wait_for 3 'calm 7[12]/100 +trend . \\+2.5/min' &&
  wait_for 1 \"vs this client's session baseline\""
check feed_heart "wait_for 3 'HR +60 bpm' && wait_for 1 'RMSSD +42 ms' &&
  wait_for 1 'Breathing +5.4 /min \\(measured\\)'"
check feed_release_mark "wait_for 6 'neck-left +[0-9.]+ uV +30 % +█+░*│░* releasing +RELEASED -32%'"
check feed_hold_clock "wait_for 3 'HOLD 00:4[0-9]  trigger_point on neck-left +usual 30-90 s'"
check feed_lost_source "wait_for 3 '! ECG lost [0-9]+ s \\(strap\\)'"
keys q
check feed_quit "wait_for 5 'CONSOLE-EXIT-0'"
kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null; fpid=""
exit 0 # results are the PASS/FAIL lines
