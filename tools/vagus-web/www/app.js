/*
 * app.js - the vagus web console in the browser.
 *
 * Problem: show vagusd's live figures for a glance from 2 m (calm, HR,
 * RMSSD, breathing, tension per region, pacer, advice, hold clock, session,
 * REC, SIMULATOR, source states), drive it with large buttons, play the
 * breathing pacer as sound in time with the daemon, and say plainly when
 * the data is old or the connection is gone.
 * Approach: an EventSource on /events (vagus-web, tools/vagus-web/sse.h)
 * brings every message of vagusd as published (field names:
 * protocol/PROTOCOL.md); handlers keep the latest of each in `S`, and one
 * requestAnimationFrame pass draws what changed (and the pacer at 60 Hz).
 * Control: POST /api/ctl with the control channel's JSON (PROTOCOL.md,
 * "Control channel") and the session's CSRF token (from /api/whoami).
 * Pacer sound (WebAudio): a soft sine per phase, rising over the inhale,
 * falling over the exhale, silent on holds, scheduled on the audio clock
 * at the daemon's phase boundaries: the sample clock (t_ns) is mapped to
 * this page's clock by the smallest (arrival - t_ns) seen over the last
 * 5 minutes (the fastest message carries the least delay; a long window
 * keeps the mapping still when the machine is busy), and the next
 * boundary (phase_start_ns + phase_s) is known before it comes, so tones
 * start on time instead of when the message arrives.
 * Measurements (for tests/integration/web_console.sh and tests/bench):
 * window.vgStats.lat (ms from an `emg` or `guide` message's t_ns, the time
 * of the newest sample it covers, to its value drawn on the screen; `beat`
 * and `hrv` are dated by the R peak, which the detector and the RR cleaner
 * only confirm beats later), .web (ms from vagus-web's receipt, the SSE id, to the screen),
 * .drift (ms from the mapped daemon boundary to the start of the tone
 * planned for it, on the audio output clock), .unplanned (tones started
 * late because their boundary could not be foreseen: the pacer was just
 * switched on or changed pattern). Elements that show a message's value carry
 * data-topic / data-seq so a test can compare them with the message.
 * Reconnects: EventSource retries by itself; a watchdog also reopens it
 * when vagus-web's 1 Hz note stops for WATCHDOG_MS (a Wi-Fi drop that
 * leaves a dead TCP connection).
 * Limits: the clock mapping assumes the sample clock runs at real time
 * (vagusd --speed 1), as with any real sensor.
 */
'use strict';

const STALE_MS = 5000;        // a figure older than this is dimmed
const SILENT_MS = 3000;       // no message from vagusd: banner
const WATCHDOG_MS = 5000;     // no note from vagus-web: reopen the stream
const OFFSET_SPAN_S = 300;    // clock-offset window, s (same machine or NTP: no drift to follow)
const SHORT_WINDOW_MAX_S = 90;
const TECHNIQUES = ['trigger_point', 'myofascial', 'deep_tissue', 'swedish', 'craniosacral', 'other'];
const STAT_MAX = 50000;

const $ = (id) => document.getElementById(id);
const S = {
  beat: null, hrvShort: null, hrvLong: null, resp: null, guide: null, status: null,
  regions: [], releases: {}, sessionStart: null, lastSummary: null,
  at: {}, seq: {}, dirty: true, daemonAge: null, noteAt: 0, esOpen: false,
  calmHist: [], role: 'none', csrf: '', login: false,
};
const stats = { lat: [], web: [], pub: [], drift: [], unplanned: 0, latTopic: [], lost: 0, reconnects: 0 };
window.vgStats = stats;
window.vgState = S;
window.vgAudioMap = () => amap;
let pending = [];  // [t_ns, recv_wall_ms, topic] of messages waiting to be drawn

/* ------------------------------------------------------------ clock map */
// sample clock (ms) -> page wall clock (ms): the least (arrival - t_ns) of
// each second, the least of those over OFFSET_SPAN_S (one bucket a second)
const off = { buckets: [], best: null };
function nowWall() { return performance.timeOrigin + performance.now(); }
function noteOffset(tNs) {
  const now = nowWall(), d = now - tNs / 1e6, sec = Math.floor(now / 1000), b = off.buckets;
  if (b.length && b[b.length - 1][0] === sec) { if (d < b[b.length - 1][1]) b[b.length - 1][1] = d; }
  else b.push([sec, d]);
  while (b.length && b[0][0] <= sec - OFFSET_SPAN_S) b.shift();
  let m = Infinity;
  for (const x of b) if (x[1] < m) m = x[1];
  const prev = off.best;
  off.best = m;
  // the first minutes' estimate is too high until a fast message comes:
  // tones planned with it would sound late, so move those not started yet
  if (prev !== null && Math.abs(prev - m) > 2) retimeTones();
}
function sampleToWall(ns) { return ns / 1e6 + (off.best || 0); }

