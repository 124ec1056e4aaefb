/*
 * index.c - vagus-report --list, --rebuild-index and --client (the
 * progress report).
 */
#include "idx.h"
#include "rpt_index.h"
#include "rpt_progress.h"
#include "vg_err.h"
#include "vr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int vr_list(const struct vr_opts *o)
{
	char url[4200];
	vr_index_url(o, o->dir, url, sizeof(url));
	struct idx *ix = NULL;
	int e = idx_open(url, &ix, NULL);
	if (e < 0)
		return e;
	struct idx_client *c = NULL;
	size_t nc = 0;
	e = idx_clients(ix, &c, &nc);
	printf("%-12s %-24s %8s  %-19s  %-19s\n", "client", "name", "sessions", "first (UTC)", "last (UTC)");
	for (size_t i = 0; e == 0 && i < nc; i++)
		printf("%-12s %-24s %8d  %-19s  %-19s\n", c[i].client_id, c[i].name, c[i].sessions,
		       c[i].first_utc, c[i].last_utc);
	free(c);
	struct idx_session *s = NULL;
	size_t ns = 0;
	if (e == 0)
		e = idx_sessions(ix, NULL, &s, &ns);
	if (e == 0)
		printf("\n%-12s %-19s %-14s %-9s %7s %7s %7s %7s %4s  %s\n", "client", "start (UTC)",
		       "technique", "profile", "min", "HR", "RMSSD", "calm", "rel", "session");
	for (size_t i = 0; e == 0 && i < ns; i++)
		printf("%-12s %-19s %-14s %-9s %7.1f %7.1f %7.1f %7.1f %4d  %s\n", s[i].client_id,
		       s[i].start_utc, s[i].technique[0] ? s[i].technique : "-", s[i].profile,
		       s[i].duration_s / 60, s[i].base_hr_bpm, s[i].base_rmssd_ms, s[i].end_calm,
		       s[i].nreleases, s[i].session_id);
	free(s);
	idx_close(&ix);
	return e;
}

int vr_rebuild(const struct vr_opts *o)
{
	char url[4200];
	vr_index_url(o, o->rebuild, url, sizeof(url));
	struct idx *ix = NULL;
	int e = idx_open(url, &ix, NULL);
	if (e == VG_ERR_PARSE && !o->index_url) {
		char aside[4300];
		snprintf(aside, sizeof(aside), "%s.damaged", url);
		if (rename(url, aside) == 0)
			fprintf(stderr, "vagus-report: %s was damaged; kept as %s\n", url, aside);
		e = idx_open(url, &ix, NULL);
	}
	if (e < 0)
		return e;
	size_t n = 0;
	e = rpt_rebuild(ix, o->rebuild, &n);
	idx_close(&ix);
	if (e == 0)
		printf("index %s: %zu session(s) registered\n", url, n);
	return e;
}

int vr_progress(const struct vr_opts *o)
{
	char url[4200], h[4200], p[4200];
	vr_index_url(o, o->dir, url, sizeof(url));
	struct idx *ix = NULL;
	int e = idx_open(url, &ix, NULL);
	if (e < 0)
		return e;
	e = rpt_write_progress(ix, o->client, o->outdir ? o->outdir : (o->dir ? o->dir : "."),
			       h, sizeof(h), p, sizeof(p));
	idx_close(&ix);
	if (e == 0)
		printf("%s\n%s\n", h, p);
	return e;
}
