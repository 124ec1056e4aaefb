/*
 * model.c - decode vagusd messages into the console's state (see model.h).
 *
 * Problem: turn the published JSON (beat, hrv, emg, status, event, and the
 * guidance topics guide, release, hold.long, mark.response) into the few
 * figures a therapist reads from across the room, with their freshness.
 * Approach: read fields by name with cJSON (unknown fields ignored, null and
 * absent numbers = NAN); keep the latest value per figure and the arrival
 * time per feed; derive the gauge, its history and trend, per-region
 * release marks and a one-line source problem summary.
 * References: protocol/PROTOCOL.md (fields), analysis/calm.h (calm formula).
 * Limits: see model.h.
 */
#include "model.h"

#include "vg_err.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SCALE_HALF_LIFE_MSGS 6000.0 /* EMG bar scale half-life: 5 min at 20 Hz */
#define SCALE_MIN_UV 5.0            /* smallest bar full scale, uV */
#define SHORT_WINDOW_MAX_S 90.0     /* hrv windows up to this are "short" */
#define T_NS_MAX 4e18               /* latest credible time, ns (year 2096) */

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* t_ns through a double: beyond 2^53 it keeps ~256 ns, plenty for clocks
 * shown in seconds. 0 when absent or outside [0, T_NS_MAX] (so differences
 * of two times never overflow). */
static int64_t num_ns(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= T_NS_MAX))
		return 0;
	return (int64_t)v->valuedouble;
}

/* An EMG channel number, or -1 when absent or out of range. */
static int channel(const cJSON *o, const char *k)
{
	double c = num(o, k);
	return c >= 0 && c < CON_MAX_REGIONS ? (int)c : -1;
}

