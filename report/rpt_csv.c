/*
 * rpt_csv.c - CSV export of a session (see rpt_csv.h).
 */
#include "rpt_csv.h"
#include "rpt_buf.h"
#include "rpt_report.h"
#include "vg_err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void num(struct rpt_buf *b, double v, int dec)
{
	if (isfinite(v))
		rpt_buf_printf(b, "%.*f", dec, v);
}

/* A CSV text cell: quoted, quotes doubled (RFC 4180). */
static void cell(struct rpt_buf *b, const char *s)
{
	rpt_buf_put(b, "\"");
	for (; s && *s; s++) {
		char c[3] = { *s, 0, 0 };
		if (*s == '"')
			c[1] = '"';
		else if (*s == '\n' || *s == '\r')
			c[0] = ' ';
		rpt_buf_put(b, c);
	}
	rpt_buf_put(b, "\"");
}

static const char *kind_name(enum rpt_ev_kind k)
{
	static const char *const n[] = { "mark", "hold.start", "hold.stop", "pacer.set",
					 "profile.set", "baseline.start", "gap", "other" };
	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "other";
}

static int save(struct rpt_buf *b, const char *prefix, const char *ext)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s%s", prefix, ext);
	int e = rpt_buf_save(b, path);
	rpt_buf_free(b);
	return e;
}

