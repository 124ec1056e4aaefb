/*
 * drv_ant.c - ANT+ heart-rate straps through an ANT USB stick (USB2 0fcf:1008,
 * USB-m 0fcf:1009 over libusb or /dev/ttyUSBn; the older CP210x ANTUSB
 * 0fcf:1004 over serial at 115200). The link decides the transport; this file
 * only sees the ANT byte stream.
 *
 * Problem: the stick speaks framed ANT messages (A4 LEN ID payload XOR) that
 * may arrive split or merged, behind garbage, with checksum bytes that can
 * themselves equal the sync byte. The strap reports neither beat times nor
 * RR directly but 8-byte HRM pages: a beat count (mod 256), the time of the
 * last beat (1/1024 s, mod 64 s), on page 4 the time of the previous beat,
 * and the strap's heart rate. Messages get lost on air (4.06 Hz broadcast).
 * Approach:
 *  - Framing: a small accumulation buffer scanned for A4, LEN 1..41, and the
 *    XOR; on a bad checksum we rescan from the byte after the false sync
 *    (protocols.md 1.8), counting the bytes skipped as garbage.
 *  - Start-up (protocols.md 1.3): reset, wait for the start-up message (or
 *    1 s), then network key, assign, channel id (wildcard device unless
 *    device=N), search timeout, extended messages, period 8070, RF 57, open;
 *    each command waits for its channel response (1 s, 3 tries). close()
 *    closes the channel so the stick answers on the next open.
 *  - RR (GoldenCheetah ANTChannel.cpp as described in protocols.md 1.6): a
 *    new beat when the count changes; RR from page 4's previous-event time
 *    on a strap whose toggle bit moves (valid across lost messages), else
 *    from the last event time when exactly one beat passed; 16-bit unsigned
 *    differences absorb the 64 s wrap; state forgotten after 60 s without
 *    messages. Beats lost (count jumped by more than one) are counted with
 *    drv_gap(lost beats) and the next beat carries DRV_BEAT_AFTER_GAP. A
 *    strap is "legacy" (bytes 4-7 only) until its toggle bit changes, and
 *    again after 10 messages without a change. The first message only
 *    teaches the count (its beat may be old); after a reconnect, a change
 *    of strap (extended data) or 60 s of silence the same holds and the
 *    next beat also carries DRV_BEAT_AFTER_GAP. After a lost link or 60 s
 *    of silence the beats missed are estimated (silent time / last RR) and
 *    reported with drv_gap when the strap is heard again.
 *  - Beat times: drivers/beatclock.h (anchored at arrival, advanced by RR).
 *  - Status: drv_info keys "state", "reset_cause", "device_number",
 *    "transmission_type", "manufacturer_id", "serial_upper", "hw_version",
 *    "sw_version", "model", "battery_pct", "battery_v", "operating_time_s"
 *    (each sent when it changes); counters through drv_stat_*.
 * Options: network_key="xx xx xx xx xx xx xx xx" (mandatory; the ANT+ key is
 *   licensed by thisisant.com and never shipped: without it open() refuses
 *   with VG_ERR_SECURITY), device=N (pair only with strap N; 0 = any),
 *   network=N (0..7), ext=0|1 (extended messages, default 1), pad=0|1 (append
 *   5 zero bytes to each command, GoldenCheetah's workaround for old sticks).
 * References: ../shared/docs/protocols.md section 1 (openant, GoldenCheetah,
 *   Dynastream ANT library, Nordic ant_hrm).
 * Limits: one HRM channel (channel 0) per stick; RX sync A5 is not accepted
 *   (openant does not either); an RR outside 250-2000 ms is reported as
 *   unknown (rr_ms 0, DRV_BEAT_AFTER_GAP); if more than 255 beats are lost
 *   without 60 s of silence the count aliases (needs > 1 min of lost messages
 *   with the strap in range).
 */
#include "ant_msg.h"
#include "beatclock.h"
#include "driver.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

#define ANT_CHANNEL 0u
#define ANT_ACC_CAP 128u           /* accumulation buffer, >= 2 messages */
#define ANT_REPLY_TIMEOUT_NS 1000000000LL
#define ANT_TRIES 3
#define ANT_SILENCE_RESET_NS 60000000000LL /* 60 s: 16-bit times ambiguous */
#define ANT_LEGACY_MSGS 10         /* toggle unchanged this long = legacy */
#define ANT_RR_MIN_MS 250.0
#define ANT_RR_MAX_MS 2000.0
#define ANT_TICKS_PER_S 1024.0
#define ANT_PAD_BYTES 5u

