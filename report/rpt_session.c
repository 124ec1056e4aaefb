/*
 * rpt_session.c - read a session's JSON-lines file into arrays (see
 * rpt_session.h for the problem, the approach and the limits).
 * References: protocol/PROTOCOL.md (topics and the session.summary data
 * object), daemon/record.h (rec.start, rec.annotation, rec.end lines).
 */
#include "rpt_session.h"
#include "msg.h"
#include "guide.h"
#include "pacer.h"
#include "proto.h"
#include "vg_err.h"
#include "vg_log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LINE_MAX_BYTES (1u << 20)
#define CLOCK_SLACK_NS 2000000000LL

union any_msg {
	union proto_any a;
	struct pl_resp resp;
};

struct reader {
	struct rpt_session *s;
	int64_t t0_ns;          /* first data message (provisional origin) */
	int64_t last_data_ns;   /* newest data time seen in file order */
	int64_t summary_start_ns;
	int holding;
	char hold_technique[32];
	int err;
	union any_msg *m;       /* decode buffer (large: allocated once) */
};

static int file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int rpt_base_path(const char *what, char *out, size_t cap)
{
	static const char *const ext[] = { ".summary.md", ".jsonl", ".edf",
					   ".html", ".pdf" };
	if (!what || !out || cap == 0)
		return VG_ERR_INVAL;
	size_t n = strlen(what);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strcmp(what + n - e, ext[i]) == 0) {
			n -= e;
			break;
		}
	}
	if (n + 7 > cap)
		return VG_ERR_TRUNC;
	memcpy(out, what, n);
	out[n] = '\0';
	char j[4096];
	if (snprintf(j, sizeof(j), "%s.jsonl", out) >= (int)sizeof(j))
		return VG_ERR_TRUNC;
	return file_exists(j) ? VG_OK : VG_ERR_NOTFOUND;
}

/* Grow *arr (of *cap elements of size sz) to hold n + 1. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 256;
	void *p = realloc(*arr, nc * sz);
	if (!p)
		return VG_ERR_NOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

#define PUSH(rd, arr, n, cap)                                                  \
	(grow((void **)&(rd)->s->arr, &(rd)->s->cap, (rd)->s->n,               \
	      sizeof(*(rd)->s->arr)) < 0                                       \
		 ? ((rd)->err = VG_ERR_NOMEM, (void *)NULL)                    \
		 : (void *)&(rd)->s->arr[(rd)->s->n++])

/* a - b without signed overflow on hostile times */
static double diff_ns(int64_t a, int64_t b)
{
	int64_t d;
	if (__builtin_sub_overflow(a, b, &d))
		return (double)a - (double)b;
	return (double)d;
}

static double rel_s(const struct reader *rd, int64_t t_ns)
{
	return diff_ns(t_ns, rd->t0_ns) * 1e-9;
}

static void note_data(struct reader *rd, int64_t t_ns)
{
	if (!rd->t0_ns)
		rd->t0_ns = t_ns;
	if (t_ns > rd->last_data_ns)
		rd->last_data_ns = t_ns;
}

/* An event's wall-clock time placed on the sample clock (see header). */
static int64_t event_ns(const struct reader *rd, int64_t t_ns)
{
	if (!rd->last_data_ns)
		return t_ns;
	double d = diff_ns(t_ns, rd->last_data_ns);
	return (d > CLOCK_SLACK_NS || d < -CLOCK_SLACK_NS) ? rd->last_data_ns : t_ns;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(j) ? j->valuedouble : NAN;
}

/* An integer field; 0 when absent or out of range. */
static int jint(const cJSON *o, const char *key)
{
	double v = jnum(o, key);
	return (isfinite(v) && v > -1e9 && v < 1e9) ? (int)v : 0;
}

static struct rpt_region *region_of(struct reader *rd, const char *name)
{
	struct rpt_session *s = rd->s;
	for (int i = 0; i < s->nregions; i++)
		if (strcmp(s->region[i].name, name) == 0)
			return &s->region[i];
	if (s->nregions >= RPT_MAX_REGIONS)
		return NULL;
	struct rpt_region *r = &s->region[s->nregions++];
	copy_str(r->name, sizeof(r->name), name);
	return r;
}