int rpt_export_csv(const struct rpt_session *s, const char *dir, int identified,
		   char *prefix_out, size_t cap)
{
	char cid[24], stamp[32] = "unknown", prefix[4096];
	rpt_client_id(s->client, cid, sizeof(cid));
	if (strlen(s->date_utc) == 19) /* YYYY-mm-dd HH:MM:SS -> YYYYmmdd-HHMMSS */
		snprintf(stamp, sizeof(stamp), "%.4s%.2s%.2s-%.2s%.2s%.2s", s->date_utc,
			 s->date_utc + 5, s->date_utc + 8, s->date_utc + 11, s->date_utc + 14,
			 s->date_utc + 17);
	if (snprintf(prefix, sizeof(prefix), "%s/%s_%s", dir && dir[0] ? dir : ".", stamp, cid) >=
	    (int)sizeof(prefix))
		return VG_ERR_TRUNC;
	struct rpt_buf b = { 0 };
	int e = 0;

	rpt_buf_put(&b, "client_id,");
	if (identified)
		rpt_buf_put(&b, "client_name,");
	rpt_buf_put(&b, "start_utc,start_unix_s,technique,profile,duration_s,beats,complete\n");
	cell(&b, cid);
	rpt_buf_put(&b, ",");
	if (identified) {
		cell(&b, s->client);
		rpt_buf_put(&b, ",");
	}
	cell(&b, s->date_utc);
	rpt_buf_printf(&b, ",%.3f,", (double)s->start_ns * 1e-9);
	cell(&b, s->technique);
	rpt_buf_put(&b, ",");
	cell(&b, s->profile);
	rpt_buf_printf(&b, ",%.3f,%zu,%d\n", s->duration_s, s->nbeats, s->complete);
	e = save(&b, prefix, ".session.csv");

	rpt_buf_put(&b, "t_s,rr_ms,hr_bpm,quality\n");
	for (size_t i = 0; i < s->nbeats; i++) {
		const struct rpt_beat *x = &s->beats[i];
		rpt_buf_printf(&b, "%.4f,", x->t_s);
		num(&b, x->rr_ms, 3);
		rpt_buf_put(&b, ",");
		num(&b, x->hr_bpm, 2);
		rpt_buf_put(&b, ",");
		num(&b, x->quality, 3);
		rpt_buf_put(&b, "\n");
	}
	if (e == 0)
		e = save(&b, prefix, ".beats.csv");
	else
		rpt_buf_free(&b);

	for (size_t i = 0; i < s->nbeats; i++)
		if (isfinite(s->beats[i].rr_ms))
			rpt_buf_printf(&b, "%.3f\n", s->beats[i].rr_ms);
	if (e == 0)
		e = save(&b, prefix, ".rr.txt");
	else
		rpt_buf_free(&b);

	rpt_buf_put(&b, "t_s,window_s,n,mean_nn_ms,sdnn_ms,rmssd_ms,hr_bpm,artifacts_pct,vlf_ms2,"
			"lf_ms2,hf_ms2,lf_hf,pns_index_sd,calm_0_100\n");
	for (size_t i = 0; i < s->nhrv; i++) {
		const struct rpt_hrvw *w = &s->hrv[i];
		double v[] = { w->mean_nn_ms, w->sdnn_ms, w->rmssd_ms, w->hr_bpm, w->artifacts_pct,
			       w->vlf_ms2, w->lf_ms2, w->hf_ms2, w->lf_hf, w->pns_index, w->calm };
		rpt_buf_printf(&b, "%.4f,%.1f,%d", w->t_s, w->window_s, w->n);
		for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
			rpt_buf_put(&b, ",");
			num(&b, v[k], k == 8 ? 3 : 2);
		}
		rpt_buf_put(&b, "\n");
	}
	if (e == 0)
		e = save(&b, prefix, ".hrv.csv");
	else
		rpt_buf_free(&b);

	rpt_buf_put(&b, "t_s,resp_bpm,confidence\n");
	for (size_t i = 0; i < s->nresp; i++) {
		rpt_buf_printf(&b, "%.4f,", s->resp[i].t_s);
		num(&b, s->resp[i].resp_bpm, 2);
		rpt_buf_put(&b, ",");
		num(&b, s->resp[i].confidence, 2);
		rpt_buf_put(&b, "\n");
	}
	if (e == 0)
		e = save(&b, prefix, ".resp.csv");
	else
		rpt_buf_free(&b);

	rpt_buf_put(&b, "t_s,region,rms_uv\n");
	for (int r = 0; r < s->nregions; r++)
		for (size_t i = 0; i < s->region[r].n; i++) {
			rpt_buf_printf(&b, "%.4f,", s->region[r].p[i].t_s);
			cell(&b, s->region[r].name);
			rpt_buf_put(&b, ",");
			num(&b, s->region[r].p[i].rms_uv, 2);
			rpt_buf_put(&b, "\n");
		}
	if (e == 0)
		e = save(&b, prefix, ".emg.csv");
	else
		rpt_buf_free(&b);

	rpt_buf_put(&b, "t_s,kind,text,region,value,unit\n");
	for (size_t i = 0; i < s->nevents; i++) {
		const struct rpt_event *x = &s->events[i];
		rpt_buf_printf(&b, "%.4f,%s,", x->t_s, kind_name(x->kind));
		cell(&b, x->text);
		rpt_buf_put(&b, ",");
		cell(&b, x->region);
		rpt_buf_put(&b, ",,\n");
	}
	for (size_t i = 0; i < s->nreleases; i++) {
		const struct rpt_release *x = &s->releases[i];
		rpt_buf_printf(&b, "%.4f,release,", x->t_s);
		cell(&b, x->technique);
		rpt_buf_put(&b, ",");
		cell(&b, x->region);
		rpt_buf_printf(&b, ",%.1f,drop_pct\n", x->drop_pct);
	}
	for (size_t i = 0; i < s->nmarks; i++) {
		const struct rpt_markresp *x = &s->marks[i];
		rpt_buf_printf(&b, "%.4f,mark.response,", x->t_s);
		cell(&b, x->label);
		rpt_buf_put(&b, ",");
		cell(&b, x->region);
		rpt_buf_put(&b, ",");
		num(&b, x->dhr_bpm, 2);
		rpt_buf_put(&b, ",dhr_bpm\n");
	}
	if (e == 0)
		e = save(&b, prefix, ".events.csv");
	else
		rpt_buf_free(&b);
	if (e == 0 && prefix_out)
		snprintf(prefix_out, cap, "%s", prefix);
	return e;
}
