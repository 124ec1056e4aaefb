/*
 * rpt_index.c - register sessions, rebuild the index, and the daemon's
 * session.stop call (see rpt_index.h).
 */
#include "rpt_index.h"
#include "rpt_hrvcalc.h"
#include "rpt_report.h"
#include "vg_err.h"
#include "vg_log.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_MARKS 256

static void cpy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void rpt_session_index_row(const struct rpt_session *s, struct idx_session *row,
			   struct idx_mark *marks, size_t cap, size_t *nmarks)
{
	memset(row, 0, sizeof(*row));
	cpy(row->session_id, sizeof(row->session_id), s->id);
	rpt_client_id(s->client, row->client_id, sizeof(row->client_id));
	cpy(row->start_utc, sizeof(row->start_utc), s->date_utc);
	row->start_ns = s->wall_start_ns;
	cpy(row->technique, sizeof(row->technique), s->technique);
	cpy(row->profile, sizeof(row->profile), s->profile);
	row->duration_s = s->duration_s;
	row->base_calm = s->baseline.calm;
	row->end_calm = s->end.calm;
	row->base_hr_bpm = s->baseline.hr_bpm;
	row->end_hr_bpm = s->end.hr_bpm;
	row->base_rmssd_ms = s->baseline.rmssd_ms;
	row->end_rmssd_ms = s->end.rmssd_ms;
	row->base_resp_bpm = s->baseline.resp_bpm;
	row->end_resp_bpm = s->end.resp_bpm;
	row->quality = rpt_mean_quality(s);
	row->artifacts_pct = rpt_mean_artifacts_pct(s);
	row->nbeats = (int)s->nbeats;
	row->nreleases = (int)s->nreleases;
	row->holds = s->holds;
	row->hf_ms2 = row->lf_ms2 = NAN;
	struct rpt_nn nn;
	struct rpt_psd psd;
	if (rpt_nn_from_beats(s, &nn) == 0) {
		if (rpt_psd(&nn, &psd) == 0) {
			row->hf_ms2 = psd.hf_ms2;
			row->lf_ms2 = psd.lf_ms2;
			rpt_psd_free(&psd);
		}
		rpt_nn_free(&nn);
	}
	cpy(row->base_path, sizeof(row->base_path), s->base);
	for (int r = 0; r < s->nregions && r < IDX_MAX_REGIONS; r++) {
		struct idx_region *g = &row->region[row->nregions++];
		cpy(g->region, sizeof(g->region), s->region[r].name);
		g->base_uv = s->baseline.emg_uv[r];
		g->end_uv = s->end.emg_uv[r];
		double sum = 0;
		for (size_t i = 0; i < s->nreleases; i++)
			if (strcmp(s->releases[i].region, s->region[r].name) == 0) {
				g->releases++;
				sum += s->releases[i].hold_s;
			}
		g->release_s = g->releases ? sum / g->releases : NAN;
	}
	size_t n = 0;
	int nmark_ev = 0;
	for (size_t i = 0; i < s->nevents; i++)
		nmark_ev += s->events[i].kind == RPT_EV_MARK;
	for (size_t i = 0; i < s->nmarks && n < cap; i++) {
		const struct rpt_markresp *m = &s->marks[i];
		struct idx_mark *o = &marks[n++];
		o->t_s = m->t_s;
		cpy(o->label, sizeof(o->label), m->label);
		cpy(o->region, sizeof(o->region), m->region);
		cpy(o->technique, sizeof(o->technique), m->technique[0] ? m->technique : s->technique);
		o->dhr_bpm = m->dhr_bpm;
		o->drmssd_pct = m->drmssd_pct;
		o->dcalm = m->dcalm;
	}
	row->nmarks = nmark_ev > (int)s->nmarks ? nmark_ev : (int)s->nmarks;
	*nmarks = n;
}

static int file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static int register_loaded(struct idx *ix, struct rpt_session *s, const char *outdir,
			   int no_report)
{
	struct idx_mark *marks = calloc(MAX_MARKS, sizeof(*marks));
	struct idx_session *row = calloc(1, sizeof(*row));
	if (!marks || !row) {
		free(marks);
		free(row);
		return VG_ERR_NOMEM;
	}
	size_t nm = 0;
	rpt_session_index_row(s, row, marks, MAX_MARKS, &nm);
	int e = 0;
	if (!no_report)
		e = rpt_write_session(s, row->client_id, outdir, row->html_path,
				      sizeof(row->html_path), row->pdf_path, sizeof(row->pdf_path));
	else {
		snprintf(row->html_path, sizeof(row->html_path), "%s.html", s->base);
		snprintf(row->pdf_path, sizeof(row->pdf_path), "%s.pdf", s->base);
	}
	if (e == 0)
		e = idx_put_session(ix, row, s->client, marks, nm);
	free(marks);
	free(row);
	return e;
}

