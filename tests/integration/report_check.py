#!/usr/bin/python3
"""report_check.py - checks of the report files for report_course.sh.

usage: report_check.py index DB DIR N             the index holds N sessions with the summaries' figures
       report_check.py plots FILE.html [JSONL]    every plot has data, axis labels, the right points
       report_check.py trends FILE.html           each measure's trend has the expected sign
       report_check.py csv PREFIX JSONL NAME      CSV reads back: beats = JSON lines' beats, no NAME
       report_check.py png FILE.png               a rendered page that is not blank
Prints PASS/FAIL lines; exit status 1 on any FAIL.
"""

import csv
import glob
import html.parser
import json
import os
import re
import sqlite3
import struct
import sys

fails = 0


def result(ok, text):
    global fails
    print(("PASS " if ok else "FAIL ") + text)
    if not ok:
        fails += 1


def summary_of(jsonl):
    with open(jsonl) as f:
        for line in f:
            if '"session.summary"' in line:
                m = json.loads(line)
                if m.get("kind") == "session.summary":
                    return m["data"]
    return None


def beats_of(jsonl):
    n = nrr = 0
    with open(jsonl) as f:
        for line in f:
            if line.startswith('{"topic":"beat"'):
                m = json.loads(line)
                n += 1
                nrr += m.get("hr_bpm") is not None
    return n, nrr


def check_index(db, d, n):
    mode = os.stat(db).st_mode & 0o777
    result(mode == 0o600, "index %s has mode %o (0600)" % (os.path.basename(db), mode))
    con = sqlite3.connect(db)
    rows = con.execute("SELECT session_id, base_hr_bpm, end_hr_bpm, base_rmssd_ms, end_calm, "
                       "base_resp_bpm, duration_s, base_path FROM sessions").fetchall()
    result(len(rows) == n, "index holds %d sessions (want %d)" % (len(rows), n))
    names = [r[0] for r in con.execute("SELECT name FROM clients")]
    result(len(names) == 1, "one client in the index, named %s" % names)
    (ver,) = con.execute("SELECT version FROM schema_version").fetchone()
    result(ver >= 1, "schema_version %d" % ver)
    bad = []
    for sid, bhr, ehr, brm, ecalm, bresp, dur, base in rows:
        s = summary_of(base + ".jsonl")
        if s is None:
            bad.append(sid + ": no summary")
            continue
        want = [(bhr, s["baseline"]["hr_bpm"]), (ehr, s["end"]["hr_bpm"]), (brm, s["baseline"]["rmssd_ms"]),
                (ecalm, s["end"]["calm"]), (bresp, s["baseline"]["resp_bpm"]), (dur, s["duration_s"])]
        for got, exp in want:
            if exp is None and got is None:
                continue
            if got is None or exp is None or abs(got - exp) > 1e-6 * max(1, abs(exp)):
                bad.append("%s: %s != %s" % (sid, got, exp))
        regs = dict(con.execute("SELECT region, end_uv FROM session_regions WHERE session_id = ?", (sid,)).fetchall())
        for name, v in zip(s["regions"], s["end"]["emg_uv"]):
            if v is not None and abs(regs.get(name, -1) - v) > 1e-6 * max(1, abs(v)):
                bad.append("%s: %s end %s != %s" % (sid, name, regs.get(name), v))
    result(not bad, "index figures equal the sessions' summaries %s" % ("; ".join(bad[:4])))


