/*
 * fuzz_qrs.c - libFuzzer target for the QRS detector (analysis/qrs.c),
 * whose samples come from devices. The bytes are a script: a header picks
 * the rate (100-2000 Hz, odd ones too) and whether the P-wave judge runs;
 * then each op byte feeds float samples (NaN, inf, huge, denormal
 * included), each repeated and scaled as the op says (so long plausible
 * stretches, steps and ramps occur, not only noise), in blocks of any size
 * (the block pass, its ring wrap and its validity check), marks a gap,
 * flushes, or asks the quality. Whatever the script: no crash, hang,
 * out-of-bounds access or undefined behaviour; beats come in order, at
 * samples already fed, with finite fields and quality in 0..1.
 * Seed corpus: tests/fuzz/corpus/fuzz_qrs/.
 */
#include "qrs.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	int64_t last;   /* last beat's sample, -1 none */
	int64_t fed;    /* samples fed (and skipped by gaps) so far */
};

static void check(void *ctx, const struct qrs_beat *b)
{
	struct seen *s = ctx;
	if (b->sample < 0 || b->sample >= s->fed || b->sample <= s->last - 1 ||
	    !isfinite(b->sample_frac) || fabs(b->sample_frac - (double)b->sample) > 1.0 ||
	    !(b->quality >= 0.0f && b->quality <= 1.0f) || !isfinite(b->amplitude_mv) ||
	    !isfinite(b->area) || !isfinite(b->rs_mv) || !isfinite(b->baseline_mv))
		abort();
	s->last = b->sample;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double rates[] = { 100.0, 128.0, 250.0, 360.0, 500.0, 511.0, 1000.0, 2000.0 };
	if (size < 2)
		return 0;
	struct seen s = { .last = -1, .fed = 0 };
	struct qrs *q = qrs_new(rates[data[0] & 7], check, &s, NULL);
	if (!q)
		abort();
	qrs_set_pwave(q, !(data[0] & 8));
	size_t at = 2;
	static float buf[4096];
	while (at < size) {
		const uint8_t op = data[at++];
		const size_t left = size - at;
		switch (op & 7) {
		case 0:
		case 1:
		case 2:
		case 3: { /* up to 16 samples, each repeated 1..64 times, scaled */
			const size_t n = left / 4 < 16 ? left / 4 : 16;
			const size_t rep = (size_t)(op >> 2) + 1;
			const float scale = (op & 2) ? 1e-3f : 1.0f;
			size_t m = 0;
			for (size_t i = 0; i < n; i++) {
				float v;
				memcpy(&v, data + at + 4 * i, 4);
				for (size_t r = 0; r < rep && m < sizeof(buf) / sizeof(buf[0]); r++)
					buf[m++] = v * scale;
			}
			at += 4 * n;
			/* in blocks of 1..m samples, the size from the op */
			const size_t blk = (op & 1) ? 1 + (size_t)(op >> 3) * 13 : m;
			for (size_t k = 0; k < m; k += blk) {
				const size_t c = m - k < blk ? m - k : blk;
				s.fed += (int64_t)c;
				qrs_feed(q, buf + k, c);
			}
			break;
		}
		case 4: { /* a synthetic beat train: spikes every (op >> 3) * 20 + 60 samples */
			const size_t period = (size_t)(op >> 3) * 20 + 60, m = 2000;
			for (size_t i = 0; i < m; i++)
				buf[i] = (i % period) < 4 ? 1.5f : 0.02f * (float)(i % 7);
			s.fed += (int64_t)m;
			qrs_feed(q, buf, m);
			break;
		}
		case 5:
			s.fed += (int64_t)(op >> 3) * 41;
			qrs_gap(q, (uint64_t)(op >> 3) * 41u);
			break;
		case 6:
			qrs_flush(q);
			break;
		case 7:
			if (!(qrs_quality(q) >= 0.0f && qrs_quality(q) <= 1.0f))
				abort();
			break;
		}
	}
	qrs_flush(q);
	qrs_destroy(&q);
	return 0;
}
