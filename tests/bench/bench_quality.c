/*
 * bench_quality.c - does the per-second signal quality (qrs_quality) say
 * when the ECG is unreadable? Feeds each MIT-BIH Noise Stress Test record
 * (118e*, 118ma*, 118bw*: noise in alternating 2-minute segments from 5:00,
 * noisy 5-7, 9-11, ... min) one second at a time and prints, per record,
 * the mean of qrs_quality() over the noisy and over the clean seconds, and
 * the share of noisy seconds rated below 0.5.
 * Data: MIT-BIH Noise Stress Test Database (Moody, Muldrow & Mark 1984),
 * PhysioNet (Goldberger et al. 2000).
 */
#include "qrs.h"
#include "vg_err.h"
#include "wfdb.h"

#include <stdio.h>
#include <stdlib.h>

static void on_beat(void *ctx, const struct qrs_beat *b)
{
	(void)ctx;
	(void)b;
}

int main(void)
{
	static const char *recs[] = { "118e24", "118e12", "118e00", "118ma24", "118ma12",
				      "118ma06", "118ma00", "118bw12", "118bw06", "118bw00" };
	const char *d = getenv("VG_DATA");
	printf("%-8s %10s %10s %16s\n", "record", "q_noisy", "q_clean", "noisy_below_0.5");
	for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/nstdb/%s", d ? d : "../shared/data", recs[k]);
		int err;
		struct wfdb_record *r = wfdb_open(path, &err);
		if (!r) {
			fprintf(stderr, "bench_quality: %s: %s\n", path, vg_strerror(err));
			return 1;
		}
		double fs = wfdb_sig_fs(r, 0);
		int64_t n = wfdb_sig_nsamp(r, 0);
		size_t sec = (size_t)fs;
		float *x = malloc(sec * sizeof(float));
		struct qrs *q = qrs_new(fs, on_beat, NULL, &err);
		if (!x || !q)
			return 1;
		double sn = 0, sc = 0;
		int nn = 0, nc = 0, low = 0;
		for (int64_t at = 0; at + (int64_t)sec <= n; at += (int64_t)sec) {
			if (wfdb_read_phys(r, 0, at, sec, x))
				return 1;
			qrs_feed(q, x, sec);
			double t = (double)(at + (int64_t)sec) / fs;
			if (t <= 300.0)
				continue;
			float qual = qrs_quality(q);
			if ((int)((t - 300.0 - 1e-9) / 120.0) % 2 == 0) {
				sn += qual;
				nn++;
				low += qual < 0.5f;
			} else {
				sc += qual;
				nc++;
			}
		}
		printf("%-8s %10.3f %10.3f %15.1f%%\n", recs[k], nn ? sn / nn : 0.0,
		       nc ? sc / nc : 0.0, nn ? 100.0 * low / nn : 0.0);
		qrs_destroy(&q);
		free(x);
		wfdb_destroy(&r);
	}
	return 0;
}
