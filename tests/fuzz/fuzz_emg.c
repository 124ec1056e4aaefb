/*
 * fuzz_emg.c - libFuzzer target for the EMG engine (analysis/emg.c). The
 * bytes are a script: a header picks the rate, window, mains and delay;
 * then each op byte feeds raw float samples (NaN, inf, huge, denormal
 * included), marks a gap, reports an ECG beat anywhere (late, early,
 * repeated, absurd), starts a calibration or a hold. Whatever the script,
 * no crash, hang, out-of-bounds access or undefined behaviour, and every
 * result is finite or NAN (never inf).
 * Seed corpus: tests/fuzz/corpus/fuzz_emg/.
 */
#include "emg.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ctx, const struct emg_result *r)
{
	(void)ctx;
	if (isinf(r->rms_uv) || isinf(r->level_pct) || isinf(r->mdf_hz) ||
	    isinf(r->mnf_hz) || (unsigned)r->state > EMG_RELEASING)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double rates[] = { 15.5, 100, 200, 250, 500, 1000, 2000, 4000 };
	if (size < 4)
		return 0;
	struct emg_config cfg = {
		.fs_hz = rates[data[0] & 7],
		.window_ms = 10.0 + 5.0 * data[1],
		.mains_hz = (data[2] & 3) == 1 ? 50.0 : (data[2] & 3) == 2 ? 60.0 : 0.0,
		.ecg_delay_ms = 10.0 * (data[3] & 63),
		.full_scale_uv = (data[2] & 4) ? 1000.0 : 0.0,
		.name = "fuzz",
	};
	int err = 0;
	struct emg *e = emg_new(&cfg, check, NULL, &err);
	if (!e)
		return 0;
	size_t at = 4;
	float buf[256];
	while (at < size) {
		uint8_t op = data[at++];
		size_t left = size - at;
		switch (op & 7) {
		case 0:
		case 1:
		case 2: { /* feed up to 64 samples, each repeated (op >> 3) + 1 times */
			size_t n = left / 4 < 64 ? left / 4 : 64, rep = (size_t)(op >> 3) + 1, m = 0;
			for (size_t i = 0; i < n; i++) {
				float v;
				memcpy(&v, data + at + 4 * i, 4);
				for (size_t r = 0; r < rep && m < 256; r++)
					buf[m++] = v;
			}
			at += 4 * n;
			emg_feed(e, buf, m);
			break;
		}
		case 3:
			emg_gap(e, (uint64_t)(op >> 3) * 37u);
			break;
		case 4: { /* a beat at an offset around now */
			int64_t off = left ? (int64_t)(int8_t)data[at++] * 17 : 0;
			emg_ecg_beat(e, (op & 8) ? (int64_t)off * 1000000007LL : off + 100 * (op >> 4));
			break;
		}
		case 5:
			(void)emg_calibrate(e, (op & 8) ? EMG_CAL_REFERENCE : EMG_CAL_REST,
					    (double)(op >> 4) * 0.5);
			break;
		case 6:
			if (op & 8)
				emg_hold_start(e);
			else
				emg_hold_stop(e);
			break;
		case 7:
			emg_set_calibration(e, (double)(op >> 3) - 4.0, (double)(op >> 1));
			break;
		}
	}
	emg_destroy(&e);
	return 0;
}
