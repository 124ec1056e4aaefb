/*
 * drv_bitalino.c - BITalino (r)evolution (BITalino 2) over Bluetooth SPP
 * (/dev/rfcommN) or a serial tty, 115200 8N1; ECG and EMG at 1000 Hz.
 *
 * Problem: frames have no sync byte: 3 to 8 bytes depending on the number of
 * channels acquired, the last byte holding a 4-bit sequence number and a
 * CRC4 that random data passes one time in 16; Bluetooth drops and garbles
 * bytes; the version reply is free text.
 * Approach (../shared/docs/protocols.md section 3; BITalinoWorld cpp-api and
 * revolution-python-api):
 *  - Start-up: open() sends FF (stop from any mode on BITalino 2; when idle it
 *    reads as "rate 1000 Hz", harmless), 07 (version; the reply line is given
 *    as drv_info("version", ...)), the sample-rate command (code<<6)|03 and
 *    the start command (mask<<2)|01 for the mapped channels. close() sends
 *    00 (stop). DRV_EV_CONNECT repeats the sequence.
 *  - Framing: the frame size N follows from the number of channels
 *    acquired (nCh+2, +1 when 3 <= nCh <= 5). Unlocked, the parser slides one
 *    byte at a time and locks only on 3 frames in a row with a good CRC4 and
 *    consecutive sequence numbers (then emits them). Locked, a frame with a
 *    bad CRC counts a checksum error and drops back to the search; a frame
 *    whose sequence number jumps is accepted (gap) only if the next frame
 *    continues from it, else it counts as a checksum error (a 1-in-16 CRC
 *    false pass) and the search restarts.
 *  - CRC4: polynomial x^4+x+1 over all bytes, MSB first, with the CRC
 *    nibble taken as 0 (nibble table of bitalino.cpp checkCRC4).
 *  - Gaps: missing = (seq - last - 1) mod 16 frames (= samples).
 *  - Values: positions 1-4 are 10-bit, 5-6 are 6-bit (n bits); channels fill
 *    the positions in ascending channel order. ECG (mV) = (ADC/2^n - 0.5) *
 *    3.3 / ecg_gain * 1000, ecg_gain default 1100 (opensignalsreader's code;
 *    its docstring says 1000: set ecg_gain=1000 if PLUX's datasheet for your
 *    sensor says so); EMG (uV) = (ADC/2^n - 0.5) * 3.3 / emg_gain * 1e6,
 *    emg_gain default 1009.
 * Options:
 *    chN=ecg|emg|off[:label]  analog input AN (1..6); default ch1=ecg,
 *                             ch2=emg; once any chN is given, unlisted
 *                             inputs are not acquired.
 *    rate=1000                1, 10, 100 or 1000 Hz
 *    ecg_gain=1100, emg_gain=1009
 * References: BITalino (r)evolution serial protocol as implemented in
 * BITalinoWorld/cpp-api bitalino.cpp and revolution-python-api bitalino.py;
 * PGomes92/opensignalsreader bitalino_tf.py (transfer functions).
 * Limits: a loss of 16 frames or more aliases to a shorter gap (4-bit
 * counter; 16 ms at 1000 Hz); while locked, bytes inserted exactly at a
 * frame boundary pass as a frame about 1 time in 256 (CRC4 and sequence
 * both match by chance), which shifts the following indices by 16; digital inputs I1..I4 are not delivered;
 * BITalino 1 (firmware < 5) is not supported; the reply text counts as
 * garbage bytes.
 */
#include "driver.h"
#include "drv_util.h"
#include "vg_err.h"
#include "vg_log.h"

#include <string.h>

#define BIT_NCH 6
#define BIT_LOCK_FRAMES 3
#define BIT_VCC 3.3
#define BIT_CMD_STOP_ANY 0xFF
#define BIT_CMD_STOP 0x00
#define BIT_CMD_VERSION 0x07

struct bit {
	struct drvu_acc acc;
	struct drvu_batch batch;
	struct drvu_map map;
	struct drvu_text text;
	unsigned nacq;               /* channels acquired */
	unsigned pos_dev[BIT_NCH];   /* device channel (0-based) of each position */
	size_t frame;                /* bytes per frame */
	uint8_t cmd[4];              /* start-up commands */
	double ecg_gain, emg_gain;
	int locked;
	int have_seq;
	unsigned last_seq;
	uint8_t crc_step[16][256];   /* see crc_build() */
};

