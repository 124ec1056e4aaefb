/*
 * drv_hrmi.c - HRMI heart-rate monitor interface (danjuliodesigns, sold by
 * SparkFun; receives a Polar 5 kHz chest strap), serial 9600 8N1.
 *
 * Problem: the HRMI speaks only when asked: the host sends "G<n>\r" and the
 * HRMI answers "STATUS COUNT HR1 ... HRn\r" (decimal fields separated by
 * spaces, most recent heart rate first). It gives heart rate in bpm only,
 * no beat times and no RR. Answers can be lost or garbled.
 * Approach: tick() polls every 1/poll_hz s (default 1 Hz) with "G<history>\r"
 * (history default 1) and waits timeout_ms (default 500; a full G32 answer
 * takes about 150 ms at 9600 baud) for the answer. Each valid answer gives
 * one sample of the "HR" channel (bpm, rate poll_hz) = HR1; an answer with
 * HR1 = 0 (no strap signal), an unanswered poll, and a garbled answer each
 * mark one missing sample with drv_gap(1), so the channel's sample index
 * stays one per poll. The first valid answer completes the start-up
 * ("state" = "ok"); three unanswered polls in a row set "state" to
 * "not responding" (logged once); "status" is reported with
 * drv_info when it changes. Lines end at CR (LF also accepted) and must be
 * digits and single spaces, 2 to 34 fields of at most 3 digits (0..255),
 * anything else is counted as garbage (and, when it ends a poll or when
 * decoding a capture, as a lost answer). Answers that arrive after their
 * poll timed out are dropped (their sample is already marked missing);
 * without ticks (decoding a capture) every valid answer is a sample.
 * References: ../shared/docs/protocols.md section 5.1 (the field layout from
 *   thiagowfx/cos-600-cycleshooter RealPolar.cpp and the designer's notes).
 * Limits: bpm only (DRV_PROVIDES_HR): nothing for HRV. Only the G command is
 *   used; mode select and the other letters are unverified and not sent. The
 *   HRMI takes no stop command: close() has nothing to send.
 */
#include "driver.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

#define HRMI_LINE_MAX 160u   /* "255 255 " + 32 x "255 " fits */
#define HRMI_FIELDS_MAX 34u  /* status, count, 32 heart rates */
#define HRMI_HISTORY_MAX 32L
#define HRMI_FIELD_MAX 255L
#define HRMI_DEAD_POLLS 3u

struct hrmi_priv {
	char line[HRMI_LINE_MAX];
	size_t line_n;
	size_t overflow;      /* bytes beyond HRMI_LINE_MAX in this line */
	int ch;               /* HR channel */
	long history;         /* n in G<n> */
	int64_t period_ns, timeout_ns;
	int polling;          /* tick() has been called: request/response mode */
	int awaiting;         /* a poll is outstanding */
	int64_t sent_ns, next_ns;
	unsigned missed;      /* unanswered polls in a row */
	int have_status;
	long status, count;
	const char *state;
};

static void set_state(struct drv_instance *d, struct hrmi_priv *p,
		      const char *state)
{
	if (p->state == state)
		return;
	p->state = state;
	drv_info(d, "state", state);
}

/* Split "d d d" into fields; VG_ERR_PARSE unless digits and single spaces. */
static int parse_fields(const char *s, size_t n, long *f, unsigned *nf)
{
	unsigned k = 0;
	size_t i = 0;
	while (i < n) {
		size_t digits = 0;
		long v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (s[i] - '0');
			i++;
			if (++digits > 3)
				return VG_ERR_PARSE;
		}
		if (digits == 0 || v > HRMI_FIELD_MAX || k >= HRMI_FIELDS_MAX)
			return VG_ERR_PARSE;
		f[k++] = v;
		if (i < n) {
			if (s[i] != ' ' || i + 1 == n)
				return VG_ERR_PARSE;
			i++;
		}
	}
	if (k < 2)
		return VG_ERR_PARSE;
	*nf = k;
	return VG_OK;
}

static void on_line(struct drv_instance *d, struct hrmi_priv *p)
{
	size_t n = p->line_n, over = p->overflow;
	long f[HRMI_FIELDS_MAX];
	unsigned nf = 0;
	p->line_n = 0;
	p->overflow = 0;
	if (n == 0 && over == 0)
		return; /* blank line, LF after CR */
	if (over || parse_fields(p->line, n, f, &nf) < 0) {
		drv_stat_garbage(d, n + over);
		if (p->awaiting || !p->polling) { /* an answer is lost */
			p->awaiting = 0;
			drv_gap(d, 1);
		}
		return;
	}
	if (p->polling && !p->awaiting) {
		vg_debug("hrmi: late or unsolicited answer dropped");
		drv_stat_garbage(d, n);
		return;
	}
	p->awaiting = 0;
	p->missed = 0;
	drv_stat_frame_ok(d);
	set_state(d, p, "ok");
	char buf[16];
	if (!p->have_status || f[0] != p->status) {
		snprintf(buf, sizeof(buf), "%ld", f[0]);
		drv_info(d, "status", buf);
	}
	p->have_status = 1;
	p->status = f[0];
	p->count = f[1];
	if (nf < 3 || f[2] == 0) {
		drv_gap(d, 1); /* no heart rate in this answer */
		return;
	}
	float hr = (float)f[2];
	drv_samples(d, (unsigned)p->ch, &hr, 1);
}