static void read_span(const cJSON *o, const cJSON *regions, struct rpt_span *sp,
		      struct reader *rd)
{
	sp->hr_bpm = jnum(o, "hr_bpm");
	sp->rmssd_ms = jnum(o, "rmssd_ms");
	sp->calm = jnum(o, "calm");
	sp->resp_bpm = jnum(o, "resp_bpm");
	for (int i = 0; i < RPT_MAX_REGIONS; i++)
		sp->emg_uv[i] = NAN;
	const cJSON *emg = cJSON_GetObjectItemCaseSensitive(o, "emg_uv");
	int n = cJSON_GetArraySize(emg), nr = cJSON_GetArraySize(regions);
	for (int i = 0; i < n && i < nr; i++) {
		const cJSON *name = cJSON_GetArrayItem(regions, i);
		const cJSON *v = cJSON_GetArrayItem(emg, i);
		if (!cJSON_IsString(name) || !cJSON_IsNumber(v))
			continue;
		struct rpt_region *r = region_of(rd, name->valuestring);
		if (r)
			sp->emg_uv[r - rd->s->region] = v->valuedouble;
	}
}

static void read_summary(struct reader *rd, const cJSON *d)
{
	struct rpt_session *s = rd->s;
	double start = jnum(d, "start_ns");
	if (!isfinite(start) || !(fabs(start) < 9e18))
		return;
	s->has_summary = 1;
	rd->summary_start_ns = (int64_t)start; /* a double: exact to 256 ns */
	s->duration_s = jnum(d, "duration_s");
	if (!(s->duration_s > 0 && s->duration_s < 7 * 86400.0))
		s->duration_s = NAN;
	s->span_s = jnum(d, "span_s");
	const cJSON *regions = cJSON_GetObjectItemCaseSensitive(d, "regions");
	read_span(cJSON_GetObjectItemCaseSensitive(d, "baseline"), regions, &s->baseline, rd);
	read_span(cJSON_GetObjectItemCaseSensitive(d, "end"), regions, &s->end, rd);
	s->holds = jint(d, "holds");
	s->holds_long = jint(d, "holds_long");
	const cJSON *adv = cJSON_GetObjectItemCaseSensitive(d, "advice_s");
	static const char *const an[4] = { "none", "hold", "ease", "deepen-ok" };
	for (int i = 0; i < 4; i++)
		s->advice_s[i] = jnum(adv, an[i]);
	const cJSON *pac = cJSON_GetObjectItemCaseSensitive(d, "pacer_s"), *it;
	s->pacer_s_total = 0;
	cJSON_ArrayForEach(it, pac)
		if (cJSON_IsNumber(it))
			s->pacer_s_total += it->valuedouble;
}

static void add_event(struct reader *rd, int64_t t_ns, enum rpt_ev_kind k,
		      const char *text, const char *region)
{
	struct rpt_event *e = PUSH(rd, events, nevents, cap_events);
	if (!e)
		return;
	e->t_s = rel_s(rd, event_ns(rd, t_ns));
	e->kind = k;
	copy_str(e->text, sizeof(e->text), text);
	copy_str(e->region, sizeof(e->region), region);
}

static void on_event(struct reader *rd, const struct proto_event *ev)
{
	struct rpt_session *s = rd->s;
	cJSON *d = ev->data[0] ? cJSON_Parse(ev->data) : NULL;
	const char *k = ev->kind;
	if (strcmp(k, "session.start") == 0) {
		if (jstr(d, "session"))
			copy_str(s->id, sizeof(s->id), jstr(d, "session"));
		if (jstr(d, "client"))
			copy_str(s->client, sizeof(s->client), jstr(d, "client"));
		if (jstr(d, "technique"))
			copy_str(s->technique, sizeof(s->technique), jstr(d, "technique"));
		if (jstr(d, "notes"))
			copy_str(s->notes, sizeof(s->notes), jstr(d, "notes"));
	} else if (strcmp(k, "session.summary") == 0) {
		read_summary(rd, d);
	} else if (strcmp(k, "mark") == 0) {
		add_event(rd, ev->t_ns, RPT_EV_MARK, jstr(d, "label") ? jstr(d, "label") : ev->detail,
			  jstr(d, "region"));
	} else if (strcmp(k, "hold.start") == 0) {
		const char *tq = jstr(d, "technique") ? jstr(d, "technique") : ev->detail;
		add_event(rd, ev->t_ns, RPT_EV_HOLD_START, tq, jstr(d, "region"));
		rd->holding = 1;
		copy_str(rd->hold_technique, sizeof(rd->hold_technique), tq);
	} else if (strcmp(k, "hold.stop") == 0) {
		add_event(rd, ev->t_ns, RPT_EV_HOLD_STOP, "hold end", "");
		rd->holding = 0;
	} else if (strcmp(k, "pacer.set") == 0) {
		add_event(rd, ev->t_ns, RPT_EV_PACER, ev->detail, "");
	} else if (strcmp(k, "profile.set") == 0) {
		add_event(rd, ev->t_ns, RPT_EV_PROFILE, ev->detail, "");
	} else if (strcmp(k, "baseline.start") == 0) {
		add_event(rd, ev->t_ns, RPT_EV_BASELINE, "baseline", "");
	}
	cJSON_Delete(d);
}

