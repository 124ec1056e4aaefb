/*
 * emu_bitalino.c - emulated BITalino (r)evolution (see emu.h).
 *
 * Problem: the BITalino driver must be exercised without a board: the
 * version / rate / start / stop commands, frames of 3-8 bytes whose size
 * depends on the channel mask, the 4-bit sequence number and CRC4.
 * Approach: idle, answers 07 with "BITalino_v5.2\n", takes (code<<6)|03 as
 * the sample rate, (mask<<2)|01 or |02 as start; streaming, 00 or FF stop.
 * Inputs A1 = sim ECG, A2 and A3 = sim EMG channels 0 and 1 (the driver's
 * default map is ch1=ecg, ch2=emg), A4 mid-scale, A5/A6 mid-scale (6-bit);
 * ADC = round((v / (3.3 / gain) + 0.5) * 2^n) clipped, with the driver's
 * default gains (ECG 1100, EMG 1009). The sim runs at 1000 Hz and is
 * decimated for lower rates. CRC4 as in the driver (x^4+x+1, nibble table).
 * Limits: digital inputs read 0; battery, PWM, digital outputs and state
 * commands are ignored.
 */
#include "emu.h"
#include "sim_model.h"

#include <math.h>
#include <string.h>

#define EB_SIM_HZ 1000.0
#define EB_VCC 3.3
#define EB_ECG_GAIN 1100.0
#define EB_EMG_GAIN 1009.0
#define EB_CHUNK 64

struct eb {
	int streaming;
	unsigned rate_hz;
	unsigned decim;   /* sim samples per frame */
	unsigned mask;
	unsigned nacq;
	unsigned pos_dev[6];
	size_t frame;
	double t_now_s, t_start_s;
	uint64_t sent;
	unsigned seq;
};

static const uint8_t crc4_tab[16] = {
	0x0, 0x3, 0x6, 0x5, 0xC, 0xF, 0xA, 0x9,
	0xB, 0x8, 0xD, 0xE, 0x7, 0x4, 0x1, 0x2
};

static unsigned crc4(const uint8_t *f, size_t n)
{
	unsigned crc = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		crc = crc4_tab[crc] ^ (unsigned)(f[i] >> 4);
		crc = crc4_tab[crc] ^ (unsigned)(f[i] & 0x0F);
	}
	crc = crc4_tab[crc] ^ (unsigned)(f[n - 1] >> 4);
	return crc4_tab[crc];
}

static unsigned adc(double rel_v, double gain, unsigned bits)
{
	double full = (double)(1u << bits);
	double c = nearbyint((rel_v * gain / EB_VCC + 0.5) * full);
	if (c < 0)
		c = 0;
	if (c > full - 1)
		c = full - 1;
	return (unsigned)c;
}

static void pack(uint8_t *f, size_t n, const unsigned *a, unsigned nacq,
		 unsigned seq)
{
	uint8_t *q = f + n;
	memset(f, 0, n);
	for (unsigned k = 0; k < nacq; k++) {
		unsigned v = a[k];
		switch (k) {
		case 0: q[-2] |= (uint8_t)(v >> 6 & 0x0F); q[-3] |= (uint8_t)((v & 0x3F) << 2); break;
		case 1: q[-3] |= (uint8_t)(v >> 8 & 0x03); q[-4] = (uint8_t)v; break;
		case 2: q[-5] = (uint8_t)(v >> 2); q[-6] |= (uint8_t)((v & 0x03) << 6); break;
		case 3: q[-6] |= (uint8_t)(v >> 4 & 0x3F); q[-7] |= (uint8_t)((v & 0x0F) << 4); break;
		case 4: q[-7] |= (uint8_t)(v >> 2 & 0x0F); q[-8] |= (uint8_t)((v & 0x03) << 6); break;
		default: q[-8] |= (uint8_t)(v & 0x3F); break;
		}
	}
	q[-1] = (uint8_t)(seq << 4);
	q[-1] |= (uint8_t)crc4(f, n);
}

