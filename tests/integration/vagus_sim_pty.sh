#!/usr/bin/env bash
# vagus_sim_pty.sh - vagus-sim serving emulated devices on a pty: a host
# (python3) answers nothing but the protocol: OpenBCI "v"/"d"/"b" handshake,
# BITalino start command, P2 streaming from power-up; the bytes read back
# decode with vagus-decode into about the right number of frames with no
# errors; then an unplug/replug cycle through the --link path.
# Prints PASS/FAIL lines (tests/run.sh counts them). Needs VG_BIN.
set -u
bin=${VG_BIN:-build/bin}
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

host() { # LINK SECONDS SEND... -> raw bytes on stdout
python3 - "$@" <<'PY'
import os, sys, time, termios, tty
path, secs, cmds = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
for _ in range(100):
    if os.path.exists(path): break
    time.sleep(0.02)
fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
tty.setraw(fd)
out = bytearray()
def pump(t):
    end = time.time() + t
    while time.time() < end:
        try:
            b = os.read(fd, 4096)
            if b: out.extend(b)
        except BlockingIOError:
            time.sleep(0.005)
        except OSError:                  # EIO: the device was unplugged
            break
for c in cmds:                       # each command, then wait for its reply
    os.write(fd, bytes.fromhex(c)); pump(0.15)
pump(secs)
os.close(fd)
sys.stdout.buffer.write(out)
PY
}

check() { # NAME DRIVER FILE MIN_FRAMES
  local stats; stats=$("$bin/vagus-decode" "$2" "$3" | tail -1)
  python3 - "$1" "$4" "$stats" <<'PY'
import json, sys
name, lo, s = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
ok = s["frames_ok"] >= lo and s["checksum_errors"] == 0 and s["gaps"] == 0
print(("PASS " if ok else "FAIL ") + name + " " + json.dumps(s))
PY
}

# OpenBCI: v, d, b then 1 s of packets (250 Hz)
"$bin/vagus-sim" --device openbci --pty --link "$tmp/obci" --seconds 4 >"$tmp/obci.path" &
host "$tmp/obci" 1.0 76 64 62 >"$tmp/obci.bin"
check vagus_sim_pty_openbci openbci "$tmp/obci.bin" 200
if grep -aq 'Firmware: v3.1.2' "$tmp/obci.bin"; then echo "PASS vagus_sim_pty_openbci_reply"; else echo "FAIL vagus_sim_pty_openbci_reply"; fi

# BITalino: FF 07 C3 0D as drv_bitalino sends, 1 s at 1000 Hz
"$bin/vagus-sim" --device bitalino --pty --link "$tmp/bit" --seconds 4 >/dev/null &
host "$tmp/bit" 1.0 FF 07 C3 0D >"$tmp/bit.bin"
check vagus_sim_pty_bitalino bitalino "$tmp/bit.bin" 800

# P2: no command; plus unplug after 3 s, replug 0.5 s later (3 s leaves
# room for python's start-up on a loaded machine before the 1-s read ends)
"$bin/vagus-sim" --device p2 --pty --link "$tmp/p2" --seconds 8 \
  --unplug-after 3 --replug-after 0.5 >"$tmp/p2.paths" 2>"$tmp/p2.err" &
host "$tmp/p2" 1.0 >"$tmp/p2.bin"
check vagus_sim_pty_p2 p2 "$tmp/p2.bin" 200
for _ in $(seq 60); do # until the replugged device's pty is announced
  [ "$(wc -l <"$tmp/p2.paths")" -ge 2 ] && break
  sleep 0.1
done
n1=$(wc -l <"$tmp/p2.paths")
host "$tmp/p2" 0.5 >"$tmp/p2b.bin"
n2=$(wc -l <"$tmp/p2.paths")
# (the kernel may hand out the same /dev/pts number again)
if [ "$n1" -eq 2 ] && [ "$n2" -eq 2 ] && grep -q unplugged "$tmp/p2.err"; then
  echo "PASS vagus_sim_pty_replug_new_pty"
else
  echo "FAIL vagus_sim_pty_replug_new_pty ($n1 $n2 paths)"; cat "$tmp/p2.paths" "$tmp/p2.err"
fi
check vagus_sim_pty_replug_data p2 "$tmp/p2b.bin" 100
wait