/* ------------------------------------------------------------ stream */
let es = null;
function openStream() {
  if (es) es.close();
  es = new EventSource('/events');
  es.onopen = () => { S.esOpen = true; S.noteAt = performance.now(); S.dirty = true; };
  es.onerror = () => {
    S.esOpen = false; S.dirty = true;
    if (es.readyState === EventSource.CLOSED) setTimeout(start, 2000);
  };
  es.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch (err) { return; }
    onMessage(m, Number(e.lastEventId) || 0);
  };
  es.addEventListener('web', (e) => {
    try {
      const n = JSON.parse(e.data);
      S.daemonAge = n.daemon_age_s; S.noteAt = performance.now(); S.webNote = n; S.dirty = true;
    } catch (err) { /* ignore */ }
  });
}
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now(), stalled = now - lastTick > 2000; // this page was frozen:
  lastTick = now;                                               // queued notes not read yet
  if (!stalled && S.role !== 'none' && now - S.noteAt > WATCHDOG_MS) {
    stats.reconnects++; S.esOpen = false; S.noteAt = now; openStream();
  }
}, 1000);

function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }

function onMessage(m, recvMs) {
  if (!m || typeof m.topic !== 'string') return;
  const t = m.topic;
  const last = S.seq[t];
  if (last !== undefined && m.seq > last + 1 && t !== 'emg') stats.lost += m.seq - last - 1;
  S.seq[t] = m.seq;
  S.at[t] = performance.now();
  if (typeof m.t_ns === 'number' && t !== 'status' && t !== 'event') noteOffset(m.t_ns);
  switch (t) {
    case 'beat': S.beat = m; break;
    case 'hrv':
      if (num(m.window_s) !== null && m.window_s > SHORT_WINDOW_MAX_S) S.hrvLong = m;
      else { S.hrvShort = m; addCalm(m); }
      break;
    case 'resp': S.resp = m; break;
    case 'emg': onEmg(m); break;
    case 'guide': onGuide(m); break;
    case 'status': S.status = m; break;
    case 'event': onEvent(m); break;
    case 'release': onRelease(m.region, m.drop_pct, m.t_ns); break;
    default: break;
  }
  if (t === 'emg' || t === 'guide') // t_ns = the newest sample they cover
    pending.push([m.t_ns, recvMs, t]);
  S.dirty = true;
}

function gaugeOf(h) {
  const c = num(h.calm);
  if (c !== null) return { v: c, norms: false };
  const p = num(h.pns_index);
  if (p !== null) return { v: Math.max(0, Math.min(100, 50 + 50 * Math.tanh(p))), norms: true };
  return null;
}
function addCalm(h) {
  const g = gaugeOf(h);
  if (!g) return;
  const tS = h.t_ns / 1e9, hist = S.calmHist;
  if (hist.length && tS - hist[hist.length - 1][0] < 5) hist[hist.length - 1][1] = g.v;
  else hist.push([tS, g.v]);
  while (hist.length && hist[0][0] < tS - 900) hist.shift();
}

function onEmg(m) {
  const ch = m.channel;
  if (typeof ch !== 'number' || ch < 0 || ch > 63) return;
  const prev = S.regions[ch], uv = num(m.rms_uv);
  // bar full scale: a slowly decaying peak of the envelope (as vagus-console)
  let scale = prev ? prev.scale * 0.998 : 0;
  if (uv !== null) scale = Math.max(scale, uv * 1.25, 5);
  S.regions[ch] = { msg: m, at: performance.now(), scale };
}

function onRelease(region, dropPct, tNs) {
  if (!region) return;
  const r = S.releases[region] || { n: 0 };
  r.n++; r.drop = num(dropPct); r.at = performance.now(); r.t_ns = tNs;
  S.releases[region] = r;
}

function onEvent(m) {
  const d = m.data && typeof m.data === 'object' ? m.data : {};
  switch (m.kind) {
    case 'session.start': S.sessionStart = m; break;
    case 'session.summary': S.lastSummary = m; maybeShowSummary(); break;
    case 'emg.release': break; // the `release` topic carries the same, with the drop
    case 'source.lost': case 'source.stalled': case 'source.resumed': case 'source.connected':
      toast(m.kind.replace('source.', 'source ') + (m.source ? ': ' + m.source : ''), m.kind !== 'source.resumed' && m.kind !== 'source.connected');
      break;
    case 'record.error': toast('recording error: ' + (m.detail || ''), true); break;
    default: break;
  }
  void d;
}

/* ------------------------------------------------------------ pacer */
const P = { phase: 'off', start: 0, len: 0, pattern: 'off', next: {}, lenOf: {}, scheduled: {}, pendingDrift: [] };
const PHASE_WORD = { inhale: 'in', hold: 'hold', exhale: 'out', hold_out: 'hold', off: 'off' };
function onGuide(g) {
  const prev = S.guide;
  S.guide = g;
  const start = typeof g.phase_start_ns === 'number' ? g.phase_start_ns : 0;
  if (g.phase !== P.phase || start !== P.start) {
    if (P.phase !== 'off' && g.phase !== 'off') P.next[P.phase] = g.phase; // learn the cycle
    P.phase = g.phase; P.start = start;
    boundarySeen(g.phase, start, num(g.phase_s));
  }
  P.len = num(g.phase_s) || 0;
  if (P.len) P.lenOf[P.phase] = P.len;
  P.pattern = g.pattern;
  if (prev && prev.pattern !== g.pattern) cancelTones();
  planNextTone();
}

