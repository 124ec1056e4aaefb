/*
 * drv_p2.c - OpenEEG "P2" packets (ModularEEG firmware, Olimex
 * SHIELD-EKG-EMG demo sketch on an Arduino), 256 Hz, 57600 8N1.
 *
 * Problem: 17-byte packets "A5 5A 02 counter 6 x u16 BE switches" with no
 * checksum and no handshake (data flows from power-up); forks append CR LF
 * or change the stride; the analog front end's gain is set by a trimmer and
 * its baseline drifts from 512, so the scale is per unit.
 * Approach (../shared/docs/protocols.md section 4; logston/olimex-ekg-emg):
 *  - Framing: search for A5 5A, then require version 02, every high byte
 *    <= 03 and switches <= 0F. After a packet the next one is looked for at
 *    the next byte; a CR LF right after a packet is skipped silently, any
 *    other byte counts as garbage (no fixed stride is assumed).
 *  - Counter: a packet whose counter jumps is taken as a real gap only if
 *    the packet right after it (CR LF allowed) continues from it; otherwise
 *    (a corrupted counter, or damage after it) the packet is dropped and
 *    counted in checksum_errors, and the next accepted packet carries the
 *    gap. A packet that starts A5 right after a packet but fails the checks
 *    counts as a checksum error.
 *  - Gaps: missing = (counter - last - 1) mod 256 samples via drv_gap().
 *  - Values: uV = (ADC - baseline) * vref / 1024 / gain * 1e6; ECG channels
 *    in mV (the same / 1000). gain defaults to Olimex's factory setting
 *    10 * 80 * 3.56 = 2848, vref to 5 V. When no baseline is given for a
 *    channel it is estimated at run time: an exponential mean of the raw
 *    values with a 2 s time constant, started at the first value (this also
 *    removes slow drift, like a 0.08 Hz high-pass).
 * Options:
 *    chN=ecg|emg|off[:label]    channel N (1..6); default ch1=ecg, ch2=emg;
 *                               once any chN is given, unlisted are off
 *    vref=5                     ADC reference, V (3.3 on 3.3 V boards)
 *    gain=2848, gainN=          front-end gain, all channels / channel N
 *    baseline=, baselineN=      ADC count of 0 V (default: estimated)
 * References: OpenEEG P2 packet format (ModularEEG firmware); Olimex
 * SHIELD-EKG-EMG demo sketch (ShieldEkgEmgDemo.ino); product text for G.
 * Limits: a loss of 256 packets or more aliases to a shorter gap; an Arduino
 * reset restarts the counter at 0, which reads as a gap of arbitrary size;
 * corruption of the low data bytes cannot be detected; the switches byte
 * is not delivered.
 */
#include "driver.h"
#include "drv_util.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

#define P2_FRAME 17
#define P2_NCH 6
#define P2_FS_HZ 256.0
#define P2_ADC_FULL 1024.0
#define P2_GAIN_DEFAULT 2848.0          /* 10 * G2(80) * 3.56 */
#define P2_VREF_DEFAULT 5.0
#define P2_BASELINE_TAU_S 2.0
#define P2_CRLF_MAX 2

struct p2 {
	struct drvu_acc acc;
	struct drvu_batch batch;
	struct drvu_map map;
	double uv_per_count[P2_NCH];
	double baseline[P2_NCH];  /* counts */
	int estimate[P2_NCH];     /* baseline estimated at run time */
	int est_started[P2_NCH];
	double alpha;             /* exponential mean weight per sample */
	int after_frame;          /* the previous bytes ended a packet */
	int have_seq;
	uint8_t last_seq;
};

static int frame_ok(const uint8_t *p)
{
	if (p[0] != 0xA5 || p[1] != 0x5A || p[2] != 0x02 || p[16] > 0x0F)
		return 0;
	for (unsigned k = 0; k < P2_NCH; k++)
		if (p[4 + 2 * k] > 0x03)
			return 0;
	return 1;
}

static void emit(struct drv_instance *d, struct p2 *s, const uint8_t *p)
{
	uint8_t seq = p[3];
	if (s->have_seq) {
		uint8_t missing = (uint8_t)(seq - s->last_seq - 1);
		if (missing)
			drvu_gap(d, &s->batch, missing);
	}
	s->last_seq = seq;
	s->have_seq = 1;
	struct drvu_batch *b = &s->batch;
	for (unsigned k = 0; k < P2_NCH; k++) {
		int out = s->map.out[k];
		if (out < 0)
			continue;
		double raw = (double)((unsigned)p[4 + 2 * k] << 8 | p[5 + 2 * k]);
		if (s->estimate[k]) {
			if (!s->est_started[k]) {
				s->baseline[k] = raw;
				s->est_started[k] = 1;
			} else {
				s->baseline[k] += (raw - s->baseline[k]) * s->alpha;
			}
		}
		double uv = (raw - s->baseline[k]) * s->uv_per_count[k];
		b->v[out][b->n] = (float)(s->map.kind[k] == DRV_SIG_ECG ? uv / 1000.0 : uv);
	}
	drvu_batch_row_done(d, b);
	drv_stat_frame_ok(d);
}