enum ant_phase {
	PH_IDLE = 0,    /* nothing sent (no link yet) */
	PH_RESET,       /* reset sent, waiting for the start-up message */
	PH_CONFIG,      /* command cmd[step] sent, waiting for its response */
	PH_RUNNING,     /* channel open */
	PH_CLOSED
};

/* values announced through drv_info only when they change */
enum ant_info_key {
	AI_DEVNUM, AI_TRANS, AI_MANUF, AI_SERIAL, AI_HW, AI_SW, AI_MODEL,
	AI_BATT_PCT, AI_BATT_MV, AI_OPTIME, AI_N
};
static const char *const info_names[AI_N] = {
	"device_number", "transmission_type", "manufacturer_id", "serial_upper",
	"hw_version", "sw_version", "model", "battery_pct", "battery_v",
	"operating_time_s"
};

#define ANT_NCMD 8

struct ant_cmd {
	uint8_t msg[ANT_MSG_MAX];
	size_t n;
	uint8_t id;
};

struct ant_priv {
	/* framing */
	uint8_t acc[ANT_ACC_CAP];
	size_t acc_n;
	/* start-up */
	struct ant_cmd cmd[ANT_NCMD];
	unsigned ncmd, step;
	enum ant_phase phase;
	int64_t sent_ns;   /* when the pending command was sent; -1 = stamp at next tick */
	int tries;
	int pad;
	const char *state; /* last "state" announced */
	/* HRM decoding */
	int have_c0;
	uint8_t c0;        /* last beat count */
	uint16_t t0;       /* last beat event time, 1/1024 s */
	int have_toggle;
	unsigned toggle;
	unsigned same_toggle; /* messages since the toggle last changed */
	int non_legacy;
	int64_t last_msg_ns;
	int have_msg;
	int pending_gap;   /* next beat follows lost beats / silence */
	int64_t lost_ns;   /* last message before the link was lost; 0 = none */
	double last_rr_ms; /* last plausible RR, for the length of a loss */
	struct drv_bclk clock;
	/* status cache */
	long info_val[AI_N];
	unsigned info_have; /* bit per enum ant_info_key */
};

static void set_state(struct drv_instance *d, struct ant_priv *p,
		      const char *state)
{
	if (p->state == state)
		return;
	p->state = state;
	drv_info(d, "state", state);
}

static void info_long(struct drv_instance *d, struct ant_priv *p,
		      enum ant_info_key k, long v)
{
	if ((p->info_have & (1u << k)) && p->info_val[k] == v)
		return;
	p->info_have |= 1u << k;
	p->info_val[k] = v;
	char buf[32];
	if (k == AI_BATT_MV)
		snprintf(buf, sizeof(buf), "%.3f", (double)v / 1000.0);
	else
		snprintf(buf, sizeof(buf), "%ld", v);
	drv_info(d, info_names[k], buf);
}

static void send_msg(struct drv_instance *d, struct ant_priv *p,
		     const uint8_t *msg, size_t n)
{
	static const uint8_t zeros[ANT_PAD_BYTES];
	int e = drv_write(d, msg, n);
	if (e == 0 && p->pad)
		e = drv_write(d, zeros, sizeof(zeros));
	if (e < 0 && e != VG_ERR_NODEV)
		vg_warnx("ant: write of message 0x%02X failed: %s", msg[2],
			 vg_strerror(e));
}

static void add_cmd(struct ant_priv *p, uint8_t id, const uint8_t *pl,
		    size_t n)
{
	struct ant_cmd *c = &p->cmd[p->ncmd++];
	c->id = id;
	c->n = ant_msg_build(c->msg, id, pl, n);
}

static void send_reset(struct drv_instance *d, struct ant_priv *p)
{
	static const uint8_t zero = 0;
	uint8_t m[ANT_MSG_MAX];
	size_t n = ant_msg_build(m, ANT_ID_RESET, &zero, 1);
	send_msg(d, p, m, n);
	p->phase = PH_RESET;
	p->sent_ns = -1;
	set_state(d, p, "resetting");
}

static void start_handshake(struct drv_instance *d, struct ant_priv *p)
{
	p->tries = 1;
	p->acc_n = 0;
	send_reset(d, p);
}

static void send_step(struct drv_instance *d, struct ant_priv *p)
{
	const struct ant_cmd *c = &p->cmd[p->step];
	send_msg(d, p, c->msg, c->n);
	p->phase = PH_CONFIG;
	p->sent_ns = -1;
}