/* ------------------------------------------------------------ audio */
const A = { ctx: null, gain: null, on: false, vol: 0.4, voices: [] };
const TONE = { inhale: [220, 330], exhale: [330, 220] }; // Hz, start -> end
function soundToggle() {
  if (!A.ctx) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) { toast('no WebAudio in this browser', true); return; }
    A.ctx = new AC({ latencyHint: 'interactive' });
    A.gain = A.ctx.createGain();
    A.gain.connect(A.ctx.destination);
  }
  A.on = !A.on;
  if (A.on) A.ctx.resume();
  A.gain.gain.value = A.on ? A.vol : 0;
  if (!A.on) cancelTones();
  const b = $('b-sound');
  b.textContent = A.on ? 'Sound on' : 'Sound off';
  b.setAttribute('aria-pressed', A.on ? 'true' : 'false');
}
function setVolume(v) {
  A.vol = Math.max(0, Math.min(1, v / 100));
  if (A.gain && A.on) A.gain.gain.setTargetAtTime(A.vol, A.ctx.currentTime, 0.05);
  try { localStorage.setItem('vagus.vol', String(v)); } catch (e) { /* private mode */ }
}
/* audio clock <-> page clock: getOutputTimestamp() pairs an audio-clock
 * time with the moment it reaches the speaker, but each pair jitters by a
 * render buffer (10 ms steps in headless Chromium); the median of the pairs'
 * difference over the last AUDIO_MAP_N readings (10 a second) is steady and
 * still follows the sound card's clock drift against the system's and the
 * slips of a late render, which move the tones not yet started. */