static void on_guide(struct reader *rd, const struct guide_msg *g)
{
	struct rpt_session *s = rd->s;
	double t = rel_s(rd, g->t_ns);
	if (!s->profile[0])
		copy_str(s->profile, sizeof(s->profile),
			 guide_profile_name((enum guide_profile)g->profile));
	struct rpt_phase *last = s->nphases ? &s->phases[s->nphases - 1] : NULL;
	if (last && last->pattern == g->pattern && last->phase == g->phase) {
		last->t1_s = t;
		return;
	}
	if (last)
		last->t1_s = t;
	if (g->pattern == PACER_OFF)
		return; /* runs of "off" are not kept */
	struct rpt_phase *p = PUSH(rd, phases, nphases, cap_phases);
	if (!p)
		return;
	p->t0_s = p->t1_s = t;
	p->pattern = g->pattern;
	p->phase = g->phase;
}

static void on_rec_line(struct reader *rd, const char *line, size_t len, const char *topic)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	if (!j)
		return;
	struct rpt_session *s = rd->s;
	if (strcmp(topic, "rec.start") == 0) {
		if (!s->client[0] && jstr(j, "client"))
			copy_str(s->client, sizeof(s->client), jstr(j, "client"));
		if (!s->technique[0] && jstr(j, "technique"))
			copy_str(s->technique, sizeof(s->technique), jstr(j, "technique"));
	} else if (strcmp(topic, "rec.end") == 0) {
		s->complete = 1;
		s->samples_lost = jnum(j, "samples_lost");
		s->samples_filled = jnum(j, "samples_filled");
	} else if (strcmp(topic, "rec.annotation") == 0) {
		const char *t = jstr(j, "text");
		if (t && strncmp(t, "gap ", 4) == 0)
			s->gaps++;
	}
	cJSON_Delete(j);
}

