/*
 * bench_xtalk.c - the early QRS marks that gate ECG crosstalk out of the
 * EMG (analysis/xtalk.h), on real ECGs against the reference beats.
 *
 * The marks were designed on the simulator only; here they meet people:
 * for every record of mitdb (360 Hz), svdb (128 Hz) and nstdb (noise
 * stress; or the databases given as arguments), signal 0 is fed to the
 * beat detector (whose beats teach the marks, as in the pipeline) and to
 * the marks. Scored against the reference beat annotations after the first
 * 10 s: coverage = share of reference beats with a mark within 50 ms of
 * their R (the EMG gate spans -50..+110 ms around a mark); false marks per
 * hour (no reference beat within 150 ms); the mark's lag after the R peak
 * (median, p99: the EMG delay line of 120 ms must cover lag + 50 ms);
 * and the R error of the covering marks. One line per database, the
 * records with the lowest coverage, and the whole.
 * No parameter was fitted to these records (the marks were tuned on the
 * simulator), so these are held-out figures.
 */
#include "qrs.h"
#include "vg_err.h"
#include "wfdb.h"
#include "wfdb_ann.h"
#include "xtalk.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 32
#define SKIP_S 10.0
#define COVER_S 0.050
#define FALSE_S 0.150

struct run {
	struct xtalk *xt;
	int64_t *mark_r, *mark_at;
	size_t nm, cap;
	int64_t now;
};