const AUDIO_MAP_N = 20;
const amap = { d: [], med: null };
function audioMapSample() {
  if (!A.ctx || !A.ctx.getOutputTimestamp) return;
  const ts = A.ctx.getOutputTimestamp();
  if (!ts || !(ts.performanceTime > 0)) return;
  amap.d.push(ts.performanceTime - ts.contextTime * 1000);
  if (amap.d.length > AUDIO_MAP_N) amap.d.shift();
  const s = amap.d.slice().sort((a, b) => a - b), prev = amap.med;
  amap.med = s[s.length >> 1];
  // the audio clock slipped (a late render, an underrun): move the tones
  // that have not started, as for a new clock-offset estimate
  if (prev !== null && Math.abs(amap.med - prev) > 2) retimeTones();
}
setInterval(audioMapSample, 100);
/* audio-clock seconds for a page wall-clock time, ms */
function wallToCtx(ms) {
  if (amap.med === null) audioMapSample();
  if (amap.med !== null) return (ms - performance.timeOrigin - amap.med) / 1000;
  return A.ctx.currentTime + (ms - nowWall()) / 1000;
}
function ctxToWall(sec) {
  if (amap.med === null) audioMapSample();
  if (amap.med !== null) return performance.timeOrigin + amap.med + sec * 1000;
  return nowWall() + (sec - A.ctx.currentTime) * 1000;
}
function cancelTones() {
  for (const v of A.voices) { try { v.osc.stop(); } catch (e) { /* not started */ } }
  A.voices = []; P.scheduled = {};
}
/* schedule the tone of the phase that starts at the current phase's end */
function planNextTone() {
  if (P.phase === 'off' || !P.len || !P.start || off.best === null) return;
  const endNs = P.start + Math.round(P.len * 1e9);
  if (P.scheduled[endNs]) return;
  const kind = P.next[P.phase] || { // until the cycle is learned (custom holds)
    inhale: P.pattern === '4-2-6' ? 'hold' : 'exhale', hold: 'exhale', exhale: 'inhale', hold_out: 'inhale',
  }[P.phase];
  if (!kind) return;
  const atWall = sampleToWall(endNs);
  // planned as soon as the phase is known (its end is exact): a stream that
  // stalls for less than a phase does not move the tone
  P.scheduled[endNs] = { kind, atWall };
  if (A.on && A.ctx && TONE[kind]) startTone(kind, atWall, endNs, P.lenOf[kind] || 4);
}
function startTone(kind, atWall, startNs, lenS) {
  const t0 = Math.max(A.ctx.currentTime + 0.005, wallToCtx(atWall));
  const osc = A.ctx.createOscillator(), g = A.ctx.createGain();
  const f = TONE[kind]; // shaped to the length it had last time, refitted at the boundary
  osc.type = 'sine';
  osc.frequency.setValueAtTime(f[0], t0);
  osc.frequency.linearRampToValueAtTime(f[1], t0 + lenS);
  g.gain.setValueAtTime(0, t0);
  g.gain.linearRampToValueAtTime(0.5, t0 + 0.08);
  g.gain.setValueAtTime(0.5, t0 + Math.max(0.1, lenS - 0.3));
  g.gain.linearRampToValueAtTime(0, t0 + lenS);
  osc.connect(g); g.connect(A.gain);
  osc.start(t0);
  osc.stop(t0 + lenS + 0.05);
  const v = { osc, g, kind, startNs, t0, len: lenS };
  A.voices.push(v);
  osc.onended = () => { A.voices = A.voices.filter((x) => x !== v); };
  P.pendingDrift.push(v);
}
/* the clock mapping moved: tones that have not started move with it */
function retimeTones() {
  if (!A.on || !A.ctx) return;
  const now = A.ctx.currentTime;
  for (const v of A.voices.slice()) {
    if (v.unplanned || v.t0 < now + 0.03) continue;
    const t0 = wallToCtx(sampleToWall(v.startNs));
    if (Math.abs(t0 - v.t0) < 0.002 || t0 < now + 0.01) continue;
    try { v.osc.stop(); } catch (e) { /* not started */ }
    A.voices = A.voices.filter((x) => x !== v);
    P.pendingDrift = P.pendingDrift.filter((x) => x !== v);
    startTone(v.kind, sampleToWall(v.startNs), v.startNs, v.len);
  }
}
/* the daemon says a phase began at startNs: fit the running tone to it */
function boundarySeen(phase, startNs, lenS) {
  if (!A.on || !A.ctx) return;
  const t = A.ctx.currentTime;
  for (const v of A.voices) {
    if (v.startNs === startNs && v.kind === phase) { // the planned tone
      if (!lenS || Math.abs(lenS - v.len) < 0.05) continue; // shaped right already
      const end = v.t0 + lenS, a = Math.max(t, v.t0); // refit to the real length
      v.osc.frequency.cancelScheduledValues(a);
      v.osc.frequency.linearRampToValueAtTime(TONE[phase][1], end);
      v.g.gain.cancelScheduledValues(a);
      v.g.gain.linearRampToValueAtTime(0.5, Math.max(a + 0.08, end - 0.3));
      v.g.gain.linearRampToValueAtTime(0, end);
      v.osc.stop(end + 0.05);
      v.len = lenS;
    } else { // an older tone, or a wrong guess of the next phase: fade out
      v.g.gain.cancelScheduledValues(t);
      v.g.gain.setTargetAtTime(0, t, 0.05);
      try { v.osc.stop(t + 0.3); } catch (e) { /* stopped */ }
    }
  }
  if (TONE[phase] && !A.voices.some((v) => v.startNs === startNs && v.kind === phase) && lenS) {
    const late = (nowWall() - sampleToWall(startNs)) / 1000; // not planned (pattern change)
    if (late < lenS - 0.5) {
      startTone(phase, nowWall(), startNs, lenS - Math.max(0, late));
      A.voices[A.voices.length - 1].unplanned = true;
      stats.unplanned++;
    }
  }
  const mapped = sampleToWall(startNs);
  P.pendingDrift = P.pendingDrift.filter((v) => {
    if (v.startNs !== startNs || v.kind !== phase || v.unplanned) return false;
    setTimeout(() => { // once it sounds, read the output clock
      if (stats.drift.length < STAT_MAX) stats.drift.push(ctxToWall(v.t0) - mapped);
    }, Math.max(0, (v.t0 - A.ctx.currentTime) * 1000) + 200);
    return false;
  });
}

