/*
 * bench_emg.c - EMG engine figures: speed (us per sample per channel,
 * spectrum included; share of one core for 8 channels at 2 kHz) in the
 * worst configuration (mains notches on, ECG gating with its delay line,
 * beats fed), and the accuracy figures on PhysioNet emgdb (whole-record
 * RMS / MDF / MNF against the data README) plus a whole drivedb drive05 run
 * of the pre-smoothed EMG channel.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "emg.h"
#include "vg_err.h"
#include "wfdb.h"
#include "../support/vgtest.h"

static uint64_t n_results;

static void sink(void *ctx, const struct emg_result *r)
{
	(void)ctx;
	(void)r;
	n_results++;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_speed(double fs, int nch, double seconds)
{
	size_t blk = (size_t)(fs / 50.0); /* 20 ms blocks, as drivers deliver */
	size_t n = (size_t)(10.0 * fs);
	float *x = malloc(n * sizeof(*x));
	if (!x)
		return 1;
	uint64_t s = 88172645463325252ull;
	for (size_t i = 0; i < n; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		double u = (double)(s >> 11) * 0x1.0p-53 - 0.5;
		x[i] = (float)(40.0 * u + 300.0 * sin(2.0 * M_PI * 50.0 * (double)i / fs) +
			       60.0 * sin(2.0 * M_PI * 150.0 * (double)i / fs));
	}
	struct emg *e[16];
	for (int c = 0; c < nch; c++) {
		struct emg_config cfg = { .fs_hz = fs, .channel = c, .name = "bench",
					  .ecg_delay_ms = 300.0 };
		int err = 0;
		e[c] = emg_new(&cfg, sink, NULL, &err);
		if (!e[c]) {
			fprintf(stderr, "emg_new: %s\n", vg_strerror(err));
			return 1;
		}
	}
	size_t total = (size_t)(seconds * fs), beat_every = (size_t)(0.8 * fs);
	double t0 = cpu_s();
	for (size_t at = 0; at < total; at += blk) {
		size_t off = at % n, len = blk;
		if (off + len > n)
			len = n - off;
		for (int c = 0; c < nch; c++) {
			emg_feed(e[c], x + off, len);
			if ((at + len) / beat_every != at / beat_every)
				emg_ecg_beat(e[c], (int64_t)((at + len) / beat_every * beat_every) -
							   (int64_t)(0.25 * fs));
		}
	}
	double dt = cpu_s() - t0;
	double us = 1e6 * dt / ((double)total * nch);
	printf("speed: %d ch x %.0f Hz x %.0f s: %.3f us per sample per channel "
	       "(target <= 1), %.2f %% of a core for 8 ch at 2 kHz%s\n",
	       nch, fs, seconds, us, 100.0 * us * 1e-6 * 8 * 2000.0,
	       fs == 2000.0 ? " (target < 2)" : " (scaled)");
	for (int c = 0; c < nch; c++)
		emg_destroy(&e[c]);
	free(x);
	return us <= 1.0 ? 0 : 1;
}

static float *read_uv(const char *rel, int sig, size_t *n, double *fs)
{
	int err = 0;
	struct wfdb_record *r = wfdb_open(vgt_data(rel), &err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", vgt_data(rel), vg_strerror(err));
		return NULL;
	}
	if (sig < 0)
		sig = wfdb_find_sig(r, "EMG");
	*n = (size_t)wfdb_sig_nsamp(r, sig);
	*fs = wfdb_sig_fs(r, sig);
	float *x = malloc(*n * sizeof(*x));
	if (x && wfdb_read_phys(r, sig, 0, *n, x) == 0) {
		for (size_t i = 0; i < *n; i++)
			x[i] *= 1000.0f;
	} else {
		free(x);
		x = NULL;
	}
	wfdb_destroy(&r);
	return x;
}

static int bench_emgdb(void)
{
	static const struct {
		const char *rec;
		double rms, mdf, mnf;
	} ref[] = {
		{ "emgdb/emg_healthy", 81.6, 108.4, 171.7 },
		{ "emgdb/emg_myopathy", 97.0, 191.4, 271.9 },
		{ "emgdb/emg_neuropathy", 388.4, 232.4, 308.8 },
	};
	int rc = 0;
	for (int k = 0; k < 3; k++) {
		size_t n;
		double fs;
		float *x = read_uv(ref[k].rec, 0, &n, &fs);
		if (!x)
			return 1;
		struct emg_summary s;
		if (emg_describe(x, n, fs, NULL, &s) < 0)
			return 1;
		double er = 100 * (s.rms_uv / ref[k].rms - 1), ed = 100 * (s.mdf_hz / ref[k].mdf - 1),
		       en = 100 * (s.mnf_hz / ref[k].mnf - 1);
		printf("%s: RMS %.1f uV (%+.2f %%, target 2), MDF %.1f Hz (%+.2f %%, target 5), "
		       "MNF %.1f Hz (%+.2f %%, target 5)\n", ref[k].rec, s.rms_uv, er, s.mdf_hz, ed,
		       s.mnf_hz, en);
		rc |= fabs(er) > 2 || fabs(ed) > 5 || fabs(en) > 5;
		free(x);
	}
	return rc;
}

static int bench_drivedb(void)
{
	size_t n;
	double fs;
	float *x = read_uv("drivedb/drive05", -1, &n, &fs);
	if (!x)
		return 1;
	struct emg_config cfg = { .fs_hz = fs, .name = "trapezius" };
	int err = 0;
	struct emg *e = emg_new(&cfg, sink, NULL, &err);
	if (!e)
		return 1;
	n_results = 0;
	double t0 = cpu_s();
	emg_feed(e, x, n);
	double dt = cpu_s() - t0;
	printf("drivedb/drive05 EMG (%.1f Hz, pre-smoothed): %zu samples, %llu results, "
	       "%.3f ms\n", fs, n, (unsigned long long)n_results, 1e3 * dt);
	emg_destroy(&e);
	free(x);
	return n_results + 2 >= n ? 0 : 1;
}

int main(void)
{
	int rc = 0;
	rc |= bench_speed(2000.0, 8, 120.0);
	rc |= bench_speed(4000.0, 8, 60.0);
	rc |= bench_speed(250.0, 8, 600.0);
	rc |= bench_emgdb();
	rc |= bench_drivedb();
	return rc;
}