static void str(const cJSON *o, const char *k, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	snprintf(out, cap, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int boolean(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

void con_model_init(struct con_model *m)
{
	memset(m, 0, sizeof(*m));
	m->hr_bpm = m->rr_ms = m->beat_quality = NAN;
	m->rmssd_ms = m->rmssd_long_ms = m->sdnn_long_ms = m->pns_index = NAN;
	m->hf_peak_hz = m->calm = m->calm_trend = NAN;
	m->gauge = m->gauge_trend = NAN;
	m->progress = m->breath_progress = m->rate_bpm = m->phase_s = NAN;
	m->following = m->resp_bpm = m->confidence = NAN;
	m->hold_s = m->span_min_s = m->span_max_s = NAN;
	for (int i = 0; i < CON_MAX_REGIONS; i++) {
		struct con_region *r = &m->reg[i];
		r->rms_uv = r->level_pct = NAN;
		r->release_from_uv = r->release_from_pct = r->release_drop_pct = NAN;
		r->hold_from_pct = r->hold_from_uv = NAN;
		r->scale_uv = SCALE_MIN_UV;
	}
}

static void push_event(struct con_model *m, const char *text, double now_s)
{
	for (int i = CON_NEVENTS - 1; i > 0; i--) {
		memcpy(m->events[i], m->events[i - 1], sizeof(m->events[i]));
		m->event_at_s[i] = m->event_at_s[i - 1];
		m->event_ns[i] = m->event_ns[i - 1];
	}
	snprintf(m->events[0], sizeof(m->events[0]), "%s", text);
	m->event_at_s[0] = now_s;
	m->event_ns[0] = m->msg_ns > 0 ? m->msg_ns : m->clock_ns;
}

/* The signal clock: the newest t_ns seen; a time far behind it is a new
 * clock (the daemon restarted). */
static void clock_seen(struct con_model *m, int64_t t_ns)
{
	if (t_ns <= 0)
		return;
	if (t_ns > m->clock_ns || (double)(m->clock_ns - t_ns) * 1e-9 > CON_CLOCK_BACK_S)
		m->clock_ns = t_ns;
}

static void track_seq(struct con_model *m, const char *topic, const cJSON *o)
{
	double seq = num(o, "seq");
	if (!(seq >= 0 && seq < 9e18))
		return;
	uint64_t s = (uint64_t)seq;
	int n = (int)(sizeof(m->seq_topic) / sizeof(m->seq_topic[0]));
	for (int i = 0; i < n; i++) {
		if (!m->seq_topic[i][0])
			snprintf(m->seq_topic[i], sizeof(m->seq_topic[i]), "%.15s", topic);
		else if (strcmp(m->seq_topic[i], topic))
			continue;
		else if (s > m->seq_last[i] + 1)
			m->lost_msgs += s - m->seq_last[i] - 1;
		m->seq_last[i] = s;
		return;
	}
}

/* -------------------------------------------------------------- gauge */
static void hist_add(struct con_model *m, int64_t t_ns, double v)
{
	if (m->hist_n > 0) {
		int last = (m->hist_head + CON_HIST_N - 1) % CON_HIST_N;
		if (t_ns < m->hist_t_ns[last]) { /* clock went back: restart */
			m->hist_n = m->hist_head = 0;
		} else if ((double)(t_ns - m->hist_slot_ns) * 1e-9 < CON_HIST_STEP_S) {
			m->hist_t_ns[last] = t_ns; /* the newest point of the step */
			m->hist_v[last] = v;
			return;
		}
	}
	m->hist_slot_ns = t_ns;
	m->hist_t_ns[m->hist_head] = t_ns;
	m->hist_v[m->hist_head] = v;
	m->hist_head = (m->hist_head + 1) % CON_HIST_N;
	if (m->hist_n < CON_HIST_N)
		m->hist_n++;
}

/* Least-squares slope of the history over the last CON_TREND_SPAN_S, per
 * minute; NAN with fewer than 3 points. */
static double hist_trend(const struct con_model *m)
{
	if (m->hist_n < 3)
		return NAN;
	int newest = (m->hist_head + CON_HIST_N - 1) % CON_HIST_N;
	int64_t t_end = m->hist_t_ns[newest];
	double st = 0, sv = 0, stt = 0, stv = 0;
	int n = 0;
	for (int k = 0; k < m->hist_n; k++) {
		int i = (newest - k + CON_HIST_N) % CON_HIST_N;
		double t = (double)(m->hist_t_ns[i] - t_end) * 1e-9;
		if (t < -CON_TREND_SPAN_S - 1e-9)
			break;
		st += t; sv += m->hist_v[i]; stt += t * t; stv += t * m->hist_v[i];
		n++;
	}
	double den = n * stt - st * st;
	if (n < 3 || den <= 0)
		return NAN;
	return (n * stv - st * sv) / den * 60.0;
}

static void on_hrv(struct con_model *m, const cJSON *o, int64_t t_ns)
{
	double w = num(o, "window_s");
	if (isfinite(w) && w > SHORT_WINDOW_MAX_S) {
		m->rmssd_long_ms = num(o, "rmssd_ms");
		m->sdnn_long_ms = num(o, "sdnn_ms");
		return;
	}
	m->rmssd_ms = num(o, "rmssd_ms");
	m->pns_index = num(o, "pns_index");
	m->hf_peak_hz = num(o, "hf_peak_hz");
	m->slow_breathing = boolean(o, "slow_breathing");
	m->calm = num(o, "calm");
	m->calm_trend = num(o, "calm_trend");
	double g;
	if (isfinite(m->calm)) {
		g = m->calm;
		m->gauge_from_norms = 0;
	} else if (isfinite(m->pns_index)) {
		g = 50.0 + 50.0 * tanh(m->pns_index);
		m->gauge_from_norms = 1;
	} else {
		return;
	}
	m->gauge = g < 0 ? 0 : g > 100 ? 100 : g;
	hist_add(m, t_ns, m->gauge);
	m->gauge_trend = isfinite(m->calm_trend) && !m->gauge_from_norms
				 ? m->calm_trend : hist_trend(m);
}

/* ---------------------------------------------------------------- EMG */
static struct con_region *region_at(struct con_model *m, int ch)
{
	if (ch < 0 || ch >= CON_MAX_REGIONS)
		return NULL;
	if (ch + 1 > m->nreg)
		m->nreg = ch + 1;
	return &m->reg[ch];
}

int con_model_region_find(const struct con_model *m, const char *name)
{
	if (!name || !name[0])
		return -1;
	for (int i = 0; i < m->nreg; i++)
		if (!strcmp(m->reg[i].name, name))
			return i;
	return -1;
}

static void on_emg(struct con_model *m, const cJSON *o, double now_s)
{
	struct con_region *r = region_at(m, channel(o, "channel"));
	if (!r)
		return;
	str(o, "name", r->name, sizeof(r->name));
	r->at_s = now_s;
	r->rms_uv = num(o, "rms_uv");
	r->level_pct = num(o, "level_pct");
	str(o, "state", r->state, sizeof(r->state));
	r->quality[0] = '\0';
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "quality"), *it;
	if (!cJSON_IsArray(q))
		q = NULL;
	cJSON_ArrayForEach(it, q) {
		if (!cJSON_IsString(it))
			continue;
		size_t len = strlen(r->quality);
		snprintf(r->quality + len, sizeof(r->quality) - len, "%s%s",
			 len ? " " : "", it->valuestring);
	}
	/* a hold that began before this region's first level: start from the
	 * first level seen during the hold */
	if (m->holding && !isfinite(r->hold_from_pct) &&
	    (!m->hold_region[0] || !strcmp(m->hold_region, r->name))) {
		r->hold_from_pct = r->level_pct;
		r->hold_from_uv = r->rms_uv;
	}
	double decay = pow(0.5, 1.0 / SCALE_HALF_LIFE_MSGS);
	r->scale_uv *= decay;
	if (isfinite(r->rms_uv) && r->rms_uv > r->scale_uv)
		r->scale_uv = r->rms_uv;
	if (r->scale_uv < SCALE_MIN_UV)
		r->scale_uv = SCALE_MIN_UV;
}

static void mark_release(struct con_region *r, double from_uv, double drop_pct,
			 double now_s)
{
	if (!isfinite(from_uv))
		from_uv = r->hold_from_uv;
	/* the guide's `release` and the EMG engine's `emg.release` event may
	 * both report one release: count it once */
	if (!(r->release_at_s > 0 && now_s - r->release_at_s < 2.0)) {
		r->releases++;
		r->release_at_s = now_s;
		r->release_from_uv = r->release_drop_pct = NAN;
	}
	r->release_from_pct = r->hold_from_pct;
	if (isfinite(from_uv))
		r->release_from_uv = from_uv;
	if (isfinite(drop_pct))
		r->release_drop_pct = drop_pct;
}

static void hold_ends(struct con_model *m)
{
	for (int i = 0; i < CON_MAX_REGIONS; i++)
		m->reg[i].hold_from_pct = m->reg[i].hold_from_uv = NAN;
}

/* A hold began on region (or, with "", on every region): remember the
 * level each held region starts from, for the release mark. */
static void hold_begins(struct con_model *m, const char *region)
{
	for (int i = 0; i < m->nreg; i++) {
		struct con_region *r = &m->reg[i];
		if (region[0] && strcmp(r->name, region))
			continue;
		r->hold_from_pct = r->level_pct;
		r->hold_from_uv = r->rms_uv;
	}
}

static void on_release(struct con_model *m, const cJSON *o, double now_s)
{
	char region[64], text[200];
	str(o, "region", region, sizeof(region));
	int i = con_model_region_find(m, region);
	if (i < 0)
		i = channel(o, "channel");
	struct con_region *r = region_at(m, i);
	if (r)
		mark_release(r, num(o, "start_uv"), num(o, "drop_pct"), now_s);
	str(o, "text", text, sizeof(text));
	if (!text[0])
		snprintf(text, sizeof(text), "release on %s (-%.0f %%)", region,
			 num(o, "drop_pct"));
	push_event(m, text, now_s);
}

/* -------------------------------------------------------------- guide */
static void on_guide(struct con_model *m, const cJSON *o)
{
	str(o, "pattern", m->pattern, sizeof(m->pattern));
	str(o, "phase", m->phase, sizeof(m->phase));
	m->progress = num(o, "progress");
	m->breath_progress = num(o, "breath_progress");
	m->rate_bpm = num(o, "rate_bpm");
	m->phase_s = num(o, "phase_s");
	m->following = num(o, "following");
	m->resp_bpm = num(o, "resp_bpm");
	str(o, "advice", m->advice, sizeof(m->advice));
	m->confidence = num(o, "confidence");
	str(o, "reasons", m->reasons, sizeof(m->reasons));
	str(o, "profile", m->profile, sizeof(m->profile));
	int was = m->holding;
	m->holding = boolean(o, "holding");
	if (m->holding) {
		str(o, "technique", m->technique, sizeof(m->technique));
		str(o, "region", m->hold_region, sizeof(m->hold_region));
		if (!was)
			hold_begins(m, m->hold_region);
	} else if (was) {
		hold_ends(m);
	}
	m->hold_s = num(o, "hold_s");
	m->span_min_s = num(o, "span_min_s");
	m->span_max_s = num(o, "span_max_s");
}

/* ------------------------------------------------------------- status */
static void on_sources(struct con_model *m, const cJSON *arr)
{
	m->nsrc = 0;
	if (!cJSON_IsArray(arr))
		return;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		if (m->nsrc >= CON_MAX_SOURCES)
			break;
		struct con_source *s = &m->src[m->nsrc++];
		str(it, "name", s->name, sizeof(s->name));
		str(it, "state", s->state, sizeof(s->state));
		s->age_s = num(it, "last_data_age_s");
		s->kinds[0] = '\0';
		const cJSON *ch, *chans = cJSON_GetObjectItemCaseSensitive(it, "channels");
		if (!cJSON_IsArray(chans))
			continue;
		cJSON_ArrayForEach(ch, chans) {
			char kind[8];
			str(ch, "kind", kind, sizeof(kind));
			for (char *p = kind; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			if (!kind[0] || strstr(s->kinds, kind))
				continue;
			size_t len = strlen(s->kinds);
			snprintf(s->kinds + len, sizeof(s->kinds) - len, "%s%s",
				 len ? "+" : "", kind);
		}
	}
}

/* The session id starts with its UTC start time, YYYYmmdd-HHMMSS. */
static int64_t session_id_ns(const char *id)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(id, "%4d%2d%2d-%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t < 0 || (double)t * 1e9 > T_NS_MAX)
		return 0;
	return (int64_t)t * 1000000000;
}

/* start_ns: the session.start event's time (signal clock), authoritative;
 * 0 (a status naming the session): keep what is known, else the id's stamp. */
static void set_session(struct con_model *m, const char *id, int64_t start_ns)
{
	if (!strcmp(m->session, id) && m->session_start_ns && !start_ns)
		return;
	snprintf(m->session, sizeof(m->session), "%s", id);
	m->session_start_ns = !id[0] ? 0 : start_ns ? start_ns : session_id_ns(id);
}

static void on_status(struct con_model *m, const cJSON *o, int64_t t_ns, double now_s)
{
	str(o, "version", m->version, sizeof(m->version));
	on_sources(m, cJSON_GetObjectItemCaseSensitive(o, "sources"));
	char id[96];
	str(o, "session", id, sizeof(id));
	set_session(m, id, 0);
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(o, "recording");
	if (cJSON_IsBool(rec)) {
		m->have_rec = 1;
		m->recording = cJSON_IsTrue(rec);
	}
	m->simulated = boolean(o, "simulated");
	str(o, "record_path", m->record_path, sizeof(m->record_path));
	m->daemon_ns = t_ns;
	m->daemon_at_s = now_s;
}

/* -------------------------------------------------------------- event */
static void on_event(struct con_model *m, const cJSON *o, int64_t t_ns, double now_s)
{
	char kind[32], source[64], detail[256], text[200];
	str(o, "kind", kind, sizeof(kind));
	str(o, "source", source, sizeof(source));
	str(o, "detail", detail, sizeof(detail));
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "data");
	m->daemon_ns = t_ns;
	m->daemon_at_s = now_s;
	if (!strcmp(kind, "session.start")) {
		char id[96];
		str(d, "session", id, sizeof(id));
		set_session(m, id[0] ? id : detail, t_ns);
	} else if (!strcmp(kind, "session.stop")) {
		set_session(m, "", 0);
	} else if (!strcmp(kind, "hold.start")) {
		m->holding = 1;
		str(d, "technique", m->technique, sizeof(m->technique));
		str(d, "region", m->hold_region, sizeof(m->hold_region));
		m->hold_at_s = now_s;
		m->hold_start_ns = t_ns;
		hold_begins(m, m->hold_region);
	} else if (!strcmp(kind, "hold.stop")) {
		m->holding = 0;
		m->hold_at_s = 0;
		m->hold_start_ns = 0;
		hold_ends(m);
	} else if (!strcmp(kind, "baseline.done") || !strcmp(kind, "calibration.done")) {
		struct con_capture *c = &m->cap[kind[0] == 'b' ? CON_CAP_BASELINE
							       : CON_CAP_CALIBRATION];
		c->active = 0;
		snprintf(c->result, sizeof(c->result), "%.31s: %.120s", kind,
			 detail[0] ? detail : "done");
		c->result_at_s = now_s;
	} else if (!strcmp(kind, "emg.release")) {
		char name[64];
		str(d, "name", name, sizeof(name));
		int i = con_model_region_find(m, name);
		if (i < 0)
			i = channel(d, "channel");
		struct con_region *r = region_at(m, i);
		if (r)
			mark_release(r, NAN, NAN, now_s);
	}
	char a[64], b[64];
	str(d, "label", a, sizeof(a));
	str(d, "region", b, sizeof(b));
	if (!strcmp(kind, "mark")) {
		snprintf(text, sizeof(text), "mark '%s'%s%s", a, b[0] ? " on " : "", b);
	} else if (!strcmp(kind, "hold.start")) {
		snprintf(text, sizeof(text), "hold started: %s%s%s", m->technique,
			 b[0] ? " on " : "", b);
	} else if (!strcmp(kind, "session.summary")) {
		snprintf(text, sizeof(text), "session summary: %.180s", detail);
	} else if (source[0]) {
		snprintf(text, sizeof(text), "%.31s %.40s: %.120s", kind, source, detail);
	} else {
		snprintf(text, sizeof(text), "%.31s: %.160s", kind, detail);
	}
	push_event(m, text, now_s);
}

static void on_text_topic(struct con_model *m, const char *topic, const cJSON *o,
			  double now_s)
{
	char text[200], body[180];
	str(o, "text", body, sizeof(body));
	snprintf(text, sizeof(text), "%s: %s", topic, body);
	push_event(m, text, now_s);
}

int con_model_feed(struct con_model *m, const char *json, size_t len, double now_s)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	const cJSON *tv = cJSON_GetObjectItemCaseSensitive(o, "topic");
	if (!cJSON_IsObject(o) || !cJSON_IsString(tv)) {
		cJSON_Delete(o);
		return VG_ERR_PARSE;
	}
	char topic[32];
	snprintf(topic, sizeof(topic), "%s", tv->valuestring);
	int64_t t_ns = num_ns(o, "t_ns");
	int rc = VG_OK;
	track_seq(m, topic, o);
	clock_seen(m, t_ns);
	m->msg_ns = t_ns;
	if (!strcmp(topic, "beat")) {
		m->hr_bpm = num(o, "hr_bpm");
		m->rr_ms = num(o, "rr_ms");
		m->beat_quality = num(o, "quality");
		m->at_s[CON_FEED_BEAT] = now_s;
	} else if (!strcmp(topic, "hrv")) {
		on_hrv(m, o, t_ns);
		m->at_s[CON_FEED_HRV] = now_s;
	} else if (!strcmp(topic, "emg")) {
		on_emg(m, o, now_s);
		m->at_s[CON_FEED_EMG] = now_s;
	} else if (!strcmp(topic, "guide")) {
		on_guide(m, o);
		m->at_s[CON_FEED_GUIDE] = now_s;
	} else if (!strcmp(topic, "status")) {
		on_status(m, o, t_ns, now_s);
		m->at_s[CON_FEED_STATUS] = now_s;
	} else if (!strcmp(topic, "event")) {
		on_event(m, o, t_ns, now_s);
	} else if (!strcmp(topic, "release")) {
		on_release(m, o, now_s);
	} else if (!strcmp(topic, "hold.long") || !strcmp(topic, "mark.response")) {
		on_text_topic(m, topic, o, now_s);
	} else {
		rc = VG_ERR_NOTSUP;
	}
	cJSON_Delete(o);
	return rc;
}

