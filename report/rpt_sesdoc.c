/*
 * rpt_sesdoc.c - the session report as a document (see rpt_report.h).
 *
 * Problem: one page set a therapist can read after a session and a
 * researcher can trust: who (by code), when, how, how clean the signal
 * was, and what heart, breath and muscles did over time.
 * Approach: header table; signal quality; calm over the session with
 * pacer inhale phases shaded and marks (M), holds (H, dashed end) and
 * releases (R) on the time axis; HR tachogram; RMSSD (60 s windows) with
 * breathing rate on a second axis; the whole-session HRV spectrum with
 * the VLF/LF/HF bands shaded beside the Poincare plot (Kubios layout);
 * EMG tension per region (1 s means) with releases; tables of marks and
 * their responses, holds and releases, baseline vs end.
 * References: Kubios HRV report (Tarvainen et al. 2014); Task Force 1996
 * bands (analysis/hrv.h); PROTOCOL.md for every figure's definition.
 * Limits: tension is shown as 1 s means; a long line series is thinned to
 * at most MAX_LINE_POINTS bucket means (the tachogram keeps every beat up
 * to that many).
 */
#include "rpt_hrvcalc.h"
#include "rpt_report.h"
#include "guide.h"
#include "pacer.h"
#include "vg_err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE_POINTS 8000
#define C_CALM 0x2a7ab9u
#define C_HR 0xc0392bu
#define C_RMSSD 0x16a085u
#define C_RESP 0x8e44adu
#define C_MARK 0x1f4e9cu
#define C_HOLD 0xe67e22u
#define C_REL 0x27ae60u
#define C_INHALE 0x9ecae1u

static const unsigned region_rgb[RPT_MAX_REGIONS] = {
	0xd35400, 0x2980b9, 0x8e44ad, 0x16a085, 0xc0392b, 0x7f8c8d, 0xf1c40f, 0x2c3e50
};

/* "12.3" or "-" */
static const char *f1(char *b, size_t cap, double v, int dec)
{
	if (!isfinite(v))
		snprintf(b, cap, "-");
	else
		snprintf(b, cap, "%.*f", dec, v);
	return b;
}

static void time_markers(struct rpt_plot *p, const struct rpt_session *s, int with_marks)
{
	int m = 0;
	for (size_t i = 0; i < s->nevents; i++) {
		const struct rpt_event *e = &s->events[i];
		char lab[24];
		if (e->kind == RPT_EV_MARK && with_marks) {
			snprintf(lab, sizeof(lab), "M%d", ++m);
			rpt_plot_vline(p, e->t_s / 60, C_MARK, 0, lab);
		} else if (e->kind == RPT_EV_HOLD_START) {
			rpt_plot_vline(p, e->t_s / 60, C_HOLD, 0, "H");
		} else if (e->kind == RPT_EV_HOLD_STOP) {
			rpt_plot_vline(p, e->t_s / 60, C_HOLD, 1, "");
		}
	}
	for (size_t i = 0; i < s->nreleases; i++)
		rpt_plot_vline(p, s->releases[i].t_s / 60, C_REL, 0, "R");
}

static void inhale_bands(struct rpt_plot *p, const struct rpt_session *s)
{
	for (size_t i = 0; i < s->nphases; i++)
		if (s->phases[i].phase == PACER_PH_INHALE)
			rpt_plot_band(p, s->phases[i].t0_s / 60, s->phases[i].t1_s / 60,
				      C_INHALE, 0.35, "pacer inhale", 1);
}

/* Thin (x, y) to at most max bucket means (in place); returns the count. */
static size_t thin(double *x, double *y, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t out = 0, per = (n + max - 1) / max;
	for (size_t i = 0; i < n; i += per) {
		double sx = 0, sy = 0;
		size_t k = 0;
		for (size_t j = i; j < n && j < i + per; j++)
			if (isfinite(y[j])) {
				sx += x[j];
				sy += y[j];
				k++;
			}
		x[out] = k ? sx / (double)k : x[i];
		y[out] = k ? sy / (double)k : NAN;
		out++;
	}
	return out;
}

