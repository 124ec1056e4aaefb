/*
 * session.c - vagus-report SESSION: the session report and its
 * registration; --export csv.
 */
#include "idx.h"
#include "rpt_csv.h"
#include "rpt_index.h"
#include "rpt_report.h"
#include "vg_err.h"
#include "vr.h"

#include <stdio.h>
#include <string.h>

void vr_index_url(const struct vr_opts *o, const char *dir, char *url, size_t cap)
{
	if (o->index_url)
		snprintf(url, cap, "%s", o->index_url);
	else
		snprintf(url, cap, "%s/%s", dir && dir[0] ? dir : ".", IDX_SQLITE_NAME);
}

/* BASE of what: a path, or a session id in --dir. */
static int resolve(const struct vr_opts *o, const char *what, char *base, size_t cap)
{
	if (rpt_base_path(what, base, cap) == 0)
		return 0;
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", o->dir ? o->dir : ".", what);
	int e = rpt_base_path(p, base, cap);
	if (e < 0)
		fprintf(stderr, "vagus-report: no session %s (no %s.jsonl)\n", what, what);
	return e;
}

static void dir_of(const char *base, char *dir, size_t cap)
{
	const char *sl = strrchr(base, '/');
	if (!sl)
		snprintf(dir, cap, ".");
	else
		snprintf(dir, cap, "%.*s", (int)(sl - base), base);
}

int vr_session(const struct vr_opts *o, const char *what)
{
	char base[4096], dir[4096], url[4200];
	int e = resolve(o, what, base, sizeof(base));
	if (e < 0)
		return e;
	if (o->no_index) {
		struct rpt_session *s = NULL;
		char h[4200], p[4200];
		e = rpt_session_load(base, &s);
		if (e == 0)
			e = rpt_write_session(s, NULL, o->outdir, h, sizeof(h), p, sizeof(p));
		if (e == 0)
			printf("%s\n%s\n", h, p);
		rpt_session_free(&s);
		return e;
	}
	dir_of(base, dir, sizeof(dir));
	vr_index_url(o, o->dir ? o->dir : dir, url, sizeof(url));
	if (!o->outdir) {
		/* the daemon's path: report next to the recording, index rebuilt if lost */
		char err[512];
		e = rpt_session_finished(dir, base, url, err, sizeof(err));
		if (e < 0)
			fprintf(stderr, "vagus-report: %s\n", err);
		else
			printf("%s.html\n%s.pdf\n", base, base);
		return e;
	}
	struct idx *ix = NULL;
	e = idx_open(url, &ix, NULL);
	if (e == 0)
		e = rpt_register(ix, base, o->outdir, 0);
	idx_close(&ix);
	if (e == 0) {
		const char *name = strrchr(base, '/');
		name = name ? name + 1 : base;
		printf("%s/%s.html\n%s/%s.pdf\n", o->outdir, name, o->outdir, name);
	}
	return e;
}

int vr_export(const struct vr_opts *o, const char *what)
{
	char base[4096], prefix[4200];
	int e = resolve(o, what, base, sizeof(base));
	if (e < 0)
		return e;
	struct rpt_session *s = NULL;
	e = rpt_session_load(base, &s);
	if (e == 0)
		e = rpt_export_csv(s, o->outdir ? o->outdir : ".", o->identified, prefix, sizeof(prefix));
	if (e == 0)
		printf("%s.{session,beats,hrv,resp,emg,events}.csv %s.rr.txt\n", prefix, prefix);
	rpt_session_free(&s);
	return e;
}