/* ------------------------------------------------------------ queries */
double con_model_age(const struct con_model *m, enum con_feed f, double now_s)
{
	if (f < 0 || f >= CON_FEED_N || m->at_s[f] <= 0)
		return -1;
	return now_s - m->at_s[f];
}

int con_model_stale(const struct con_model *m, enum con_feed f, double now_s)
{
	double a = con_model_age(m, f, now_s);
	return a < 0 || a > CON_STALE_S;
}

int con_model_region_stale(const struct con_model *m, int ch, double now_s)
{
	if (ch < 0 || ch >= m->nreg || m->reg[ch].at_s <= 0)
		return 1;
	return now_s - m->reg[ch].at_s > CON_STALE_S;
}

double con_model_session_s(const struct con_model *m, double now_s)
{
	(void)now_s;
	if (!m->session[0] || !m->session_start_ns || !m->clock_ns)
		return NAN;
	double s = (double)(m->clock_ns - m->session_start_ns) * 1e-9;
	return s < 0 ? 0 : s;
}

double con_model_event_age(const struct con_model *m, int i)
{
	if (i < 0 || i >= CON_NEVENTS || !m->event_ns[i] || !m->clock_ns)
		return NAN;
	double a = (double)(m->clock_ns - m->event_ns[i]) * 1e-9;
	return a < 0 ? 0 : a;
}

