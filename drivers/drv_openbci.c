/*
 * drv_openbci.c - OpenBCI Cyton (8 channels, 250 Hz) through the RFduino
 * USB dongle (FT231X, 115200 8N1).
 *
 * Problem: the Cyton streams 33-byte packets "A0 seq ch1..ch8 (int24 BE)
 * aux[6] Cx" with no checksum; A0 and C0..C6 also occur inside the data, the
 * 8-bit sample number wraps, the serial line drops bytes, and the start-up
 * exchange returns free text ending in "$$$".
 * Approach (../shared/docs/protocols.md section 2; brainflow cyton.cpp):
 *  - Handshake: open() sends "v" (soft reset); the "$$$" that ends the ID
 *    text triggers "d" (default channel settings); the next "$$$" triggers
 *    "b" (stream). A reply line starting "Failure" means the dongle answers
 *    but the board is off (logged). If a step gets no "$$$" within 3 s
 *    (tick), the next command is sent anyway. close() sends "s".
 *    Reply lines (>= 4 characters, until streaming) are passed on as
 *    drv_info("reply", line).
 *  - Framing: unlocked, a packet is accepted only when two packets in a row
 *    have header A0, footer C0..C6 and consecutive sample numbers; locked,
 *    each packet needs A0 and a valid footer. A packet whose sample number
 *    jumps is taken as a real gap only if the packet after it continues from
 *    it; if instead the one after continues the old count, the jump was a
 *    corrupted counter: the packet is dropped (checksum_errors) and marked as
 *    a gap of one sample. A wrong footer or header while locked counts one
 *    checksum error and drops back to the byte-by-byte search; every skipped
 *    byte (including device reply text) counts as garbage.
 *  - Gaps: missing = (seq - last - 1) mod 256 samples, reported through
 *    drv_gap() before the next samples.
 *  - Scaling: uV = count * 4.5 / gain / (2^23 - 1) * 1e6 (gain from option
 *    gain=, default 24, as the board's default); ECG channels are given in
 *    mV (the same divided by 1000). Optional accelerometer channels (AUX,
 *    in g, 0.002/16 g per count) from C0 packets, held between them.
 * Options:
 *    chN=ecg|emg|off[:label]   device channel N (1..8); default
 *                              ch1=ecg, ch2=emg, ch3=emg, others off; once
 *                              any chN is given, unlisted channels are off.
 *                              e.g. "ch1=ecg,ch2=emg:trapezius-left"
 *    gain=24                   ADS1299 PGA gain set on the board
 *    accel=1                   also deliver "ACC X/Y/Z" (g)
 * References: OpenBCI Cyton data format documentation; OpenBCI_Cyton_Library
 * (commands, "$$$"); brainflow openbci_serial_board.cpp and cyton.cpp.
 * Limits: 8-channel mode only (no Daisy, no 'x' gain tracking: give gain=);
 * a loss of 256 or more packets in one run aliases to a shorter gap;
 * corruption inside the channel bytes cannot be detected (no checksum);
 * timestamped packets (C3..C6) are decoded as data only.
 */
#include "driver.h"
#include "drv_util.h"
#include "vg_err.h"
#include "vg_log.h"

#include <string.h>

#define OBCI_FRAME 33
#define OBCI_HEAD 0xA0
#define OBCI_NCH 8
#define OBCI_FS_HZ 250.0
#define OBCI_FULL_SCALE_V 4.5
#define OBCI_COUNTS_MAX 8388607.0      /* 2^23 - 1 */
#define OBCI_ACCEL_G_PER_COUNT (0.002 / 16.0)
#define OBCI_STEP_TIMEOUT_NS 3000000000LL
#define OBCI_REPLY_MIN 4 /* chars */

enum obci_state { ST_WAIT_ID, ST_WAIT_DEFAULTS, ST_STREAM };

struct obci {
	struct drvu_acc acc;
	struct drvu_batch batch;
	struct drvu_map map;
	struct drvu_text text;
	double scale_uv;      /* uV per count */
	int locked;
	int have_seq;
	uint8_t last_seq;
	int accel;            /* accelerometer channels wanted */
	int acc_ch;           /* instance index of ACC X */
	float acc_g[3];       /* last accelerometer reading, g */
	enum obci_state st;
	int64_t t_step_ns;    /* when the current handshake step began; 0 = not yet */
};

static int footer_ok(uint8_t b)
{
	return b >= 0xC0 && b <= 0xC6;
}