/* Offset of the next packet after the one at p (CR LF allowed), or 0. */
static size_t next_packet(const uint8_t *p, size_t avail)
{
	for (size_t off = P2_FRAME; off <= P2_FRAME + P2_CRLF_MAX; off += 2) {
		if (off + P2_FRAME > avail)
			return 0;
		if (frame_ok(p + off))
			return off;
		if (p[off] != 0x0D || p[off + 1] != 0x0A)
			return 0;
	}
	return 0;
}

static size_t parse(struct drv_instance *d, const uint8_t *p, size_t n)
{
	struct p2 *s = drv_priv(d);
	size_t i = 0, garbage = 0;
	while (i < n) {
		if (p[i] != 0xA5) {
			if (s->after_frame && p[i] == 0x0D) {
				if (n - i < 2)
					break;
				if (p[i + 1] == 0x0A) {
					i += 2;
					s->after_frame = 0;
					continue;
				}
			}
			s->after_frame = 0;
			garbage++;
			i++;
			continue;
		}
		if (n - i < P2_FRAME)
			break;
		if (!frame_ok(p + i)) {
			if (s->after_frame)
				drv_stat_checksum_error(d);
			s->after_frame = 0;
			garbage++;
			i++;
			continue;
		}
		uint8_t expect = (uint8_t)(s->last_seq + 1);
		if (s->have_seq && p[i + 3] != expect) {
			/* decide with the next packet */
			if (n - i < 2 * P2_FRAME + P2_CRLF_MAX)
				break;
			size_t off = next_packet(p + i, n - i);
			if (!off || p[i + off + 3] != (uint8_t)(p[i + 3] + 1)) {
				/* not confirmed: a corrupted counter (the
				 * next packet continues the old count) or
				 * no clean packet after it; drop it, the
				 * next accepted packet carries the gap */
				drv_stat_checksum_error(d);
				s->after_frame = 1;
				i += P2_FRAME;
				continue;
			}
		}
		emit(d, s, p + i);
		s->after_frame = 1;
		i += P2_FRAME;
	}
	if (garbage)
		drv_stat_garbage(d, garbage);
	return i;
}

static int p2_open(struct drv_instance *d)
{
	static const char *const defaults[P2_NCH] = {
		"ecg", "emg", NULL, NULL, NULL, NULL
	};
	struct p2 *s = drv_priv(d);
	double vref, gain_all, base_all;
	int e = drvu_map_parse(d, P2_NCH, defaults, &s->map);
	if (e < 0)
		return e;
	if ((e = drv_opt_double(d, "vref", P2_VREF_DEFAULT, &vref)) < 0 ||
	    (e = drv_opt_double(d, "gain", P2_GAIN_DEFAULT, &gain_all)) < 0 ||
	    (e = drv_opt_double(d, "baseline", -1.0, &base_all)) < 0)
		return e;
	if (!(vref > 0) || !(gain_all > 0)) {
		vg_warnx("p2: vref and gain must be > 0");
		return VG_ERR_RANGE;
	}
	double fs_uv = 0;
	for (unsigned k = 0; k < P2_NCH; k++) {
		char key[16];
		double g, base;
		snprintf(key, sizeof(key), "gain%u", k + 1);
		if ((e = drv_opt_double(d, key, gain_all, &g)) < 0)
			return e;
		snprintf(key, sizeof(key), "baseline%u", k + 1);
		if ((e = drv_opt_double(d, key, base_all, &base)) < 0)
			return e;
		if (!(g > 0) || base > 1023.0) {
			vg_warnx("p2: channel %u: gain must be > 0, baseline <= 1023",
				 k + 1);
			return VG_ERR_RANGE;
		}
		s->uv_per_count[k] = vref / P2_ADC_FULL / g * 1e6;
		s->estimate[k] = base < 0;
		s->baseline[k] = base < 0 ? 0.0 : base;
		double r = P2_ADC_FULL * s->uv_per_count[k];
		if (r > fs_uv)
			fs_uv = r;
	}
	s->alpha = 1.0 / (P2_BASELINE_TAU_S * P2_FS_HZ);
	e = drvu_map_declare(d, &s->map, P2_FS_HZ, fs_uv / 1000.0, fs_uv, NULL);
	if (e < 0)
		return e;
	s->batch.nch = drv_instance_channel_count(d);
	return VG_OK;
}

static int p2_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	struct p2 *s = drv_priv(d);
	drvu_feed(d, &s->acc, &s->batch, parse, buf, len);
	return VG_OK;
}

static void p2_event(struct drv_instance *d, enum drv_event ev)
{
	struct p2 *s = drv_priv(d);
	if (ev == DRV_EV_CONNECT) {
		/* opening the port resets an Uno: the counter restarts (the
		 * host marks the time away as a gap itself) */
		s->acc.len = 0;
		s->after_frame = 0;
		s->have_seq = 0;
	}
}

const struct drv_ops drv_p2_ops = {
	.name = "p2",
	.description = "OpenEEG P2 / Olimex SHIELD-EKG-EMG, 6 ch at 256 Hz",
	.provides = DRV_PROVIDES_ECG | DRV_PROVIDES_EMG,
	.usb_ids = NULL,
	.baud = 57600,
	.priv_size = sizeof(struct p2),
	.open = p2_open,
	.feed = p2_feed,
	.event = p2_event,
};
