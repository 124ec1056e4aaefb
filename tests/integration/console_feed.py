#!/usr/bin/env python3
"""console_feed.py PORT SECONDS - a scripted vagusd publisher for the console
test: speaks ZMTP 3.0 (NULL mechanism, PUB socket; RFC 23) on 127.0.0.1:PORT
in plain Python (no pyzmq), and publishes known messages so the test can
check what the console draws for topics the simulator daemon may not send
yet (guide, release) and for a lost source:

- guide at 20 Hz: pacer 4-2-6 at 5.00/min (phases cycling in 4 s / 2 s /
  6 s), advice "ease" with reasons, confidence 0.80, a trigger-point hold on
  "neck-left" (hold_s counting from 42 s, usual span 30-90 s);
- emg at 20 Hz for "neck-left" (channel 0, 55 % -> 30 % level) and
  "neck-right" (channel 1, 20 %);
- beats at 60 bpm, hrv (60 s window, calm 71.5, trend +2.50/min) each beat;
- status at 1 Hz: source "strap" (ECG) lost for 12 s + time, "emg" running;
- at 3 s a `release` on neck-left (drop 31.7 %).
Accepts any number of subscribers (one thread each); the subscription
messages are read and ignored (everything is sent). Exits after SECONDS.
"""
import json
import socket
import struct
import sys
import threading
import time

T0_NS = 1790000000000000000


def greeting():
    # signature, version 3.0, mechanism NULL, as-server 0, filler
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 0]) +
            b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31)


def command(name, props):
    body = bytes([len(name)]) + name
    for k, v in props.items():
        body += bytes([len(k)]) + k + struct.pack(">I", len(v)) + v
    return bytes([0x04, len(body)]) + body


def frame(data, more):
    flags = 0x01 if more else 0x00
    if len(data) > 255:
        return bytes([flags | 0x02]) + struct.pack(">Q", len(data)) + data
    return bytes([flags, len(data)]) + data


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise ConnectionError("peer closed")
        buf += part
    return buf


def messages(t, seq):
    """Messages for the 50 ms step starting at t seconds (seq: per-topic
    counters of this connection)."""
    out = []
    k = int(round(t * 20))
    t_ns = T0_NS + int(t * 1e9)

    def msg(topic, **fields):
        seq[topic] = seq.get(topic, -1) + 1
        m = {"topic": topic, "v": 1, "seq": seq[topic], "t_ns": t_ns}
        m.update(fields)
        out.append((topic, m))

    cycle = t % 12.0
    if cycle < 4:
        phase, start, length = "inhale", 0.0, 4.0
    elif cycle < 6:
        phase, start, length = "hold", 4.0, 2.0
    else:
        phase, start, length = "exhale", 6.0, 6.0
    msg("guide", pattern="4-2-6", phase=phase,
        progress=round((cycle - start) / length, 3),
        breath_progress=round(cycle / 12.0, 3), rate_bpm=5.0, phase_s=length,
        phase_start_ns=t_ns, breath=int(t // 12), following=0.62, resp_bpm=5.4,
        advice="ease", confidence=0.80,
        reasons="EMG neck-left +35 % in 10 s (18 -> 24 uV); HR +8 bpm in 30 s "
                "(64 -> 72): arousal",
        profile="standard", holding=True, technique="trigger_point",
        region="neck-left", hold_s=round(42.0 + t, 1), span_min_s=30,
        span_max_s=90)
    left = 55.0 if t < 3 else 30.0
    msg("emg", channel=0, name="neck-left", sample=k * 50,
        rms_uv=round(left * 0.8, 2), level_pct=left, mdf_hz=110.0, mnf_hz=120.0,
        state="tense" if t < 3 else "releasing", quality=["uncalibrated"])
    msg("emg", channel=1, name="neck-right", sample=k * 50, rms_uv=16.0,
        level_pct=20.0, mdf_hz=110.0, mnf_hz=120.0, state="relaxed",
        quality=["uncalibrated"])
    if k % 20 == 0:
        msg("beat", sample=k * 25, rr_ms=1000.0, hr_bpm=60.0, source="ECG",
            quality=0.95)
        msg("hrv", window_s=60.0, n=60, mean_nn_ms=1000.0, sdnn_ms=50.0,
            rmssd_ms=42.0, pnn50=20.0, sd1_ms=29.7, sd2_ms=64.0, hr_bpm=60.0,
            artifacts_pct=0.0, hf_peak_hz=0.09, slow_breathing=True,
            pns_index=0.8, calm=71.5, calm_trend=2.5)
        msg("status", version="feed", uptime_s=t, dropped_samples=0,
            pub_endpoint="", ctl_endpoint="", subscribers=1, session="",
            sources=[{"name": "strap", "state": "lost",
                      "last_data_age_s": round(12.0 + t, 1),
                      "channels": [{"label": "ECG", "kind": "ecg"}]},
                     {"name": "emg", "state": "running", "last_data_age_s": 0.0,
                      "channels": [{"label": "neck-left", "kind": "emg"}]}])
    if k == 60:
        msg("release", drop_t_ns=t_ns - 5000000000, technique="trigger_point",
            region="neck-left", channel=0, start_uv=44.0, level_uv=30.05,
            drop_pct=31.7, hold_s=40.0, text="neck-left released 32 % after 40 s")
    return out



def serve(conn, end):
    try:
        conn.sendall(greeting())
        recv_exact(conn, 64)
        conn.sendall(command(b"READY", {b"Socket-Type": b"PUB"}))
        conn.settimeout(0.01)
        t, seq = 0.0, {}
        start = time.monotonic()
        while time.monotonic() < end:
            for topic, m in messages(t, seq):
                data = json.dumps(m, separators=(",", ":")).encode()
                conn.sendall(frame(topic.encode(), True) + frame(data, False))
            try:  # READY and subscriptions from the peer: read and ignore
                if conn.recv(4096) == b"":
                    return
            except socket.timeout:
                pass
            t += 0.05
            time.sleep(max(0.0, start + t - time.monotonic()))
    except (OSError, ConnectionError):
        pass
    finally:
        conn.close()


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    end = time.monotonic() + seconds
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    srv.settimeout(0.2)
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, end), daemon=True).start()
    srv.close()


if __name__ == "__main__":
    main()
