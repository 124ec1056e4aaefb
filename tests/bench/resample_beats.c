/*
 * resample_beats.c - the detector on a WFDB record resampled to another
 * rate: resample_beats RECORD FS_HZ [SIGNAL] reads the signal (default 0),
 * resamples it by linear interpolation to FS_HZ, feeds it to the detector
 * in 32-sample blocks and prints each beat as a JSON line whose "sample" is
 * the R peak in the ORIGINAL record's numbering, so the record's reference
 * annotations score it (score_beats.py). Used by score_rates.sh to check
 * the detector at 250, 500 and 1000 Hz on annotated real ECG. Without
 * arguments (as tests/bench.sh runs every benchmark) it only says so.
 * Limits: linear interpolation (no anti-alias filter when decimating; the
 * MIT-BIH recordings are band-limited to about 60-100 Hz).
 */
#include "qrs.h"
#include "vg_err.h"
#include "wfdb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct ctx {
	double ratio; /* original rate / new rate */
};

static void on_beat(void *arg, const struct qrs_beat *b)
{
	const struct ctx *c = arg;
	printf("{\"sample\":%lld,\"quality\":%.3f}\n", (long long)llround(b->sample_frac * c->ratio),
	       (double)b->quality);
}

int main(int argc, char **argv)
{
	if (argc == 1) {
		/* run by tests/bench.sh with no arguments: score_rates.sh drives it */
		printf("resample_beats: see score_rates.sh for the figures\n");
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: resample_beats RECORD FS_HZ [SIGNAL]\n");
		return 2;
	}
	int err, sig = argc > 3 ? atoi(argv[3]) : 0;
	double fs_new = atof(argv[2]);
	struct wfdb_record *r = wfdb_open(argv[1], &err);
	if (!r || sig < 0 || sig >= wfdb_nsig(r)) {
		fprintf(stderr, "resample_beats: %s: %s\n", argv[1], r ? "no such signal" : vg_strerror(err));
		return 1;
	}
	double fs = wfdb_sig_fs(r, sig);
	int64_t n = wfdb_sig_nsamp(r, sig);
	float *x = malloc((size_t)n * sizeof(float));
	if (!x || wfdb_read_phys(r, sig, 0, (size_t)n, x))
		return 1;
	struct ctx c = { .ratio = fs / fs_new };
	struct qrs *q = qrs_new(fs_new, on_beat, &c, &err);
	if (!q) {
		fprintf(stderr, "resample_beats: %s\n", vg_strerror(err));
		return 1;
	}
	float blk[32];
	size_t k = 0;
	for (int64_t j = 0;; j++) {
		double t = (double)j * c.ratio; /* position in original samples */
		int64_t i = (int64_t)t;
		if (i + 1 >= n)
			break;
		double f = t - (double)i;
		blk[k++] = (float)((1.0 - f) * x[i] + f * x[i + 1]);
		if (k == 32) {
			qrs_feed(q, blk, k);
			k = 0;
		}
	}
	qrs_feed(q, blk, k);
	qrs_flush(q);
	qrs_destroy(&q);
	free(x);
	wfdb_destroy(&r);
	return 0;
}
