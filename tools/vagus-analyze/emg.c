/*
 * emg.c - vagus-analyze emg: the `emg` messages the daemon would publish for
 * one EMG signal of a WFDB record, as JSON lines; or, with --summary, the
 * whole-record descriptive figures (RMS, median and mean frequency).
 *
 * Usage: vagus-analyze emg RECORD [--signal N] [--name NAME] [--mains 50|60]
 *                          [--window-ms MS] [--summary]
 * RECORD is a WFDB record (with or without .hea) or an EDF+ recording
 * (io/recording.h). N is the signal number (default: the first signal
 * whose label or transducer says EMG, sigkind.c). Samples are read in
 * physical units (mV unless the header says otherwise; uV used as is) and
 * fed to the engine in uV in blocks, as a driver would. t_ns is the record's
 * base time (0 if the header has none) plus sample / fs.
 * Limits: no ECG crosstalk gating (no beats are fed) and no hold/release
 * (those need a live session). Printing is one small function until the
 * shared protocol encoder takes over.
 */
#include "emg.h"
#include "va.h"
#include "vg_err.h"
#include "recording.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK 4096

struct out {
	FILE *f;
	double fs_hz;
	int64_t origin_ns;
	uint64_t seq;
};

static void put_num(FILE *f, const char *key, double v, int decimals)
{
	if (isfinite(v))
		fprintf(f, ",\"%s\":%.*f", key, decimals, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One `emg` message (protocol/PROTOCOL.md) as a JSON line. */
static void print_result(void *ctx, const struct emg_result *r)
{
	static const struct {
		unsigned flag;
		const char *name;
	} q[] = {
		{ EMG_Q_MAINS, "mains" },         { EMG_Q_CLIPPING, "clipping" },
		{ EMG_Q_LEAD_OFF, "lead_off" },   { EMG_Q_SATURATION, "saturation" },
		{ EMG_Q_PRESMOOTHED, "presmoothed" }, { EMG_Q_UNCALIBRATED, "uncalibrated" },
	};
	struct out *o = ctx;
	int64_t t_ns = o->origin_ns + (int64_t)llround((double)r->sample * 1e9 / o->fs_hz);
	fprintf(o->f, "{\"topic\":\"emg\",\"v\":1,\"seq\":%" PRIu64 ",\"t_ns\":%" PRId64
		",\"channel\":%d,\"name\":", o->seq++, t_ns, r->channel);
	put_str(o->f, r->name);
	fprintf(o->f, ",\"sample\":%" PRId64, r->sample);
	put_num(o->f, "rms_uv", r->rms_uv, 2);
	put_num(o->f, "level_pct", r->level_pct, 1);
	put_num(o->f, "mdf_hz", r->mdf_hz, 1);
	put_num(o->f, "mnf_hz", r->mnf_hz, 1);
	fprintf(o->f, ",\"state\":\"%s\",\"quality\":[", emg_state_name(r->state));
	int first = 1;
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (r->quality_flags & q[i].flag) {
			fprintf(o->f, "%s\"%s\"", first ? "" : ",", q[i].name);
			first = 0;
		}
	fputs("]}\n", o->f);
}

/* Feed runs of valid samples; invalid ones (NaN) are a marked gap. */
static void feed_marking_gaps(struct emg *e, float *x, size_t n, double scale)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		if (isnan(x[i])) {
			while (j < n && isnan(x[j]))
				j++;
			emg_gap(e, j - i);
		} else {
			while (j < n && !isnan(x[j])) {
				x[j] = (float)(x[j] * scale);
				j++;
			}
			emg_feed(e, x + i, j - i);
		}
		i = j;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: vagus-analyze emg RECORD [--signal N] [--name NAME] "
			"[--mains 50|60] [--window-ms MS] [--summary]\n");
	return 2;
}