static const uint8_t crc4_tab[16] = {
	0x0, 0x3, 0x6, 0x5, 0xC, 0xF, 0xA, 0x9,
	0xB, 0x8, 0xD, 0xE, 0x7, 0x4, 0x1, 0x2
};

/* Byte-at-a-time form of the nibble table: step[crc][byte] is the CRC
 * after both nibbles of byte (built in open(), one lookup per byte). */
static void crc_build(struct bit *b)
{
	for (unsigned c = 0; c < 16; c++)
		for (unsigned v = 0; v < 256; v++)
			b->crc_step[c][v] = (uint8_t)(crc4_tab[crc4_tab[c] ^ (v >> 4)] ^
						      (v & 0x0F));
}

static int crc_ok(const struct bit *b, const uint8_t *f, size_t n)
{
	unsigned crc = 0;
	for (size_t i = 0; i + 1 < n; i++)
		crc = b->crc_step[crc][f[i]];
	crc = crc4_tab[crc4_tab[crc] ^ (unsigned)(f[n - 1] >> 4)];
	return crc == (unsigned)(f[n - 1] & 0x0F);
}

static unsigned seq_of(const struct bit *b, const uint8_t *f)
{
	return f[b->frame - 1] >> 4;
}

/* ADC value at position k (0-based) of the frame at f. */
static unsigned adc_at(const uint8_t *f, size_t n, unsigned k)
{
	const uint8_t *q = f + n;
	switch (k) {
	case 0: return (unsigned)(q[-2] & 0x0F) << 6 | (unsigned)q[-3] >> 2;
	case 1: return (unsigned)(q[-3] & 0x03) << 8 | q[-4];
	case 2: return (unsigned)q[-5] << 2 | (unsigned)q[-6] >> 6;
	case 3: return (unsigned)(q[-6] & 0x3F) << 4 | (unsigned)q[-7] >> 4;
	case 4: return (unsigned)(q[-7] & 0x0F) << 2 | (unsigned)q[-8] >> 6;
	default: return (unsigned)q[-8] & 0x3F;
	}
}

static void on_text(struct drv_instance *d, struct bit *b, uint8_t c)
{
	if (drvu_text_byte(&b->text, c) && strstr(b->text.line, "BITalino")) {
		drvu_batch_flush(d, &b->batch);
		drv_info(d, "version", b->text.line);
	}
}

static void emit(struct drv_instance *d, struct bit *b, const uint8_t *f)
{
	unsigned seq = seq_of(b, f);
	if (b->have_seq) {
		unsigned missing = (seq - b->last_seq - 1) & 0x0F;
		if (missing)
			drvu_gap(d, &b->batch, missing);
	}
	b->last_seq = seq;
	b->have_seq = 1;
	struct drvu_batch *bt = &b->batch;
	for (unsigned k = 0; k < b->nacq; k++) {
		unsigned dev = b->pos_dev[k];
		double full = k < 4 ? 1024.0 : 64.0;
		double rel = (double)adc_at(f, b->frame, k) / full - 0.5;
		double v;
		if (b->map.kind[dev] == DRV_SIG_ECG)
			v = rel * BIT_VCC / b->ecg_gain * 1000.0;
		else
			v = rel * BIT_VCC / b->emg_gain * 1000.0 * 1000.0;
		bt->v[b->map.out[dev]][bt->n] = (float)v;
	}
	drvu_batch_row_done(d, bt);
	drv_stat_frame_ok(d);
}

static size_t parse(struct drv_instance *d, const uint8_t *p, size_t n)
{
	struct bit *b = drv_priv(d);
	const size_t N = b->frame;
	size_t i = 0, garbage = 0;
	while (i < n) {
		if (b->locked) {
			if (n - i < N)
				break;
			if (!crc_ok(b, p + i, N)) {
				drv_stat_checksum_error(d);
				b->locked = 0;
				continue;
			}
			unsigned seq = seq_of(b, p + i);
			if (seq != ((b->last_seq + 1) & 0x0F)) {
				if (n - i < 2 * N)
					break;
				const uint8_t *q = p + i + N;
				if (!crc_ok(b, q, N) || seq_of(b, q) != ((seq + 1) & 0x0F)) {
					drv_stat_checksum_error(d);
					b->locked = 0;
					continue;
				}
			}
			emit(d, b, p + i);
			i += N;
			continue;
		}
		if (n - i < BIT_LOCK_FRAMES * N)
			break;
		int ok = 1;
		for (unsigned k = 0; k < BIT_LOCK_FRAMES && ok; k++) {
			const uint8_t *f = p + i + k * N;
			ok = crc_ok(b, f, N) &&
			     (k == 0 || seq_of(b, f) == ((seq_of(b, f - N) + 1) & 0x0F));
		}
		if (ok) {
			b->locked = 1;
			b->text.len = 0;
			/* the first frame after a resync may follow a loss */
			continue;
		}
		on_text(d, b, p[i]);
		garbage++;
		i++;
	}
	if (garbage)
		drv_stat_garbage(d, garbage);
	return i;
}

