/*
 * rpt_progress.c - the progress report of one client (see rpt_progress.h).
 */
#include "rpt_progress.h"
#include "rpt_hrvcalc.h"
#include "vg_err.h"
#include "vg_log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXM 40

struct measure {
	char name[96];
	char unit[16];
	double *y;            /* one per session */
	struct rpt_trend t;
	int ok;
};

struct course {
	struct idx_session *s;
	size_t n;
	double *x;            /* session number 1..n */
	struct measure m[MAXM];
	int nm;
	char regions[IDX_MAX_REGIONS][64];
	int nregions;
};

static const unsigned pal[] = { 0x2a7ab9, 0xc0392b, 0x16a085, 0x8e44ad, 0xd35400, 0x7f8c8d };

static struct measure *add_measure(struct course *c, const char *name, const char *unit)
{
	if (c->nm >= MAXM)
		return NULL;
	struct measure *m = &c->m[c->nm];
	m->y = malloc((c->n ? c->n : 1) * sizeof(double));
	if (!m->y)
		return NULL;
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->unit, sizeof(m->unit), "%s", unit);
	c->nm++;
	return m;
}

static const struct idx_region *region_in(const struct idx_session *s, const char *name)
{
	for (int r = 0; r < s->nregions; r++)
		if (strcmp(s->region[r].region, name) == 0)
			return &s->region[r];
	return NULL;
}

#define FIELD_MEASURE(c, label, unit, field)                                   \
	do {                                                                   \
		struct measure *m_ = add_measure(c, label, unit);              \
		if (m_)                                                        \
			for (size_t i = 0; i < (c)->n; i++)                    \
				m_->y[i] = (c)->s[i].field;                    \
	} while (0)

static void build_measures(struct course *c)
{
	FIELD_MEASURE(c, "calm at baseline", "points", base_calm);
	FIELD_MEASURE(c, "calm at end", "points", end_calm);
	FIELD_MEASURE(c, "resting heart rate (baseline)", "bpm", base_hr_bpm);
	FIELD_MEASURE(c, "heart rate at end", "bpm", end_hr_bpm);
	FIELD_MEASURE(c, "RMSSD at baseline", "ms", base_rmssd_ms);
	FIELD_MEASURE(c, "RMSSD at end", "ms", end_rmssd_ms);
	FIELD_MEASURE(c, "HF power (whole session)", "ms\xc2\xb2", hf_ms2);
	FIELD_MEASURE(c, "breathing at baseline", "/min", base_resp_bpm);
	FIELD_MEASURE(c, "breathing at end", "/min", end_resp_bpm);
	for (size_t i = 0; i < c->n; i++)
		for (int r = 0; r < c->s[i].nregions; r++) {
			int known = 0;
			for (int k = 0; k < c->nregions; k++)
				known |= strcmp(c->regions[k], c->s[i].region[r].region) == 0;
			if (!known && c->nregions < IDX_MAX_REGIONS)
				snprintf(c->regions[c->nregions++], 64, "%s", c->s[i].region[r].region);
		}
	for (int k = 0; k < c->nregions; k++) {
		char name[96];
		for (int what = 0; what < 4; what++) {
			static const char *const pre[4] = { "tension ", "tension ", "releases ",
							    "time to release " };
			static const char *const post[4] = { " at baseline", " at end", "", "" };
			static const char *const unit[4] = { "\xc2\xb5V", "\xc2\xb5V", "count", "s" };
			snprintf(name, sizeof(name), "%s%s%s", pre[what], c->regions[k], post[what]);
			struct measure *m = add_measure(c, name, unit[what]);
			if (!m)
				continue;
			for (size_t i = 0; i < c->n; i++) {
				const struct idx_region *g = region_in(&c->s[i], c->regions[k]);
				m->y[i] = !g ? NAN : what == 0 ? g->base_uv : what == 1 ? g->end_uv
					: what == 2 ? (double)g->releases : g->release_s;
			}
		}
	}
	for (int k = 0; k < c->nm; k++)
		c->m[k].ok = rpt_trend_fit(c->x, c->m[k].y, c->n, &c->m[k].t) == 0;
}

