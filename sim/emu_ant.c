/*
 * emu_ant.c - emulated ANT USB stick with an ANT+ heart-rate strap in range
 * (see emu.h), for drivers/drv_ant.c.
 *
 * Problem: the ANT driver must be exercised without a stick or strap: the
 * reset / start-up message / configuration exchange, HRM pages carrying the
 * simulator's true beats at the strap's 4.06 Hz, page rotation and toggle,
 * the 64 s event-time wrap and the count wrap, lost and damaged messages.
 * Approach: host bytes are framed like the driver does (A4 LEN ID .. XOR;
 * GoldenCheetah's zero padding is skipped). A reset is answered with the
 * start-up message (reason 0x20), every configuration command (key, assign,
 * channel id, search timeout, lib config, period, RF, open, close) with a
 * channel response "no error", a request for the channel id with the
 * channel id, a close also with the CHANNEL_CLOSED event. Replies are queued
 * and sent at the next advance, exempt from faults. Once the channel is open,
 * broadcasts go out every 8070/32768 s: the simulator's beats up to that
 * instant update the beat count (mod 256), the last and previous event times
 * (beat time x 1024, mod 65536) and the HR (60000 / last RR) (the
 * simulator's first beat, which has no RR, is the state the strap already
 * holds when the channel opens); the main page
 * is 4 with the toggle bit flipped every 4 messages, and every 65th message
 * is a background page (1, 2, 3 in rotation), as Nordic's ant_hrm.c sends.
 * With extended messages on (lib config 0x01) each broadcast carries device
 * number EA_DEVICE, type 0x78, transmission type 1. Each broadcast is one
 * emu_frame() (so faults hit whole messages).
 * References: ../shared/docs/protocols.md section 1.
 * Limits: one channel; no legacy strap mode; no search delay (the strap is
 * found at once); RX_FAIL events are not sent for dropped messages; the
 * network key is accepted whatever it is.
 */
#include "ant_msg.h"
#include "emu.h"
#include "sim_model.h"

#include <math.h>
#include <string.h>

#define EA_PERIOD_S (ANT_HRM_PERIOD / 32768.0)
#define EA_DEVICE 12345u
#define EA_TRANS_TYPE 1u
#define EA_TOGGLE_EVERY 4u
#define EA_BACKGROUND_EVERY 65u
#define EA_QUEUE 512u
#define EA_MANUF_ID 255u /* development id */
#define EA_SERIAL_UPPER 0x0102u
#define EA_HW 1u
#define EA_SW 2u
#define EA_MODEL 3u
#define EA_BEATS_MAX 16u /* beats per message period, far above any HR */
#define EA_FIRST_BEAT_S 5.0 /* the simulator's first beat comes before this */

struct ea {
	/* host -> stick framing */
	uint8_t rx[ANT_MSG_MAX];
	size_t rx_n;
	/* replies waiting for the next advance */
	uint8_t q[EA_QUEUE];
	size_t q_n;
	/* channel */
	int open, ext;
	double t_now_s;
	double t_open_s;
	uint64_t sent;       /* broadcasts since t_open_s */
	double beats_until_s; /* beats before this time are counted */
	/* HRM state */
	uint8_t count;
	uint16_t t_last, t_prev; /* event times, 1/1024 s */
	uint8_t hr;
	unsigned bg;          /* next background page - 1 */
	int have_state;       /* strap_init() has run */
};

static void queue_msg(struct ea *a, uint8_t id, const uint8_t *pl, size_t n)
{
	if (a->q_n + n + 4 > EA_QUEUE)
		return; /* a host flooding commands loses replies */
	a->q_n += ant_msg_build(a->q + a->q_n, id, pl, n);
}

static void respond(struct ea *a, uint8_t ch, uint8_t id, uint8_t code)
{
	uint8_t pl[3] = {ch, id, code};
	queue_msg(a, ANT_ID_CHAN_RESPONSE, pl, 3);
}

static uint16_t event_time(double t_s)
{
	return (uint16_t)((uint64_t)llround(t_s * 1024.0) & 0xFFFFu);
}

/* The strap has been worn before the session: its first true beat (which
 * has no RR) is the state it holds when the channel opens, not a new beat. */
static void strap_init(struct emu *e, struct ea *a)
{
	struct sim_beat b[EA_BEATS_MAX];
	a->t_open_s = a->t_now_s;
	a->beats_until_s = a->t_now_s;
	a->sent = 0;
	if (a->have_state)
		return;
	a->have_state = 1;
	size_t k = sim_beats(emu_sim(e), a->t_now_s, a->t_now_s + EA_FIRST_BEAT_S,
			     b, EA_BEATS_MAX);
	if (k > 0 && b[0].rr_ms <= 0.0) {
		a->t_last = a->t_prev = event_time(b[0].t_s);
		a->beats_until_s = nextafter(b[0].t_s, b[0].t_s + 1.0);
	}
}

