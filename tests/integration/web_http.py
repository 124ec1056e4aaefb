"""web_http.py BASE_URL CONSOLE_USER CONSOLE_PW OBSERVER_USER OBSERVER_PW MARK_LABEL
- vagus-web's login and role rules over HTTPS, as a browser's requests would
make them (stdlib only; the certificate is the test's self-signed one).
Prints PASS/FAIL lines; the mark it sends with MARK_LABEL is looked for by
web_console.sh on vagusd's event topic.
"""
import http.client
import json
import ssl
import sys
import urllib.parse

base, cuser, cpw, ouser, opw, label = sys.argv[1:7]
u = urllib.parse.urlparse(base)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
fails = 0


def check(name, ok, extra=""):
    global fails
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else "  (" + str(extra) + ")"))
    if not ok:
        fails += 1


def req(method, path, body=None, headers=None, read=True):
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=15)
    h = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read() if read else r.read(200)
    c.close()
    return r, data


def login(user, pw):
    r, data = req("POST", "/api/login", {"user": user, "password": pw})
    cookie = r.getheader("Set-Cookie") or ""
    return r.status, cookie, data


r, _ = req("GET", "/events", read=False)
check("https: /events without a login is 401", r.status == 401, r.status)
r, data = req("GET", "/")
csp = r.getheader("Content-Security-Policy") or ""
check("https: the page is served, with a strict CSP", r.status == 200 and b"app.js" in data
      and "default-src 'self'" in csp, (r.status, csp))
r, _ = req("POST", "/api/ctl", {"cmd": "ping"})
check("https: control without a login is 401", r.status == 401, r.status)
st, ck, _ = login(cuser, "wrong password")
check("https: a wrong password is refused (401, no cookie)", st == 401 and not ck, (st, ck))
st, ck, _ = login("nobody", cpw)
check("https: an unknown user is refused", st == 401, st)

st, ock, data = login(ouser, opw)
flags = [f.strip() for f in ock.split(";")]
check("https: observer logs in", st == 200 and json.loads(data).get("role") == "observer", (st, data))
check("https: session cookie is HttpOnly, Secure, SameSite=Strict",
      "HttpOnly" in flags and "Secure" in flags and "SameSite=Strict" in flags, ock)
ocookie = ock.split(";")[0]
r, data = req("GET", "/api/whoami", headers={"Cookie": ocookie})
who = json.loads(data)
check("https: whoami says observer", who.get("role") == "observer" and who.get("ctl") == "denied", who)
c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=15)
c.request("GET", "/events", headers={"Cookie": ocookie})
r = c.getresponse()
first = b""
while b"data: {" not in first and len(first) < 100000:
    chunk = r.read1(4096) if hasattr(r, "read1") else r.read(4096)
    if not chunk:
        break
    first += chunk
c.close()
check("https: observer gets the live stream", r.status == 200 and
      r.getheader("Content-Type", "").startswith("text/event-stream") and b"\"topic\"" in first,
      (r.status, first[:200]))
r, data = req("POST", "/api/ctl", {"cmd": "mark", "label": "observer-mark"},
              headers={"Cookie": ocookie, "X-Vagus-CSRF": who.get("csrf", "")})
check("https: observer cannot send control requests (403)", r.status == 403, (r.status, data))

st, cck, data = login(cuser, cpw)
check("https: console logs in", st == 200 and json.loads(data).get("role") == "console", (st, data))
ccookie = cck.split(";")[0]
r, data = req("GET", "/api/whoami", headers={"Cookie": ccookie})
csrf = json.loads(data).get("csrf", "")
mark = {"cmd": "mark", "label": label, "pressure": "deep"}
r, data = req("POST", "/api/ctl", mark, headers={"Cookie": ccookie})
check("https: control without the CSRF token is 403", r.status == 403, (r.status, data))
r, data = req("POST", "/api/ctl", mark, headers={"Cookie": ccookie, "X-Vagus-CSRF": "0" * 64})
check("https: control with a wrong CSRF token is 403", r.status == 403, (r.status, data))
r, data = req("POST", "/api/ctl", mark, headers={"Cookie": ccookie, "X-Vagus-CSRF": who["csrf"]})
check("https: another session's CSRF token is 403", r.status == 403, (r.status, data))
r, data = req("POST", "/api/ctl", json.dumps(mark), headers={
    "Cookie": ccookie, "X-Vagus-CSRF": csrf, "Content-Type": "text/plain"})
check("https: a form-like (text/plain) control post is refused (415)", r.status == 415, r.status)
r, data = req("POST", "/api/ctl", {"cmd": "mark", "label": "x", "lable": "typo"},
              headers={"Cookie": ccookie, "X-Vagus-CSRF": csrf})
check("https: a malformed control request is refused before vagusd (400)",
      r.status == 400 and b"lable" in data, (r.status, data))
r, data = req("POST", "/api/ctl", "x" * 20000, headers={
    "Cookie": ccookie, "X-Vagus-CSRF": csrf, "Content-Type": "application/json"})
check("https: an oversize body is refused (413)", r.status == 413, r.status)
r, data = req("POST", "/api/ctl", mark, headers={"Cookie": ccookie, "X-Vagus-CSRF": csrf})
ok = r.status == 200 and json.loads(data).get("ok") is True
check("https: console with its CSRF token controls vagusd (mark)", ok, (r.status, data))
r, data = req("POST", "/api/logout", b"", headers={"Cookie": ccookie})
r, data = req("POST", "/api/ctl", mark, headers={"Cookie": ccookie, "X-Vagus-CSRF": csrf})
check("https: after logout the cookie is dead (401)", r.status == 401, r.status)
sys.exit(1 if fails else 0)