static void on_line(struct reader *rd, const char *line, size_t len)
{
	struct proto_header h;
	const struct proto_topic *t = NULL;
	union any_msg *mp = rd->m;
	int e = proto_decode(line, len, &h, &t, mp, sizeof(*mp));
	if (e < 0) {
		rd->s->bad_lines++;
		return;
	}
	rd->s->lines++;
	struct rpt_session *s = rd->s;
	if (!t) {
		if (strncmp(h.topic, "rec.", 4) == 0)
			on_rec_line(rd, line, len, h.topic);
	} else if (strcmp(h.topic, "beat") == 0) {
		note_data(rd, h.t_ns);
		struct rpt_beat *b = PUSH(rd, beats, nbeats, cap_beats);
		if (b) {
			b->t_s = rel_s(rd, h.t_ns);
			b->rr_ms = mp->a.beat.rr_ms;
			b->hr_bpm = mp->a.beat.hr_bpm;
			b->quality = mp->a.beat.quality;
		}
	} else if (strcmp(h.topic, "hrv") == 0) {
		note_data(rd, h.t_ns);
		const struct hrv_result *r = &mp->a.hrv.r;
		struct rpt_hrvw *w = PUSH(rd, hrv, nhrv, cap_hrv);
		if (w) {
			*w = (struct rpt_hrvw){ rel_s(rd, h.t_ns), r->window_s, r->n,
				r->mean_nn_ms, r->sdnn_ms, r->rmssd_ms, r->hr_bpm,
				r->artifacts_pct, r->vlf_ms2, r->lf_ms2, r->hf_ms2,
				r->lf_hf, r->pns_index, r->calm };
		}
	} else if (strcmp(h.topic, "resp") == 0) {
		note_data(rd, h.t_ns);
		struct rpt_resp *r = PUSH(rd, resp, nresp, cap_resp);
		if (r)
			*r = (struct rpt_resp){ rel_s(rd, h.t_ns), mp->resp.r.resp_bpm,
						mp->resp.r.confidence };
	} else if (strcmp(h.topic, "emg") == 0) {
		note_data(rd, h.t_ns);
		struct rpt_region *g = region_of(rd, mp->a.emg.r.name);
		if (g && grow((void **)&g->p, &g->cap, g->n, sizeof(*g->p)) == 0)
			g->p[g->n++] = (struct rpt_emgpt){ rel_s(rd, h.t_ns), mp->a.emg.r.rms_uv };
		else if (g)
			rd->err = VG_ERR_NOMEM;
	} else if (strcmp(h.topic, "guide") == 0) {
		note_data(rd, h.t_ns);
		on_guide(rd, &mp->a.guide);
	} else if (strcmp(h.topic, "release") == 0) {
		note_data(rd, h.t_ns);
		const struct guide_release *g = &mp->a.release;
		struct rpt_release *r = PUSH(rd, releases, nreleases, cap_releases);
		if (r) {
			*r = (struct rpt_release){ rel_s(rd, h.t_ns), rel_s(rd, g->drop_t_ns),
				g->start_uv, g->level_uv, g->drop_pct, g->hold_s, "", "" };
			copy_str(r->technique, sizeof(r->technique), g->technique);
			copy_str(r->region, sizeof(r->region), g->region);
		}
	} else if (strcmp(h.topic, "mark.response") == 0) {
		const struct guide_mark_response *g = &mp->a.mark_response;
		struct rpt_markresp *r = PUSH(rd, marks, nmarks, cap_marks);
		if (r) {
			memset(r, 0, sizeof(*r));
			/* the mark event it answers (same label, latest before it);
			 * its own mark_t_ns carries the mark's clock */
			r->t_s = rel_s(rd, event_ns(rd, g->mark_t_ns));
			for (size_t k = s->nevents; k-- > 0;)
				if (s->events[k].kind == RPT_EV_MARK &&
				    strcmp(s->events[k].text, g->label) == 0) {
					r->t_s = s->events[k].t_s;
					break;
				}
			copy_str(r->label, sizeof(r->label), g->label);
			copy_str(r->region, sizeof(r->region), g->region);
			copy_str(r->technique, sizeof(r->technique),
				 rd->holding ? rd->hold_technique : s->technique);
			r->hr_before_bpm = g->hr_before_bpm;
			r->hr_after_bpm = g->hr_after_bpm;
			r->dhr_bpm = g->dhr_bpm;
			r->rmssd_before_ms = g->rmssd_before_ms;
			r->rmssd_after_ms = g->rmssd_after_ms;
			r->drmssd_pct = g->drmssd_pct;
			r->calm_before = g->calm_before;
			r->calm_after = g->calm_after;
			r->dcalm = g->dcalm;
			r->complete = g->complete;
		}
	} else if (strcmp(h.topic, "event") == 0) {
		on_event(rd, &mp->a.event);
	}
}

/* Move every time by -d_s and clamp events into [0, duration]. */
static void shift_times(struct rpt_session *s, double d_s)
{
	for (size_t i = 0; i < s->nbeats; i++)
		s->beats[i].t_s -= d_s;
	for (size_t i = 0; i < s->nhrv; i++)
		s->hrv[i].t_s -= d_s;
	for (size_t i = 0; i < s->nresp; i++)
		s->resp[i].t_s -= d_s;
	for (int r = 0; r < s->nregions; r++)
		for (size_t i = 0; i < s->region[r].n; i++)
			s->region[r].p[i].t_s -= d_s;
	for (size_t i = 0; i < s->nphases; i++) {
		s->phases[i].t0_s -= d_s;
		s->phases[i].t1_s -= d_s;
	}
	for (size_t i = 0; i < s->nevents; i++) {
		s->events[i].t_s -= d_s;
		if (s->events[i].t_s < 0)
			s->events[i].t_s = 0;
		if (s->duration_s > 0 && s->events[i].t_s > s->duration_s)
			s->events[i].t_s = s->duration_s;
	}
	for (size_t i = 0; i < s->nreleases; i++) {
		s->releases[i].t_s -= d_s;
		s->releases[i].drop_s -= d_s;
	}
	for (size_t i = 0; i < s->nmarks; i++) {
		s->marks[i].t_s -= d_s;
		if (s->marks[i].t_s < 0)
			s->marks[i].t_s = 0;
	}
}