static void on_command(struct emu *e, struct ea *a, const uint8_t *m)
{
	uint8_t n = m[1], id = m[2];
	const uint8_t *pl = m + 3;
	uint8_t ch = pl[0];
	switch (id) {
	case ANT_ID_RESET: {
		uint8_t reason = 0x20; /* command reset */
		a->open = 0;
		a->ext = 0;
		queue_msg(a, ANT_ID_STARTUP, &reason, 1);
		break;
	}
	case ANT_ID_LIB_CONFIG:
		a->ext = n >= 2 && (pl[1] & 0x01);
		respond(a, ch, id, 0);
		break;
	case ANT_ID_NETWORK_KEY:
	case ANT_ID_ASSIGN:
	case ANT_ID_UNASSIGN:
	case ANT_ID_CHANNEL_ID:
	case ANT_ID_SEARCH_TIMEOUT:
	case ANT_ID_PERIOD:
	case ANT_ID_RF_FREQ:
		respond(a, ch, id, 0);
		break;
	case ANT_ID_OPEN:
		respond(a, ch, id, 0);
		if (!a->open) {
			a->open = 1;
			strap_init(e, a);
		}
		break;
	case ANT_ID_CLOSE:
		respond(a, ch, id, 0);
		if (a->open)
			respond(a, ch, ANT_ID_EVENT, ANT_EV_CHANNEL_CLOSED);
		a->open = 0;
		break;
	case ANT_ID_REQUEST:
		if (n >= 2 && pl[1] == ANT_ID_CHANNEL_ID) {
			uint8_t r[5] = {ch, EA_DEVICE & 0xFF, EA_DEVICE >> 8,
					ANT_HRM_DEVICE_TYPE, EA_TRANS_TYPE};
			queue_msg(a, ANT_ID_CHANNEL_ID, r, 5);
		}
		break;
	default:
		break;
	}
}

static void ea_rx(struct emu *e, const uint8_t *buf, size_t n)
{
	struct ea *a = emu_priv(e);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		if (a->rx_n == 0 && c != ANT_SYNC)
			continue; /* padding or noise */
		if (a->rx_n == 1 && (c < 1 || c > ANT_MAX_LEN)) {
			a->rx_n = c == ANT_SYNC ? 1 : 0;
			continue;
		}
		a->rx[a->rx_n++] = c;
		if (a->rx_n >= 2 && a->rx_n == (size_t)a->rx[1] + 4) {
			if (ant_xor(a->rx, a->rx_n - 1) == a->rx[a->rx_n - 1])
				on_command(e, a, a->rx);
			a->rx_n = 0;
		}
	}
}

/* Count the simulator's beats up to t_s into the HRM state. */
static void take_beats(struct emu *e, struct ea *a, double t_s)
{
	struct sim_beat b[EA_BEATS_MAX];
	if (t_s <= a->beats_until_s)
		return;
	size_t k = sim_beats(emu_sim(e), a->beats_until_s, t_s, b, EA_BEATS_MAX);
	a->beats_until_s = t_s;
	for (size_t i = 0; i < k; i++) {
		a->count++;
		a->t_prev = a->t_last;
		a->t_last = event_time(b[i].t_s);
		if (b[i].rr_ms > 0.0) {
			double hr = 60000.0 / b[i].rr_ms;
			a->hr = (uint8_t)(hr > 255.0 ? 255 : lround(hr));
		}
	}
}

static void broadcast(struct emu *e, struct ea *a, double t_s)
{
	uint64_t k = a->sent;
	unsigned toggle = (unsigned)((k / EA_TOGGLE_EVERY) & 1u);
	uint8_t pl[14] = {0};
	uint8_t *pg = pl + 1;
	if (k % EA_BACKGROUND_EVERY == EA_BACKGROUND_EVERY - 1) {
		unsigned page = 1 + a->bg;
		a->bg = (a->bg + 1) % 3;
		pg[0] = (uint8_t)page;
		if (page == 1) {
			uint32_t op = (uint32_t)(t_s / 2.0);
			pg[1] = (uint8_t)op;
			pg[2] = (uint8_t)(op >> 8);
			pg[3] = (uint8_t)(op >> 16);
		} else if (page == 2) {
			pg[1] = EA_MANUF_ID;
			pg[2] = EA_SERIAL_UPPER & 0xFF;
			pg[3] = EA_SERIAL_UPPER >> 8;
		} else {
			pg[1] = EA_HW;
			pg[2] = EA_SW;
			pg[3] = EA_MODEL;
		}
	} else {
		pg[0] = 4;
		pg[1] = 0xFF; /* manufacturer specific */
		pg[2] = (uint8_t)a->t_prev;
		pg[3] = (uint8_t)(a->t_prev >> 8);
	}
	pg[0] |= (uint8_t)(toggle << 7);
	pg[4] = (uint8_t)a->t_last;
	pg[5] = (uint8_t)(a->t_last >> 8);
	pg[6] = a->count;
	pg[7] = a->hr;
	size_t n = 9;
	if (a->ext) {
		pl[9] = ANT_EXT_FLAG_ID;
		pl[10] = EA_DEVICE & 0xFF;
		pl[11] = EA_DEVICE >> 8;
		pl[12] = ANT_HRM_DEVICE_TYPE;
		pl[13] = EA_TRANS_TYPE;
		n = 14;
	}
	uint8_t m[ANT_MSG_MAX];
	size_t len = ant_msg_build(m, ANT_ID_BROADCAST, pl, n);
	emu_frame(e, m, len);
}

static void ea_advance(struct emu *e, double t_s)
{
	struct ea *a = emu_priv(e);
	a->t_now_s = t_s;
	if (a->q_n) {
		emu_bytes(e, a->q, a->q_n);
		a->q_n = 0;
	}
	if (!a->open)
		return;
	uint64_t due = (uint64_t)floor((t_s - a->t_open_s) / EA_PERIOD_S);
	while (a->sent < due) {
		double tm = a->t_open_s + (double)(a->sent + 1) * EA_PERIOD_S;
		take_beats(e, a, tm);
		broadcast(e, a, tm);
		a->sent++;
	}
}

static void ea_autostart(struct emu *e)
{
	struct ea *a = emu_priv(e);
	a->ext = 1;
	a->open = 1;
	strap_init(e, a);
}

const struct emu_ops emu_ant_ops = {
	.name = "ant",
	.ecg_fs_hz = 0,
	.emg_fs_hz = 0,
	.priv_size = sizeof(struct ea),
	.rx = ea_rx,
	.advance = ea_advance,
	.autostart = ea_autostart,
};
