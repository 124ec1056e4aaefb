/*
 * drv_pulse.c - PulseSensor Amped (WorldFamousElectronics Arduino sketch,
 * 115200 baud): raw PPG, beats and inter-beat intervals.
 *
 * Problem: the sketch samples the sensor at 500 Hz, finds beats itself, and
 * prints from its main loop (about every 20 ms) ASCII lines ending in CRLF,
 * in one of two formats chosen at compile time:
 *   PROCESSING_VISUALIZER: "S<signal>" each loop, plus "B<bpm>" and
 *                          "Q<ibi_ms>" after each beat;
 *   SERIAL_PLOTTER (default): "<bpm>,<ibi_ms>,<signal>" each loop.
 * There is no counter and no checksum; we may open mid-line; lines can be
 * garbled.
 * Approach: split at CR or LF (empty lines skipped), drop everything up to
 * the first line end (the first line may be partial), then check each line's
 * shape and ranges (signal 0..1023, at most 5 digits per number); the
 * format is recognised per line (drv_info "format" when it changes). Every
 * valid signal value is one sample of the "PPG" channel (ADC counts, nominal
 * rate option rate_hz, default 50); every rejected line is counted as
 * garbage and marked as one lost sample (drv_gap(1)): in both formats
 * almost every line carries a sample.
 * Beats: visualizer - each Q is a beat with rr_ms = IBI and hr_bpm = the B
 * just before it (0 if that B was lost); a B not followed by its Q means a
 * lost beat. Plotter - a beat is a line whose (BPM, IBI) pair differs from
 * the previous line's (lines with BPM 0, before the sketch found a pulse, are
 * ignored). A beat also counts as following lost beats when it arrives more
 * than 1.5 IBI + 100 ms after the previous beat. Such beats, and RR outside
 * 250-2000 ms, carry DRV_BEAT_AFTER_GAP (the latter with rr_ms 0). Beat
 * times come from drivers/beatclock.h.
 * References: ../shared/docs/protocols.md section 5.2;
 *   WorldFamousElectronics/PulseSensor_Amped_Arduino (1.5.0).
 * Limits: in plotter format two successive beats with identical BPM and IBI
 * merge into one (the second is not seen; the next beat's arrival-time check
 * then flags the gap); lost S lines are marked but the PPG rate is the
 * sketch's loop rate, not a clock (nominal rate_hz). No commands are sent
 * (the sketch takes none), so open/close have nothing to say to the device.
 */
#include "beatclock.h"
#include "driver.h"
#include "vg_err.h"
#include "vg_log.h"

#include <string.h>

#define PULSE_LINE_MAX 32u
#define PULSE_SIGNAL_MAX 1023L
#define PULSE_NUM_DIGITS 5u
#define PULSE_RR_MIN_MS 250.0
#define PULSE_RR_MAX_MS 2000.0
#define PULSE_LATE_FACTOR 1.5
#define PULSE_LATE_SLACK_NS 100000000LL /* 100 ms of delivery jitter */

enum pulse_fmt { FMT_NONE = 0, FMT_VISUALIZER, FMT_PLOTTER };

struct pulse_priv {
	char line[PULSE_LINE_MAX];
	size_t line_n;
	int synced;    /* a line end has been seen */
	size_t overflow; /* bytes beyond PULSE_LINE_MAX: skip to the line end */
	enum pulse_fmt fmt;
	int ch;        /* PPG channel index */
	/* visualizer */
	int have_b;
	long b_bpm;
	/* plotter */
	int have_last;
	long last_bpm, last_ibi;
	/* beats */
	int pending_gap;
	int have_beat;
	int64_t last_beat_ns; /* arrival time of the last beat */
	struct drv_bclk clock;
};

/* Parse 1..PULSE_NUM_DIGITS decimal digits from s[0..n). */
static int parse_num(const char *s, size_t n, long *out)
{
	if (n == 0 || n > PULSE_NUM_DIGITS)
		return VG_ERR_PARSE;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return VG_ERR_PARSE;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return VG_OK;
}

static void set_fmt(struct drv_instance *d, struct pulse_priv *p,
		    enum pulse_fmt f)
{
	if (p->fmt == f)
		return;
	p->fmt = f;
	drv_info(d, "format", f == FMT_PLOTTER ? "serial-plotter" : "visualizer");
}

static void sample(struct drv_instance *d, struct pulse_priv *p, long v)
{
	float f = (float)v;
	drv_samples(d, (unsigned)p->ch, &f, 1);
}

static void beat(struct drv_instance *d, struct pulse_priv *p, long ibi_ms,
		 long bpm)
{
	int64_t now = drv_now_ns(d);
	unsigned flags = p->pending_gap ? DRV_BEAT_AFTER_GAP : 0;
	double rr = (double)ibi_ms;
	if (p->have_beat && rr > 0.0 &&
	    now - p->last_beat_ns > (int64_t)(PULSE_LATE_FACTOR * rr * 1e6) +
					    PULSE_LATE_SLACK_NS)
		flags |= DRV_BEAT_AFTER_GAP;
	if (rr < PULSE_RR_MIN_MS || rr > PULSE_RR_MAX_MS) {
		rr = 0.0;
		flags |= DRV_BEAT_AFTER_GAP;
	}
	p->pending_gap = 0;
	p->have_beat = 1;
	p->last_beat_ns = now;
	struct drv_beat b = {
		.rr_ms = rr,
		.hr_bpm = (double)bpm,
		.flags = flags,
	};
	b.t_ns = drv_bclk_beat(&p->clock, now,
			       (flags & DRV_BEAT_AFTER_GAP) ? 0.0 : rr);
	drv_beat(d, &b);
}