static struct rpt_plot *calm_plot(const struct rpt_session *s, double *x, double *y)
{
	struct rpt_plot *p = rpt_plot_new("Calm over the session", "time, min", "calm (0-100)");
	if (!p)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < s->nhrv; i++)
		if (s->hrv[i].window_s < 100 && isfinite(s->hrv[i].calm)) {
			x[n] = s->hrv[i].t_s / 60;
			y[n++] = s->hrv[i].calm;
		}
	n = thin(x, y, n, MAX_LINE_POINTS);
	rpt_plot_add(p, "calm (60 s HRV window)", RPT_LINE, C_CALM, 0, x, y, n);
	p->ymin = 0;
	p->ymax = 100;
	p->xmin = 0;
	p->xmax = s->duration_s / 60;
	inhale_bands(p, s);
	time_markers(p, s, 1);
	return p;
}

static struct rpt_plot *tacho_plot(const struct rpt_session *s, double *x, double *y)
{
	struct rpt_plot *p = rpt_plot_new("Heart rate tachogram", "time, min", "heart rate, bpm");
	if (!p)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < s->nbeats; i++)
		if (isfinite(s->beats[i].hr_bpm)) {
			x[n] = s->beats[i].t_s / 60;
			y[n++] = s->beats[i].hr_bpm;
		}
	n = thin(x, y, n, MAX_LINE_POINTS);
	rpt_plot_add(p, "HR per beat", RPT_LINE, C_HR, 0, x, y, n);
	p->xmin = 0;
	p->xmax = s->duration_s / 60;
	time_markers(p, s, 1);
	return p;
}

static struct rpt_plot *rmssd_plot(const struct rpt_session *s, double *x, double *y)
{
	struct rpt_plot *p = rpt_plot_new("RMSSD and breathing", "time, min", "RMSSD, ms");
	if (!p)
		return NULL;
	snprintf(p->y2label, sizeof(p->y2label), "breathing, /min");
	size_t n = 0;
	for (size_t i = 0; i < s->nhrv; i++)
		if (s->hrv[i].window_s < 100 && s->hrv[i].n >= 20) {
			x[n] = s->hrv[i].t_s / 60;
			y[n++] = s->hrv[i].rmssd_ms;
		}
	n = thin(x, y, n, MAX_LINE_POINTS);
	rpt_plot_add(p, "RMSSD (60 s window)", RPT_LINE, C_RMSSD, 0, x, y, n);
	n = 0;
	for (size_t i = 0; i < s->nresp; i++) {
		x[n] = s->resp[i].t_s / 60;
		y[n++] = s->resp[i].resp_bpm;
	}
	n = thin(x, y, n, MAX_LINE_POINTS);
	rpt_plot_add(p, "breathing rate", RPT_LINE, C_RESP, 1, x, y, n);
	p->y_from_zero = 1;
	p->y2min = 0;
	p->y2max = 25;
	p->xmin = 0;
	p->xmax = s->duration_s / 60;
	time_markers(p, s, 0);
	return p;
}

static struct rpt_plot *spectrum_plot(const struct rpt_psd *psd, int ok)
{
	struct rpt_plot *p = rpt_plot_new("HRV spectrum (Welch, whole session)", "frequency, Hz",
					  "PSD, ms\xc2\xb2/Hz");
	if (!p)
		return NULL;
	rpt_plot_band(p, 0.0033, 0.04, 0xbbbbbb, 0.45, "VLF", 1);
	rpt_plot_band(p, 0.04, 0.15, 0xf5b7b1, 0.55, "LF", 1);
	rpt_plot_band(p, 0.15, 0.40, 0xaed6f1, 0.55, "HF", 1);
	if (ok) {
		rpt_plot_add(p, "PSD", RPT_LINE, 0x222222, 0, psd->f_hz, psd->psd_ms2hz, psd->n);
		snprintf(p->note, sizeof(p->note), "VLF %.0f, LF %.0f, HF %.0f ms\xc2\xb2; LF/HF %.2f",
			 psd->vlf_ms2, psd->lf_ms2, psd->hf_ms2, psd->lf_hf);
	}
	p->xmin = 0;
	p->xmax = 0.5;
	p->y_from_zero = 1;
	return p;
}