/* ------------------------------------------------------------ drawing */
function fmt(v, d) { return v === null || v === undefined ? '–' : v.toFixed(d); }
function setVal(id, text, m, stale) {
  const e = $(id);
  if (e.textContent !== text) e.textContent = text;
  if (m) { e.dataset.topic = m.topic; e.dataset.seq = String(m.seq); }
  e.classList.toggle('stale-val', !!stale);
}
function ageOf(t) { return S.at[t] ? performance.now() - S.at[t] : Infinity; }
function mmss(s) {
  if (s === null || !isFinite(s) || s < 0) return '–';
  s = Math.floor(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
  return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + String(x).padStart(2, '0');
}

function drawBar() {
  const st = S.status;
  const rec = $('rec');
  if (st) {
    rec.textContent = st.recording ? 'REC' : 'NOT RECORDING';
    rec.className = 'chip ' + (st.recording ? 'ok' : 'bad');
    rec.title = st.recording ? 'recording to ' + st.record_path : 'this session is not written to disk';
    $('sim').hidden = !st.simulated;
  }
  const conn = $('conn');
  const silent = S.daemonAge === null || S.daemonAge > SILENT_MS / 1000;
  if (!S.esOpen) { conn.textContent = 'OFFLINE · reconnecting'; conn.className = 'chip bad'; }
  else if (silent) { conn.textContent = 'NO DATA from vagusd'; conn.className = 'chip bad'; }
  else { conn.textContent = 'live'; conn.className = 'chip ok'; }
  // sources
  const box = $('sources');
  let html = '';
  const srcs = st && Array.isArray(st.sources) ? st.sources : [];
  for (const s of srcs) {
    let state = String(s.state || '?'), cls = 'ok';
    if (state === 'running' && num(s.last_data_age_s) !== null && s.last_data_age_s > 2) { state = 'stale ' + Math.round(s.last_data_age_s) + ' s'; cls = 'warn'; }
    else if (state === 'stalled' || state === 'starting') cls = 'warn';
    else if (state !== 'running') cls = 'bad';
    html += '<span class="chip ' + cls + '" data-source="' + esc(s.name) + '">' + esc(s.name) + ': ' + esc(state) + '</span>';
  }
  if (box.dataset.html !== html) { box.innerHTML = html; box.dataset.html = html; }
  // session
  const sess = st ? st.session : '';
  const sb = $('b-session'), se = $('sess');
  if (sess) {
    const mt = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)/.exec(sess);
    const t0 = mt ? Date.UTC(+mt[1], +mt[2] - 1, +mt[3], +mt[4], +mt[5], +mt[6]) : null;
    const client = sess.indexOf('_') >= 0 ? sess.slice(sess.indexOf('_') + 1) : '';
    se.textContent = 'Session ' + (t0 ? mmss((Date.now() - t0) / 1000) : '') + (client ? ' · ' + client : '');
    se.className = 'chip ok';
    sb.textContent = 'Stop session'; sb.classList.add('active');
  } else {
    se.textContent = 'no session'; se.className = 'chip';
    sb.textContent = 'Start session'; sb.classList.remove('active');
  }
  // banner
  const ban = $('stale');
  let msg = '';
  if (!S.esOpen) msg = 'Connection to vagus-web lost: reconnecting…';
  else if (S.daemonAge === null) msg = 'Waiting for vagusd…';
  else if (S.daemonAge > SILENT_MS / 1000) msg = 'No data from vagusd for ' + Math.round(S.daemonAge) + ' s: figures are old';
  else {
    const bad = srcs.filter((s) => s.state !== 'running');
    if (bad.length) msg = 'Sensor ' + bad.map((s) => s.name + ' ' + s.state).join(', ');
  }
  ban.hidden = !msg;
  if (ban.textContent !== msg) ban.textContent = msg;
}

function drawCalm() {
  const h = S.hrvShort, stale = ageOf('hrv') > STALE_MS;
  const g = h ? gaugeOf(h) : null;
  setVal('calm', g ? String(Math.round(g.v)) : '–', h, stale);
  const len = 251.3; // arc length of the gauge path
  $('g-val').style.strokeDasharray = (g ? (g.v / 100) * len : 0) + ' 1000';
  let tr = h ? num(h.calm_trend) : null;
  const te = $('calm-trend');
  te.textContent = tr === null ? '' : (tr > 0.05 ? '▲ ' : tr < -0.05 ? '▼ ' : '▶ ') + (tr > 0 ? '+' : '') + tr.toFixed(1) + '/min';
  te.className = 'trend' + (tr === null ? '' : tr > 0.05 ? ' up' : tr < -0.05 ? ' down' : '');
  $('calm-note').textContent = !g ? 'no HRV yet' : g.norms ? 'before baseline: against population norms' : 'vs this session\'s baseline';
  const hist = S.calmHist;
  if (hist.length > 1) {
    const t1 = hist[hist.length - 1][0], t0 = Math.max(hist[0][0], t1 - 600);
    const pts = hist.filter((p) => p[0] >= t0).map((p) =>
      ((p[0] - t0) / Math.max(1, t1 - t0) * 300).toFixed(1) + ',' + (60 - p[1] * 0.6).toFixed(1));
    $('spark-line').setAttribute('points', pts.join(' '));
  }
}

function drawVitals() {
  const b = S.beat;
  setVal('hr', b && num(b.hr_bpm) !== null ? String(Math.round(b.hr_bpm)) : '–', b, ageOf('beat') > STALE_MS);
  const h = S.hrvShort;
  setVal('rmssd', h && num(h.rmssd_ms) !== null ? String(Math.round(h.rmssd_ms)) : '–', h, ageOf('hrv') > STALE_MS);
  const g = S.guide;
  let br = g ? num(g.resp_bpm) : null, bm = g;
  if (br === null && S.resp) { br = num(S.resp.resp_bpm); bm = S.resp; }
  setVal('breath', br === null ? '–' : br.toFixed(1), br === null ? null : bm,
    ageOf(bm === g ? 'guide' : 'resp') > STALE_MS);
}

function drawAdvice() {
  const g = S.guide, stale = ageOf('guide') > STALE_MS;
  const a = g ? String(g.advice) : '';
  const words = { hold: 'HOLD', ease: 'EASE OFF', 'deepen-ok': 'DEEPEN OK', none: 'no signal' };
  setVal('advice', g ? (words[a] || a) : '–', g, stale);
  $('advice').className = 'advice ' + a + (stale ? ' stale-val' : '');
  const r = g ? (g.reasons || '') + (num(g.confidence) !== null ? ' (confidence ' + Math.round(g.confidence * 100) + ' %)' : '') : '';
  if ($('reasons').textContent !== r) $('reasons').textContent = r;
}