/* Returns 0 for a valid line, VG_ERR_PARSE otherwise. */
static int on_line(struct drv_instance *d, struct pulse_priv *p,
		   const char *s, size_t n)
{
	long v;
	if (s[0] == 'S' || s[0] == 'B' || s[0] == 'Q') {
		if (parse_num(s + 1, n - 1, &v) < 0)
			return VG_ERR_PARSE;
		if (s[0] == 'S') {
			if (v > PULSE_SIGNAL_MAX)
				return VG_ERR_PARSE;
			set_fmt(d, p, FMT_VISUALIZER);
			if (p->have_b) /* B without its Q: a beat was lost */
				p->pending_gap = 1;
			p->have_b = 0;
			sample(d, p, v);
		} else if (s[0] == 'B') {
			set_fmt(d, p, FMT_VISUALIZER);
			if (p->have_b)
				p->pending_gap = 1;
			p->have_b = 1;
			p->b_bpm = v;
		} else {
			set_fmt(d, p, FMT_VISUALIZER);
			beat(d, p, v, p->have_b ? p->b_bpm : 0);
			p->have_b = 0;
		}
		return VG_OK;
	}
	const char *c1 = memchr(s, ',', n);
	const char *c2 = c1 ? memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - s)) : NULL;
	long bpm, ibi;
	if (!c2 || parse_num(s, (size_t)(c1 - s), &bpm) < 0 ||
	    parse_num(c1 + 1, (size_t)(c2 - c1 - 1), &ibi) < 0 ||
	    parse_num(c2 + 1, n - (size_t)(c2 + 1 - s), &v) < 0 ||
	    v > PULSE_SIGNAL_MAX)
		return VG_ERR_PARSE;
	set_fmt(d, p, FMT_PLOTTER);
	sample(d, p, v);
	if (bpm > 0 && p->have_last && (bpm != p->last_bpm || ibi != p->last_ibi))
		beat(d, p, ibi, bpm);
	p->have_last = 1;
	p->last_bpm = bpm;
	p->last_ibi = ibi;
	return VG_OK;
}

static void end_line(struct drv_instance *d, struct pulse_priv *p)
{
	size_t n = p->line_n;
	size_t over = p->overflow;
	p->line_n = 0;
	p->overflow = 0;
	if (!p->synced) { /* the first line may be partial */
		p->synced = 1;
		drv_stat_garbage(d, n + over);
		return;
	}
	if (n == 0 && !over)
		return; /* the LF of CRLF, or a blank line */
	if (!over && on_line(d, p, p->line, n) == 0) {
		drv_stat_frame_ok(d);
		return;
	}
	drv_stat_garbage(d, n + over);
	drv_gap(d, 1);
}

static int pulse_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	struct pulse_priv *p = drv_priv(d);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		if (c == '\r' || c == '\n') {
			end_line(d, p);
		} else if (p->line_n < PULSE_LINE_MAX) {
			p->line[p->line_n++] = (char)c;
		} else {
			p->overflow++;
		}
	}
	return VG_OK;
}

static int pulse_open(struct drv_instance *d)
{
	struct pulse_priv *p = drv_priv(d);
	double rate;
	if (drv_opt_double(d, "rate_hz", 50.0, &rate) < 0)
		return VG_ERR_INVAL;
	if (!(rate > 0.0 && rate <= 500.0)) {
		vg_err("pulse: rate_hz must be in (0, 500]");
		return VG_ERR_RANGE;
	}
	struct drv_channel c = {
		.label = "PPG",
		.kind = DRV_SIG_PPG,
		.rate_hz = rate,
		.unit = "adc",
		.phys_min = 0.0,
		.phys_max = (double)PULSE_SIGNAL_MAX,
		.transducer = "PulseSensor Amped (green LED PPG)",
	};
	int ch = drv_add_channel(d, &c);
	if (ch < 0)
		return ch;
	p->ch = ch;
	return VG_OK;
}

static void pulse_event(struct drv_instance *d, enum drv_event ev)
{
	struct pulse_priv *p = drv_priv(d);
	if (ev == DRV_EV_STALL)
		return;
	/* (re)connected or lost: the next line may be partial, beats restart */
	p->synced = 0;
	p->line_n = 0;
	p->overflow = 0;
	p->have_b = 0;
	p->have_last = 0;
	p->have_beat = 0;
	p->pending_gap = 1;
	drv_bclk_reset(&p->clock);
	drv_info(d, "state", ev == DRV_EV_CONNECT ? "connected" : "disconnected");
}

const struct drv_ops drv_pulse_ops = {
	.name = "pulse",
	.description = "PulseSensor Amped Arduino sketch (PPG, beats, IBI)",
	.provides = DRV_PROVIDES_BEATS,
	.usb_ids = NULL,
	.baud = 115200,
	.priv_size = sizeof(struct pulse_priv),
	.open = pulse_open,
	.feed = pulse_feed,
	.tick = NULL,
	.event = pulse_event,
	.close = NULL,
};