static struct measure *find(struct course *c, const char *name)
{
	for (int k = 0; k < c->nm; k++)
		if (strcmp(c->m[k].name, name) == 0)
			return &c->m[k];
	return NULL;
}

/* The measures' values, and for trend_of the fitted line with its band. */
static struct rpt_plot *trend_plot(struct course *c, const char *title, const char *ylabel,
				   struct measure **ms, int nms, int trend_all)
{
	struct rpt_plot *p = rpt_plot_new(title, "session", ylabel);
	if (!p)
		return NULL;
	double *fit = malloc(c->n * sizeof(double) * 3);
	if (!fit)
		return p;
	double *lo = fit + c->n, *hi = lo + c->n;
	for (int k = 0; k < nms; k++) {
		struct measure *m = ms[k];
		if (!m)
			continue;
		unsigned rgb = pal[k % 6];
		rpt_plot_add(p, m->name, RPT_LINE, rgb, 0, c->x, m->y, c->n);
		rpt_plot_add(p, "", RPT_DOTS, rgb, 0, c->x, m->y, c->n);
		if (!m->ok || (k > 0 && !trend_all))
			continue;
		size_t i0 = 0, i1 = c->n;
		while (i0 < c->n && !isfinite(m->y[i0]))
			i0++;
		while (i1 > i0 && !isfinite(m->y[i1 - 1]))
			i1--;
		for (size_t i = 0; i < c->n; i++) {
			if (i < i0 || i >= i1) {
				fit[i] = lo[i] = hi[i] = NAN;
				continue;
			}
			fit[i] = m->t.intercept + m->t.slope * c->x[i];
			double b = rpt_trend_band(&m->t, c->x[i]);
			lo[i] = fit[i] - b;
			hi[i] = fit[i] + b;
		}
		char lab[64];
		snprintf(lab, sizeof(lab), "trend (%+.2f/session)", m->t.slope);
		int si = rpt_plot_add(p, lab, RPT_LINE, rgb, 0, c->x, fit, c->n);
		if (si >= 0)
			p->series[si].dash = 1;
		si = rpt_plot_add(p, trend_all ? "" : "95 % CI of the trend", RPT_LINE, 0xaaaaaa, 0,
				  c->x, lo, c->n);
		if (si >= 0)
			p->series[si].dash = 1;
		si = rpt_plot_add(p, "", RPT_LINE, 0xaaaaaa, 0, c->x, hi, c->n);
		if (si >= 0)
			p->series[si].dash = 1;
	}
	free(fit);
	p->xmin = 0.5;
	p->xmax = (double)c->n + 0.5;
	return p;
}

static const char *fmtv(char *b, size_t cap, double v, int dec)
{
	if (!isfinite(v))
		snprintf(b, cap, "-");
	else
		snprintf(b, cap, "%.*f", dec, v);
	return b;
}

static const char *direction(const struct measure *m)
{
	if (!m->ok)
		return "too few sessions";
	if (m->t.slope - m->t.ci95 > 0)
		return "rising";
	if (m->t.slope + m->t.ci95 < 0)
		return "falling";
	return "no clear change";
}

static double first_of(const struct course *c, const struct measure *m, int last)
{
	for (size_t k = 0; k < c->n; k++) {
		size_t i = last ? c->n - 1 - k : k;
		if (isfinite(m->y[i]))
			return m->y[i];
	}
	return NAN;
}

