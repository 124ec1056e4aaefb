#!/usr/bin/env python3
"""gen_drvb.py - writes the byte-exact captures (NAME.bin) and options
(NAME.opts) of the ANT+, PulseSensor and HRMI vectors in
tests/vectors/{ant,pulse,hrmi}/, and with --golden BUILD also their golden
JSON lines (NAME.json, the output of BUILD/bin/vagus-decode, the format of
make_vectors.py's vectors).

The frames quoted from ../shared/docs/protocols.md (sections 1.7, 5.1, 5.2)
are written literally; the context frames around them are built here with
their XOR checksum. The documented values each capture must decode to
(NAME.expect, checked by tests/unit/test_drv_{ant,pulse,hrmi}.c under every
read split) are written by hand from the documentation, not by this script;
the golden NAME.json is the decoder's output, reviewed against NAME.expect.
The ANT key in NAME.opts is a dummy (the real ANT+ key is never shipped).
Run from the project root:
    python3 tests/vectors/gen_drvb.py [--golden build]
"""
import os
import subprocess
import sys

def ant(msg_id, payload):
    m = bytes([0xA4, len(payload), msg_id]) + bytes(payload)
    x = 0
    for b in m:
        x ^= b
    return m + bytes([x])

def page(b0, b1, b2, b3, t, count, hr, ext=None):
    pl = [0, b0, b1, b2, b3, t & 0xFF, t >> 8, count, hr]
    if ext:
        pl += [0x80] + list(ext)
    return ant(0x4E, pl)

def prev_page4(toggle, prev, t, count, hr):
    return page(0x04 | (toggle << 7), 0, prev & 0xFF, prev >> 8, t, count, hr)

H = bytes.fromhex
# protocols.md 1.7
DOC_P4 = H("A4 09 4E 00 84 00 00 10 55 13 2A 48 53")
DOC_WRAP = H("A4 09 4E 00 04 00 00 FE 55 01 00 48 05")
DOC_LEG1 = H("A4 09 4E 00 00 FF FF FF 00 40 10 4B 07")
DOC_LEG2 = H("A4 09 4E 00 00 FF FF FF 20 43 11 4B 25")
DOC_EXT = H("A4 0E 4E 00 84 00 00 10 55 13 2A 48 80 39 30 78 01 A4")
assert DOC_P4 == prev_page4(1, 0x1000, 0x1355, 42, 72)
assert DOC_WRAP == prev_page4(0, 0xFE00, 0x0155, 0, 72)
assert DOC_EXT[-1] == 0xA4 and DOC_EXT == page(0x84, 0, 0x00, 0x10, 0x1355, 42, 72, ext=[0x39, 0x30, 0x78, 0x01])
STARTUP = H("A4 01 6F 20 EA")

def resp(cmd):
    return ant(0x40, [0, cmd, 0])

vec = {}
# start-up replies, then page 4 with toggle 0 (count 41), then the documented
# page-4 frame (toggle 1, count 42): RR 833.0 ms, HR 72
vec["ant/page4_rr"] = (STARTUP + b"".join(resp(c) for c in (0x46, 0x42, 0x51, 0x44, 0x66, 0x43, 0x45, 0x4B))
                       + prev_page4(0, 0x0CAB, 0x1000, 41, 72) + DOC_P4)
# count 0xFF then the documented wrap frame: 833.0 ms across the 64 s wrap
vec["ant/wrap"] = prev_page4(1, 0xFAAB, 0xFE00, 0xFF, 72) + DOC_WRAP
# the documented legacy pair: 781.25 ms, HR 75
vec["ant/legacy_pair"] = DOC_LEG1 + DOC_LEG2
# extended frame whose checksum is A4, preceded by one with count 41,
# followed by a legacy-style repeat and a lone A4 of garbage
vec["ant/extended_a4"] = (page(0x04, 0, 0xAB, 0x0C, 0x1000, 41, 72, ext=[0x39, 0x30, 0x78, 0x01])
                          + DOC_EXT + b"\xA4" + DOC_EXT)
# leading garbage with false syncs (A4 A4: bad length; A4 13: checksum fails)
vec["ant/garbage"] = H("00 FF A4 A4 13 55 A4 00 4E") + DOC_LEG1 + DOC_LEG2
# legacy counts 16, 17 (checksum corrupted), 18: one beat lost, no RR
bad = bytearray(ant(0x4E, [0, 0, 0xFF, 0xFF, 0xFF, 0x20, 0x43, 17, 75]))
bad[-1] ^= 0x01
vec["ant/bad_checksum"] = DOC_LEG1 + bytes(bad) + ant(0x4E, [0, 0, 0xFF, 0xFF, 0xFF, 0x40, 0x46, 18, 75])
# page 4 from a current strap, counts 40 -> 41 -> 43 (one beat lost): the RR
# of beat 43 still comes from its previous-event time
vec["ant/counter_gap"] = (prev_page4(0, 0x0800, 0x0B55, 40, 72) + prev_page4(1, 0x0B55, 0x0EAA, 41, 72)
                          + prev_page4(1, 0x1200, 0x1555, 43, 72))

# PulseSensor, visualizer format (CRLF), opened mid-line
vec["pulse/visualizer"] = (b"12\r\nS512\r\nS530\r\nB72\r\nQ832\r\nS600\r\nS590\r\nB73\r\nQ820\r\nS512\r\n")
# serial-plotter format: beats when (BPM, IBI) changes
vec["pulse/plotter"] = (b",512\r\n0,600,500\r\n72,832,512\r\n72,832,530\r\n73,820,600\r\n73,820,590\r\n"
                        b"74,812,512\r\n")
# garbage and a garbled line, a B whose Q was lost
vec["pulse/garbage"] = (b"\xff\x00zz\r\nS512\r\nS5x2\r\nS2000\r\nB72\r\nS530\r\nB73\r\nQ820\r\n"
                        + b"S" + b"9" * 40 + b"\r\nS511\r\n")
# HRMI: documented answer to G3, then a garbled one, then HR 0
vec["hrmi/answers"] = (H("31 20 31 30 36 20 37 39 20 38 30 20 38 31 0D")
                       + b"1 107 8x 80\r" + b"0 107 0\r" + b"1 108 82 79\r")

OPTS = {"ant": "network_key=00 11 22 33 44 55 66 77", "pulse": "", "hrmi": ""}

here = os.path.dirname(os.path.abspath(__file__))
golden = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--golden" else None
for name, data in vec.items():
    base = os.path.join(here, name)
    drv = name.split("/")[0]
    with open(base + ".bin", "wb") as f:
        f.write(data)
    with open(base + ".opts", "w") as f:
        f.write(OPTS[drv] + "\n")
    if golden:
        out = subprocess.run([os.path.join(golden, "bin", "vagus-decode"), "-o", OPTS[drv],
                              drv, base + ".bin"], check=True, capture_output=True).stdout
        with open(base + ".json", "wb") as f:
            f.write(out)
