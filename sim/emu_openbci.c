/*
 * emu_openbci.c - emulated OpenBCI Cyton behind its dongle (see emu.h).
 *
 * Problem: the Cyton driver must be exercised without a board: the "v" /
 * "d" / "b" / "s" exchange, 33-byte packets at 250 Hz, the wrapping sample
 * number, and the simulator's ECG and EMG in the channels.
 * Approach: answers "v" with an ID text ending "$$$" (and stops streaming,
 * as the soft reset does), "d" with "Updating channel settings to
 * default$$$", "~" with the sample rate, starts packets on "b" and stops on
 * "s". Channel 1 carries the sim's ECG, channels 2 and 3 its two EMG
 * channels (the driver's default map), 4-8 are 0; counts = uV / (4.5 / 24 /
 * (2^23 - 1) * 1e6) rounded and clipped to int24; footer C0 with the
 * accelerometer at rest (0, 0, 1 g).
 * Limits: gain fixed at 24; 'x' channel settings, Daisy and the other
 * commands are ignored; packets are timed from the moment "b" arrived.
 */
#include "emu.h"
#include "sim_model.h"

#include <math.h>
#include <string.h>

#define EO_FS_HZ 250.0
#define EO_FRAME 33
#define EO_CHUNK 64
#define EO_UV_PER_COUNT (4.5 / 24.0 / 8388607.0 * 1e6)
#define EO_ACCEL_1G 8000 /* counts of 0.002/16 g */

struct eo {
	int streaming;
	double t_now_s;   /* time of the last advance */
	double t_start_s; /* when streaming began */
	uint64_t sent;    /* packets since t_start_s */
	uint8_t seq;
};

static void put24(uint8_t *p, double uv)
{
	double c = nearbyint(uv / EO_UV_PER_COUNT);
	if (c > 8388607.0)
		c = 8388607.0;
	if (c < -8388608.0)
		c = -8388608.0;
	uint32_t u = (uint32_t)(int32_t)c;
	p[0] = (uint8_t)(u >> 16);
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)u;
}

static void eo_rx(struct emu *e, const uint8_t *buf, size_t n)
{
	struct eo *o = emu_priv(e);
	for (size_t i = 0; i < n; i++) {
		switch (buf[i]) {
		case 'v':
			o->streaming = 0;
			emu_text(e, "OpenBCI V3 8-16 channel\n"
				    "On Board ADS1299 Device ID: 0x3E\n"
				    "LIS3DH Device ID: 0x33\n"
				    "Firmware: v3.1.2\n$$$");
			break;
		case 'd':
			emu_text(e, "Updating channel settings to default$$$");
			break;
		case '~':
			emu_text(e, "Success: Sample rate is 250Hz$$$");
			break;
		case 'b':
			if (!o->streaming) {
				o->streaming = 1;
				o->t_start_s = o->t_now_s;
				o->sent = 0;
			}
			break;
		case 's':
			o->streaming = 0;
			break;
		default:
			break;
		}
	}
}

static void eo_advance(struct emu *e, double t_s)
{
	struct eo *o = emu_priv(e);
	o->t_now_s = t_s;
	if (!o->streaming)
		return;
	uint64_t due = (uint64_t)floor((t_s - o->t_start_s) * EO_FS_HZ);
	float ecg[EO_CHUNK], emg0[EO_CHUNK], emg1[EO_CHUNK];
	while (o->sent < due) {
		size_t k = due - o->sent > EO_CHUNK ? EO_CHUNK : (size_t)(due - o->sent);
		sim_ecg(emu_sim(e), ecg, k);
		sim_emg(emu_sim(e), 0, emg0, k);
		sim_emg(emu_sim(e), 1, emg1, k);
		for (size_t j = 0; j < k; j++) {
			uint8_t f[EO_FRAME] = { 0 };
			f[0] = 0xA0;
			f[1] = o->seq++;
			put24(f + 2, (double)ecg[j] * 1000.0);
			put24(f + 5, emg0[j]);
			put24(f + 8, emg1[j]);
			f[30] = (uint8_t)(EO_ACCEL_1G >> 8);
			f[31] = (uint8_t)(EO_ACCEL_1G & 0xFF);
			f[32] = 0xC0;
			emu_frame(e, f, sizeof(f));
		}
		o->sent += k;
	}
}

static void eo_autostart(struct emu *e)
{
	eo_rx(e, (const uint8_t *)"vdb", 3);
}

const struct emu_ops emu_openbci_ops = {
	.name = "openbci",
	.ecg_fs_hz = EO_FS_HZ,
	.emg_fs_hz = EO_FS_HZ,
	.priv_size = sizeof(struct eo),
	.rx = eo_rx,
	.advance = eo_advance,
	.autostart = eo_autostart,
};