static void send_start(struct drv_instance *d, struct bit *b)
{
	(void)drv_write(d, b->cmd, sizeof(b->cmd)); /* no link for files */
}

static int bit_open(struct drv_instance *d)
{
	static const char *const defaults[BIT_NCH] = {
		"ecg", "emg", NULL, NULL, NULL, NULL
	};
	struct bit *b = drv_priv(d);
	long rate;
	int e = drvu_map_parse(d, BIT_NCH, defaults, &b->map);
	if (e < 0)
		return e;
	if ((e = drv_opt_long(d, "rate", 1000, &rate)) < 0 ||
	    (e = drv_opt_double(d, "ecg_gain", 1100.0, &b->ecg_gain)) < 0 ||
	    (e = drv_opt_double(d, "emg_gain", 1009.0, &b->emg_gain)) < 0)
		return e;
	unsigned code;
	switch (rate) {
	case 1: code = 0; break;
	case 10: code = 1; break;
	case 100: code = 2; break;
	case 1000: code = 3; break;
	default:
		vg_warnx("bitalino: rate=%ld: use 1, 10, 100 or 1000", rate);
		return VG_ERR_RANGE;
	}
	if (!(b->ecg_gain > 0) || !(b->emg_gain > 0)) {
		vg_warnx("bitalino: gains must be > 0");
		return VG_ERR_RANGE;
	}
	unsigned mask = 0;
	for (unsigned i = 0; i < BIT_NCH; i++)
		if (b->map.on[i]) {
			mask |= 1u << i;
			b->pos_dev[b->nacq++] = i;
		}
	b->frame = b->nacq + 2 + (b->nacq >= 3 && b->nacq <= 5 ? 1 : 0);
	/* physical ranges: +-0.5 * 3.3 / gain (mV) */
	e = drvu_map_declare(d, &b->map, (double)rate,
			     0.5 * BIT_VCC / b->ecg_gain * 1000.0,
			     0.5 * BIT_VCC / b->emg_gain * 1e6, NULL);
	if (e < 0)
		return e;
	b->batch.nch = drv_instance_channel_count(d);
	crc_build(b);
	b->cmd[0] = BIT_CMD_STOP_ANY;
	b->cmd[1] = BIT_CMD_VERSION;
	b->cmd[2] = (uint8_t)(code << 6 | 0x03);
	b->cmd[3] = (uint8_t)(mask << 2 | 0x01);
	send_start(d, b);
	return VG_OK;
}

static int bit_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	struct bit *b = drv_priv(d);
	drvu_feed(d, &b->acc, &b->batch, parse, buf, len);
	return VG_OK;
}

static void bit_event(struct drv_instance *d, enum drv_event ev)
{
	struct bit *b = drv_priv(d);
	if (ev == DRV_EV_CONNECT) {
		b->locked = 0;
		b->acc.len = 0;
		b->text.len = 0;
		send_start(d, b);
	} else if (ev == DRV_EV_DISCONNECT) {
		b->locked = 0;
	}
	/* across a reconnect the counter says nothing (the host marks the
	 * time away as a gap itself) */
	if (ev != DRV_EV_STALL)
		b->have_seq = 0;
}

static void bit_close(struct drv_instance *d)
{
	uint8_t stop = BIT_CMD_STOP;
	(void)drv_write(d, &stop, 1);
}

const struct drv_ops drv_bitalino_ops = {
	.name = "bitalino",
	.description = "BITalino (r)evolution, ECG/EMG at 1000 Hz (BT SPP or tty)",
	.provides = DRV_PROVIDES_ECG | DRV_PROVIDES_EMG,
	.usb_ids = NULL,
	.baud = 115200,
	.priv_size = sizeof(struct bit),
	.open = bit_open,
	.feed = bit_feed,
	.event = bit_event,
	.close = bit_close,
};