static int hrmi_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	struct hrmi_priv *p = drv_priv(d);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		if (c == '\r' || c == '\n')
			on_line(d, p);
		else if (p->line_n < HRMI_LINE_MAX)
			p->line[p->line_n++] = (char)c;
		else
			p->overflow++;
	}
	return VG_OK;
}

static int hrmi_tick(struct drv_instance *d, int64_t now_ns)
{
	struct hrmi_priv *p = drv_priv(d);
	if (!p->polling) {
		p->polling = 1;
		p->next_ns = now_ns;
	}
	if (p->awaiting && now_ns - p->sent_ns >= p->timeout_ns) {
		p->awaiting = 0;
		drv_gap(d, 1);
		if (++p->missed == HRMI_DEAD_POLLS) {
			vg_warnx("hrmi: %u polls unanswered", HRMI_DEAD_POLLS);
			set_state(d, p, "not responding");
		}
	}
	if (p->awaiting || now_ns < p->next_ns)
		return VG_OK;
	char cmd[8];
	int n = snprintf(cmd, sizeof(cmd), "G%ld\r", p->history);
	int e = drv_write(d, cmd, (size_t)n);
	if (e < 0 && e != VG_ERR_NODEV)
		vg_warnx("hrmi: poll failed: %s", vg_strerror(e));
	p->awaiting = 1;
	p->sent_ns = now_ns;
	p->next_ns += p->period_ns;
	if (p->next_ns <= now_ns) /* after a stall: no burst of polls */
		p->next_ns = now_ns + p->period_ns;
	return VG_OK;
}

static void hrmi_event(struct drv_instance *d, enum drv_event ev)
{
	struct hrmi_priv *p = drv_priv(d);
	if (ev == DRV_EV_STALL)
		return;
	p->line_n = 0;
	p->overflow = 0;
	p->awaiting = 0;
	p->polling = 0; /* restart polling at the next tick */
	set_state(d, p, ev == DRV_EV_CONNECT ? "waiting" : "disconnected");
}

static int hrmi_open(struct drv_instance *d)
{
	struct hrmi_priv *p = drv_priv(d);
	double poll_hz, timeout_ms;
	long history;
	if (drv_opt_double(d, "poll_hz", 1.0, &poll_hz) < 0 ||
	    drv_opt_double(d, "timeout_ms", 500.0, &timeout_ms) < 0 ||
	    drv_opt_long(d, "history", 1, &history) < 0)
		return VG_ERR_INVAL;
	if (!(poll_hz >= 0.1 && poll_hz <= 10.0) || history < 1 ||
	    history > HRMI_HISTORY_MAX || !(timeout_ms >= 20.0) ||
	    timeout_ms * poll_hz > 1000.0) {
		vg_err("hrmi: need 0.1 <= poll_hz <= 10, 1 <= history <= 32, 20 ms <= timeout_ms <= poll period");
		return VG_ERR_RANGE;
	}
	p->history = history;
	p->period_ns = (int64_t)(1e9 / poll_hz);
	p->timeout_ns = (int64_t)(timeout_ms * 1e6);
	struct drv_channel c = {
		.label = "HR",
		.kind = DRV_SIG_AUX,
		.rate_hz = poll_hz,
		.unit = "bpm",
		.phys_min = 0.0,
		.phys_max = (double)HRMI_FIELD_MAX,
		.transducer = "Polar 5 kHz chest strap via HRMI",
	};
	int ch = drv_add_channel(d, &c);
	if (ch < 0)
		return ch;
	p->ch = ch;
	set_state(d, p, "waiting");
	return VG_OK;
}

const struct drv_ops drv_hrmi_ops = {
	.name = "hrmi",
	.description = "HRMI heart-rate monitor interface, Polar strap (bpm only)",
	.provides = DRV_PROVIDES_HR,
	.usb_ids = NULL,
	.baud = 9600,
	.priv_size = sizeof(struct hrmi_priv),
	.open = hrmi_open,
	.feed = hrmi_feed,
	.tick = hrmi_tick,
	.event = hrmi_event,
	.close = NULL,
};
