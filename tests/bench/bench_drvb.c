/*
 * bench_drvb.c - parser throughput of the ANT+, PulseSensor and HRMI drivers
 * (target: >= 50 MB/s each), on clean emulator streams, on streams with
 * emulator faults (garbage, drops, bit flips), and for ANT on random bytes
 * dense in false syncs (the rescan worst case).
 *
 * Problem: a driver's feed() must never be the bottleneck of the daemon,
 * also not while resynchronising on garbage; the figure must be measured,
 * not asserted in a timed test.
 * Approach: each driver's emulator (sim/emu_<name>.c, no host:
 * autostart, or for the HRMI a stream of "G32" polls) produces a stream of
 * at least STREAM_MIN bytes; the stream is fed in 4096-byte reads, repeated
 * until TOTAL_MB have passed, into one instance with an empty sink; wall
 * time with CLOCK_MONOTONIC; the best of 3 runs is printed in MB/s (1e6 B).
 * With --corpus DIR it instead writes the first 2 KB of each clean stream,
 * behind the two control bytes of tests/fuzz/fuzz_drv.h, as
 * DIR/fuzz_drv_<name>/emu (seed inputs for the fuzz targets).
 * Limits: the repeated stream makes counters jump at each repeat (seen as
 * gaps), which costs nothing measurable; single thread; includes the core's
 * per-call work (drv_instance_feed, stats).
 */
#include "driver.h"
#include "emu.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define STREAM_MIN (1u << 20)
#define TOTAL_MB 256.0
#define READ_SIZE 4096u
#define RUNS 3
#define TARGET_MBS 50.0
#define CORPUS_BYTES 2048u

extern const struct drv_ops drv_ant_ops;
extern const struct drv_ops drv_pulse_ops;
extern const struct drv_ops drv_hrmi_ops;

struct stream {
	uint8_t *b;
	size_t n, cap;
};

static void append(struct stream *s, const uint8_t *p, size_t n)
{
	if (s->n + n > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		while (cap < s->n + n)
			cap *= 2;
		uint8_t *nb = realloc(s->b, cap);
		if (!nb) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

/* Emulator stream of at least STREAM_MIN bytes. */
static void make_stream(const char *name, const struct emu_faults *f,
			struct stream *s)
{
	int err = 0;
	struct emu *e = emu_new(name, 1, f, &err);
	if (!e) {
		fprintf(stderr, "emu_new(%s): %s\n", name, vg_strerror(err));
		exit(1);
	}
	int polled = strcmp(name, "hrmi") == 0;
	if (!polled)
		emu_autostart(e);
	double t = 0.0, step = polled ? 0.1 : 1.0;
	while (s->n < STREAM_MIN) {
		if (polled)
			emu_rx(e, (const uint8_t *)"G32\r", 4);
		const uint8_t *out;
		t += step;
		size_t n = emu_advance(e, t, &out);
		append(s, out, n);
	}
	emu_destroy(&e);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double throughput(const struct drv_ops *ops, const char *opts,
			 const struct stream *s)
{
	double best = 0.0;
	for (int r = 0; r < RUNS; r++) {
		int err = 0;
		struct drv_sink sink = {0};
		struct drv_instance *d = drv_instance_new(ops, &sink, opts, NULL, &err);
		if (!d) {
			fprintf(stderr, "%s: %s\n", ops->name, vg_strerror(err));
			exit(1);
		}
		double total = 0.0, t0 = now_s();
		int64_t clk = 1700000000000000000LL;
		while (total < TOTAL_MB * 1e6) {
			for (size_t off = 0; off < s->n; off += READ_SIZE) {
				size_t n = s->n - off < READ_SIZE ? s->n - off : READ_SIZE;
				clk += 1000000;
				drv_instance_set_now(d, clk);
				drv_instance_feed(d, s->b + off, n);
			}
			total += (double)s->n;
		}
		double mbs = total / 1e6 / (now_s() - t0);
		if (mbs > best)
			best = mbs;
		drv_instance_destroy(&d);
	}
	return best;
}

static int write_corpus(const char *dir)
{
	const char *names[] = {"ant", "pulse", "hrmi"};
	for (size_t i = 0; i < 3; i++) {
		struct stream s = {0};
		make_stream(names[i], NULL, &s);
		char path[1024];
		snprintf(path, sizeof(path), "%s/fuzz_drv_%s", dir, names[i]);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/fuzz_drv_%s/emu", dir, names[i]);
		FILE *f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return 1;
		}
		const uint8_t ctl[2] = {63, 20}; /* 64-byte reads, 20 ms apart */
		fwrite(ctl, 1, 2, f);
		fwrite(s.b, 1, s.n < CORPUS_BYTES ? s.n : CORPUS_BYTES, f);
		fclose(f);
		free(s.b);
	}
	return 0;
}

int main(int argc, char **argv)
{
	vg_log_set_level(VG_LOG_ERR);
	if (argc == 3 && strcmp(argv[1], "--corpus") == 0)
		return write_corpus(argv[2]);

	static const struct {
		const struct drv_ops *ops;
		const char *opts;
	} drv[] = {
		{&drv_ant_ops, "network_key=00 11 22 33 44 55 66 77"},
		{&drv_pulse_ops, NULL},
		{&drv_hrmi_ops, NULL},
	};
	struct emu_faults faults = {.garbage_rate = 0.05, .drop_rate = 0.05,
				    .corrupt_rate = 0.05, .seed = 2};
	int ok = 1;
	printf("driver parser throughput (MB/s, best of %d, %.0f MB in %u-byte reads; target >= %.0f)\n",
	       RUNS, TOTAL_MB, READ_SIZE, TARGET_MBS);
	for (size_t i = 0; i < sizeof(drv) / sizeof(drv[0]); i++) {
		struct stream clean = {0}, bad = {0};
		make_stream(drv[i].ops->name, NULL, &clean);
		make_stream(drv[i].ops->name, &faults, &bad);
		double a = throughput(drv[i].ops, drv[i].opts, &clean);
		double b = throughput(drv[i].ops, drv[i].opts, &bad);
		printf("  %-6s clean %8.1f   with faults (5%% garbage/drop/bit flip) %8.1f   %s\n",
		       drv[i].ops->name, a, b,
		       a >= TARGET_MBS && b >= TARGET_MBS ? "ok" : "BELOW TARGET");
		ok &= a >= TARGET_MBS && b >= TARGET_MBS;
		free(clean.b);
		free(bad.b);
	}
	/* ANT worst case: random bytes, one in four a sync byte */
	struct stream rnd = {0};
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint8_t blk[4096];
	while (rnd.n < STREAM_MIN) {
		for (size_t i = 0; i < sizeof(blk); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			blk[i] = (x & 3) == 0 ? 0xA4 : (uint8_t)(x >> 24);
		}
		append(&rnd, blk, sizeof(blk));
	}
	double w = throughput(&drv_ant_ops, drv[0].opts, &rnd);
	printf("  ant    random bytes, 25%% A4 (rescan worst case) %8.1f   %s\n", w,
	       w >= TARGET_MBS ? "ok" : "BELOW TARGET");
	ok &= w >= TARGET_MBS;
	free(rnd.b);
	return ok ? 0 : 1;
}