function drawHold() {
  const g = S.guide, hb = $('b-hold');
  const holding = !!(g && g.holding);
  hb.textContent = holding ? 'Stop hold' : 'Start hold';
  hb.classList.toggle('active', holding);
  if (!holding) {
    setVal('hold-time', '–', g, false);
    $('hold-what').textContent = '';
    $('hold-note').textContent = 'no hold';
    $('hold-span').style.width = '0'; $('hold-pos').style.left = '0';
    $('hold-time').classList.remove('long');
    return;
  }
  const hs = num(g.hold_s), mn = num(g.span_min_s), mx = num(g.span_max_s);
  setVal('hold-time', mmss(hs), g, ageOf('guide') > STALE_MS);
  $('hold-what').textContent = (g.technique || '') + (g.region ? ' · ' + g.region : '');
  const full = Math.max(mx || 60, hs || 0) * 1.25;
  if (mn !== null && mx !== null) {
    $('hold-span').style.left = (mn / full * 100) + '%';
    $('hold-span').style.width = ((mx - mn) / full * 100) + '%';
  }
  $('hold-pos').style.left = Math.min(100, (hs || 0) / full * 100) + '%';
  const long = mx !== null && hs !== null && hs > mx;
  $('hold-time').classList.toggle('long', long);
  const rel = g.region && S.releases[g.region];
  $('hold-note').textContent = (mn !== null ? 'usual ' + mmss(mn) + '–' + mmss(mx) : '') +
    (long ? ' · past the usual span' : '') + (rel && rel.at > S.holdStartAt ? ' · RELEASED' : '');
}

function drawRegions() {
  const box = $('regions');
  const regs = S.regions.filter(Boolean);
  if (!regs.length) return;
  if (box.dataset.n !== String(S.regions.length)) {
    box.innerHTML = '';
    S.regions.forEach((r, ch) => {
      if (!r) return;
      const row = document.createElement('div');
      row.className = 'reg'; row.id = 'reg-' + ch;
      row.innerHTML = '<span class="name"></span><span class="bar"><span class="fill"></span></span><span class="val"></span><span class="rel"></span>';
      box.appendChild(row);
    });
    box.dataset.n = String(S.regions.length);
    fillRegionSelects();
  }
  const now = performance.now();
  S.regions.forEach((r, ch) => {
    const row = $('reg-' + ch);
    if (!r || !row) return;
    const m = r.msg, lv = num(m.level_pct), uv = num(m.rms_uv);
    row.className = 'reg ' + (m.state || '') + (now - r.at > STALE_MS ? ' stale-val' : '');
    row.querySelector('.name').textContent = m.name || ('channel ' + ch);
    row.querySelector('.fill').style.width = (uv === null || !r.scale ? 0 : Math.min(100, 100 * uv / r.scale)) + '%';
    row.querySelector('.val').textContent = uv === null ? '–' : uv.toFixed(0) + ' µV';
    row.title = lv === null ? '' : 'level ' + lv.toFixed(0) + ' % (0 = rest, 100 = reference)';
    const rel = S.releases[m.name];
    row.querySelector('.rel').textContent = rel ? '✓ released' + (rel.drop !== null ? ' −' + Math.round(rel.drop) + ' %' : '') + (rel.n > 1 ? ' ×' + rel.n : '') : (m.state === 'tense' ? 'tense' : '');
    row.dataset.seq = String(m.seq);
  });
}

function drawPacer() {
  const g = S.guide;
  const ball = $('pacer-ball'), word = $('pacer-word');
  if (!g || g.phase === 'off' || !P.start || !P.len) {
    ball.style.transform = 'scale(0.4)'; word.textContent = g ? 'off' : '–';
    $('pacer-pattern').textContent = g ? String(g.pattern) : '';
    $('pacer-info').textContent = '';
    return;
  }
  const nowS = (nowWall() - (off.best || 0)) * 1e6; // page clock -> sample clock, ns
  let p = (nowS - P.start) / (P.len * 1e9);
  p = Math.max(0, Math.min(1, p));
  const ease = (x) => 0.5 - 0.5 * Math.cos(Math.PI * x);
  let sc = 0.4;
  if (P.phase === 'inhale') sc = 0.4 + 0.6 * ease(p);
  else if (P.phase === 'hold') sc = 1;
  else if (P.phase === 'exhale') sc = 1 - 0.6 * ease(p);
  ball.style.transform = 'scale(' + sc.toFixed(3) + ')';
  const left = Math.max(0, Math.ceil(P.len * (1 - p)));
  word.textContent = (PHASE_WORD[P.phase] || P.phase) + ' ' + left;
  word.dataset.phase = P.phase;
  $('pacer-pattern').textContent = String(g.pattern) + (num(g.rate_bpm) !== null ? ' · ' + g.rate_bpm.toFixed(1) + '/min' : '');
  const fol = num(g.following);
  $('pacer-info').textContent = 'breath ' + g.breath + (fol !== null ? ' · following ' + Math.round(fol * 100) + ' %' : '');
}