static void words(struct rpt_doc *d, struct course *c)
{
	char text[4096] = "", part[512], a[32], b[32];
	int changed = 0;
	for (int k = 0; k < c->nm; k++) {
		struct measure *m = &c->m[k];
		const char *dir = direction(m);
		if (strcmp(dir, "rising") && strcmp(dir, "falling"))
			continue;
		if (strncmp(m->name, "calm at baseline", 16) == 0)
			continue; /* about 50 by construction */
		snprintf(part, sizeof(part), "%s%s %s from %s to %s %s (%+.2f %s per session, 95 %% CI %+.2f to %+.2f).",
			 changed ? " " : "", m->name, strcmp(dir, "rising") == 0 ? "rose" : "fell",
			 fmtv(a, sizeof(a), first_of(c, m, 0), 1), fmtv(b, sizeof(b), first_of(c, m, 1), 1),
			 m->unit, m->t.slope, m->unit, m->t.slope - m->t.ci95, m->t.slope + m->t.ci95);
		char *first = part + (changed ? 1 : 0);
		if (*first >= 'a' && *first <= 'z')
			*first = (char)(*first - 'a' + 'A');
		if (strlen(text) + strlen(part) + 1 < sizeof(text))
			strcat(text, part);
		changed++;
	}
	if (!changed)
		snprintf(text, sizeof(text), "Over these %zu sessions no measure changed clearly "
			 "(every trend's 95 %% confidence interval includes no change).", c->n);
	rpt_doc_text(d, RPT_B_P, "%s", text);
	rpt_doc_text(d, RPT_B_NOTE, "A measure is said to rise or fall only when the 95 %% confidence "
		     "interval of its least-squares slope excludes zero. These are measured figures over "
		     "%zu sessions, not a diagnosis or a statement about health.", c->n);
}

static void tables(struct rpt_doc *d, struct course *c, struct idx *ix)
{
	char b[12][32];
	rpt_doc_text(d, RPT_B_H2, "Trends");
	rpt_doc_table(d, "measure\tunit\tsessions\tslope per session\t95 % CI\tdirection\tfirst\tlast");
	for (int k = 0; k < c->nm; k++) {
		struct measure *m = &c->m[k];
		char ci[64];
		if (m->ok)
			snprintf(ci, sizeof(ci), "%+.3f to %+.3f", m->t.slope - m->t.ci95, m->t.slope + m->t.ci95);
		else
			snprintf(ci, sizeof(ci), "-");
		rpt_doc_row(d, "%s\t%s\t%zu\t%s\t%s\t%s\t%s\t%s", m->name, m->unit, m->t.n,
			    m->ok ? (snprintf(b[0], 32, "%+.3f", m->t.slope), b[0]) : "-", ci,
			    direction(m), fmtv(b[1], 32, first_of(c, m, 0), 1),
			    fmtv(b[2], 32, first_of(c, m, 1), 1));
	}
	rpt_doc_text(d, RPT_B_H2, "Sessions");
	rpt_doc_table(d, "#\tdate (UTC)\ttechnique\tprofile\tmin\tcalm base/end\tresting HR\tRMSSD base/end"
			 "\tHF, ms\xc2\xb2\tbreathing base/end\treleases\tquality");
	for (size_t i = 0; i < c->n; i++) {
		const struct idx_session *s = &c->s[i];
		rpt_doc_row(d, "%zu\t%s\t%s\t%s\t%.1f\t%s / %s\t%s\t%s / %s\t%s\t%s / %s\t%d\t%s", i + 1,
			    s->start_utc, s->technique[0] ? s->technique : "-", s->profile,
			    s->duration_s / 60, fmtv(b[0], 32, s->base_calm, 1), fmtv(b[1], 32, s->end_calm, 1),
			    fmtv(b[2], 32, s->base_hr_bpm, 1), fmtv(b[3], 32, s->base_rmssd_ms, 1),
			    fmtv(b[4], 32, s->end_rmssd_ms, 1), fmtv(b[5], 32, s->hf_ms2, 0),
			    fmtv(b[6], 32, s->base_resp_bpm, 1), fmtv(b[7], 32, s->end_resp_bpm, 1),
			    s->nreleases, fmtv(b[8], 32, s->quality, 2));
	}
	/* mark responses by technique */
	struct { char tech[48]; int n; double dhr, drm, dcalm; int nhr, nrm, ncalm; } g[32];
	int ng = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct idx_mark *mk = NULL;
		size_t nmk = 0;
		if (idx_marks(ix, c->s[i].session_id, &mk, &nmk) < 0)
			continue;
		for (size_t j = 0; j < nmk; j++) {
			int k = 0;
			while (k < ng && strcmp(g[k].tech, mk[j].technique) != 0)
				k++;
			if (k == ng) {
				if (ng == 32)
					continue;
				memset(&g[ng], 0, sizeof(g[ng]));
				snprintf(g[ng].tech, sizeof(g[ng].tech), "%s", mk[j].technique);
				ng++;
			}
			g[k].n++;
			if (isfinite(mk[j].dhr_bpm)) { g[k].dhr += mk[j].dhr_bpm; g[k].nhr++; }
			if (isfinite(mk[j].drmssd_pct)) { g[k].drm += mk[j].drmssd_pct; g[k].nrm++; }
			if (isfinite(mk[j].dcalm)) { g[k].dcalm += mk[j].dcalm; g[k].ncalm++; }
		}
		free(mk);
	}
	rpt_doc_text(d, RPT_B_H2, "Mark responses by technique (30 s after vs 30 s before)");
	if (!ng) {
		rpt_doc_text(d, RPT_B_P, "No mark responses recorded.");
		return;
	}
	rpt_doc_table(d, "technique\tmarks\tmean HR change, bpm\tmean RMSSD change, %\tmean calm change");
	for (int k = 0; k < ng; k++)
		rpt_doc_row(d, "%s\t%d\t%s\t%s\t%s", g[k].tech[0] ? g[k].tech : "-", g[k].n,
			    fmtv(b[0], 32, g[k].nhr ? g[k].dhr / g[k].nhr : NAN, 2),
			    fmtv(b[1], 32, g[k].nrm ? g[k].drm / g[k].nrm : NAN, 1),
			    fmtv(b[2], 32, g[k].ncalm ? g[k].dcalm / g[k].ncalm : NAN, 1));
}

