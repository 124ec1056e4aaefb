/*
 * vagus-decode - decode a device capture without the daemon (like gpsd's
 * gpsdecode) and print JSON lines.
 *
 * Problem: checking a driver against a capture, a bug report or a golden
 * file must not need the daemon, ZeroMQ or the device.
 * Approach: the named driver from the registry runs over the bytes of FILE
 * (or stdin) through drv_instance_*; its output is printed by drv_decode.c,
 * one JSON object per line, named by "topic" like every other vagus tool:
 * "channel" lines first, then "sample" (one per
 * sample, value in the channel's unit), "gap", "beat" and "info" lines in
 * stream order, and a final "stats" line (drv_instance_stats).
 * With -b, beats replace the sample lines: the first ECG channel goes
 * through the QRS detector (analysis/qrs.h) and each beat prints as
 *   {"topic":"beat","source":"qrs","ch":0,"index":N,"t_s":X,"rr_ms":X}
 * (index and t_s of the R peak on the channel's running sample index, gaps
 * included; rr_ms 0 for the first beat and the first after a gap); beats
 * the device itself reports (beat-only drivers) print as usual.
 * Usage: vagus-decode [-b] [-o OPTIONS] [-c CHUNK] DRIVER [FILE]
 *        vagus-decode -l
 *   -b, --beats    print beats (QRS detection on the ECG channel) instead of samples
 *   -o, --options  driver options as for the daemon, e.g. "ch1=ecg,ch2=emg:trapezius"
 *   -c, --chunk    bytes handed to the driver per call (default 4096; 1 = byte by byte)
 *   -l, --list     list the drivers
 *   -h, --help; -V, --version
 * Exit status 0; 1 with a message (unknown driver, bad options, I/O, or
 * nothing decoded: no frame, sample or beat in the whole input); 2 usage.
 * Limits: start-up commands are not sent (no link); the driver clock stays
 * at 0, so beat times from beat-only drivers are relative to that.
 */
#include "driver.h"
#include "drv_decode.h"
#include "qrs.h"
#include "tool_cli.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ -b mode */
struct beats {
	FILE *out;
	struct qrs *q;
	int ecg_ch;          /* instance channel fed to the detector, -1 = none */
	double fs_hz;
	int have_prev;
	double prev_frac;    /* fiducial of the previous beat, samples */
};

static void on_qrs(void *ctx, const struct qrs_beat *b)
{
	struct beats *x = ctx;
	double rr_ms = x->have_prev ? (b->sample_frac - x->prev_frac) / x->fs_hz * 1000.0 : 0.0;
	fprintf(x->out, "{\"topic\":\"beat\",\"source\":\"qrs\",\"ch\":%d,\"index\":%lld,"
		"\"t_s\":%.4f,\"rr_ms\":%.1f}\n", x->ecg_ch, (long long)b->sample,
		b->sample_frac / x->fs_hz, rr_ms);
	x->have_prev = 1;
	x->prev_frac = b->sample_frac;
}

static void b_samples(void *ctx, unsigned ch, const float *v, size_t n, uint64_t first)
{
	struct beats *x = ctx;
	(void)first;
	if (x->q && (int)ch == x->ecg_ch)
		qrs_feed(x->q, v, n);
}

static void b_gap(void *ctx, uint64_t n)
{
	struct beats *x = ctx;
	if (x->q) {
		/* n counts samples of the fastest channel; all ours run at
		 * the ECG channel's rate or the gap is approximate */
		qrs_gap(x->q, n);
		x->have_prev = 0;
	}
	fprintf(x->out, "{\"topic\":\"gap\",\"missing\":%llu}\n", (unsigned long long)n);
}

static void b_beat(void *ctx, const struct drv_beat *b)
{
	struct beats *x = ctx;
	fprintf(x->out, "{\"topic\":\"beat\",\"source\":\"device\",\"t_ns\":%lld,"
		"\"rr_ms\":%.3f,\"hr_bpm\":%.1f,\"flags\":%u}\n", (long long)b->t_ns,
		b->rr_ms, b->hr_bpm, b->flags);
}

static void b_info(void *ctx, const char *key, const char *value)
{
	struct beats *x = ctx;
	fputs("{\"topic\":\"info\",\"key\":", x->out);
	drv_decode_print_str(x->out, key);
	fputs(",\"value\":", x->out);
	drv_decode_print_str(x->out, value);
	fputs("}\n", x->out);
}

static int decode_beats(const struct drv_ops *ops, const char *options, FILE *in,
			size_t chunk, FILE *out)
{
	struct beats x = { .out = out, .ecg_ch = -1 };
	struct drv_sink sink = {
		.ctx = &x, .samples = b_samples, .beat = b_beat, .gap = b_gap, .info = b_info,
	};
	int err = 0;
	struct drv_instance *d = drv_instance_new(ops, &sink, options, NULL, &err);
	if (!d)
		return err;
	drv_decode_print_channels(d, out);
	for (unsigned ch = 0; ch < drv_instance_channel_count(d); ch++) {
		const struct drv_channel *c = drv_instance_channel(d, ch);
		if (c->kind == DRV_SIG_ECG) {
			x.ecg_ch = (int)ch;
			x.fs_hz = c->rate_hz;
			break;
		}
	}
	if (x.ecg_ch >= 0) {
		x.q = qrs_new(x.fs_hz, on_qrs, &x, &err);
		if (!x.q) {
			drv_instance_destroy(&d);
			return err;
		}
	}
	uint8_t buf[DRV_DECODE_CHUNK];
	size_t n;
	int rc = VG_OK;
	while (rc == VG_OK && (n = fread(buf, 1, chunk, in)) > 0)
		rc = drv_instance_feed(d, buf, n);
	if (ferror(in))
		rc = VG_ERR_IO;
	drv_decode_print_stats(d, out);
	qrs_destroy(&x.q);
	drv_instance_destroy(&d);
	return rc;
}