int rpt_register(struct idx *ix, const char *base, const char *outdir, int no_report)
{
	struct rpt_session *s = NULL;
	int e = rpt_session_load(base, &s);
	if (e < 0)
		return e;
	e = register_loaded(ix, s, outdir, no_report);
	rpt_session_free(&s);
	return e;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rpt_rebuild(struct idx *ix, const char *dir, size_t *count)
{
	*count = 0;
	DIR *d = opendir(dir);
	if (!d) {
		vg_warn("index: cannot read %s", dir);
		return vg_err_from_errno(errno);
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int e = 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **q = realloc(names, cap * sizeof(*names));
			if (!q) {
				e = VG_ERR_NOMEM;
				break;
			}
			names = q;
		}
		names[n] = strndup(de->d_name, len - 6);
		if (!names[n]) {
			e = VG_ERR_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (e == 0)
		qsort(names, n, sizeof(*names), cmp_str);
	if (e == 0)
		e = idx_clear(ix);
	for (size_t i = 0; e == 0 && i < n; i++) {
		char base[4096], html[4200];
		snprintf(base, sizeof(base), "%s/%s", dir, names[i]);
		snprintf(html, sizeof(html), "%s.html", base);
		struct rpt_session *s = NULL;
		if (rpt_session_load(base, &s) < 0) {
			vg_warnx("index: skipped %s (unreadable)", base);
			continue;
		}
		int r = register_loaded(ix, s, NULL, file_exists(html));
		rpt_session_free(&s);
		if (r == VG_ERR_IO || r == VG_ERR_NOMEM)
			e = r;
		else if (r == 0)
			(*count)++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

int rpt_session_finished(const char *record_dir, const char *base_path,
			 const char *index_url, char *err, size_t cap)
{
	char url[4096];
	if (err && cap)
		err[0] = '\0';
	if (!record_dir || !base_path) {
		if (err)
			snprintf(err, cap, "report: no recording directory or session");
		return VG_ERR_INVAL;
	}
	if (index_url && index_url[0])
		snprintf(url, sizeof(url), "%s", index_url);
	else
		snprintf(url, sizeof(url), "%s/%s", record_dir, IDX_SQLITE_NAME);
	struct idx *ix = NULL;
	int created = 0;
	int e = idx_open(url, &ix, &created);
	if (e == VG_ERR_PARSE && strncmp(url, "postgres", 8) != 0) {
		/* damaged SQLite file: keep it aside for inspection, start anew */
		char path[4200], aside[4300];
		const char *p = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(path, sizeof(path), "%s/%s", p, IDX_SQLITE_NAME);
		else
			snprintf(path, sizeof(path), "%s", p);
		snprintf(aside, sizeof(aside), "%s.damaged", path);
		if (rename(path, aside) == 0)
			vg_warnx("index: %s was damaged; kept as %s, rebuilding", path, aside);
		e = idx_open(url, &ix, &created);
		created = 1;
	}
	if (e < 0) {
		/* no index (server down, disk full): the report is still written */
		struct rpt_session *s = NULL;
		int r = rpt_session_load(base_path, &s);
		if (r == 0)
			r = rpt_write_session(s, NULL, NULL, NULL, 0, NULL, 0);
		rpt_session_free(&s);
		if (err)
			snprintf(err, cap, "report: cannot open the session index (%s); report %s",
				 vg_strerror(e), r == 0 ? "written" : "not written");
		return e;
	}
	if (created) {
		size_t n = 0;
		e = rpt_rebuild(ix, record_dir, &n);
		if (e == 0)
			vg_info("index: rebuilt from %zu recording(s) in %s", n, record_dir);
	}
	/* the finished session itself, with its report (always written anew) */
	if (e == 0)
		e = rpt_register(ix, base_path, NULL, 0);
	idx_close(&ix);
	if (e < 0 && err)
		snprintf(err, cap, "report: session %s: %s", base_path, vg_strerror(e));
	return e;
}