static void eb_rx(struct emu *e, const uint8_t *buf, size_t n)
{
	struct eb *b = emu_priv(e);
	static const unsigned rates[4] = { 1, 10, 100, 1000 };
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		if (b->streaming) {
			if (c == 0x00 || c == 0xFF)
				b->streaming = 0;
			continue;
		}
		if (c == 0x07) {
			emu_text(e, "BITalino_v5.2\n");
		} else if ((c & 0x03) == 0x03) {
			b->rate_hz = rates[c >> 6];
		} else if ((c & 0x03) == 0x01 || (c & 0x03) == 0x02) {
			b->mask = (unsigned)c >> 2;
			b->nacq = 0;
			for (unsigned k = 0; k < 6; k++)
				if (b->mask & (1u << k))
					b->pos_dev[b->nacq++] = k;
			if (b->nacq == 0)
				continue;
			b->frame = b->nacq + 2 + (b->nacq >= 3 && b->nacq <= 5 ? 1 : 0);
			if (b->rate_hz == 0)
				b->rate_hz = 1000;
			b->decim = (unsigned)(EB_SIM_HZ / b->rate_hz);
			b->streaming = 1;
			b->t_start_s = b->t_now_s;
			b->sent = 0;
			b->seq = 0;
		}
	}
}

static void eb_advance(struct emu *e, double t_s)
{
	struct eb *b = emu_priv(e);
	b->t_now_s = t_s;
	if (!b->streaming)
		return;
	uint64_t due = (uint64_t)floor((t_s - b->t_start_s) * b->rate_hz);
	float ecg[EB_CHUNK], emg0[EB_CHUNK], emg1[EB_CHUNK];
	while (b->sent < due) {
		/* one sim chunk of decim samples per frame, the last one used */
		size_t k = EB_CHUNK / b->decim ? EB_CHUNK / b->decim : 1;
		if (k > due - b->sent)
			k = (size_t)(due - b->sent);
		size_t need = k * b->decim, done = 0;
		while (done < need) {
			size_t m = need - done > EB_CHUNK ? EB_CHUNK : need - done;
			sim_ecg(emu_sim(e), ecg, m);
			sim_emg(emu_sim(e), 0, emg0, m);
			sim_emg(emu_sim(e), 1, emg1, m);
			for (size_t j = 0; j < m; j++) {
				if ((done + j + 1) % b->decim)
					continue;
				unsigned a[6];
				for (unsigned p = 0; p < b->nacq; p++) {
					switch (b->pos_dev[p]) {
					case 0: a[p] = adc(ecg[j] / 1000.0, EB_ECG_GAIN, 10); break;
					case 1: a[p] = adc(emg0[j] / 1e6, EB_EMG_GAIN, 10); break;
					case 2: a[p] = adc(emg1[j] / 1e6, EB_EMG_GAIN, 10); break;
					default: a[p] = p < 4 ? 512 : 32; break;
					}
				}
				uint8_t f[8];
				pack(f, b->frame, a, b->nacq, b->seq);
				b->seq = (b->seq + 1) & 0x0F;
				emu_frame(e, f, b->frame);
			}
			done += m;
		}
		b->sent += k;
	}
}

static void eb_autostart(struct emu *e)
{
	/* what drv_bitalino sends with its default map */
	static const uint8_t cmds[4] = { 0xFF, 0x07, 0xC3, 0x0D };
	eb_rx(e, cmds, sizeof(cmds));
}

const struct emu_ops emu_bitalino_ops = {
	.name = "bitalino",
	.ecg_fs_hz = EB_SIM_HZ,
	.emg_fs_hz = EB_SIM_HZ,
	.priv_size = sizeof(struct eb),
	.rx = eb_rx,
	.advance = eb_advance,
	.autostart = eb_autostart,
};