/* Start-up message seen, or given up waiting for it: configure. */
static void begin_config(struct drv_instance *d, struct ant_priv *p)
{
	p->step = 0;
	p->tries = 1;
	set_state(d, p, "configuring");
	send_step(d, p);
}

static void next_step(struct drv_instance *d, struct ant_priv *p)
{
	p->step++;
	p->tries = 1;
	if (p->step < p->ncmd) {
		send_step(d, p);
		return;
	}
	p->phase = PH_RUNNING;
	set_state(d, p, "searching");
}

/* Forget the beat history: the next beat starts a new RR chain. */
static void reset_beats(struct ant_priv *p)
{
	p->have_c0 = 0;
	p->pending_gap = 1;
	drv_bclk_reset(&p->clock);
}

/* The beats missed while the count was forgotten (link lost, or 60 s of
 * silence): the silent time over the last RR (1 s when none is known), as
 * one gap, so a disconnect shows as source.gap like a counter gap does
 * (issue 15: an ANT+ disconnect made none). */
static void gap_for_silence(struct drv_instance *d, struct ant_priv *p,
			    int64_t since_ns, int64_t now_ns)
{
	double rr_ms = p->last_rr_ms > 0 ? p->last_rr_ms : 1000.0;
	double missed = (double)(now_ns - since_ns) * 1e-6 / rr_ms;
	if (missed >= 1.0 && missed < 1e9) {
		uint64_t n = (uint64_t)missed;
		vg_info("ant: about %llu beats missed in %.1f s without the strap",
			(unsigned long long)n, (double)(now_ns - since_ns) * 1e-9);
		drv_gap(d, n);
	}
}

static void on_response(struct drv_instance *d, struct ant_priv *p,
			const uint8_t *pl, size_t n)
{
	if (n < 3)
		return;
	uint8_t ch = pl[0], id = pl[1], code = pl[2];
	if (id == ANT_ID_EVENT) {
		if (ch != ANT_CHANNEL)
			return;
		switch (code) {
		case ANT_EV_RX_SEARCH_TIMEOUT:
			vg_info("ant: search timed out, no strap found");
			set_state(d, p, "search timeout");
			break;
		case ANT_EV_RX_FAIL:
			/* one broadcast missed; beats lost show in the count */
			break;
		case ANT_EV_RX_FAIL_GO_TO_SEARCH:
			vg_info("ant: strap lost, searching");
			set_state(d, p, "searching");
			break;
		case ANT_EV_CHANNEL_CLOSED:
			if (p->phase == PH_RUNNING) {
				/* closed under us (search timeout): reopen */
				uint8_t m[ANT_MSG_MAX];
				uint8_t c = ANT_CHANNEL;
				size_t len = ant_msg_build(m, ANT_ID_OPEN, &c, 1);
				vg_info("ant: channel closed, reopening");
				send_msg(d, p, m, len);
				set_state(d, p, "searching");
			} else {
				set_state(d, p, "closed");
			}
			break;
		default:
			vg_debug("ant: channel event 0x%02X", code);
			break;
		}
		return;
	}
	if (p->phase != PH_CONFIG || id != p->cmd[p->step].id)
		return;
	if (code != 0) {
		if (id == ANT_ID_LIB_CONFIG)
			vg_info("ant: stick refuses extended messages (code 0x%02X); the strap's device number will not be known",
				code);
		else
			vg_warnx("ant: command 0x%02X refused with code 0x%02X",
				 id, code);
	}
	next_step(d, p);
}

