#!/usr/bin/env python3
"""record_csv.py - record a live vagusd session to CSV files and plot it.

usage: record_csv.py [--pub ENDPOINT] [--seconds S] [--out DIR] [--plot FILE.png]
                     [--until-signal-s S] [TOPIC...]

Subscribes to the topics (default: beat hrv resp emg event), writes one CSV
per topic (DIR/TOPIC.csv, columns from the first message of the topic plus
any later ones, header first), then plots heart rate, RMSSD and EMG RMS
against time (matplotlib, Agg backend). Stops after S wall seconds, or once
the sample clock has advanced --until-signal-s seconds (for fast simulator
runs), or at Ctrl-C. CURVE: set VAGUS_SERVER_KEY and VAGUS_KEY_FILE.
"""

import argparse
import csv
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vagus_client  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pub", default="tcp://127.0.0.1:5560")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--until-signal-s", type=float, default=0.0)
    ap.add_argument("--out", default=".")
    ap.add_argument("--plot", default="")
    ap.add_argument("topics", nargs="*", default=["beat", "hrv", "resp", "emg", "event"])
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sub = vagus_client.Subscriber(a.pub, a.topics)
    rows = {}
    t_end = time.monotonic() + a.seconds
    t0_ns = None
    try:
        while time.monotonic() < t_end:
            m = sub.recv(200)
            if m is None:
                continue
            topic, msg = m
            if topic not in a.topics and not any(topic.startswith(t) for t in a.topics):
                continue
            rows.setdefault(topic, []).append(vagus_client.to_row(msg))
            t = msg.get("t_ns")
            if topic != "event" and isinstance(t, int):
                t0_ns = t if t0_ns is None else t0_ns
                if a.until_signal_s > 0 and (t - t0_ns) * 1e-9 >= a.until_signal_s:
                    break
    except KeyboardInterrupt:
        pass
    finally:
        sub.close()
    for topic, rs in rows.items():
        cols = []
        for r in rs:
            for k in r:
                if k not in cols:
                    cols.append(k)
        with open(os.path.join(a.out, topic + ".csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rs)
        print("%s: %d rows" % (topic, len(rs)))
    if a.plot:
        plot(rows, a.plot)
    return 0 if rows else 1


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def series(topic, col, where=None):
        rs = [r for r in rows.get(topic, []) if r.get(col) is not None and (where is None or where(r))]
        if not rs:
            return [], []
        t0 = min(r["t_ns"] for r in rs)
        return [(r["t_ns"] - t0) * 1e-9 for r in rs], [r[col] for r in rs]

    fig, ax = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    ax[0].plot(*series("beat", "hr_bpm"), color="#c0392b")
    ax[0].set_ylabel("heart rate, bpm")
    ax[1].plot(*series("hrv", "rmssd_ms", lambda r: r.get("window_s") == 60.0), color="#16a085")
    ax[1].set_ylabel("RMSSD (60 s), ms")
    names = sorted({r.get("name") for r in rows.get("emg", [])} - {None})
    for n in names:
        ax[2].plot(*series("emg", "rms_uv", lambda r, n=n: r.get("name") == n), label=n)
    ax[2].set_ylabel("EMG RMS, uV")
    ax[2].set_xlabel("time, s (sample clock)")
    if names:
        ax[2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print("plot: %s" % path)


if __name__ == "__main__":
    sys.exit(main())
