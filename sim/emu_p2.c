/*
 * emu_p2.c - emulated Olimex SHIELD-EKG-EMG running the OpenEEG P2 demo
 * sketch (see emu.h).
 *
 * Problem: the P2 driver must be exercised without a board: 17-byte packets
 * at 256 Hz from power-up, the wrapping counter, and an offset baseline.
 * Approach: no commands (the device has none); packets flow from t = 0.
 * Channel 1 = sim ECG around a baseline of 200 counts (real boards sit
 * away from 512, the Olimex forum reports about 300; 200 leaves room for the
 * sim's 1.3 mV R waves at gain 2848), channels 2 and 3 = the sim's EMG around 512,
 * channels 4-6 = 512; counts = baseline + uV / (5 / 1024 / 2848 * 1e6)
 * rounded and clipped to 0..1023 (the driver's defaults: vref 5 V, gain
 * 2848); switches byte 01 as in the demo sketch.
 * Limits: no CR LF variant, no reset on open.
 */
#include "emu.h"
#include "sim_model.h"

#include <math.h>

#define EP_FS_HZ 256.0
#define EP_FRAME 17
#define EP_CHUNK 64
#define EP_UV_PER_COUNT (5.0 / 1024.0 / 2848.0 * 1e6)
#define EP_ECG_BASELINE 200.0
#define EP_MID 512.0

struct ep {
	uint64_t sent;
	uint8_t seq;
};

static void put(uint8_t *p, double base, double uv)
{
	double c = nearbyint(base + uv / EP_UV_PER_COUNT);
	if (c < 0)
		c = 0;
	if (c > 1023)
		c = 1023;
	unsigned u = (unsigned)c;
	p[0] = (uint8_t)(u >> 8);
	p[1] = (uint8_t)u;
}

static void ep_advance(struct emu *e, double t_s)
{
	struct ep *s = emu_priv(e);
	uint64_t due = (uint64_t)floor(t_s * EP_FS_HZ);
	float ecg[EP_CHUNK], emg0[EP_CHUNK], emg1[EP_CHUNK];
	while (s->sent < due) {
		size_t k = due - s->sent > EP_CHUNK ? EP_CHUNK : (size_t)(due - s->sent);
		sim_ecg(emu_sim(e), ecg, k);
		sim_emg(emu_sim(e), 0, emg0, k);
		sim_emg(emu_sim(e), 1, emg1, k);
		for (size_t j = 0; j < k; j++) {
			uint8_t f[EP_FRAME];
			f[0] = 0xA5;
			f[1] = 0x5A;
			f[2] = 0x02;
			f[3] = s->seq++;
			put(f + 4, EP_ECG_BASELINE, (double)ecg[j] * 1000.0);
			put(f + 6, EP_MID, emg0[j]);
			put(f + 8, EP_MID, emg1[j]);
			for (unsigned c = 3; c < 6; c++)
				put(f + 4 + 2 * c, EP_MID, 0.0);
			f[16] = 0x01;
			emu_frame(e, f, sizeof(f));
		}
		s->sent += k;
	}
}

const struct emu_ops emu_p2_ops = {
	.name = "p2",
	.ecg_fs_hz = EP_FS_HZ,
	.emg_fs_hz = EP_FS_HZ,
	.priv_size = sizeof(struct ep),
	.advance = ep_advance,
};