static void on_page(struct drv_instance *d, struct ant_priv *p,
		    const uint8_t *pg)
{
	unsigned page = pg[0] & 0x7Fu, toggle = pg[0] >> 7;
	int64_t now = drv_now_ns(d);

	if (p->lost_ns) {
		gap_for_silence(d, p, p->lost_ns, now);
		p->lost_ns = 0;
	} else if (p->have_msg && now - p->last_msg_ns > ANT_SILENCE_RESET_NS) {
		gap_for_silence(d, p, p->last_msg_ns, now);
		reset_beats(p);
	}
	p->have_msg = 1;
	p->last_msg_ns = now;
	set_state(d, p, "receiving");

	/* legacy detection: a current strap flips the toggle every 4 messages */
	if (!p->have_toggle) {
		p->have_toggle = 1;
		p->toggle = toggle;
		p->same_toggle = 1;
	} else if (toggle != p->toggle) {
		p->toggle = toggle;
		p->same_toggle = 1;
		p->non_legacy = 1;
	} else if (++p->same_toggle >= ANT_LEGACY_MSGS) {
		p->non_legacy = 0;
		p->same_toggle = ANT_LEGACY_MSGS;
	}

	if (p->non_legacy) {
		switch (page) {
		case 1:
			info_long(d, p, AI_OPTIME,
				  2L * (pg[1] | (long)pg[2] << 8 | (long)pg[3] << 16));
			break;
		case 2:
			info_long(d, p, AI_MANUF, pg[1]);
			info_long(d, p, AI_SERIAL, pg[2] | (long)pg[3] << 8);
			break;
		case 3:
			info_long(d, p, AI_HW, pg[1]);
			info_long(d, p, AI_SW, pg[2]);
			info_long(d, p, AI_MODEL, pg[3]);
			break;
		case 7:
			if (pg[1] <= 100)
				info_long(d, p, AI_BATT_PCT, pg[1]);
			if ((pg[3] & 0x0Fu) != 0x0Fu) /* 0xF = voltage invalid */
				info_long(d, p, AI_BATT_MV,
					  (long)((pg[3] & 0x0Fu) * 1000L +
						 pg[2] * 1000L / 256));
			break;
		default:
			break;
		}
	}

	uint8_t c = pg[6];
	uint16_t t = (uint16_t)(pg[4] | pg[5] << 8);
	if (!p->have_c0) {
		/* first message: the beat it describes may be old */
		p->have_c0 = 1;
		p->c0 = c;
		p->t0 = t;
		return;
	}
	if (c == p->c0) {
		/* no new beat; a strap never moves the time of the same beat,
		 * but if one does, the latest time is the one to measure from */
		p->t0 = t;
		return;
	}
	unsigned diff = (unsigned)(uint8_t)(c - p->c0);
	unsigned flags = 0;
	uint16_t rr = 0;
	if (p->non_legacy && page == 4) {
		uint16_t prev = (uint16_t)(pg[2] | pg[3] << 8);
		if (t != 0 && prev != 0)
			rr = (uint16_t)(t - prev);
	} else if (diff == 1) {
		rr = (uint16_t)(t - p->t0);
	}
	if (diff > 1) {
		drv_gap(d, diff - 1);
		vg_debug("ant: %u beats lost", diff - 1);
		flags |= DRV_BEAT_AFTER_GAP;
	}
	if (p->pending_gap)
		flags |= DRV_BEAT_AFTER_GAP;
	p->pending_gap = 0;
	p->c0 = c;
	p->t0 = t;

	double rr_ms = rr * 1000.0 / ANT_TICKS_PER_S;
	if (rr != 0 && (rr_ms < ANT_RR_MIN_MS || rr_ms > ANT_RR_MAX_MS)) {
		vg_debug("ant: implausible RR %.1f ms dropped", rr_ms);
		rr_ms = 0.0;
		flags |= DRV_BEAT_AFTER_GAP;
	}
	struct drv_beat b = {
		.rr_ms = rr_ms,
		.hr_bpm = pg[7],
		.flags = flags,
	};
	if (rr_ms > 0 && !(flags & DRV_BEAT_AFTER_GAP))
		p->last_rr_ms = rr_ms;
	b.t_ns = drv_bclk_beat(&p->clock, now,
			       (flags & DRV_BEAT_AFTER_GAP) ? 0.0 : rr_ms);
	drv_beat(d, &b);
}

static void on_data(struct drv_instance *d, struct ant_priv *p,
		    const uint8_t *pl, size_t n)
{
	if (n < 9 || pl[0] != ANT_CHANNEL)
		return;
	/* extended: flag byte 0x80, then device number LE, type, trans type */
	if (n >= 14 && (pl[9] & ANT_EXT_FLAG_ID)) {
		long dev = pl[10] | (long)pl[11] << 8;
		if ((p->info_have & (1u << AI_DEVNUM)) && p->info_val[AI_DEVNUM] != dev) {
			vg_info("ant: strap changed to device %ld", dev);
			reset_beats(p);
			p->have_toggle = 0;
			p->non_legacy = 0;
		}
		info_long(d, p, AI_DEVNUM, dev);
		info_long(d, p, AI_TRANS, pl[13]);
	}
	on_page(d, p, pl + 1);
}

