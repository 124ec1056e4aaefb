/*
 * hrv.c - vagus-analyze hrv: one `hrv` JSON object for a window of a record.
 *
 *   vagus-analyze hrv RECORD --from S --to S --annotations EXT
 *       NN from the reference annotations RECORD.EXT (interval between two
 *       consecutive beats both labelled normal; time = ending beat), window
 *       [S, S) on the record's time axis.
 *       --nn-range MIN,MAX: accepted NN, ms (default 200,4000)
 *   vagus-analyze hrv --rr FILE [--from S --to S] [--clean]
 *       RR intervals from a text file: one column in ms or s, "time_s,rr_s"
 *       (the EC57 test patterns), Polar/Kubios/Elite HRV exports (rrfile.c);
 *       the window is the whole file unless given. --clean runs RR cleaning
 *       (rr.h) first.
 *   vagus-analyze hrv RECORD [--from S --to S] [--signal N]
 *       NN from an ECG signal (default: the first signal whose label or
 *       transducer says ECG, sigkind.c; else signal 0) through the daemon's
 *       detector and RR cleaning (io/nn_detect.h); artifacts_pct from the
 *       cleaner. RECORD: a WFDB record (with or without .hea) or one of the
 *       daemon's EDF+ recordings. Without --from/--to: the whole record.
 * The math is analysis/hrv.c; this file only reads inputs and prints.
 */
#include "va.h"
#include "hrv.h"
#include "nn_detect.h"
#include "recording.h"
#include "rr.h"
#include "vg_err.h"
#include "wfdb_ann.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nn_list {
	struct wfdb_nn *v;
	size_t n, cap;
};

static int nn_add(struct nn_list *l, double t_s, double nn_ms)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4096;
		struct wfdb_nn *p = realloc(l->v, nc * sizeof(*p));
		if (!p)
			return VG_ERR_NOMEM;
		l->v = p;
		l->cap = nc;
	}
	l->v[l->n].t_s = t_s;
	l->v[l->n].nn_ms = nn_ms;
	l->n++;
	return 0;
}

/* RR intervals from a text file (rrfile.c reads the formats). */
static int read_rr_file(const char *path, struct nn_list *l)
{
	struct va_rr *v = NULL;
	size_t n = 0;
	const char *note = "";
	int err = va_rr_read(path, &v, &n, &note);
	for (size_t i = 0; !err && i < n; i++)
		err = nn_add(l, v[i].t_s, v[i].rr_ms);
	free(v);
	return err;
}

static void put_num(FILE *o, const char *key, double v, int dec)
{
	if (isfinite(v))
		fprintf(o, ",\"%s\":%.*f", key, dec, v);
	else
		fprintf(o, ",\"%s\":null", key);
}

/* The one printing function (the lead switches it to the shared encoder). */
static void print_hrv(FILE *o, int64_t t_ns, const struct hrv_result *r)
{
	fprintf(o, "{\"topic\":\"hrv\",\"v\":1,\"seq\":0,\"t_ns\":%lld", (long long)t_ns);
	put_num(o, "window_s", r->window_s, 1);
	fprintf(o, ",\"n\":%d", r->n);
	put_num(o, "mean_nn_ms", r->mean_nn_ms, 3);
	put_num(o, "sdnn_ms", r->sdnn_ms, 3);
	put_num(o, "rmssd_ms", r->rmssd_ms, 3);
	put_num(o, "pnn50", r->pnn50, 3);
	put_num(o, "sd1_ms", r->sd1_ms, 3);
	put_num(o, "sd2_ms", r->sd2_ms, 3);
	put_num(o, "hr_bpm", r->hr_bpm, 2);
	put_num(o, "artifacts_pct", r->artifacts_pct, 2);
	put_num(o, "vlf_ms2", r->vlf_ms2, 3);
	put_num(o, "lf_ms2", r->lf_ms2, 3);
	put_num(o, "hf_ms2", r->hf_ms2, 3);
	put_num(o, "lf_hf", r->lf_hf, 4);
	put_num(o, "lf_nu", r->lf_nu, 2);
	put_num(o, "hf_nu", r->hf_nu, 2);
	put_num(o, "hf_peak_hz", r->hf_peak_hz, 4);
	put_num(o, "rsa_ms2", r->rsa_ms2, 3);
	fprintf(o, ",\"slow_breathing\":%s", r->slow_breathing ? "true" : "false");
	put_num(o, "resp_hz", r->resp_hz, 4);
	put_num(o, "pns_index", r->pns_index, 3);
	put_num(o, "calm", r->calm, 1);
	put_num(o, "calm_trend", r->calm_trend, 2);
	fprintf(o, "}\n");
}

