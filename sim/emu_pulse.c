/*
 * emu_pulse.c - emulated PulseSensor Amped Arduino sketch in its
 * PROCESSING_VISUALIZER output format (see emu.h), for drivers/drv_pulse.c.
 *
 * Problem: the PulseSensor driver must be exercised without a sensor: S
 * lines at the sketch's loop rate, B/Q lines after each beat, a PPG-like
 * waveform that follows the simulator's true beats, lost or damaged lines.
 * Approach: the sketch's main loop is modelled as one iteration every
 * EP_LOOP_S (20 ms, ~50 lines/s). Each iteration prints "S<signal>\r\n"
 * with the PPG value at that instant; if the sketch found a beat since the
 * previous iteration it then prints "B<bpm>\r\n" and "Q<ibi>\r\n". A beat
 * is found EP_PTT_S after the simulator's R peak (pulse transit time); its
 * IBI is the simulator's RR rounded to the sketch's 2 ms resolution, and
 * BPM = 60000 / mean of the last 10 IBIs, as the sketch computes it. The
 * PPG is a baseline of EP_BASE counts plus, per beat, a systolic Gaussian
 * (EP_SYS_AMP counts, peak at EP_PTT_S, width EP_SYS_W_S) and a smaller
 * dicrotic one, with a slow respiratory-like baseline sway; clipped to
 * 0..1023. Every line is one emu_frame() (faults hit whole lines). The
 * sketch streams from power-up and takes no commands: no autostart needed.
 * References: ../shared/docs/protocols.md section 5.2;
 *   WorldFamousElectronics/PulseSensor_Amped_Arduino (behaviour, not code).
 * Limits: visualizer format only (the driver's plotter path is covered by
 * vectors); the sketch's own detector (threshold, first-beat discard, 2.5 s
 * reset) is not modelled: every true beat is found.
 */
#include "emu.h"
#include "sim_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define EP_LOOP_S 0.020
#define EP_PTT_S 0.25        /* R peak to detected pulse */
#define EP_BASE 480.0        /* counts */
#define EP_SYS_AMP 220.0     /* counts */
#define EP_SYS_W_S 0.08
#define EP_DIC_AMP 70.0
#define EP_DIC_DELAY_S 0.30  /* after the systolic peak */
#define EP_DIC_W_S 0.07
#define EP_SWAY_AMP 20.0
#define EP_SWAY_HZ 0.25
#define EP_ADC_MAX 1023.0
#define EP_NAVG 10
#define EP_RECENT 4          /* beats that still shape the waveform */
#define EP_BEATS_MAX 16

struct ep {
	uint64_t loops;          /* iterations done */
	double beats_until_s;    /* R peaks before this time are known */
	double recent_s[EP_RECENT]; /* detection times of recent pulses */
	unsigned nrecent;
	/* beats found (R + PTT) but not yet printed */
	double pend_t[EP_BEATS_MAX];
	long pend_ibi[EP_BEATS_MAX];
	unsigned npend;
	long ibi_hist[EP_NAVG];
	unsigned nhist;
};

static double gauss(double x, double w)
{
	return exp(-0.5 * (x / w) * (x / w));
}

static double ppg_at(const struct ep *p, double t)
{
	double v = EP_BASE + EP_SWAY_AMP * sin(2.0 * M_PI * EP_SWAY_HZ * t);
	for (unsigned i = 0; i < p->nrecent; i++) {
		double x = t - p->recent_s[i];
		v += EP_SYS_AMP * gauss(x, EP_SYS_W_S) +
		     EP_DIC_AMP * gauss(x - EP_DIC_DELAY_S, EP_DIC_W_S);
	}
	if (v < 0.0)
		v = 0.0;
	if (v > EP_ADC_MAX)
		v = EP_ADC_MAX;
	return v;
}

/* Learn the R peaks before t_s; their pulses peak EP_PTT_S later. */
static void take_beats(struct emu *e, struct ep *p, double t_s)
{
	struct sim_beat b[EP_BEATS_MAX];
	size_t k = sim_beats(emu_sim(e), p->beats_until_s, t_s, b, EP_BEATS_MAX);
	p->beats_until_s = t_s;
	for (size_t i = 0; i < k; i++) {
		double td = b[i].t_s + EP_PTT_S;
		if (p->nrecent == EP_RECENT) {
			memmove(p->recent_s, p->recent_s + 1,
				(EP_RECENT - 1) * sizeof(double));
			p->nrecent--;
		}
		p->recent_s[p->nrecent++] = td;
		if (b[i].rr_ms <= 0.0 || p->npend == EP_BEATS_MAX)
			continue; /* the first beat has no IBI */
		p->pend_t[p->npend] = td;
		p->pend_ibi[p->npend] = 2 * lround(b[i].rr_ms / 2.0);
		p->npend++;
	}
}

static void line(struct emu *e, char tag, long v)
{
	char s[24];
	int n = snprintf(s, sizeof(s), "%c%ld\r\n", tag, v);
	emu_frame(e, (const uint8_t *)s, (size_t)n);
}

static void ep_advance(struct emu *e, double t_s)
{
	struct ep *p = emu_priv(e);
	for (;;) {
		double t = (double)(p->loops + 1) * EP_LOOP_S;
		if (t > t_s)
			break;
		/* R peaks up to t: their pulses rise by t, and the sketch
		 * reports them PTT later */
		take_beats(e, p, t);
		line(e, 'S', lround(ppg_at(p, t)));
		unsigned done = 0;
		for (unsigned i = 0; i < p->npend && p->pend_t[i] <= t; i++) {
			long ibi = p->pend_ibi[i];
			if (p->nhist == EP_NAVG) {
				memmove(p->ibi_hist, p->ibi_hist + 1,
					(EP_NAVG - 1) * sizeof(long));
				p->nhist--;
			}
			p->ibi_hist[p->nhist++] = ibi;
			long sum = 0;
			for (unsigned j = 0; j < p->nhist; j++)
				sum += p->ibi_hist[j];
			line(e, 'B', lround(60000.0 * p->nhist / (double)sum));
			line(e, 'Q', ibi);
			done++;
		}
		if (done) {
			memmove(p->pend_t, p->pend_t + done,
				(p->npend - done) * sizeof(double));
			memmove(p->pend_ibi, p->pend_ibi + done,
				(p->npend - done) * sizeof(long));
			p->npend -= done;
		}
		p->loops++;
	}
}

const struct emu_ops emu_pulse_ops = {
	.name = "pulse",
	.ecg_fs_hz = 0,
	.emg_fs_hz = 0,
	.priv_size = sizeof(struct ep),
	.rx = NULL,
	.advance = ep_advance,
	.autostart = NULL,
};