static void on_message(struct drv_instance *d, struct ant_priv *p,
		       const uint8_t *m)
{
	size_t n = m[1];
	uint8_t id = m[2];
	const uint8_t *pl = m + 3;
	drv_stat_frame_ok(d);
	switch (id) {
	case ANT_ID_STARTUP: {
		char buf[8];
		snprintf(buf, sizeof(buf), "0x%02X", n ? pl[0] : 0);
		drv_info(d, "reset_cause", buf);
		if (p->phase == PH_RESET)
			begin_config(d, p);
		break;
	}
	case ANT_ID_CHAN_RESPONSE:
		on_response(d, p, pl, n);
		break;
	case ANT_ID_BROADCAST:
	case ANT_ID_ACK_DATA:
		on_data(d, p, pl, n);
		break;
	case ANT_ID_CHANNEL_ID:
		if (n >= 5 && pl[0] == ANT_CHANNEL) {
			info_long(d, p, AI_DEVNUM, pl[1] | (long)pl[2] << 8);
			info_long(d, p, AI_TRANS, pl[4]);
		}
		break;
	default:
		break;
	}
}

/* Scan acc for complete messages; keep an incomplete tail. */
static void parse(struct drv_instance *d, struct ant_priv *p)
{
	const uint8_t *a = p->acc;
	size_t n = p->acc_n, i = 0, garbage = 0;
	while (i < n) {
		if (a[i] != ANT_SYNC) {
			garbage++;
			i++;
			continue;
		}
		if (n - i < 2)
			break;
		size_t len = a[i + 1];
		if (len < 1 || len > ANT_MAX_LEN) {
			garbage++; /* false sync */
			i++;
			continue;
		}
		if (n - i < len + 4)
			break;
		if (ant_xor(a + i, len + 3) != a[i + len + 3]) {
			/* rescan from the byte after this (false?) sync */
			drv_stat_checksum_error(d);
			garbage++;
			i++;
			continue;
		}
		on_message(d, p, a + i);
		i += len + 4;
	}
	if (garbage)
		drv_stat_garbage(d, garbage);
	if (i > 0) {
		memmove(p->acc, p->acc + i, n - i);
		p->acc_n = n - i;
	}
}

static int ant_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	struct ant_priv *p = drv_priv(d);
	while (len > 0) {
		size_t room = ANT_ACC_CAP - p->acc_n;
		size_t k = len < room ? len : room;
		memcpy(p->acc + p->acc_n, buf, k);
		p->acc_n += k;
		buf += k;
		len -= k;
		parse(d, p);
	}
	return VG_OK;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "xx xx ..", "xx:xx:..", "xxxxxxxxxxxxxxxx" -> 8 bytes. Never logs the key. */
static int parse_key(const char *s, uint8_t key[8])
{
	unsigned nib = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == ':' || *s == '-' || *s == '_')
			continue;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && nib % 2 == 0) {
			s++;
			continue;
		}
		int v = hexval((unsigned char)*s);
		if (v < 0 || nib >= 16)
			return VG_ERR_INVAL;
		if (nib % 2 == 0)
			key[nib / 2] = (uint8_t)(v << 4);
		else
			key[nib / 2] |= (uint8_t)v;
		nib++;
	}
	return nib == 16 ? VG_OK : VG_ERR_INVAL;
}