static void init_span(struct rpt_span *sp)
{
	sp->hr_bpm = sp->rmssd_ms = sp->calm = sp->resp_bpm = NAN;
	for (int i = 0; i < RPT_MAX_REGIONS; i++)
		sp->emg_uv[i] = NAN;
}

/* Figures over [t0, t1) for sessions without a summary. */
static void derive_span(const struct rpt_session *s, double t0, double t1,
			struct rpt_span *sp)
{
	sp->hr_bpm = rpt_mean_hr(s, t0, t1);
	sp->rmssd_ms = rpt_mean_rmssd(s, t0, t1);
	sp->calm = rpt_mean_calm(s, t0, t1);
	sp->resp_bpm = rpt_mean_resp(s, t0, t1);
	for (int r = 0; r < s->nregions; r++) {
		double sum = 0;
		size_t n = 0;
		for (size_t i = 0; i < s->region[r].n; i++) {
			const struct rpt_emgpt *p = &s->region[r].p[i];
			if (p->t_s >= t0 && p->t_s < t1 && isfinite(p->rms_uv)) {
				sum += p->rms_uv;
				n++;
			}
		}
		sp->emg_uv[r] = n ? sum / (double)n : NAN;
	}
}

static void finish(struct reader *rd)
{
	struct rpt_session *s = rd->s;
	double last = rd->last_data_ns ? rel_s(rd, rd->last_data_ns) : 0;
	if (!(s->duration_s > 0))
		s->duration_s = last;
	double shift = 0;
	if (s->has_summary && rd->summary_start_ns && rd->t0_ns)
		shift = diff_ns(rd->summary_start_ns, rd->t0_ns) * 1e-9;
	if (!(fabs(shift) < 86400)) /* a summary start far from the data: not this file's */
		shift = 0;
	s->start_ns = rd->t0_ns + (int64_t)(shift * 1e9);
	shift_times(s, shift);
	if (!s->has_summary) {
		double span = s->duration_s >= 480 ? 120 : s->duration_s / 4;
		s->span_s = span;
		derive_span(s, 0, span, &s->baseline);
		derive_span(s, s->duration_s - span, s->duration_s + 1, &s->end);
	}
	if (!s->profile[0])
		copy_str(s->profile, sizeof(s->profile), "standard");
	if (!s->id[0]) {
		const char *b = strrchr(s->base, '/');
		copy_str(s->id, sizeof(s->id), b ? b + 1 : s->base);
	}
	/* the id is named by the wall clock at session.start; with the
	 * simulator's speed > 1 the sample clock runs ahead of it */
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = strptime(s->id, "%Y%m%d-%H%M%S", &tm);
	s->wall_start_ns = rest ? (int64_t)timegm(&tm) * 1000000000LL : s->start_ns;
	time_t tt = (time_t)(s->wall_start_ns / 1000000000LL);
	if (s->wall_start_ns > 0 && gmtime_r(&tt, &tm))
		strftime(s->date_utc, sizeof(s->date_utc), "%Y-%m-%d %H:%M:%S", &tm);
	else
		copy_str(s->date_utc, sizeof(s->date_utc), "unknown");
}

