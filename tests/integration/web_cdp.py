"""web_cdp.py - drive Debian's headless Chromium through the DevTools
protocol, for the web console's test (web_console.sh) and bench
(tests/bench/web_bench.sh).

Problem: the web console must be tested in a real browser (layout, EventSource,
WebAudio, clicks), without WebDriver's extra moving parts.
Approach: start `chromium --headless --remote-debugging-port=0`, read the
browser's WebSocket address from its stderr, attach to pages with flattened
sessions (one socket, many tabs: Target.attachToTarget flatten=true), and
offer the few verbs a test needs: goto, eval (Runtime.evaluate, awaiting
promises), click (a real mouse press/release at the element's centre, so it
counts as a user gesture for WebAudio), type (Input.insertText into the
focused field), screenshot (at a given viewport size).
Needs python3-websocket (Debian package; run with /usr/bin/python3).
Limits: one thread; events are read and dropped while waiting for a reply.
"""
import base64
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import websocket  # python3-websocket

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--ignore-certificate-errors", "--autoplay-policy=no-user-gesture-required",
         "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
         "--disable-backgrounding-occluded-windows", "--mute-audio"]


def _die_with_parent():
    """In the child: SIGTERM when this Python process dies (prctl PR_SET_PDEATHSIG),
    so a killed test leaves no browser behind."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)
    except OSError:
        pass


def chromium_path():
    for n in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(n)
        if p:
            return p
    return None


class Browser:
    def __init__(self, timeout=60):
        self.timeout = timeout  # per DevTools call: generous, the machine may be loaded
        self.dir = tempfile.mkdtemp(prefix="vg-chromium-")
        self.log = open(os.path.join(self.dir, "stderr.log"), "w+")
        self.proc = subprocess.Popen(
            [chromium_path()] + FLAGS + ["--user-data-dir=" + self.dir,
                                         "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log, preexec_fn=_die_with_parent)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))  # run the callers' finally
        url = None
        end = time.time() + timeout
        while time.time() < end and url is None:
            time.sleep(0.1)
            self.log.seek(0)
            m = re.search(r"DevTools listening on (ws://\S+)", self.log.read())
            if m:
                url = m.group(1)
            if self.proc.poll() is not None:
                break
        if not url:
            self.close()
            raise RuntimeError("chromium did not start")
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self.next_id = 0

    def call(self, method, params=None, session=None, timeout=None):
        timeout = timeout or self.timeout
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        end = time.time() + timeout
        while time.time() < end:
            self.ws.settimeout(max(0.1, end - time.time()))
            r = json.loads(self.ws.recv())
            if r.get("id") == mid:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
        raise TimeoutError(method)

    def new_page(self, url="about:blank", width=1280, height=800, own_context=False):
        params = {"url": "about:blank"}
        if own_context:  # its own cookie jar and connection pool (bench: 20 "browsers")
            params["browserContextId"] = self.call("Target.createBrowserContext")["browserContextId"]
        tid = self.call("Target.createTarget", params)["targetId"]
        sid = self.call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
        p = Page(self, sid, tid)
        p.call("Page.enable")
        p.call("Runtime.enable")
        p.size(width, height)
        if url != "about:blank":
            p.goto(url)
        return p

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Page:
    def __init__(self, b, sid, tid):
        self.b, self.sid, self.tid = b, sid, tid

    def call(self, method, params=None, timeout=None):
        return self.b.call(method, params, self.sid, timeout)

    def size(self, w, h):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": w < 600})

    def goto(self, url):
        self.call("Page.navigate", {"url": url})
        self.wait("document.readyState === 'complete'", 20)

    def eval(self, js, timeout=None):
        r = self.call("Runtime.evaluate", {"expression": js, "returnByValue": True,
                                           "awaitPromise": True}, timeout)
        if "exceptionDetails" in r:
            raise RuntimeError("JS: %s" % r["exceptionDetails"].get("exception", {}).get(
                "description", r["exceptionDetails"].get("text")))
        return r.get("result", {}).get("value")

    def wait(self, js, timeout=10, period=0.1):
        """Poll until the expression is truthy; returns its value or None."""
        end = time.time() + timeout
        while True:
            try:
                v = self.eval(js)
            except RuntimeError:
                v = None
            if v or time.time() > end:
                return v
            time.sleep(period)

    def click(self, selector):
        r = self.eval("(() => { const e = document.querySelector(%s); if (!e) return null;"
                      " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                      " return [r.x + r.width / 2, r.y + r.height / 2, r.width, r.height]; })()"
                      % json.dumps(selector))
        if not r or r[2] == 0:
            raise RuntimeError("not on screen: " + selector)
        for t in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": t, "x": r[0], "y": r[1],
                                                   "button": "left", "clickCount": 1})

    def type(self, selector, text):
        self.click(selector)
        self.eval("document.querySelector(%s).select && document.querySelector(%s).select()"
                  % (json.dumps(selector), json.dumps(selector)))
        self.call("Input.insertText", {"text": text})

    def text(self, selector):
        return self.eval("(() => { const e = document.querySelector(%s);"
                         " return e ? e.textContent : null; })()" % json.dumps(selector))

    def screenshot(self, path, w, h):
        self.size(w, h)
        time.sleep(0.6)  # a few frames at the new size
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