static void plots(struct rpt_doc *d, struct course *c)
{
	struct measure *ms[8];
	rpt_doc_text(d, RPT_B_H2, "Over the course");
	ms[0] = find(c, "calm at end");
	ms[1] = find(c, "calm at baseline");
	rpt_doc_plot(d, trend_plot(c, "Calm at the end and at baseline", "calm (0-100)", ms, 2, 0), 260, 1);
	ms[0] = find(c, "resting heart rate (baseline)");
	ms[1] = find(c, "heart rate at end");
	rpt_doc_plot(d, trend_plot(c, "Resting heart rate", "heart rate, bpm", ms, 2, 0), 260, 1);
	ms[0] = find(c, "RMSSD at baseline");
	ms[1] = find(c, "RMSSD at end");
	rpt_doc_plot(d, trend_plot(c, "RMSSD", "RMSSD, ms", ms, 2, 0), 260, 1);
	ms[0] = find(c, "HF power (whole session)");
	rpt_doc_plot(d, trend_plot(c, "HF power (0.15-0.40 Hz)", "HF, ms\xc2\xb2", ms, 1, 0), 260, 1);
	ms[0] = find(c, "breathing at baseline");
	ms[1] = find(c, "breathing at end");
	rpt_doc_plot(d, trend_plot(c, "Breathing rate", "breaths/min", ms, 2, 0), 260, 1);
	int nt = 0;
	for (int k = 0; k < c->nregions && nt < 2; k++) {
		char name[96];
		snprintf(name, sizeof(name), "tension %s at end", c->regions[k]);
		ms[nt++] = find(c, name);
	}
	rpt_doc_plot(d, trend_plot(c, "Tension at the end, per region", "EMG RMS, \xc2\xb5V", ms, nt, 1),
		     260, 1);
	nt = 0;
	for (int k = 0; k < c->nregions && nt < 2; k++) {
		char name[96];
		snprintf(name, sizeof(name), "time to release %s", c->regions[k]);
		struct measure *m = find(c, name);
		size_t have = 0;
		for (size_t i = 0; m && i < c->n; i++)
			have += isfinite(m->y[i]);
		if (have)
			ms[nt++] = m;
	}
	if (nt)
		rpt_doc_plot(d, trend_plot(c, "Time to release", "hold to release, s", ms, nt, 1), 260, 0);
}

