/*
 * beats.c - vagus-analyze beats RECORD [--signal N] [--block N]: runs the
 * daemon's causal QRS detector (analysis/qrs.c) on one signal of a WFDB
 * record (with or without .hea) or an EDF+ recording (io/recording.h;
 * default signal: the first one whose label or transducer says ECG, else
 * 0), scaled to mV, fed in blocks of N samples (default 32) as it would be live, and
 * prints one JSON line per beat in the protocol's "beat" schema plus
 * "sample" (the R peak's sample number in the record).
 *
 * Output fields: seq from 0; t_ns = refined R time from the record start
 * (plus the header's base time when it has one); rr_ms (3 decimals) and
 * hr_bpm (2 decimals) from the refined fiducials, null for the first beat;
 * quality (3 decimals). The printing lives in print_beat() alone, to be
 * replaced by the shared protocol encoder.
 * Limits: a record's invalid samples (NaN) are fed as they come; the
 * detector treats them as signal loss.
 */
#include "va.h"

#include "qrs.h"
#include "vg_err.h"
#include "recording.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK 8192 /* samples read from the file at a time */

struct beats_ctx {
	double fs_hz;
	int64_t base_ns;
	uint64_t seq;
	int have_prev;
	double prev_frac;   /* previous beat's refined fiducial, samples */
	FILE *out;
};

/* Decimal text of v at p; returns the end. Two digits a step from a
 * table (this and the line layout are most of the output's cost). */
static char *put_i64(char *p, int64_t v)
{
	static const char d2[201] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char t[24];
	int n = 24;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	while (u >= 100) {
		const unsigned r = (unsigned)(u % 100);
		u /= 100;
		t[--n] = d2[2 * r + 1];
		t[--n] = d2[2 * r];
	}
	if (u >= 10) {
		t[--n] = d2[2 * u + 1];
		t[--n] = d2[2 * u];
	} else {
		t[--n] = (char)('0' + u);
	}
	if (v < 0)
		*p++ = '-';
	memcpy(p, t + n, (size_t)(24 - n));
	return p + (24 - n);
}

/* v with d (1..3) decimals, as printf's "%.*f" writes it: the scaled value
 * rounds the same way unless it lies within 1e-6 of a tie, where printf's
 * exact decimal rounding is asked (printf dominated the run time). */