int con_model_advice_ready(const struct con_model *m)
{
	return m->at_s[CON_FEED_HRV] > 0;
}

void con_model_capture_begin(struct con_model *m, enum con_capture_kind k,
			     const char *what, const char *kind, double seconds,
			     double now_s)
{
	if ((unsigned)k >= CON_CAP_N || !(seconds > 0))
		return;
	struct con_capture *c = &m->cap[k];
	c->active = 1;
	snprintf(c->what, sizeof(c->what), "%s", what ? what : "");
	snprintf(c->kind, sizeof(c->kind), "%s", kind ? kind : "");
	c->end_ns = m->clock_ns ? m->clock_ns + (int64_t)(seconds * 1e9) : 0;
	c->wall_end_s = now_s + seconds;
	c->begin_at_s = now_s;
	c->result[0] = '\0';
}

int con_model_capturing(const struct con_model *m, enum con_capture_kind k,
			double now_s, double *left_s)
{
	if ((unsigned)k >= CON_CAP_N || !m->cap[k].active)
		return 0;
	const struct con_capture *c = &m->cap[k];
	double left = c->end_ns && m->clock_ns ? (double)(c->end_ns - m->clock_ns) * 1e-9
					       : c->wall_end_s - now_s;
	/* the signal stopped: give up on the wall clock */
	if (left <= 0 || now_s > c->wall_end_s + CON_STALE_S)
		return 0;
	if (left_s)
		*left_s = left;
	return 1;
}