function frame() {
  if (S.dirty) {
    S.dirty = false;
    drawBar(); drawCalm(); drawVitals(); drawAdvice(); drawHold(); drawRegions();
    if (pending.length) {
      const now = nowWall();
      for (const [tNs, recv, topic] of pending) {
        if (stats.lat.length >= STAT_MAX) break;
        stats.lat.push(now - tNs / 1e6); stats.latTopic.push(topic);
        if (recv) { stats.web.push(now - recv); stats.pub.push(recv - tNs / 1e6); }
      }
      pending = [];
    }
  }
  drawPacer();
  requestAnimationFrame(frame);
}
setInterval(() => { S.dirty = true; }, 500); // ages and clocks move without messages

/* ------------------------------------------------------------ summary */
function maybeShowSummary() {
  const m = S.lastSummary;
  if (!m || !m.data) return;
  const id = m.data.session || m.detail || '';
  let seen = '';
  try { seen = sessionStorage.getItem('vagus.summary') || ''; } catch (e) { /* none */ }
  if (seen === id) return;
  if (S.sessionStart && S.sessionStart.t_ns > m.t_ns) return; // a newer session runs
  const d = m.data, b = d.baseline || {}, e = d.end || {};
  const row = (name, k, dec) => '<tr><td>' + name + '</td><td>' + fmt(num(b[k]), dec) + '</td><td>' + fmt(num(e[k]), dec) + '</td></tr>';
  let html = '<p>Duration <b>' + mmss(num(d.duration_s)) + '</b> · releases <b>' + (d.nreleases ?? 0) +
    '</b> · marks <b>' + (d.nmarks ?? 0) + '</b></p>' +
    '<table class="sum"><tr><th></th><th>start</th><th>end</th></tr>' +
    row('Heart rate, bpm', 'hr_bpm', 0) + row('RMSSD, ms', 'rmssd_ms', 0) + row('Calm', 'calm', 0) + row('Breathing, /min', 'resp_bpm', 1) + '</table>';
  if (Array.isArray(d.marks) && d.marks.length) {
    html += '<h3>Marks</h3><table class="sum"><tr><th>label</th><th>region</th><th>ΔHR</th><th>ΔRMSSD %</th><th>Δcalm</th></tr>';
    for (const k of d.marks)
      html += '<tr><td>' + esc(k.label) + '</td><td>' + esc(k.region) + '</td><td>' + fmt(num(k.dhr_bpm), 1) + '</td><td>' + fmt(num(k.drmssd_pct), 0) + '</td><td>' + fmt(num(k.dcalm), 0) + '</td></tr>';
    html += '</table>';
  }
  if (d.advice_s && typeof d.advice_s === 'object')
    html += '<p class="note">advice: ' + Object.keys(d.advice_s).map((k) => esc(k) + ' ' + mmss(num(d.advice_s[k]))).join(' · ') + '</p>';
  $('sum-id').textContent = id;
  $('sum-body').innerHTML = html;
  $('summary').hidden = false;
  $('summary').dataset.session = id;
}

/* ------------------------------------------------------------ controls */
function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[c]));
}
let toastTimer = 0;
function toast(text, error) {
  const t = $('toast');
  t.textContent = text; t.className = 'show' + (error ? ' error' : '');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = ''; }, error ? 5000 : 2500);
}
async function ctl(req, what) {
  try {
    const r = await fetch('/api/ctl', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-Vagus-CSRF': S.csrf },
      body: JSON.stringify(req),
    });
    let j = {};
    try { j = await r.json(); } catch (e) { /* empty */ }
    if (r.ok && j.ok) { toast(what + ': done'); return j; }
    if (r.status === 401) showLogin();
    toast(what + ': ' + (j.error || 'HTTP ' + r.status), true);
  } catch (e) {
    toast(what + ': vagus-web unreachable', true);
  }
  return null;
}
function open_(id) { $(id).hidden = false; const f = $(id).querySelector('input,select'); if (f) f.focus(); }
function close_(el) { el.closest('.overlay').hidden = true; }
function segValue(id) { const b = $(id).querySelector('.on'); return b ? b.dataset.v : ''; }
function fillRegionSelects() {
  const names = S.regions.filter(Boolean).map((r) => r.msg.name);
  for (const sel of document.querySelectorAll('select.regions')) {
    const cur = sel.value;
    sel.innerHTML = '<option value="">(none)</option>' + names.map((n) => '<option>' + esc(n) + '</option>').join('');
    if (names.includes(cur)) sel.value = cur;
  }
  for (const sel of document.querySelectorAll('select.channels'))
    sel.innerHTML = S.regions.map((r, ch) => r ? '<option value="' + ch + '">' + ch + ' ' + esc(r.msg.name) + '</option>' : '').join('');
}