static int64_t s_to_ns(double s)
{
	return (int64_t)llround(s * 1e9);
}

/* Clean the list in place with the causal cleaner (rr.h). flags[] gets
 * HRV_NN_* per output interval. */
static int clean_list(struct nn_list *l, unsigned **flags)
{
	int err = 0;
	struct rr_clean *c = rr_new(NULL, &err);
	struct nn_list out = { 0 };
	unsigned *fl = NULL;
	size_t flcap = 0;
	if (!c)
		return err;
	struct rr_nn buf[RR_MAX_OUT];
	for (size_t i = 0; i <= l->n && !err; i++) {
		int k = i < l->n ? rr_push(c, s_to_ns(l->v[i].t_s), l->v[i].nn_ms, buf)
				 : rr_flush(c, buf);
		for (int j = 0; j < k && !err; j++) {
			err = nn_add(&out, (double)buf[j].t_ns * 1e-9, buf[j].nn_ms);
			if (!err && out.n > flcap) {
				flcap = out.cap;
				unsigned *p = realloc(fl, flcap * sizeof(*p));
				if (!p)
					err = VG_ERR_NOMEM;
				else
					fl = p;
			}
			if (!err)
				fl[out.n - 1] = buf[j].flags;
		}
	}
	rr_destroy(&c);
	free(l->v);
	*l = out;
	*flags = fl;
	return err;
}