/* ------------------------------------------------------- counting output */
/* stdout through a counter: "sample" and "beat" lines, and the frames the
 * "stats" line reports (decoded nothing = none of the three). */
struct counter {
	char head[128]; /* the current line's first bytes */
	size_t nhead;
	unsigned long long decoded;
};

static void count_line(struct counter *c)
{
	c->head[c->nhead] = '\0';
	unsigned long long bytes, frames;
	if (!strncmp(c->head, "{\"topic\":\"sample\"", 18) ||
	    !strncmp(c->head, "{\"topic\":\"beat\"", 16))
		c->decoded++;
	else if (sscanf(c->head, "{\"topic\":\"stats\",\"bytes_in\":%llu,\"frames_ok\":%llu",
			&bytes, &frames) == 2)
		c->decoded += frames;
	c->nhead = 0;
}

static ssize_t counter_write(void *cookie, const char *buf, size_t n)
{
	struct counter *c = cookie;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			count_line(c);
		else if (c->nhead < sizeof(c->head) - 1)
			c->head[c->nhead++] = buf[i];
	}
	return (ssize_t)fwrite(buf, 1, n, stdout) == (ssize_t)n ? (ssize_t)n : -1;
}

static void usage(FILE *f)
{
	fputs("usage: vagus-decode [-b] [-o OPTIONS] [-c CHUNK] DRIVER [FILE]\n"
	      "       vagus-decode -l\n"
	      "  -b, --beats          beats (QRS detection on the ECG channel) instead of samples\n"
	      "  -o, --options OPTS   driver options as for the daemon, e.g. \"ch1=ecg\"\n"
	      "  -c, --chunk N        bytes handed to the driver per call (1..4096)\n"
	      "  -l, --list           list the drivers\n"
	      "  -h, --help; -V, --version\n"
	      "FILE: a capture of the device's bytes (default: standard input).\n"
	      "Prints JSON lines named by \"topic\": channel, sample, gap, beat, info, stats.\n"
	      "exit status: 0 ok, 1 failure or nothing decoded, 2 usage.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "beats", no_argument, NULL, 'b' },
		{ "options", required_argument, NULL, 'o' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *options = NULL;
	long chunk = DRV_DECODE_CHUNK;
	int opt, beats = 0;
	while ((opt = getopt_long(argc, argv, "bo:c:lhV", lopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			beats = 1;
			break;
		case 'o':
			options = optarg;
			break;
		case 'c': {
			char *end;
			chunk = strtol(optarg, &end, 10);
			if (*end || chunk < 1 || chunk > DRV_DECODE_CHUNK) {
				fprintf(stderr, "vagus-decode: --chunk takes 1..%d bytes\n",
					DRV_DECODE_CHUNK);
				return TOOL_EXIT_USAGE;
			}
			break;
		}
		case 'l':
			for (const struct drv_ops *const *d = drv_all(); *d; d++)
				printf("%-10s %s\n", (*d)->name,
				       (*d)->description ? (*d)->description : "");
			return TOOL_EXIT_OK;
		case 'h':
			usage(stdout);
			return TOOL_EXIT_OK;
		case 'V':
			return tool_version("vagus-decode");
		default:
			usage(stderr);
			return TOOL_EXIT_USAGE;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	const struct drv_ops *ops = drv_find(argv[optind]);
	if (!ops) {
		fprintf(stderr, "vagus-decode: no driver \"%s\"; drivers:", argv[optind]);
		for (const struct drv_ops *const *d = drv_all(); *d; d++)
			fprintf(stderr, " %s", (*d)->name);
		fputc('\n', stderr);
		return TOOL_EXIT_USAGE;
	}
	FILE *in = stdin;
	if (optind + 1 < argc && strcmp(argv[optind + 1], "-") != 0) {
		in = fopen(argv[optind + 1], "rb");
		if (!in) {
			fprintf(stderr, "vagus-decode: %s: %s\n", argv[optind + 1],
				strerror(errno));
			return TOOL_EXIT_FAIL;
		}
	}
	static struct counter cnt;
	cookie_io_functions_t io = { .write = counter_write };
	FILE *out = fopencookie(&cnt, "w", io);
	if (!out) {
		fprintf(stderr, "vagus-decode: %s\n", strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	int rc = beats ? decode_beats(ops, options, in, (size_t)chunk, out)
		       : drv_decode_stream(ops, options, in, (size_t)chunk, out);
	if (in != stdin)
		fclose(in);
	if (fclose(out) != 0 || fflush(stdout) != 0)
		rc = rc < 0 ? rc : VG_ERR_IO;
	if (rc < 0) {
		fprintf(stderr, "vagus-decode: %s: %s\n", ops->name, vg_strerror(rc));
		return TOOL_EXIT_FAIL;
	}
	if (cnt.decoded == 0) {
		fprintf(stderr, "vagus-decode: decoded nothing: no frame, sample or beat in "
			"the input; is it a %s capture?\n", ops->name);
		return TOOL_EXIT_FAIL;
	}
	return TOOL_EXIT_OK;
}