int va_cmd_emg(int argc, char **argv)
{
	const char *rec = NULL, *name = NULL;
	int sig = -1, summary = 0;
	double mains = 0.0, window_ms = 0.0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end = NULL;
		if (!strcmp(a, "--summary")) {
			summary = 1;
		} else if (i + 1 < argc && !strcmp(a, "--signal")) {
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 0 || v > 100000)
				return usage();
			sig = (int)v;
		} else if (i + 1 < argc && !strcmp(a, "--name")) {
			name = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--mains")) {
			mains = strtod(argv[++i], &end);
			if (*end || (mains != 50.0 && mains != 60.0))
				return usage();
		} else if (i + 1 < argc && !strcmp(a, "--window-ms")) {
			window_ms = strtod(argv[++i], &end);
			if (*end || !(window_ms >= 10.0 && window_ms <= 10000.0))
				return usage();
		} else if (a[0] == '-' || rec) {
			return usage();
		} else {
			rec = a;
		}
	}
	if (!rec)
		return usage();

	int err = 0, rc = 1;
	float *buf = NULL;
	struct emg *e = NULL;
	char namebuf[4096];
	rec = va_record_name(rec, namebuf, sizeof(namebuf));
	struct recording *r = recording_open(rec, &err);
	if (!r) {
		fprintf(stderr, "vagus-analyze: %s: %s\n", rec, vg_strerror(err));
		return 1;
	}
	if (sig < 0 && (sig = va_find_kind(r, VA_KIND_EMG, -1)) < 0) {
		fprintf(stderr, "vagus-analyze: %s: no signal is labelled EMG (the record has "
				"%d); choose one with --signal N\n", rec, recording_nsig(r));
		goto out;
	}
	if (sig >= recording_nsig(r)) {
		fprintf(stderr, "vagus-analyze: %s: no signal %d (the record has %d)\n", rec,
			sig, recording_nsig(r));
		goto out;
	}
	double fs = recording_sig_fs(r, sig);
	int64_t n = recording_sig_nsamp(r, sig);
	double scale = va_unit_scale(recording_sig_units(r, sig), VA_KIND_EMG);
	if (!name)
		name = recording_sig_label(r, sig);

	if (summary) {
		if (n < 8 || (uint64_t)n > SIZE_MAX / sizeof(float)) {
			fprintf(stderr, "vagus-analyze: %s: signal %d too short\n", rec, sig);
			goto out;
		}
		buf = malloc((size_t)n * sizeof(*buf));
		if (!buf || (err = recording_read_phys(r, sig, 0, (size_t)n, buf)) < 0) {
			fprintf(stderr, "vagus-analyze: %s: %s\n", rec,
				vg_strerror(buf ? err : VG_ERR_NOMEM));
			goto out;
		}
		for (int64_t i = 0; i < n; i++)
			buf[i] = (float)(buf[i] * scale);
		struct emg_summary sm;
		if ((err = emg_describe(buf, (size_t)n, fs, NULL, &sm)) < 0) {
			fprintf(stderr, "vagus-analyze: %s: %s\n", rec, vg_strerror(err));
			goto out;
		}
		printf("{\"record\":");
		put_str(stdout, rec);
		printf(",\"signal\":%d,\"name\":", sig);
		put_str(stdout, name);
		printf(",\"fs_hz\":%.3f,\"n\":%zu", fs, sm.n);
		put_num(stdout, "rms_uv", sm.rms_uv, 2);
		put_num(stdout, "mdf_hz", sm.mdf_hz, 1);
		put_num(stdout, "mnf_hz", sm.mnf_hz, 1);
		printf(",\"method\":\"DC removed; Welch, Hann 4096, 50%% overlap; 20-1000 Hz\"}\n");
		rc = 0;
		goto out;
	}

	struct out o = { .f = stdout, .fs_hz = fs };
	if (recording_start_ns(r, &o.origin_ns) < 0)
		o.origin_ns = 0;
	struct emg_config cfg = { .fs_hz = fs, .window_ms = window_ms, .mains_hz = mains,
				  .channel = 0, .name = name };
	e = emg_new(&cfg, print_result, &o, &err);
	buf = malloc(BLOCK * sizeof(*buf));
	if (!e || !buf) {
		fprintf(stderr, "vagus-analyze: %s: signal %d: %s\n", rec, sig,
			vg_strerror(e ? VG_ERR_NOMEM : err));
		goto out;
	}
	for (int64_t at = 0; at < n; at += BLOCK) {
		size_t len = n - at < BLOCK ? (size_t)(n - at) : BLOCK;
		if ((err = recording_read_phys(r, sig, at, len, buf)) < 0) {
			fprintf(stderr, "vagus-analyze: %s: %s\n", rec, vg_strerror(err));
			goto out;
		}
		feed_marking_gaps(e, buf, len, scale);
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	free(buf);
	emg_destroy(&e);
	recording_close(&r);
	return rc;
}