double con_model_breathing(const struct con_model *m, double now_s,
			   const char **from)
{
	if (!con_model_stale(m, CON_FEED_GUIDE, now_s) && isfinite(m->resp_bpm)) {
		*from = "measured";
		return m->resp_bpm;
	}
	if (!con_model_stale(m, CON_FEED_HRV, now_s) && !m->slow_breathing &&
	    isfinite(m->hf_peak_hz)) {
		*from = "from heart rhythm";
		return m->hf_peak_hz * 60.0;
	}
	*from = "";
	return NAN;
}

double con_model_hold_s(const struct con_model *m, double now_s)
{
	if (!m->holding)
		return NAN;
	if (!con_model_stale(m, CON_FEED_GUIDE, now_s) && isfinite(m->hold_s))
		return m->hold_s;
	if (m->hold_start_ns > 0 && m->clock_ns >= m->hold_start_ns)
		return (double)(m->clock_ns - m->hold_start_ns) * 1e-9;
	return NAN;
}

int con_model_problems(const struct con_model *m, double now_s, char *out,
		       size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	double st = con_model_age(m, CON_FEED_STATUS, now_s);
	if (st < 0 || st > CON_STALE_S) {
		if (st < 0)
			snprintf(out, cap, "no status from the daemon yet");
		else
			snprintf(out, cap, "daemon silent %.0f s", st);
		return 1;
	}
	for (int i = 0; i < m->nsrc; i++) {
		const struct con_source *s = &m->src[i];
		if (!strcmp(s->state, "running") || !strcmp(s->state, "starting"))
			continue;
		double age = isfinite(s->age_s) ? s->age_s + st : NAN;
		char one[160];
		if (isfinite(age) && strcmp(s->state, "finished"))
			snprintf(one, sizeof(one), "%s %s %.0f s (%s)",
				 s->kinds[0] ? s->kinds : "source", s->state, age, s->name);
		else
			snprintf(one, sizeof(one), "%s %s (%s)",
				 s->kinds[0] ? s->kinds : "source", s->state, s->name);
		int k = snprintf(out + len, cap - len, "%s%s", len ? "; " : "", one);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
	return len > 0;
}