int va_cmd_hrv(int argc, char **argv)
{
	const char *record = NULL, *rrfile = NULL, *ext = NULL;
	double from = NAN, to = NAN;
	int clean = 0;
	long sig = -1;
	char namebuf[4096];
	double nn_lo = HRV_NN_MIN_MS, nn_hi = HRV_NN_MAX_MS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--from") && i + 1 < argc)
			from = strtod(argv[++i], NULL);
		else if (!strcmp(a, "--to") && i + 1 < argc)
			to = strtod(argv[++i], NULL);
		else if (!strcmp(a, "--annotations") && i + 1 < argc)
			ext = argv[++i];
		else if (!strcmp(a, "--rr") && i + 1 < argc)
			rrfile = argv[++i];
		else if (!strcmp(a, "--clean"))
			clean = 1;
		else if (!strcmp(a, "--signal") && i + 1 < argc)
			sig = strtol(argv[++i], NULL, 10);
		else if (!strcmp(a, "--nn-range") && i + 1 < argc &&
			 sscanf(argv[i + 1], "%lf,%lf", &nn_lo, &nn_hi) == 2)
			i++;
		else if (a[0] != '-' && !record)
			record = a;
		else {
			fprintf(stderr, "usage: vagus-analyze hrv RECORD [--from S --to S] "
					"[--annotations EXT | --signal N] [--nn-range MIN,MAX] | "
					"hrv --rr FILE [--from S --to S] [--clean]\n");
			return 2;
		}
	}
	struct nn_list l = { 0 };
	unsigned *flags = NULL;
	int err = 0;
	if (record)
		record = va_record_name(record, namebuf, sizeof(namebuf));
	if (rrfile) {
		err = read_rr_file(rrfile, &l);
	} else if (record && ext) {
		struct wfdb_ann *ann = NULL;
		size_t na = 0;
		double fs = 0.0;
		err = wfdb_ann_load(record, ext, &ann, &na, &fs);
		if (err) {
			fprintf(stderr, "vagus-analyze hrv: %s.%s: %s\n", record, ext, vg_strerror(err));
			return 1;
		}
		l.v = malloc((na + 1) * sizeof(*l.v));
		l.cap = na + 1;
		if (!l.v)
			err = VG_ERR_NOMEM;
		else
			l.n = wfdb_ann_nn(ann, na, fs, l.v);
		free(ann);
	} else if (record) {
		if (sig < 0) {
			struct recording *rec = recording_open(record, &err);
			if (!rec) {
				fprintf(stderr, "vagus-analyze hrv: %s: %s\n", record, vg_strerror(err));
				return 1;
			}
			sig = va_find_kind(rec, VA_KIND_ECG, -1);
			if (sig < 0)
				sig = 0;
			recording_close(&rec);
		}
		struct nn_detect_result dr;
		err = nn_detect_record(record, (int)sig, isnan(from) ? 0.0 : from,
				       isnan(to) ? 0.0 : to, &dr);
		if (err) {
			fprintf(stderr, "vagus-analyze hrv: %s signal %ld: %s\n", record, sig,
				vg_strerror(err));
			return 1;
		}
		l.v = malloc((dr.n_nn + 1) * sizeof(*l.v));
		flags = malloc((dr.n_nn + 1) * sizeof(*flags));
		if (!l.v || !flags) {
			err = VG_ERR_NOMEM;
		} else {
			for (size_t i = 0; i < dr.n_nn; i++) {
				l.v[i].t_s = dr.nn[i].t_s;
				l.v[i].nn_ms = dr.nn[i].nn_ms;
				flags[i] = dr.nn[i].flags;
			}
			l.n = dr.n_nn;
			l.cap = dr.n_nn + 1;
		}
		nn_detect_free(&dr);
	} else {
		fprintf(stderr, "vagus-analyze hrv: need RECORD or --rr FILE\n");
		return 2;
	}
	if (!err && clean)
		err = clean_list(&l, &flags);
	if (err || l.n < 2) {
		fprintf(stderr, "vagus-analyze hrv: %s\n", err ? vg_strerror(err) : "fewer than 2 intervals");
		free(l.v);
		free(flags);
		return 1;
	}
	if (isnan(from))
		from = l.v[0].t_s - 1e-6;
	if (isnan(to))
		to = l.v[l.n - 1].t_s + 1e-3;
	if (!(to > from) || to - from > HRV_MAX_WINDOW_S) {
		fprintf(stderr, "vagus-analyze hrv: bad window [%g, %g)\n", from, to);
		free(l.v);
		free(flags);
		return 2;
	}
	struct hrv *h = hrv_new(to - from < 10.0 ? 10.0 : to - from, &err);
	if (!h) {
		fprintf(stderr, "vagus-analyze hrv: %s\n", vg_strerror(err));
		free(l.v);
		free(flags);
		return 1;
	}
	if (hrv_set_nn_range(h, nn_lo, nn_hi)) {
		fprintf(stderr, "vagus-analyze hrv: bad --nn-range %g,%g\n", nn_lo, nn_hi);
		hrv_destroy(&h);
		free(l.v);
		free(flags);
		return 2;
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].t_s >= from && l.v[i].t_s < to)
			hrv_push(h, s_to_ns(l.v[i].t_s), l.v[i].nn_ms, flags ? flags[i] : 0);
	struct hrv_result r;
	err = hrv_compute_span(h, s_to_ns(from), s_to_ns(to), &r);
	hrv_destroy(&h);
	free(l.v);
	free(flags);
	if (err) {
		fprintf(stderr, "vagus-analyze hrv: fewer than 2 intervals in [%g, %g)\n", from, to);
		return 1;
	}
	print_hrv(stdout, s_to_ns(to), &r);
	return 0;
}