function wire() {
  for (const sel of document.querySelectorAll('select.tech'))
    sel.innerHTML = TECHNIQUES.map((t) => '<option>' + t + '</option>').join('');
  for (const b of document.querySelectorAll('.cancel')) b.addEventListener('click', () => close_(b));
  for (const seg of document.querySelectorAll('.seg'))
    seg.addEventListener('click', (e) => {
      const b = e.target.closest('button'); if (!b) return;
      for (const x of seg.querySelectorAll('button')) x.classList.toggle('on', x === b);
    });
  $('b-session').addEventListener('click', async () => {
    if (S.status && S.status.session) {
      if (await ctl({ cmd: 'session.stop' }, 'session stop')) S.dirty = true;
    } else open_('d-session');
  });
  $('d-session').querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const req = { cmd: 'session.start', client: $('f-client').value.trim(), technique: $('f-technique').value };
    if (!req.client) return;
    if (await ctl(req, 'session start')) {
      close_(e.target);
      await ctl({ cmd: 'profile.set', profile: $('f-profile').value }, 'profile');
      $('f-client').value = '';
    }
  });
  $('b-mark').addEventListener('click', () => { fillRegionSelects(); open_('d-mark'); });
  $('d-mark').querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const req = { cmd: 'mark', label: $('f-label').value.trim(), pressure: segValue('f-pressure') };
    if ($('f-mregion').value) req.region = $('f-mregion').value;
    if (!req.label) return;
    if (await ctl(req, 'mark')) { close_(e.target); $('f-label').value = ''; }
  });
  $('b-hold').addEventListener('click', () => {
    if (S.guide && S.guide.holding) ctl({ cmd: 'hold.stop' }, 'hold stop');
    else { fillRegionSelects(); open_('d-hold'); }
  });
  $('d-hold').querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const req = { cmd: 'hold.start', technique: $('f-htech').value };
    if ($('f-hregion').value) req.region = $('f-hregion').value;
    if (await ctl(req, 'hold')) { close_(e.target); S.holdStartAt = performance.now(); }
  });
  $('b-pacer').addEventListener('click', () => {
    for (const b of $('f-patterns').querySelectorAll('button'))
      b.classList.toggle('on', !!S.guide && S.guide.pattern === b.dataset.p);
    open_('d-pacer');
  });
  $('f-patterns').addEventListener('click', async (e) => {
    const b = e.target.closest('button'); if (!b) return;
    if (await ctl({ cmd: 'pacer.set', pattern: b.dataset.p }, 'pacer ' + b.dataset.p)) close_(b);
  });
  $('b-baseline').addEventListener('click', () => ctl({ cmd: 'baseline.start', seconds: 120 }, 'baseline (120 s)'));
  $('b-calibrate').addEventListener('click', () => { fillRegionSelects(); open_('d-calibrate'); });
  $('d-calibrate').querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const req = { cmd: 'calibrate', channel: Number($('f-cchan').value), kind: segValue('f-ckind'), seconds: Number($('f-csec').value) || 5 };
    if (await ctl(req, 'calibrate ' + req.kind)) close_(e.target);
  });
  $('sum-close').addEventListener('click', () => {
    $('summary').hidden = true;
    try { sessionStorage.setItem('vagus.summary', $('summary').dataset.session || ''); } catch (e) { /* none */ }
  });
  $('b-sound').addEventListener('click', soundToggle);
  $('vol').addEventListener('input', (e) => setVolume(Number(e.target.value)));
  $('b-theme').addEventListener('click', () => {
    const dim = document.body.classList.toggle('dim');
    try { localStorage.setItem('vagus.theme', dim ? 'dim' : ''); } catch (e) { /* none */ }
  });
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-err').textContent = '';
    const r = await fetch('/api/login', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: $('login-user').value, password: $('login-pass').value }),
    }).catch(() => null);
    $('login-pass').value = '';
    if (r && r.ok) { $('login').hidden = true; start(); } else $('login-err').textContent = 'wrong user or password';
  });
  try {
    if (localStorage.getItem('vagus.theme') === 'dim') document.body.classList.add('dim');
    const v = Number(localStorage.getItem('vagus.vol'));
    if (v >= 0 && localStorage.getItem('vagus.vol') !== null) { $('vol').value = String(v); setVolume(v); }
  } catch (e) { /* none */ }
}

function showLogin() { if (es) es.close(); S.esOpen = false; S.role = 'none'; $('login').hidden = false; $('login-user').focus(); }

async function start() {
  let who = null;
  try { who = await (await fetch('/api/whoami', { credentials: 'same-origin', cache: 'no-store' })).json(); } catch (e) { who = null; }
  if (!who) { setTimeout(start, 2000); S.esOpen = false; S.dirty = true; return; }
  S.role = who.role; S.csrf = who.csrf; S.login = who.login;
  if (who.role === 'none') { showLogin(); return; }
  document.body.classList.toggle('observer', who.role !== 'console');
  $('role').textContent = who.login ? who.user + ' · ' + who.role : '';
  $('role').hidden = !who.login;
  openStream();
}

wire();
start();
requestAnimationFrame(frame);