static void on_beat(void *ctx, const struct qrs_beat *b)
{
	struct run *r = ctx;
	xtalk_beat(r->xt, b->sample);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tally {
	size_t beats, covered, false_marks;
	double hours;
	double *lag_ms, *err_ms;
	size_t nlag, caplag;
};

static void add_lag(struct tally *t, double lag, double err)
{
	if (t->nlag == t->caplag) {
		size_t nc = t->caplag ? 2 * t->caplag : 65536;
		double *a = realloc(t->lag_ms, nc * sizeof(double));
		double *b = realloc(t->err_ms, nc * sizeof(double));
		if (!a || !b) {
			free(a ? a : t->lag_ms);
			free(b ? b : t->err_ms);
			fprintf(stderr, "bench_xtalk: out of memory\n");
			exit(1);
		}
		t->lag_ms = a;
		t->err_ms = b;
		t->caplag = nc;
	}
	t->lag_ms[t->nlag] = lag;
	t->err_ms[t->nlag++] = err;
}

/* One record: returns its coverage (%), adds to t; -1 when unreadable. */
static double one_record(const char *rec, struct tally *t)
{
	int err = 0;
	struct wfdb_record *w = wfdb_open(rec, &err);
	if (!w)
		return -1;
	struct wfdb_ann *ann = NULL;
	size_t na = 0;
	double afs = 0;
	if (wfdb_ann_load(rec, "atr", &ann, &na, &afs) < 0) {
		wfdb_destroy(&w);
		return -1;
	}
	double fs = wfdb_sig_fs(w, 0);
	int64_t n = wfdb_sig_nsamp(w, 0);
	float *x = malloc((size_t)n * sizeof(float));
	struct run r = { 0 };
	r.cap = (size_t)(n / (fs * 0.2)) + 16;
	r.mark_r = malloc(r.cap * sizeof(int64_t));
	r.mark_at = malloc(r.cap * sizeof(int64_t));
	r.xt = xtalk_new(fs, &err);
	struct qrs *q = qrs_new(fs, on_beat, &r, &err);
	if (!x || !r.mark_r || !r.mark_at || !r.xt || !q ||
	    wfdb_read_phys(w, 0, 0, (size_t)n, x) < 0) {
		fprintf(stderr, "bench_xtalk: %s: cannot run\n", rec);
		exit(1);
	}
	for (int64_t at = 0; at < n; at += BLOCK) {
		size_t m = (size_t)(n - at < BLOCK ? n - at : BLOCK);
		for (size_t k = 0; k < m; k++) { /* marks first, as the pipeline */
			int64_t rr;
			if (xtalk_step(r.xt, x[at + (int64_t)k], &rr) && r.nm < r.cap) {
				r.mark_r[r.nm] = rr;
				r.mark_at[r.nm++] = at + (int64_t)k;
			}
		}
		qrs_feed(q, x + at, m);
	}
	/* score: reference beats and marks are both in time order */
	const double k_ann = fs / afs; /* annotation samples -> signal samples */
	const int64_t skip = (int64_t)(SKIP_S * fs);
	size_t beats = 0, covered = 0, j = 0;
	for (size_t i = 0; i < na; i++) {
		if (!wfdb_ann_is_beat(ann[i].code))
			continue;
		double ra = (double)ann[i].sample * k_ann;
		if (ra < (double)skip)
			continue;
		beats++;
		while (j < r.nm && (double)r.mark_r[j] < ra - COVER_S * fs)
			j++;
		if (j < r.nm && fabs((double)r.mark_r[j] - ra) <= COVER_S * fs) {
			covered++;
			add_lag(t, ((double)r.mark_at[j] - ra) / fs * 1e3,
				fabs((double)r.mark_r[j] - ra) / fs * 1e3);
		}
	}
	size_t fm = 0, a = 0;
	for (size_t i = 0; i < r.nm; i++) {
		if (r.mark_at[i] < skip)
			continue;
		double mr = (double)r.mark_r[i];
		while (a < na && (!wfdb_ann_is_beat(ann[a].code) ||
				  (double)ann[a].sample * k_ann < mr - FALSE_S * fs))
			a++;
		if (!(a < na && fabs((double)ann[a].sample * k_ann - mr) <= FALSE_S * fs))
			fm++;
	}
	t->beats += beats;
	t->covered += covered;
	t->false_marks += fm;
	t->hours += (double)(n - skip) / fs / 3600.0;
	qrs_destroy(&q);
	xtalk_destroy(&r.xt);
	free(r.mark_r);
	free(r.mark_at);
	free(x);
	free(ann);
	wfdb_destroy(&w);
	return beats ? 100.0 * (double)covered / (double)beats : 100.0;
}

static void report(const char *what, struct tally *t)
{
	qsort(t->lag_ms, t->nlag, sizeof(double), cmp_d);
	qsort(t->err_ms, t->nlag, sizeof(double), cmp_d);
	size_t p99 = t->nlag ? (size_t)(0.99 * (double)(t->nlag - 1)) : 0;
	printf("bench_xtalk: %-6s %7zu beats: %.2f %% covered by a mark within 50 ms, "
	       "%.1f false marks/h; mark lag after R median %.1f ms, p99 %.1f ms; "
	       "R error median %.1f ms, p99 %.1f ms\n", what, t->beats,
	       t->beats ? 100.0 * (double)t->covered / (double)t->beats : 0.0,
	       t->hours > 0 ? (double)t->false_marks / t->hours : 0.0,
	       t->nlag ? t->lag_ms[t->nlag / 2] : NAN, t->nlag ? t->lag_ms[p99] : NAN,
	       t->nlag ? t->err_ms[t->nlag / 2] : NAN, t->nlag ? t->err_ms[p99] : NAN);
}

int main(int argc, char **argv)
{
	const char *data = getenv("VG_DATA") ? getenv("VG_DATA") : "../shared/data";
	static const char *const dflt[] = { "mitdb", "svdb", "nstdb" };
	int ndb = argc > 1 ? argc - 1 : 3;
	struct tally all = { 0 };
	for (int d = 0; d < ndb; d++) {
		const char *db = argc > 1 ? argv[d + 1] : dflt[d];
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s/%s", data, db);
		DIR *dp = opendir(dir);
		if (!dp) {
			printf("bench_xtalk: %s: no such database, skipped\n", dir);
			continue;
		}
		char *recs[512];
		int nr = 0;
		struct dirent *e;
		while ((e = readdir(dp)) && nr < 512) {
			size_t l = strlen(e->d_name);
			if (l > 4 && !strcmp(e->d_name + l - 4, ".hea")) {
				char *s = malloc(l + strlen(dir) + 2);
				if (!s)
					return 1;
				snprintf(s, l + strlen(dir) + 2, "%s/%.*s", dir, (int)(l - 4), e->d_name);
				recs[nr++] = s;
			}
		}
		closedir(dp);
		qsort(recs, (size_t)nr, sizeof(char *), cmp_str);
		struct tally t = { 0 };
		double worst[3] = { 101, 101, 101 };
		const char *wname[3] = { "", "", "" };
		for (int i = 0; i < nr; i++) {
			double c = one_record(recs[i], &t);
			if (c < 0)
				continue;
			for (int k = 0; k < 3; k++)
				if (c < worst[k]) {
					for (int m = 2; m > k; m--) {
						worst[m] = worst[m - 1];
						wname[m] = wname[m - 1];
					}
					worst[k] = c;
					wname[k] = strrchr(recs[i], '/') + 1;
					break;
				}
		}
		report(db, &t);
		printf("bench_xtalk: %-6s lowest coverage: %s %.2f %%, %s %.2f %%, %s %.2f %%\n", db,
		       wname[0], worst[0], wname[1], worst[1], wname[2], worst[2]);
		all.beats += t.beats;
		all.covered += t.covered;
		all.false_marks += t.false_marks;
		all.hours += t.hours;
		for (size_t i = 0; i < t.nlag; i++)
			add_lag(&all, t.lag_ms[i], t.err_ms[i]);
		free(t.lag_ms);
		free(t.err_ms);
		/* keep the names of the worst records until printed */
		for (int i = 0; i < nr; i++)
			free(recs[i]);
	}
	report("all", &all);
	free(all.lag_ms);
	free(all.err_ms);
	return 0;
}