static int32_t int24(const uint8_t *p)
{
	int32_t v = (int32_t)((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
	return (v & 0x800000) ? v - 0x1000000 : v;
}

static void send_cmd(struct drv_instance *d, struct obci *o, char c,
		     enum obci_state next)
{
	(void)drv_write(d, &c, 1); /* no link when decoding a file: fine */
	o->st = next;
	o->t_step_ns = drv_now_ns(d);
}

static void on_text(struct drv_instance *d, struct obci *o, uint8_t c)
{
	int r = drvu_text_byte(&o->text, c);
	if (r == 0)
		return;
	/* replies come only during the handshake; shorter "lines" are
	 * printable garbage */
	if (o->st != ST_STREAM && strlen(o->text.line) >= OBCI_REPLY_MIN) {
		if (strncmp(o->text.line, "Failure", 7) == 0)
			vg_warnx("openbci: dongle answers but the board is off "
				 "(\"%s\")", o->text.line);
		drvu_batch_flush(d, &o->batch);
		drv_info(d, "reply", o->text.line);
	}
	if (r != 2)
		return;
	if (o->st == ST_WAIT_ID)
		send_cmd(d, o, 'd', ST_WAIT_DEFAULTS);
	else if (o->st == ST_WAIT_DEFAULTS)
		send_cmd(d, o, 'b', ST_STREAM);
}

static void emit(struct drv_instance *d, struct obci *o, const uint8_t *p)
{
	uint8_t seq = p[1];
	if (o->have_seq) {
		uint8_t missing = (uint8_t)(seq - o->last_seq - 1);
		if (missing)
			drvu_gap(d, &o->batch, missing);
	}
	o->last_seq = seq;
	o->have_seq = 1;
	struct drvu_batch *b = &o->batch;
	for (unsigned i = 0; i < OBCI_NCH; i++) {
		int k = o->map.out[i];
		if (k < 0)
			continue;
		double uv = (double)int24(p + 2 + 3 * i) * o->scale_uv;
		b->v[k][b->n] = (float)(o->map.kind[i] == DRV_SIG_ECG ? uv / 1000.0 : uv);
	}
	if (o->accel) {
		if (p[32] == 0xC0)
			for (unsigned a = 0; a < 3; a++) {
				int16_t raw = (int16_t)((uint16_t)p[26 + 2 * a] << 8 |
							p[27 + 2 * a]);
				o->acc_g[a] = (float)(raw * OBCI_ACCEL_G_PER_COUNT);
			}
		for (unsigned a = 0; a < 3; a++)
			b->v[o->acc_ch + (int)a][b->n] = o->acc_g[a];
	}
	drvu_batch_row_done(d, b);
	drv_stat_frame_ok(d);
}

/* A well-formed packet at p (header and footer). */
static int packet_ok(const uint8_t *p)
{
	return p[0] == OBCI_HEAD && footer_ok(p[OBCI_FRAME - 1]);
}

static size_t parse(struct drv_instance *d, const uint8_t *p, size_t n)
{
	struct obci *o = drv_priv(d);
	size_t i = 0, garbage = 0;
	while (i < n) {
		if (o->locked) {
			if (n - i < OBCI_FRAME)
				break;
			if (!packet_ok(p + i)) {
				if (p[i] == OBCI_HEAD)
					drv_stat_checksum_error(d);
				o->locked = 0;
				continue;
			}
			uint8_t expect = (uint8_t)(o->last_seq + 1);
			if (o->have_seq && p[i + 1] != expect) {
				/* decide with the next packet */
				if (n - i < 2 * OBCI_FRAME)
					break;
				const uint8_t *q = p + i + OBCI_FRAME;
				if (packet_ok(q) && q[1] == (uint8_t)(p[i + 1] + 1)) {
					emit(d, o, p + i); /* a real gap */
				} else if (packet_ok(q) && q[1] == (uint8_t)(expect + 1)) {
					drv_stat_checksum_error(d);
					drvu_gap(d, &o->batch, 1);
					o->last_seq = expect;
				} else {
					drv_stat_checksum_error(d);
					o->locked = 0;
					continue;
				}
				i += OBCI_FRAME;
				continue;
			}
			emit(d, o, p + i);
			i += OBCI_FRAME;
			continue;
		}
		if (p[i] == OBCI_HEAD) {
			if (n - i < 2 * OBCI_FRAME)
				break;
			const uint8_t *q = p + i + OBCI_FRAME;
			if (packet_ok(p + i) && packet_ok(q) &&
			    q[1] == (uint8_t)(p[i + 1] + 1)) {
				o->locked = 1;
				o->text.len = 0;
				continue;
			}
		}
		on_text(d, o, p[i]);
		garbage++;
		i++;
	}
	if (garbage)
		drv_stat_garbage(d, garbage);
	return i;
}

static int obci_open(struct drv_instance *d)
{
	static const char *const defaults[OBCI_NCH] = {
		"ecg", "emg", "emg", NULL, NULL, NULL, NULL, NULL
	};
	struct obci *o = drv_priv(d);
	double gain;
	long accel;
	int e = drvu_map_parse(d, OBCI_NCH, defaults, &o->map);
	if (e < 0)
		return e;
	if ((e = drv_opt_double(d, "gain", 24.0, &gain)) < 0)
		return e;
	if ((e = drv_opt_long(d, "accel", 0, &accel)) < 0)
		return e;
	if (!(gain >= 1.0 && gain <= 24.0)) {
		vg_warnx("openbci: gain=%g out of range 1..24", gain);
		return VG_ERR_RANGE;
	}
	o->scale_uv = OBCI_FULL_SCALE_V / gain / OBCI_COUNTS_MAX * 1e6;
	double fs_uv = OBCI_COUNTS_MAX * o->scale_uv;
	e = drvu_map_declare(d, &o->map, OBCI_FS_HZ, fs_uv / 1000.0, fs_uv, NULL);
	if (e < 0)
		return e;
	o->accel = accel != 0;
	if (o->accel) {
		static const char *const names[3] = { "ACC X", "ACC Y", "ACC Z" };
		for (unsigned a = 0; a < 3; a++) {
			struct drv_channel c = {
				.kind = DRV_SIG_AUX,
				.rate_hz = OBCI_FS_HZ,
				.unit = "g",
				.phys_min = -4.0,
				.phys_max = 4.0,
			};
			strcpy(c.label, names[a]);
			int k = drv_add_channel(d, &c);
			if (k < 0)
				return k;
			if (a == 0)
				o->acc_ch = k;
		}
	}
	o->batch.nch = drv_instance_channel_count(d);
	send_cmd(d, o, 'v', ST_WAIT_ID);
	o->t_step_ns = 0;
	return VG_OK;
}

static int obci_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	struct obci *o = drv_priv(d);
	drvu_feed(d, &o->acc, &o->batch, parse, buf, len);
	return VG_OK;
}

static int obci_tick(struct drv_instance *d, int64_t now_ns)
{
	struct obci *o = drv_priv(d);
	if (o->st == ST_STREAM)
		return VG_OK;
	if (o->t_step_ns == 0) {
		o->t_step_ns = now_ns;
		return VG_OK;
	}
	if (now_ns - o->t_step_ns < OBCI_STEP_TIMEOUT_NS)
		return VG_OK;
	vg_info("openbci: no \"$$$\" after %s, going on",
		o->st == ST_WAIT_ID ? "v" : "d");
	if (o->st == ST_WAIT_ID)
		send_cmd(d, o, 'd', ST_WAIT_DEFAULTS);
	else
		send_cmd(d, o, 'b', ST_STREAM);
	return VG_OK;
}

static void obci_event(struct drv_instance *d, enum drv_event ev)
{
	struct obci *o = drv_priv(d);
	if (ev == DRV_EV_CONNECT) {
		o->locked = 0;
		o->acc.len = 0;
		o->text.len = 0;
		send_cmd(d, o, 'v', ST_WAIT_ID);
	} else if (ev == DRV_EV_DISCONNECT) {
		o->locked = 0;
	}
	/* across a reconnect the counter says nothing (the host marks the
	 * time away as a gap itself) */
	if (ev != DRV_EV_STALL)
		o->have_seq = 0;
}

static void obci_close(struct drv_instance *d)
{
	(void)drv_write(d, "s", 1);
}

static const struct drv_usb_id obci_usb[] = {
	{ 0x0403, 0x6015 }, /* FT231X default id used by the dongle (verify) */
	{ 0, 0 }
};

const struct drv_ops drv_openbci_ops = {
	.name = "openbci",
	.description = "OpenBCI Cyton, 8 ch at 250 Hz via the USB dongle",
	.provides = DRV_PROVIDES_ECG | DRV_PROVIDES_EMG,
	.usb_ids = obci_usb,
	.baud = 115200,
	.priv_size = sizeof(struct obci),
	.open = obci_open,
	.feed = obci_feed,
	.tick = obci_tick,
	.event = obci_event,
	.close = obci_close,
};