int rpt_session_load(const char *what, struct rpt_session **out)
{
	if (!out)
		return VG_ERR_INVAL;
	*out = NULL;
	char base[512], path[600];
	int e = rpt_base_path(what, base, sizeof(base));
	if (e < 0) {
		vg_warnx("report: no session files for %s (%s)", what ? what : "(null)",
			 vg_strerror(e));
		return e;
	}
	snprintf(path, sizeof(path), "%s.jsonl", base);
	FILE *f = fopen(path, "r");
	if (!f) {
		vg_warn("report: cannot open %s", path);
		return vg_err_from_errno(errno);
	}
	struct rpt_session *s = calloc(1, sizeof(*s));
	if (!s) {
		fclose(f);
		return VG_ERR_NOMEM;
	}
	copy_str(s->base, sizeof(s->base), base);
	init_span(&s->baseline);
	init_span(&s->end);
	struct reader rd = { .s = s, .m = malloc(sizeof(union any_msg)) };
	if (!rd.m) {
		fclose(f);
		free(s);
		return VG_ERR_NOMEM;
	}
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	while ((n = getline(&line, &lcap, f)) >= 0 && rd.err == 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if ((size_t)n > LINE_MAX_BYTES) {
			s->bad_lines++;
			continue;
		}
		on_line(&rd, line, (size_t)n);
	}
	free(line);
	free(rd.m);
	int rerr = ferror(f);
	fclose(f);
	if (rd.err == 0 && rerr)
		rd.err = VG_ERR_IO;
	if (rd.err == 0 && s->lines == 0)
		rd.err = VG_ERR_PARSE;
	if (rd.err < 0) {
		vg_warnx("report: %s: %s", path, vg_strerror(rd.err));
		rpt_session_free(&s);
		return rd.err;
	}
	finish(&rd);
	*out = s;
	return VG_OK;
}

void rpt_session_free(struct rpt_session **sp)
{
	if (!sp || !*sp)
		return;
	struct rpt_session *s = *sp;
	free(s->beats);
	free(s->hrv);
	free(s->resp);
	for (int i = 0; i < s->nregions; i++)
		free(s->region[i].p);
	free(s->phases);
	free(s->events);
	free(s->releases);
	free(s->marks);
	free(s);
	*sp = NULL;
}

double rpt_mean_quality(const struct rpt_session *s)
{
	double sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < s->nbeats; i++)
		if (isfinite(s->beats[i].quality)) {
			sum += s->beats[i].quality;
			n++;
		}
	return n ? sum / (double)n : NAN;
}

#define MEAN_OVER(arr, count, cond, val)                                      \
	do {                                                                   \
		double sum_ = 0;                                               \
		size_t n_ = 0;                                                 \
		for (size_t i = 0; i < (count); i++) {                         \
			if (!(cond) || !isfinite(val))                         \
				continue;                                      \
			sum_ += (val);                                         \
			n_++;                                                  \
		}                                                              \
		return n_ ? sum_ / (double)n_ : NAN;                           \
	} while (0)

double rpt_mean_artifacts_pct(const struct rpt_session *s)
{
	MEAN_OVER(s->hrv, s->nhrv, s->hrv[i].window_s < 100, s->hrv[i].artifacts_pct);
}

double rpt_mean_rmssd(const struct rpt_session *s, double t0, double t1)
{
	MEAN_OVER(s->hrv, s->nhrv,
		  s->hrv[i].window_s < 100 && s->hrv[i].t_s >= t0 && s->hrv[i].t_s < t1 &&
			  s->hrv[i].n >= 20,
		  s->hrv[i].rmssd_ms);
}

double rpt_mean_hr(const struct rpt_session *s, double t0, double t1)
{
	MEAN_OVER(s->beats, s->nbeats, s->beats[i].t_s >= t0 && s->beats[i].t_s < t1,
		  s->beats[i].hr_bpm);
}

double rpt_mean_hf(const struct rpt_session *s, double t0, double t1)
{
	MEAN_OVER(s->hrv, s->nhrv,
		  s->hrv[i].window_s < 100 && s->hrv[i].t_s >= t0 && s->hrv[i].t_s < t1,
		  s->hrv[i].hf_ms2);
}

double rpt_mean_resp(const struct rpt_session *s, double t0, double t1)
{
	MEAN_OVER(s->resp, s->nresp, s->resp[i].t_s >= t0 && s->resp[i].t_s < t1,
		  s->resp[i].resp_bpm);
}

double rpt_mean_calm(const struct rpt_session *s, double t0, double t1)
{
	MEAN_OVER(s->hrv, s->nhrv,
		  s->hrv[i].window_s < 100 && s->hrv[i].t_s >= t0 && s->hrv[i].t_s < t1,
		  s->hrv[i].calm);
}
