#!/usr/bin/python3
"""report_course.py - record a course of simulated sessions with the real daemon.

usage: report_course.py --bin DIR --out DIR [--sessions N] [--speed X]
                        [--signal-s S] [--client NAME] [--first-seed N] [--jobs J]

For each session a fresh vagusd runs the built-in simulator
(--source sim,speed=X,seed=N,scenario=...) recording into --out; vagusctl starts
a session for the client, holds trapezius-left from 5 s to 100 s of signal,
marks at 150 s, and stops the session once the sample clock (watched through
clients/python/vagus_client.py on the guide topic) has run S seconds.
The physiology improves over the course through the simulator's scenarios:
surge (arousal, tense), then release (tension let go), then calm; the
scenario of session i is COURSE[i * len(COURSE) // N].
Prints one line per session: its base path.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
import vagus_client  # noqa: E402

COURSE = ["surge", "surge", "release", "release", "release", "calm", "calm", "calm"]
TECHNIQUES = ["myofascial", "trigger_point"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ctl(bin_dir, ep, *args, timeout_ms=5000):
    r = subprocess.run([os.path.join(bin_dir, "vagusctl"), "--json", "--ctl", ep, "--timeout", str(timeout_ms)]
                       + list(args), capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError("vagusctl %s: %s %s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


def one(a, i, may_start=None, started=None):
    scen = a.scenario or COURSE[i * len(COURSE) // a.sessions]
    pub, cep = "tcp://127.0.0.1:%d" % free_port(), "tcp://127.0.0.1:%d" % free_port()
    # each session's signal clock starts a week after the last (sim epoch=):
    # the course is dated as a weekly course would be, whatever order the
    # parallel jobs finish in
    src = "sim,speed=%g,seed=%d,scenario=%s,epoch=%d" % (a.speed, a.first_seed + i, scen,
                                                         a.first_epoch + i * 7 * 86400)
    d = subprocess.Popen([os.path.join(a.bin, "vagusd"), "--source", src, "--record-dir", a.out,
                          "--pub", pub, "--ctl", cep, "--log-level", "err"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        sub = vagus_client.Subscriber(pub, ["guide"])
        for _ in range(50):
            if d.poll() is not None:
                raise RuntimeError("vagusd exited with %d" % d.returncode)
            try:
                ctl(a.bin, cep, "ping", timeout_ms=300)
                break
            except RuntimeError:
                time.sleep(0.1)
        if may_start:
            may_start()
        try:
            out = ctl(a.bin, cep, "session", "start", "--client", a.client,
                      "--technique", TECHNIQUES[i % len(TECHNIQUES)])
        finally:
            if started:
                started()
        while sub.recv(0) is not None:   # drop what was queued before the start
            pass
        t0 = None
        done = set()
        deadline = time.monotonic() + 30 + 5 * a.signal_s / a.speed
        while time.monotonic() < deadline:
            m = sub.recv(2000)
            if m is None:
                continue
            t = m[1].get("t_ns")
            t0 = t if t0 is None else t0
            s = (t - t0) * 1e-9
            if s >= 5 and "hold" not in done:
                ctl(a.bin, cep, "hold", "start", "--technique", "trigger_point", "--region", "trapezius-left")
                done.add("hold")
            if s >= 100 and "unhold" not in done:
                ctl(a.bin, cep, "hold", "stop")
                done.add("unhold")
            if s >= 150 and "mark" not in done:
                ctl(a.bin, cep, "mark", "pressure", "--region", "trapezius-left", "--pressure", "medium")
                done.add("mark")
            if s >= a.signal_s:
                break
        ctl(a.bin, cep, "session", "stop")
        sub.close()
        return json.loads(out)["edf"][:-4]
    finally:
        d.terminate()
        d.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--speed", type=float, default=100)
    ap.add_argument("--signal-s", type=float, default=240)
    ap.add_argument("--client", default="Ann Example")
    ap.add_argument("--first-seed", type=int, default=11)
    ap.add_argument("--first-epoch", type=int, default=1788775200,
                    help="signal start of the first session, s since 1970 (2026-09-07 10:00 UTC)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--scenario", default="", help="one scenario for every session")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    # two sessions record at a time; session i starts after session i-1 has
    # started and in a later second (session ids are named by the second,
    # and the course is ordered by them)
    events = [threading.Event() for _ in range(a.sessions)]
    stamp = [0]
    bases = [None] * a.sessions
    errors = []

    def worker(k):
        for i in range(k, a.sessions, a.jobs):
            def may_start(i=i):
                if i > 0:
                    events[i - 1].wait(120)
                while int(time.time()) <= stamp[0]:
                    time.sleep(0.05)

            def started(i=i):
                stamp[0] = int(time.time())
                events[i].set()
            try:
                bases[i] = one(a, i, may_start, started)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append("session %d: %s" % (i, e))
                events[i].set()
    th = [threading.Thread(target=worker, args=(k,)) for k in range(a.jobs)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    for b in bases:
        if b:
            print(b, flush=True)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
