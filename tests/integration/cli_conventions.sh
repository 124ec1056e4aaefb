#!/usr/bin/env bash
# cli_conventions.sh - the command-line conventions every vagus program
# keeps, and the errors that say what to type:
# - each program: --help on stdout with exit 0, --version "NAME VERSION";
# - each man page (docs/man) renders with groff and man without warnings,
#   documents the exit codes 0/1/2, and names every option --help lists;
#   `make install-man` puts them under PREFIX/share/man/manN;
# - vagusctl checks values before sending (list in the error, exit 2),
#   prints readable status (REC / NOT RECORDING, SIMULATED, local time) by
#   default and the daemon's JSON with --json, says when no daemon answers
#   (exit 1); every technique it lists is one the guidance engine knows;
# - vagus-tap refuses an unknown topic with the list, and says so when no
#   daemon publishes; vagus-decode --help works, says "topic", exits 1 when
#   it decoded nothing; vagusd --source foo lists the drivers.
# Runs the real daemon on the simulator (--source sim, free ports).
# Prints PASS/FAIL lines.
set -u
bin="${VG_BIN:-build/bin}"
root="${VG_ROOT:-.}"
man="$root/docs/man"
tmp=$(mktemp -d)
dpid=""
cleanup() {
  [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; [ -n "${3:-}" ] && sed 's/^/    /' "$3" | head -20; fi; }
export LC_ALL=C.UTF-8

declare -A page=([vagusd]=vagusd.8 [vagusctl]=vagusctl.1 [vagus-console]=vagus-console.1
  [vagus-tap]=vagus-tap.1 [vagus-analyze]=vagus-analyze.1 [vagus-sim]=vagus-sim.1
  [vagus-decode]=vagus-decode.1 [vagus-hub]=vagus-hub.1)

# ---------------------------------------------------------------- per program
for p in "${!page[@]}"; do
  "$bin/$p" --help >"$tmp/help" 2>"$tmp/help.err"; rc=$?
  check "help_$p" "[ $rc -eq 0 ] && [ -s '$tmp/help' ] && [ ! -s '$tmp/help.err' ]" "$tmp/help.err"
  v=$("$bin/$p" --version 2>&1); rc=$?
  check "version_$p" "[ $rc -eq 0 ] && [[ '$v' =~ ^$p\ [0-9]+\.[0-9]+\.[0-9]+$ ]]"
  f="$man/${page[$p]}"
  # groff: -ww all warnings, -z no output: anything printed is a warning
  w=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
  check "man_renders_$p" "[ -f '$f' ] && [ -z \"\$w\" ] && man -l '$f' >/dev/null 2>'$tmp/man.err' &&
    [ ! -s '$tmp/man.err' ]" "$tmp/man.err"
  groff -man -Tascii -P-cbou "$f" 2>/dev/null >"$tmp/page.txt"
  missing=""
  for o in $(grep -oE -- '--[a-z][a-z0-9_-]*' "$tmp/help" | sort -u); do
    grep -qF -- "$o" "$tmp/page.txt" || missing="$missing $o"
  done
  check "man_has_options_$p" "[ -z '$missing' ]"
  [ -n "$missing" ] && echo "    not in ${page[$p]}:$missing"
  check "man_exit_codes_$p" "grep -q 'EXIT STATUS' '$tmp/page.txt' &&
    awk '/EXIT STATUS/{on=1} on' '$tmp/page.txt' | grep -Eq '^ +0' &&
    awk '/EXIT STATUS/{on=1} on' '$tmp/page.txt' | grep -Eq '^ +1' &&
    awk '/EXIT STATUS/{on=1} on' '$tmp/page.txt' | grep -Eq '^ +2'"
done
w=$(groff -man -Tutf8 -ww -z "$man/vagusd.conf.5" 2>&1)
check man_renders_vagusd.conf "[ -z \"\$w\" ] && man -l '$man/vagusd.conf.5' >/dev/null 2>&1"
make -s -C "$root" install-man DESTDIR="$tmp/inst" PREFIX=/usr >/dev/null 2>&1
check make_install_man "[ -f '$tmp/inst/usr/share/man/man8/vagusd.8' ] &&
  [ -f '$tmp/inst/usr/share/man/man5/vagusd.conf.5' ] &&
  [ \$(ls '$tmp/inst/usr/share/man/man1' | wc -l) -eq 7 ]"

# ---------------------------------------------------------------- vagusctl, no daemon
C="$bin/vagusctl --ctl tcp://127.0.0.1:1 --timeout 300"
$C mark knot --pressure hard >/dev/null 2>"$tmp/err"; rc=$?
check ctl_pressure_list "[ $rc -eq 2 ] && grep -q 'light, medium, deep or a number from 0 to 10' '$tmp/err'" "$tmp/err"
$C hold start --technique shiatsu >/dev/null 2>"$tmp/err"; rc=$?
check ctl_technique_list "[ $rc -eq 2 ] && grep -q 'choose one of: trigger_point, ' '$tmp/err'" "$tmp/err"
$C pacer 4-7-8 >/dev/null 2>"$tmp/err"; rc=$?
check ctl_pacer_list "[ $rc -eq 2 ] && grep -q 'off, 4-2-6, resonance, custom, follow, adaptive' '$tmp/err'" "$tmp/err"
$C profile gentle >/dev/null 2>"$tmp/err"; rc=$?
check ctl_profile_list "[ $rc -eq 2 ] && grep -q 'standard, sensitive, flare' '$tmp/err'" "$tmp/err"
$C mark knot --presure deep >/dev/null 2>"$tmp/err"; rc=$?
check ctl_unknown_option "[ $rc -eq 2 ] && grep -q \"does not take '--presure'\" '$tmp/err' &&
  grep -q 'usage: vagusctl mark' '$tmp/err'" "$tmp/err"
$C session start >/dev/null 2>"$tmp/err"; rc=$?
check ctl_required_option "[ $rc -eq 2 ] && grep -q 'needs --client NAME' '$tmp/err'" "$tmp/err"
# no wire fields or C functions in what the user reads
check ctl_errors_plain "! grep -Eq 'field|_new|\\(\\)' '$tmp/err'"
# every technique vagusctl lists passes its own check (the guide knows it)
ok=1
for t in $(sed -n 's/.*choose one of: //p' <($C hold start --technique x 2>&1) | tr -d ','); do
  $C hold start --technique "$t" >/dev/null 2>&1; [ $? -eq 1 ] || ok=0
done
check ctl_techniques_known "[ $ok -eq 1 ]"
$C ping >/dev/null 2>"$tmp/err"; rc=$?
check ctl_no_daemon "[ $rc -eq 1 ] && grep -q 'is vagusd running' '$tmp/err'" "$tmp/err"

# ---------------------------------------------------------------- vagus-tap, vagus-decode, vagusd
timeout 20 "$bin/vagus-tap" beet >/dev/null 2>"$tmp/err"; rc=$?
check tap_unknown_topic "[ $rc -eq 2 ] && grep -q 'topics: beat hrv' '$tmp/err'" "$tmp/err"
timeout 20 "$bin/vagus-tap" --pub tcp://127.0.0.1:1 --wait 1 beat >/dev/null 2>"$tmp/err"; rc=$?
check tap_no_daemon "[ $rc -eq 1 ] && grep -q 'no message from tcp://127.0.0.1:1 in 1 s - is vagusd running' '$tmp/err'" "$tmp/err"
"$bin/vagus-sim" --device p2 --out "$tmp/p2.bin" --seconds 2 2>/dev/null
"$bin/vagus-decode" p2 "$tmp/p2.bin" >"$tmp/dec" 2>"$tmp/err"; rc=$?
check decode_topic "[ $rc -eq 0 ] && head -1 '$tmp/dec' | grep -q '^{\"topic\":' && ! grep -q '\"type\"' '$tmp/dec'" "$tmp/err"
head -c 300 /dev/zero >"$tmp/zero.bin"
"$bin/vagus-decode" p2 "$tmp/zero.bin" >/dev/null 2>"$tmp/err"; rc=$?
check decode_nothing_fails "[ $rc -eq 1 ] && grep -q 'decoded nothing' '$tmp/err'" "$tmp/err"
"$bin/vagus-decode" nosuch "$tmp/zero.bin" >/dev/null 2>"$tmp/err"; rc=$?
check decode_unknown_driver "[ $rc -eq 2 ] && grep -q 'drivers: sim' '$tmp/err'" "$tmp/err"
"$bin/vagusd" --source foo --pub tcp://127.0.0.1:1 --ctl tcp://127.0.0.1:2 >/dev/null 2>"$tmp/err"; rc=$?
check vagusd_lists_drivers "[ $rc -ne 0 ] && grep -q 'sim, openbci, bitalino' '$tmp/err'" "$tmp/err"

# ---------------------------------------------------------------- with the daemon
mkdir -p "$tmp/rec"
for try in 1 2 3; do
  read -r p1 p2 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  pub="tcp://127.0.0.1:$p1" ctl="tcp://127.0.0.1:$p2"
  "$bin/vagusd" --source sim --speed 10 --record-dir "$tmp/rec" --pub "$pub" --ctl "$ctl" \
    2>"$tmp/vagusd.log" &
  dpid=$!
  "$bin/vagusctl" --ctl "$ctl" --timeout 3000 ping >/dev/null 2>&1 && break
  kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; dpid=""
done
[ -n "$dpid" ] || { echo "FAIL cli_daemon_start"; cat "$tmp/vagusd.log"; exit 0; }
C="$bin/vagusctl --ctl $ctl"
$C status >"$tmp/st" 2>&1
check ctl_status_readable "grep -Eq '^recording +NOT RECORDING' '$tmp/st' &&
  grep -Eq '^data +SIMULATED' '$tmp/st' &&
  grep -Eq '^time +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}' '$tmp/st' &&
  grep -Eq '^  beats +' '$tmp/st' && ! grep -q '{' '$tmp/st'" "$tmp/st"
$C session start --client Cli >/dev/null 2>&1
$C status >"$tmp/st" 2>&1
check ctl_status_rec "grep -Eq '^recording +REC to .*_C[0-9a-f]{8}( |$)' '$tmp/st'" "$tmp/st"
$C --json status >"$tmp/js" 2>&1
check ctl_json "python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j[\"ok\"] and j[\"status\"][\"recording\"] is True else 1)' '$tmp/js'" "$tmp/js"
$C config >"$tmp/cf" 2>&1
check ctl_config_in_effect "grep -Eq '^hrv windows +60 s, 300 s' '$tmp/cf' && grep -Eq '^stall timeout +5 s' '$tmp/cf' &&
  ! grep -q '\\[\\]' '$tmp/cf'" "$tmp/cf"
$C mark knot --region trapezius-left --pressure deep >"$tmp/mk" 2>&1; rc=$?
check ctl_mark_readable "[ $rc -eq 0 ] && grep -Eq '^marked at [0-9]{4}-' '$tmp/mk'" "$tmp/mk"
$C calibrate --channel 9 --kind rest >"$tmp/out" 2>"$tmp/err"; rc=$?
check ctl_refusal_exit1 "[ $rc -eq 1 ] && grep -q '^vagusd refused: ' '$tmp/err'" "$tmp/err"
$C session stop >"$tmp/out" 2>&1
check ctl_session_stop "grep -Eq '^session .*_Cli stopped after [0-9.]+ s with 1 marks' '$tmp/out'" "$tmp/out"
timeout 20 "$bin/vagus-tap" --pub "$pub" --count 1 status >"$tmp/tap" 2>"$tmp/err"; rc=$?
check tap_with_daemon "[ $rc -eq 0 ] && grep -q '\"topic\":\"status\"' '$tmp/tap'" "$tmp/err"
exit 0