static char *put_fixed(char *p, double v, int d)
{
	static const double scale[4] = { 1, 10, 100, 1000 };
	double t = fabs(v) * scale[d];
	double fl = floor(t);
	if (!(t < 9e15) || fabs(t - fl - 0.5) < 1e-6)
		return p + sprintf(p, "%.*f", d, v);
	int64_t k = (int64_t)fl + (t - fl > 0.5);
	int64_t ip = k / (int64_t)scale[d], fp = k % (int64_t)scale[d];
	if (v < 0 && k != 0)
		*p++ = '-';
	p = put_i64(p, ip);
	*p++ = '.';
	for (int i = d - 1; i >= 0; i--) {
		p[i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	return p + d;
}

/* The literal s (a string constant) at p; returns the end. */
#define PUT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

/* The one place that formats a beat message. */
static void print_beat(FILE *out, uint64_t seq, int64_t t_ns, int64_t sample,
		       const double *rr_ms, float quality)
{
	char line[256], *p = line;
	p = PUT_LIT(p, "{\"topic\":\"beat\",\"v\":1,\"seq\":");
	p = put_i64(p, (int64_t)seq);
	p = PUT_LIT(p, ",\"t_ns\":");
	p = put_i64(p, t_ns);
	p = PUT_LIT(p, ",\"sample\":");
	p = put_i64(p, sample);
	p = PUT_LIT(p, ",\"rr_ms\":");
	if (rr_ms) {
		p = put_fixed(p, *rr_ms, 3);
		p = PUT_LIT(p, ",\"hr_bpm\":");
		p = put_fixed(p, 60000.0 / *rr_ms, 2);
	} else {
		p = PUT_LIT(p, "null,\"hr_bpm\":null");
	}
	p = PUT_LIT(p, ",\"source\":\"ecg\",\"quality\":");
	p = put_fixed(p, (double)quality, 3);
	p = PUT_LIT(p, "}\n");
	fwrite(line, 1, (size_t)(p - line), out);
}

static void on_beat(void *arg, const struct qrs_beat *b)
{
	struct beats_ctx *c = arg;
	int64_t t_ns = c->base_ns + (int64_t)llround(b->sample_frac / c->fs_hz * 1e9);
	double rr;
	const double *rrp = NULL;
	if (c->have_prev) {
		rr = (b->sample_frac - c->prev_frac) / c->fs_hz * 1000.0;
		if (rr > 0)
			rrp = &rr;
	}
	print_beat(c->out, c->seq++, t_ns, b->sample, rrp, b->quality);
	c->have_prev = 1;
	c->prev_frac = b->sample_frac;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (errno || e == s || *e || v < lo || v > hi)
		return VG_ERR_PARSE;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: vagus-analyze beats RECORD [--signal N] [--block N]\n");
}

int va_cmd_beats(int argc, char **argv)
{
	const char *rec = NULL;
	long sig = -1, block = 32;
	char namebuf[4096];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--signal") && i + 1 < argc) {
			if (parse_int(argv[++i], 0, 100000, &sig)) {
				usage();
				return 2;
			}
		} else if (!strcmp(argv[i], "--block") && i + 1 < argc) {
			if (parse_int(argv[++i], 1, READ_CHUNK, &block)) {
				usage();
				return 2;
			}
		} else if (argv[i][0] == '-' || rec) {
			usage();
			return 2;
		} else {
			rec = argv[i];
		}
	}
	if (!rec) {
		usage();
		return 2;
	}
	int err = 0;
	rec = va_record_name(rec, namebuf, sizeof(namebuf));
	struct recording *r = recording_open(rec, &err);
	if (!r) {
		fprintf(stderr, "vagus-analyze: %s: %s\n", rec, vg_strerror(err));
		return 1;
	}
	if (sig < 0 && (sig = va_find_kind(r, VA_KIND_ECG, -1)) < 0)
		sig = 0;
	if (sig >= recording_nsig(r)) {
		fprintf(stderr, "vagus-analyze: %s has %d signals, no signal %ld\n", rec,
			recording_nsig(r), sig);
		recording_close(&r);
		return 1;
	}
	struct beats_ctx c = { .fs_hz = recording_sig_fs(r, (int)sig), .out = stdout };
	if (recording_start_ns(r, &c.base_ns))
		c.base_ns = 0;
	float to_mv = va_unit_scale(recording_sig_units(r, (int)sig), VA_KIND_ECG);
	struct qrs *q = qrs_new(c.fs_hz, on_beat, &c, &err);
	if (!q) {
		if (err == VG_ERR_INVAL)
			fprintf(stderr, "vagus-analyze: %s signal %ld is sampled at %.3f Hz; the "
				"beat detector needs 100-2000 Hz\n", rec, sig, c.fs_hz);
		else
			fprintf(stderr, "vagus-analyze: %s signal %ld: %s\n", rec, sig,
				vg_strerror(err));
		recording_close(&r);
		return 1;
	}
	qrs_set_pwave(q, 0); /* the printed beat has no flags */
	static float buf[READ_CHUNK];
	static char outbuf[1 << 14]; /* ~300 KB of lines a record: 19 writes; a larger buffer costs more first-touch page faults than it saves in writes */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	int64_t n = recording_sig_nsamp(r, (int)sig);
	int rc = 0;
	for (int64_t at = 0; at < n;) {
		size_t m = (size_t)(n - at < READ_CHUNK ? n - at : READ_CHUNK);
		if ((err = recording_read_phys(r, (int)sig, at, m, buf))) {
			fprintf(stderr, "vagus-analyze: %s: reading at sample %" PRId64 ": %s\n",
				rec, at, vg_strerror(err));
			rc = 1;
			break;
		}
		for (size_t k = 0; k < m && to_mv != 1.0f; k++)
			buf[k] *= to_mv;
		for (size_t k = 0; k < m; k += (size_t)block)
			qrs_feed(q, buf + k, m - k < (size_t)block ? m - k : (size_t)block);
		at += (int64_t)m;
	}
	if (!rc)
		qrs_flush(q); /* the record's end: decide the last peak */
	qrs_destroy(&q);
	recording_close(&r);
	if (fflush(stdout)) {
		fprintf(stderr, "vagus-analyze: write error\n");
		rc = 1;
	}
	return rc;
}
