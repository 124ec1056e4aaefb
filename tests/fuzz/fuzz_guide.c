/*
 * fuzz_guide.c - libFuzzer target for the guide's control inputs, which
 * come from the control channel or the console: pacer specs
 * (pacer_parse), technique, region, mark label and profile strings, and
 * hostile times. The input is split at '\n' into up to five strings
 * (spec, technique, region, label, profile); the remaining bytes drive
 * a short session (times may jump or go back). Any input must give a
 * result or an error code, never a crash, hang or out-of-bounds access,
 * and the summary must render.
 * Seed corpus: tests/fuzz/corpus/fuzz_guide/.
 */
#include "guide.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSTR 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char str[NSTR][128];
	size_t pos = 0;
	for (int i = 0; i < NSTR; i++) {
		size_t n = 0;
		while (pos < size && data[pos] != '\n') {
			if (n < sizeof(str[i]) - 1)
				str[i][n++] = (char)data[pos];
			pos++;
		}
		str[i][n] = '\0';
		if (pos < size)
			pos++;
	}
	struct pacer_cfg pc;
	int perr = pacer_parse(str[0], &pc);
	struct guide *g = guide_new(NULL, NULL, NULL);
	if (!g)
		return 0;
	int64_t t = 1763712000000000000LL;
	guide_session_start(g, str[3], t);
	if (perr == 0)
		guide_pacer_set(g, &pc, t);
	guide_profile_set(g, str[4]);
	guide_hold_start(g, str[1], str[2], t);
	guide_mark(g, str[3], str[2], NAN, t);
	/* the rest: one step per byte (time step, input kind) */
	double hr = 60.0;
	for (; pos < size; pos++) {
		uint8_t b = data[pos];
		int64_t dt = (int64_t)(b & 0x1f) * 7000000LL;
		if (b == 0xff)
			dt = 3600LL * 1000000000LL; /* a jump */
		if (b == 0xfe)
			dt = -5000000000LL;          /* going back */
		t += dt;
		switch (b >> 5) {
		case 0: {
			hr = 40.0 + (b & 0x1f) * 4.0;
			struct pl_beat bt = { .t_ns = t, .rr_ms = 60000.0 / hr, .hr_bpm = hr };
			guide_beat(g, &bt);
			break;
		}
		case 1: {
			struct pl_emg e;
			memset(&e, 0, sizeof(e));
			e.t_ns = t;
			e.r.channel = (b & 0x0f) - 2; /* includes invalid channels */
			e.r.rms_uv = (b & 0x10) ? NAN : 5.0 + (b & 0x0f) * 20.0;
			strcpy(e.r.name, str[2]);
			guide_emg(g, &e);
			break;
		}
		case 2: {
			struct pl_hrv h;
			memset(&h, 0, sizeof(h));
			h.t_ns = t;
			h.r.window_s = (b & 1) ? 60 : 300;
			h.r.mean_nn_ms = 60000.0 / hr;
			h.r.rmssd_ms = b & 0x1f;
			h.r.sd1_ms = h.r.rmssd_ms / 1.4;
			h.r.rsa_ms2 = (b & 2) ? NAN : 100.0 * (b & 0x1c);
			h.r.lf_ms2 = (b & 4) ? NAN : 50.0;
			h.r.resp_hz = (b & 8) ? NAN : 0.05 * (b & 0x7);
			h.r.calm = h.r.calm_trend = NAN;
			guide_hrv(g, &h);
			break;
		}
		case 3:
			guide_resp(g, t, (double)(b & 0x1f) - 2.0);
			break;
		case 4:
			guide_mark(g, str[3], str[2], (double)(b & 0x1f), t);
			break;
		case 5:
			if (b & 1)
				guide_hold_stop(g, t);
			else
				guide_hold_start(g, str[1], str[2], t);
			break;
		default:
			guide_tick(g, t);
			break;
		}
	}
	static struct guide_summary sum;
	if (guide_session_stop(g, t, &sum) == 0) {
		static char buf[65536];
		guide_summary_markdown(&sum, buf, sizeof(buf));
		guide_summary_json(&sum, buf, 2048);
	}
	guide_destroy(&g);
	return 0;
}