static struct rpt_plot *poincare_plot(const struct rpt_nn *nn)
{
	struct rpt_plot *p = rpt_plot_new("Poincar\xc3\xa9 plot", "RR(n), ms", "RR(n+1), ms");
	if (!p)
		return NULL;
	size_t n = nn->n ? nn->n - 1 : 0;
	rpt_plot_add(p, "successive NN pairs", RPT_DOTS, 0x2c3e50, 0, nn->nn_ms, nn->n ? nn->nn_ms + 1 : NULL, n);
	double sd1, sd2;
	rpt_poincare_sd(nn, &sd1, &sd2);
	if (isfinite(sd1))
		snprintf(p->note, sizeof(p->note), "SD1 %.1f ms, SD2 %.1f ms", sd1, sd2);
	p->equal_axes = 1;
	return p;
}

static struct rpt_plot *tension_plot(const struct rpt_session *s, double *x, double *y)
{
	struct rpt_plot *p = rpt_plot_new("Tension per region (EMG RMS, 1 s means)", "time, min",
					  "EMG RMS, \xc2\xb5V");
	if (!p)
		return NULL;
	for (int r = 0; r < s->nregions && r < RPT_PLOT_SERIES; r++) {
		const struct rpt_region *g = &s->region[r];
		size_t n = 0;
		double sum = 0;
		size_t k = 0;
		long sec = -1;
		for (size_t i = 0; i <= g->n; i++) {
			double ti = i < g->n ? g->p[i].t_s : NAN;
			if (i < g->n && !(fabs(ti) < 1e9))
				continue;
			long cur = i < g->n ? (long)floor(ti) : -2;
			if (cur != sec && k) {
				x[n] = ((double)sec + 0.5) / 60;
				y[n++] = sum / (double)k;
				sum = 0;
				k = 0;
			}
			if (i == g->n)
				break;
			sec = cur;
			if (isfinite(g->p[i].rms_uv)) {
				sum += g->p[i].rms_uv;
				k++;
			}
		}
		n = thin(x, y, n, MAX_LINE_POINTS);
		rpt_plot_add(p, g->name, RPT_LINE, region_rgb[r], 0, x, y, n);
	}
	p->y_from_zero = 1;
	p->xmin = 0;
	p->xmax = s->duration_s / 60;
	time_markers(p, s, 0);
	return p;
}

static void header(struct rpt_doc *d, const struct rpt_session *s, const char *cid)
{
	char b[32];
	rpt_doc_text(d, RPT_B_H1, "Session report \xe2\x80\x94 client %s, %s UTC", cid, s->date_utc);
	rpt_doc_table(d, "client\tdate (UTC)\ttechnique\tprofile\tduration\tbaseline/end span");
	rpt_doc_row(d, "%s\t%s\t%s\t%s\t%.1f min (%.0f s)\t%s s", cid, s->date_utc,
		    s->technique[0] ? s->technique : "-", s->profile, s->duration_s / 60,
		    s->duration_s, f1(b, sizeof(b), s->span_s, 0));
	if (!s->has_summary)
		rpt_doc_text(d, RPT_B_NOTE, "The session summary is missing (the session did not stop "
			     "normally); baseline and end are the first and last %.0f s of the file.",
			     s->span_s);
}

