"""web_bench.py URL DAEMON_PID WEB_PID - figures of the web console (run by
web_bench.sh): vagusd's CPU with no browser and with 20 browsers on
vagus-web, sample -> screen delay over WEB_BENCH_LAT_S (default 120 s) and
the pacer tones' drift from the daemon's phase boundaries over
WEB_BENCH_DRIFT_S (default 600 s), measured in headless Chromium.
The 20 "browsers" are 20 tabs, each in its own browser context (own
connection pool: one Chromium allows 6 streams per host, see http.h).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import web_cdp  # noqa: E402

url, dpid, wpid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cpu_s = float(os.environ.get("WEB_BENCH_CPU_S", 60))
lat_s = float(os.environ.get("WEB_BENCH_LAT_S", 120))
drift_s = float(os.environ.get("WEB_BENCH_DRIFT_S", 600))
hz = os.sysconf("SC_CLK_TCK")


def ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        x = f.read().rsplit(")", 1)[1].split()
    return int(x[11]) + int(x[12])


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def cpu(seconds):
    d0, w0, t0 = ticks(dpid), ticks(wpid), time.time()
    time.sleep(seconds)
    d1, w1, t1 = ticks(dpid), ticks(wpid), time.time()
    return 100.0 * (d1 - d0) / hz / (t1 - t0), 100.0 * (w1 - w0) / hz / (t1 - t0)


STATS = """(() => {
  const q = (a, f) => { if (!a.length) return null; const s = a.slice().sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.floor(f * s.length))]; };
  const d = vgStats.drift, ad = d.map(Math.abs), n = d.length, k = Math.max(1, Math.floor(n / 10));
  const mean = (a) => a.length ? a.reduce((x, y) => x + y, 0) / a.length : null;
  return {n: vgStats.lat.length, p50: q(vgStats.lat, .5), p99: q(vgStats.lat, .99), min: q(vgStats.lat, 0),
          wp50: q(vgStats.web, .5), wp99: q(vgStats.web, .99), wmax: q(vgStats.web, 1),
          pmin: q(vgStats.pub, 0), pp50: q(vgStats.pub, .5), pp99: q(vgStats.pub, .99),
          nd: n, d50: q(ad, .5), d99: q(ad, .99), dmax: q(ad, 1),
          first: mean(d.slice(0, k)), last: mean(d.slice(n - k)), lost: vgStats.lost, unplanned: vgStats.unplanned,
          within50: ad.filter((x) => x < 50).length,
          worst: d.map((x, i) => [i, Math.round(x)]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, 3),
          reconnects: vgStats.reconnects}; })()"""

print("web_bench: load average at start %s" % open("/proc/loadavg").read().split()[0], flush=True)
b = web_cdp.Browser(timeout=180)
try:
    time.sleep(3)
    d0, w0 = cpu(cpu_s)
    print("web_bench: vagusd CPU %.2f %% of a core, vagus-web %.2f %% (no browser, %.0f s)"
          % (d0, w0, cpu_s), flush=True)
    tabs = int(os.environ.get("WEB_BENCH_TABS", 20))
    pages = [b.new_page(url, 800, 600, own_context=True) for _ in range(max(1, tabs))]
    live = [p.wait("document.getElementById('conn').textContent === 'live'", 60) for p in pages]
    time.sleep(3)
    secs = cpu_s if tabs > 1 else 1
    d1, w1 = cpu(secs)
    clients = pages[0].eval("vgState.webNote ? vgState.webNote.clients : -1")
    print("web_bench: vagusd CPU %.2f %% of a core, vagus-web %.2f %% (%d browsers, %d live, "
          "%d streams on vagus-web, %.0f s); vagus-web RSS %d KiB"
          % (d1, w1, len(pages), sum(1 for x in live if x), clients, secs, rss_kib(wpid)), flush=True)
    for p in pages[1:]:
        b.call("Target.closeTarget", {"targetId": p.tid})
    p = pages[0]
    p.size(1280, 800)
    p.click("#b-sound")
    p.click("#b-pacer")
    p.wait("!document.getElementById('d-pacer').hidden", 3)
    p.click("[data-p=resonance]")
    time.sleep(2)
    p.eval("vgStats.lat.length = 0; vgStats.web.length = 0; vgStats.pub.length = 0; vgStats.drift.length = 0; vgStats.unplanned = 0; 1")
    t0 = time.time()
    time.sleep(lat_s)
    f = p.eval(STATS)
    print("web_bench: sample -> screen over %.0f s (emg, guide; %d values): p50 %.0f ms, p99 %.0f ms, "
          "min %.0f ms (t_ns -> drawn); vagus-web receipt -> drawn p50 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (lat_s, f["n"], f["p50"], f["p99"], f["min"], f["wp50"], f["wp99"], f["wmax"]), flush=True)
    print("web_bench: of which t_ns -> vagus-web receipt (vagusd's part) min %.0f ms, p50 %.0f ms, p99 %.0f ms; "
          "sample -> screen less the fastest message's delay p50 %.0f ms, "
          "p99 %.0f ms" % (f["pmin"], f["pp50"], f["pp99"], f["p50"] - f["min"], f["p99"] - f["min"]), flush=True)
    time.sleep(max(0, drift_s - (time.time() - t0)))
    f = p.eval(STATS)
    print("web_bench: pacer drift over %.0f s (%d phase boundaries): |tone start - daemon boundary| "
          "p50 %.1f ms, p99 %.1f ms, max %.1f ms; mean of the first tenth %.1f ms, last tenth %.1f ms; "
          "tones started late (pacer switched on) %d; messages lost %d, stream reopened %d"
          % (drift_s, f["nd"], f["d50"], f["d99"], f["dmax"], f["first"], f["last"], f["unplanned"],
             f["lost"], f["reconnects"]),
          flush=True)
    print("web_bench: pacer: %d of %d boundaries within 50 ms; the worst (boundary number, signed ms): %s"
          % (f["within50"], f["nd"], f["worst"]), flush=True)
    print("web_bench: load average at end %s" % open("/proc/loadavg").read().split()[0], flush=True)
finally:
    b.close()
