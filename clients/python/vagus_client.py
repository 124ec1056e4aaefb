"""vagus_client - subscribe to vagusd's topics from Python and turn messages into rows.

Problem: researchers script experiments in Python; they need vagusd's live
messages (beat, hrv, resp, emg, guide, release, mark.response, status, event)
as plain rows, over plain TCP or CURVE-encrypted ZeroMQ.
Approach: a pyzmq SUB socket (two frames: topic, JSON object; see
protocol/PROTOCOL.md); CURVE as protocol/keys.c does it: the daemon's public
key from VAGUS_SERVER_KEY (Z85), this client's pair from the key file named
by VAGUS_KEY_FILE ("public = KEY" / "secret = KEY", '#' comments; the public
key derived from the secret when absent). to_row() flattens a message: nested
objects become dotted columns, lists become JSON text, null becomes None.
Limits: Debian's python3-zmq (pyzmq); no reconnection logic of its own
(ZeroMQ reconnects); messages lost by the PUB socket show as seq jumps.
"""

import json
import os

import zmq

Z85 = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")


def key_valid(s):
    return isinstance(s, str) and len(s) == 40 and all(c in Z85 for c in s)


def load_key_file(path):
    """Return (public_z85, secret_z85) from a vagus key file (protocol/keys.h format)."""
    pub = sec = None
    with open(path, "r", encoding="ascii") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if "=" not in s:
                raise ValueError("%s:%d: want 'public = KEY' or 'secret = KEY'" % (path, n))
            k, v = (x.strip() for x in s.split("=", 1))
            if k not in ("public", "secret") or not key_valid(v):
                raise ValueError("%s:%d: %s" % (path, n, "not a 40-character Z85 key"
                                                if k in ("public", "secret") else "unknown key name"))
            if k == "public":
                pub = v
            else:
                sec = v
    if not sec:
        raise ValueError("%s: no 'secret = KEY' line" % path)
    if not pub:
        pub = zmq.curve_public(sec.encode()).decode()
    return pub, sec


def curve_from_env(env=os.environ):
    """(server_public, client_public, client_secret) or None when VAGUS_SERVER_KEY is unset."""
    server = env.get("VAGUS_SERVER_KEY")
    if not server:
        return None
    if not key_valid(server):
        raise ValueError("VAGUS_SERVER_KEY is not a 40-character Z85 key")
    path = env.get("VAGUS_KEY_FILE")
    if not path:
        raise ValueError("VAGUS_SERVER_KEY is set but VAGUS_KEY_FILE is not")
    pub, sec = load_key_file(path)
    return server, pub, sec


class Subscriber:
    """A SUB socket on vagusd's publisher. topics: prefixes ("" = all)."""

    def __init__(self, endpoint="tcp://127.0.0.1:5560", topics=("",), curve=None, ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        curve = curve if curve is not None else curve_from_env()
        if curve:
            server, pub, sec = curve
            self.sock.curve_serverkey = server.encode()
            self.sock.curve_publickey = pub.encode()
            self.sock.curve_secretkey = sec.encode()
        for t in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, t.encode())
        self.sock.connect(endpoint)
        self.poller = zmq.Poller()
        self.poller.register(self.sock, zmq.POLLIN)

    def recv(self, timeout_ms=1000):
        """(topic, message dict) or None after timeout_ms. Bad JSON is skipped."""
        while True:
            if not self.poller.poll(timeout_ms):
                return None
            frames = self.sock.recv_multipart()
            if len(frames) != 2:
                continue
            try:
                return frames[0].decode(), json.loads(frames[1])
            except (ValueError, UnicodeDecodeError):
                continue

    def close(self):
        self.sock.close(0)


def to_row(msg, prefix=""):
    """Flatten one message into {column: value}."""
    row = {}
    for k, v in msg.items():
        name = prefix + k
        if isinstance(v, dict):
            row.update(to_row(v, name + "."))
        elif isinstance(v, list):
            row[name] = json.dumps(v, separators=(",", ":"))
        else:
            row[name] = v
    return row