static void quality(struct rpt_doc *d, const struct rpt_session *s)
{
	char a[32], b[32], c[32], e[32], g[32];
	size_t low = 0;
	for (size_t i = 0; i < s->nbeats; i++)
		low += s->beats[i].quality < 0.5;
	rpt_doc_text(d, RPT_B_H2, "Signal quality");
	rpt_doc_table(d, "beats\tbeat quality (0-1)\tlow-quality beats\tRR corrected"
			 "\tgaps\tsamples lost / filled\tbad lines\trecording");
	rpt_doc_row(d, "%zu\t%s\t%zu (%s %%)\t%s %%\t%d\t%s / %s\t%zu\t%s", s->nbeats,
		    f1(a, sizeof(a), rpt_mean_quality(s), 3), low,
		    f1(b, sizeof(b), s->nbeats ? 100.0 * (double)low / (double)s->nbeats : NAN, 1),
		    f1(c, sizeof(c), rpt_mean_artifacts_pct(s), 2), s->gaps,
		    f1(e, sizeof(e), s->samples_lost, 0), f1(g, sizeof(g), s->samples_filled, 0),
		    s->bad_lines, s->complete ? "complete" : "truncated (repaired or cut)");
}

static void tables(struct rpt_doc *d, const struct rpt_session *s)
{
	char a[32], b[32], c[32], e[32], g[32], h[32];
	rpt_doc_text(d, RPT_B_H2, "Marks and responses (30 s after vs 30 s before)");
	int m = 0;
	size_t nmark_ev = 0;
	for (size_t i = 0; i < s->nevents; i++)
		nmark_ev += s->events[i].kind == RPT_EV_MARK;
	if (nmark_ev == 0 && s->nmarks == 0) {
		rpt_doc_text(d, RPT_B_P, "No marks.");
	} else {
		rpt_doc_table(d, "mark\ttime, min\tlabel\tregion\tHR before, bpm\tHR change, bpm"
				 "\tRMSSD change, %\tcalm change\tcomplete");
		for (size_t i = 0; i < s->nevents; i++) {
			const struct rpt_event *ev = &s->events[i];
			if (ev->kind != RPT_EV_MARK)
				continue;
			m++;
			const struct rpt_markresp *r = NULL;
			for (size_t k = 0; k < s->nmarks; k++)
				if (strcmp(s->marks[k].label, ev->text) == 0 &&
				    fabs(s->marks[k].t_s - ev->t_s) < 5)
					r = &s->marks[k];
			rpt_doc_row(d, "M%d\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s", m, ev->t_s / 60, ev->text,
				    ev->region[0] ? ev->region : "-",
				    f1(a, sizeof(a), r ? r->hr_before_bpm : NAN, 1),
				    f1(b, sizeof(b), r ? r->dhr_bpm : NAN, 1),
				    f1(c, sizeof(c), r ? r->drmssd_pct : NAN, 1),
				    f1(e, sizeof(e), r ? r->dcalm : NAN, 1),
				    r ? (r->complete ? "yes" : "no") : "no response");
		}
	}
	rpt_doc_text(d, RPT_B_H2, "Holds and releases");
	rpt_doc_text(d, RPT_B_P, "%d hold(s), %d past their usual span, %zu release(s).", s->holds,
		     s->holds_long, s->nreleases);
	if (s->nreleases) {
		rpt_doc_table(d, "release\ttime, min\tregion\ttechnique\tstart, \xc2\xb5V\tlevel, \xc2\xb5V"
				 "\tdrop, %\ttime to release, s");
		for (size_t i = 0; i < s->nreleases; i++) {
			const struct rpt_release *r = &s->releases[i];
			rpt_doc_row(d, "R%zu\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s", i + 1, r->t_s / 60, r->region,
				    r->technique, f1(a, sizeof(a), r->start_uv, 1),
				    f1(b, sizeof(b), r->level_uv, 1), f1(c, sizeof(c), r->drop_pct, 1),
				    f1(e, sizeof(e), r->hold_s, 1));
		}
	}
	rpt_doc_text(d, RPT_B_H2, "Baseline vs end");
	rpt_doc_table(d, "figure\tbaseline\tend\tchange");
	struct { const char *name; double b, e; int dec; } rows[] = {
		{ "calm (0-100)", s->baseline.calm, s->end.calm, 1 },
		{ "heart rate, bpm", s->baseline.hr_bpm, s->end.hr_bpm, 1 },
		{ "RMSSD, ms", s->baseline.rmssd_ms, s->end.rmssd_ms, 1 },
		{ "breathing, /min", s->baseline.resp_bpm, s->end.resp_bpm, 1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		rpt_doc_row(d, "%s\t%s\t%s\t%s", rows[i].name, f1(a, sizeof(a), rows[i].b, rows[i].dec),
			    f1(b, sizeof(b), rows[i].e, rows[i].dec),
			    f1(c, sizeof(c), rows[i].e - rows[i].b, rows[i].dec));
	for (int r = 0; r < s->nregions; r++) {
		double bb = s->baseline.emg_uv[r], ee = s->end.emg_uv[r];
		char name[96];
		snprintf(name, sizeof(name), "tension %s, \xc2\xb5V", s->region[r].name);
		rpt_doc_row(d, "%s\t%s\t%s\t%s (%s %%)", name, f1(g, sizeof(g), bb, 1),
			    f1(h, sizeof(h), ee, 1), f1(a, sizeof(a), ee - bb, 1),
			    f1(b, sizeof(b), bb > 0 ? 100 * (ee - bb) / bb : NAN, 0));
	}
}

int rpt_session_doc(const struct rpt_session *s, const char *client_id, struct rpt_doc **out)
{
	*out = NULL;
	char cid[24];
	if (client_id && client_id[0])
		snprintf(cid, sizeof(cid), "%s", client_id);
	else
		rpt_client_id(s->client, cid, sizeof(cid));
	char title[160];
	snprintf(title, sizeof(title), "vagus session report %s %s", cid, s->date_utc);
	struct rpt_doc *d = rpt_doc_new(title);
	size_t cap = s->nbeats + s->nhrv + s->nresp + 16;
	for (int r = 0; r < s->nregions; r++)
		cap = s->region[r].n + 16 > cap ? s->region[r].n + 16 : cap;
	double *x = malloc(cap * sizeof(double)), *y = malloc(cap * sizeof(double));
	struct rpt_nn nn = { 0 };
	struct rpt_psd psd = { 0 };
	if (!d || !x || !y || rpt_nn_from_beats(s, &nn) < 0) {
		free(x);
		free(y);
		rpt_doc_free(&d);
		return VG_ERR_NOMEM;
	}
	int psd_ok = rpt_psd(&nn, &psd) == 0;
	header(d, s, cid);
	quality(d, s);
	rpt_doc_text(d, RPT_B_H2, "Over the session");
	rpt_doc_plot(d, calm_plot(s, x, y), 250, 0);
	rpt_doc_text(d, RPT_B_NOTE, "M = mark, H = hold start (dashed: hold end), R = release; "
		     "shaded: the pacer's inhale phases.");
	rpt_doc_plot(d, tacho_plot(s, x, y), 230, 0);
	rpt_doc_plot(d, rmssd_plot(s, x, y), 230, 0);
	rpt_doc_text(d, RPT_B_H2, "Heart-rate variability over the whole session");
	rpt_doc_plot(d, spectrum_plot(&psd, psd_ok), 300, 1);
	rpt_doc_plot(d, poincare_plot(&nn), 300, 1);
	rpt_doc_text(d, RPT_B_NOTE, "Bands after the Task Force of the ESC/NASPE (1996): VLF 0.0033-0.04, "
		     "LF 0.04-0.15, HF 0.15-0.40 Hz; Welch PSD of the NN series resampled at 4 Hz "
		     "(256 s Hann segments), laid out as the Kubios HRV report.");
	rpt_doc_text(d, RPT_B_H2, "Muscle tension");
	rpt_doc_plot(d, tension_plot(s, x, y), 250, 0);
	tables(d, s);
	rpt_doc_text(d, RPT_B_NOTE, "Figures from vagus; decision support, not a clinical assessment. "
		     "Definitions: protocol/PROTOCOL.md.");
	free(x);
	free(y);
	rpt_nn_free(&nn);
	rpt_psd_free(&psd);
	if (d->err) {
		int e = d->err;
		rpt_doc_free(&d);
		return e;
	}
	*out = d;
	return 0;
}