class Svg(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.plots = []
        self.cur = None
        self.text_cls = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "plot" in a.get("class", ""):
            self.cur = {"title": a.get("data-title", ""), "series": [], "labels": [], "ticks": 0}
            self.plots.append(self.cur)
        elif self.cur is not None and tag == "path" and a.get("class") in ("series", "points"):
            self.cur["series"].append((a.get("data-label", ""), int(a.get("data-n", "0")), len(a.get("d", ""))))
        elif self.cur is not None and tag == "text":
            self.text_cls = a.get("class")

    def handle_endtag(self, tag):
        if tag == "svg":
            self.cur = None
        self.text_cls = None if tag == "text" else self.text_cls

    def handle_data(self, data):
        if self.cur is not None and self.text_cls == "axis-label":
            self.cur["labels"].append(data)
        elif self.cur is not None and self.text_cls == "label":
            self.cur["ticks"] += 1


def check_plots(path, jsonl=None):
    p = Svg()
    with open(path) as f:
        p.feed(f.read())
    name = os.path.basename(path)
    result(len(p.plots) >= 6, "%s has %d plots" % (name, len(p.plots)))
    for pl in p.plots:
        data = [s for s in pl["series"] if s[1] > 0 and s[2] > 5]
        result(bool(data) and len(pl["labels"]) >= 2 and pl["ticks"] >= 6,
               "%s plot '%s': %d series with data (%s), axis labels %s, %d tick labels"
               % (name, pl["title"], len(data), ", ".join("%s=%d" % (s[0], s[1]) for s in data[:3]),
                  pl["labels"], pl["ticks"]))
    if jsonl:
        n, nrr = beats_of(jsonl)
        tacho = [s for pl in p.plots for s in pl["series"] if s[0] == "HR per beat"]
        result(tacho and tacho[0][1] == nrr, "%s tachogram has %s points = %d beats with an RR in the JSON lines"
               % (name, tacho[0][1] if tacho else None, nrr))
        poin = [s for pl in p.plots for s in pl["series"] if s[0] == "successive NN pairs"]
        result(poin and 0.9 * (nrr - 1) <= poin[0][1] <= nrr - 1,
               "%s Poincare plot has %s points (of %d RR pairs; gross errors left out)"
               % (name, poin[0][1] if poin else None, nrr - 1))


class Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def check_trends(path):
    t = Tables()
    with open(path) as f:
        t.feed(f.read())
    rows = {r[0]: r for r in t.rows if r and len(r) == 8}
    want = {"resting heart rate (baseline)": -1, "RMSSD at baseline": +1, "HF power (whole session)": +1,
            "breathing at baseline": -1, "calm at end": +1}
    for name in list(rows):
        if name.startswith("tension ") and name.endswith(" at end"):
            want[name] = -1
    result(any(k.startswith("tension ") for k in want), "tension regions in the trends table")
    for name, sign in want.items():
        r = rows.get(name)
        if r and r[3].strip() == "-" and name == "breathing at baseline":
            # breathing needs a 60-s window: a baseline span shorter than that
            # has no rate (published as null, not guessed); use the end value
            name = "breathing at end"
            r = rows.get(name)
        if not r or r[3].strip() == "-":
            result(False, "trend of %s missing" % name)
            continue
        slope = float(r[3])
        lo, hi = (float(x) for x in re.findall(r"[-+][0-9.]+", r[4])[:2])
        word = "falling" if sign < 0 else "rising"
        # the issue asks for the right sign; the CI is printed, and must hold
        # the slope (a 95 % CI of 8 simulated sessions may include zero)
        result(slope * sign > 0 and lo <= slope <= hi,
               "trend of %s: %+.3f per session, 95 %% CI %s, %s (want %s)"
               % (name, slope, r[4], r[5], word))


def check_csv(prefix, jsonl, name):
    n, nrr = beats_of(jsonl)
    with open(prefix + ".beats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    result(len(rows) == n and list(rows[0].keys()) == ["t_s", "rr_ms", "hr_bpm", "quality"],
           "beats.csv reads back with %d rows = %d beats in the JSON lines, header %s" % (len(rows), n, list(rows[0].keys())))
    with open(prefix + ".rr.txt") as f:
        rr = [float(x) for x in f if x.strip()]
    result(len(rr) == nrr and all(250 < x < 2500 for x in rr), "rr.txt (Kubios) has %d RR in ms = %d" % (len(rr), nrr))
    for ext, col in ((".hrv.csv", "rmssd_ms"), (".resp.csv", "resp_bpm"), (".emg.csv", "rms_uv"), (".events.csv", "kind")):
        with open(prefix + ext, newline="") as f:
            rs = list(csv.DictReader(f))
        result(len(rs) > 0 and col in rs[0], "%s: %d rows with column %s" % (ext[1:], len(rs), col))
    leaked = [p for p in glob.glob(prefix + ".*") if name in open(p, errors="replace").read() or name in p]
    result(not leaked, "no client name in the exported files %s" % leaked)


def check_png(path):
    with open(path, "rb") as f:
        data = f.read()
    ok = data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24]) if ok else (0, 0)
    # a blank page of this size compresses to a few kB; plots and text do not
    per_mpx = len(data) / max(1.0, w * h / 1e6)
    result(ok and w >= 500 and h >= 500 and per_mpx > 15000,
           "%s: %dx%d PNG, %d bytes (%.0f kB per megapixel; blank < 15)" % (os.path.basename(path), w, h, len(data), per_mpx / 1000))


def main():
    cmd = sys.argv[1]
    if cmd == "index":
        check_index(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "plots":
        check_plots(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif cmd == "trends":
        check_trends(sys.argv[2])
    elif cmd == "csv":
        check_csv(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "png":
        check_png(sys.argv[2])
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