int rpt_progress_doc(struct idx *ix, const char *client, struct rpt_doc **out)
{
	*out = NULL;
	char cid[24];
	int e = idx_find_client(ix, client, cid, sizeof(cid));
	if (e < 0) {
		vg_warnx("report: no client %s in the index", client);
		return e;
	}
	struct course c = { 0 };
	e = idx_sessions(ix, cid, &c.s, &c.n);
	if (e < 0)
		return e;
	if (c.n == 0) {
		free(c.s);
		return VG_ERR_NOTFOUND;
	}
	c.x = malloc(c.n * sizeof(double));
	char title[160];
	snprintf(title, sizeof(title), "vagus progress report %s", cid);
	struct rpt_doc *d = rpt_doc_new(title);
	if (!c.x || !d) {
		free(c.x);
		free(c.s);
		rpt_doc_free(&d);
		return VG_ERR_NOMEM;
	}
	for (size_t i = 0; i < c.n; i++)
		c.x[i] = (double)(i + 1);
	build_measures(&c);
	rpt_doc_text(d, RPT_B_H1, "Progress report \xe2\x80\x94 client %s", cid);
	rpt_doc_table(d, "client\tsessions\tfirst\tlast\ttechniques");
	char techs[256] = "";
	for (size_t i = 0; i < c.n; i++)
		if (c.s[i].technique[0] && !strstr(techs, c.s[i].technique) &&
		    strlen(techs) + strlen(c.s[i].technique) + 3 < sizeof(techs)) {
			if (techs[0])
				strcat(techs, ", ");
			strcat(techs, c.s[i].technique);
		}
	rpt_doc_row(d, "%s\t%zu\t%s\t%s\t%s", cid, c.n, c.s[0].start_utc, c.s[c.n - 1].start_utc,
		    techs[0] ? techs : "-");
	rpt_doc_text(d, RPT_B_H2, "What changed");
	words(d, &c);
	plots(d, &c);
	tables(d, &c, ix);
	rpt_doc_text(d, RPT_B_NOTE, "Figures from vagus; decision support, not a clinical assessment. "
		     "Calm is relative to each session's own start (about 50 at baseline).");
	for (int k = 0; k < c.nm; k++)
		free(c.m[k].y);
	free(c.x);
	free(c.s);
	if (d->err) {
		e = d->err;
		rpt_doc_free(&d);
		return e;
	}
	*out = d;
	return 0;
}

int rpt_write_progress(struct idx *ix, const char *client, const char *outdir,
		       char *html, size_t hcap, char *pdf, size_t pcap)
{
	struct rpt_doc *d = NULL;
	int e = rpt_progress_doc(ix, client, &d);
	if (e < 0)
		return e;
	char cid[24] = "";
	idx_find_client(ix, client, cid, sizeof(cid));
	char h[4200], p[4200];
	snprintf(h, sizeof(h), "%s/progress_%s.html", outdir && outdir[0] ? outdir : ".", cid);
	snprintf(p, sizeof(p), "%s/progress_%s.pdf", outdir && outdir[0] ? outdir : ".", cid);
	e = rpt_doc_html(d, h);
	if (e == 0)
		e = rpt_doc_pdf(d, p);
	rpt_doc_free(&d);
	if (e == 0) {
		if (html)
			snprintf(html, hcap, "%s", h);
		if (pdf)
			snprintf(pdf, pcap, "%s", p);
	}
	return e;
}