static int ant_open(struct drv_instance *d)
{
	struct ant_priv *p = drv_priv(d);
	const char *ks = drv_opt(d, "network_key");
	uint8_t key[8];
	long dev, net, ext, pad;

	if (!ks || !*ks) {
		vg_err("ant: no ANT+ network key configured (option network_key=\"xx xx xx xx xx xx xx xx\", config ant.network_key); the key is licensed by thisisant.com and not shipped with vagus, refusing to open");
		return VG_ERR_SECURITY;
	}
	if (parse_key(ks, key) < 0) {
		vg_err("ant: network_key must be 8 hex bytes, e.g. \"xx xx xx xx xx xx xx xx\"");
		return VG_ERR_INVAL;
	}
	if (drv_opt_long(d, "device", 0, &dev) < 0 ||
	    drv_opt_long(d, "network", 0, &net) < 0 ||
	    drv_opt_long(d, "ext", 1, &ext) < 0 ||
	    drv_opt_long(d, "pad", 0, &pad) < 0)
		return VG_ERR_INVAL;
	if (dev < 0 || dev > 65535 || net < 0 || net > 7) {
		vg_err("ant: device must be 0..65535 and network 0..7");
		return VG_ERR_RANGE;
	}
	p->pad = pad != 0;

	uint8_t pl[9];
	pl[0] = (uint8_t)net;
	memcpy(pl + 1, key, 8);
	add_cmd(p, ANT_ID_NETWORK_KEY, pl, 9);
	memset(key, 0, sizeof(key));
	memset(pl, 0, sizeof(pl));
	pl[0] = ANT_CHANNEL;
	pl[1] = 0x00; /* bidirectional slave (receive) */
	pl[2] = (uint8_t)net;
	add_cmd(p, ANT_ID_ASSIGN, pl, 3);
	pl[1] = (uint8_t)(dev & 0xFF);
	pl[2] = (uint8_t)(dev >> 8);
	pl[3] = ANT_HRM_DEVICE_TYPE;
	pl[4] = 0; /* any transmission type */
	add_cmd(p, ANT_ID_CHANNEL_ID, pl, 5);
	pl[1] = 0xFF; /* as openant */
	add_cmd(p, ANT_ID_SEARCH_TIMEOUT, pl, 2);
	if (ext) {
		pl[1] = 0x01;
		add_cmd(p, ANT_ID_LIB_CONFIG, pl, 2);
	}
	pl[1] = ANT_HRM_PERIOD & 0xFF;
	pl[2] = ANT_HRM_PERIOD >> 8;
	add_cmd(p, ANT_ID_PERIOD, pl, 3);
	pl[1] = ANT_HRM_RF;
	add_cmd(p, ANT_ID_RF_FREQ, pl, 2);
	add_cmd(p, ANT_ID_OPEN, pl, 1);

	start_handshake(d, p);
	return VG_OK;
}

static int ant_tick(struct drv_instance *d, int64_t now_ns)
{
	struct ant_priv *p = drv_priv(d);
	if (p->phase != PH_RESET && p->phase != PH_CONFIG)
		return VG_OK;
	if (p->sent_ns < 0) {
		p->sent_ns = now_ns;
		return VG_OK;
	}
	if (now_ns - p->sent_ns < ANT_REPLY_TIMEOUT_NS)
		return VG_OK;
	if (p->phase == PH_RESET) {
		if (p->tries < ANT_TRIES) {
			p->tries++;
			send_reset(d, p);
		} else {
			vg_warnx("ant: no start-up message after %d resets, configuring anyway",
				 ANT_TRIES);
			begin_config(d, p);
		}
		return VG_OK;
	}
	if (p->tries < ANT_TRIES) {
		p->tries++;
		send_step(d, p);
	} else {
		vg_warnx("ant: no response to command 0x%02X, continuing",
			 p->cmd[p->step].id);
		next_step(d, p);
	}
	return VG_OK;
}

static void ant_event(struct drv_instance *d, enum drv_event ev)
{
	struct ant_priv *p = drv_priv(d);
	switch (ev) {
	case DRV_EV_CONNECT:
		reset_beats(p);
		start_handshake(d, p);
		break;
	case DRV_EV_DISCONNECT:
		if (p->have_msg && !p->lost_ns)
			p->lost_ns = p->last_msg_ns;
		reset_beats(p);
		p->phase = PH_IDLE;
		set_state(d, p, "disconnected");
		break;
	case DRV_EV_STALL:
		if (p->phase == PH_RUNNING)
			set_state(d, p, "no data");
		break;
	}
}

static void ant_close(struct drv_instance *d)
{
	struct ant_priv *p = drv_priv(d);
	uint8_t m[ANT_MSG_MAX];
	uint8_t c = ANT_CHANNEL;
	size_t n = ant_msg_build(m, ANT_ID_CLOSE, &c, 1);
	send_msg(d, p, m, n);
	p->phase = PH_CLOSED;
}

static const struct drv_usb_id ant_usb_ids[] = {
	{0x0fcf, 0x1008}, /* ANTUSB2 */
	{0x0fcf, 0x1009}, /* ANTUSB-m */
	{0x0fcf, 0x1004}, /* ANTUSB (CP210x serial) */
	{0, 0}
};

const struct drv_ops drv_ant_ops = {
	.name = "ant",
	.description = "ANT+ heart-rate strap via ANT USB stick (beats, RR)",
	.provides = DRV_PROVIDES_BEATS,
	.usb_ids = ant_usb_ids,
	.baud = 115200,
	.priv_size = sizeof(struct ant_priv),
	.open = ant_open,
	.feed = ant_feed,
	.tick = ant_tick,
	.event = ant_event,
	.close = ant_close,
};
