/*
 * emu_hrmi.c - emulated HRMI (danjuliodesigns heart-rate monitor interface
 * with a Polar strap in range; see emu.h), for drivers/drv_hrmi.c.
 *
 * Problem: the HRMI driver polls with "G<n>\r" and must be exercised
 * without the board: answers carrying the simulator's heart rate, unknown
 * or malformed commands, lost or damaged answers.
 * Approach: host bytes are collected up to CR; "G<n>" with n = 0..32 is
 * answered at the next advance with "STATUS COUNT HR1 ... HRn\r": status 1
 * (strap signal), COUNT = the simulator's beats so far mod 256, HRk = the
 * heart rate (60000 / RR, rounded) at the k-th most recent beat, 0 before
 * there are k beats. Anything else is ignored. Each answer is one
 * emu_frame() (faults hit whole answers). With no host attached
 * (autostart) the emulator answers as if polled with "G1" once per second.
 * References: ../shared/docs/protocols.md section 5.1.
 * Limits: only the G command; the HRMI's own averaging mode is not
 * modelled (HR values are per beat); answers are instantaneous (a real
 * answer takes ~15 ms at 9600 baud).
 */
#include "emu.h"
#include "sim_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define EH_HISTORY 32
#define EH_CMD_MAX 16
#define EH_PENDING 8
#define EH_BEATS_MAX 64
#define EH_SELF_POLL_S 1.0
#define EH_STATUS_OK 1

struct eh {
	char cmd[EH_CMD_MAX];
	size_t cmd_n;
	int pending[EH_PENDING]; /* requested history lengths */
	unsigned npending;
	double beats_until_s;
	uint8_t count;
	int hr[EH_HISTORY];      /* most recent first */
	unsigned nhr;
	int self_poll;
	double next_poll_s;
};

static void on_cmd(struct eh *h)
{
	const char *c = h->cmd;
	size_t n = h->cmd_n;
	h->cmd_n = 0;
	if (n < 2 || n > 3 || c[0] != 'G')
		return;
	int v = 0;
	for (size_t i = 1; i < n; i++) {
		if (c[i] < '0' || c[i] > '9')
			return;
		v = v * 10 + (c[i] - '0');
	}
	if (v > EH_HISTORY || h->npending == EH_PENDING)
		return;
	h->pending[h->npending++] = v;
}

static void eh_rx(struct emu *e, const uint8_t *buf, size_t n)
{
	struct eh *h = emu_priv(e);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\r' || buf[i] == '\n') {
			on_cmd(h);
		} else if (h->cmd_n < EH_CMD_MAX) {
			h->cmd[h->cmd_n++] = (char)buf[i];
		}
	}
}

static void take_beats(struct emu *e, struct eh *h, double t_s)
{
	struct sim_beat b[EH_BEATS_MAX];
	size_t k;
	do {
		k = sim_beats(emu_sim(e), h->beats_until_s, t_s, b, EH_BEATS_MAX);
		double last = h->beats_until_s;
		for (size_t i = 0; i < k; i++) {
			h->count++;
			last = b[i].t_s;
			if (b[i].rr_ms <= 0.0)
				continue;
			memmove(h->hr + 1, h->hr, (EH_HISTORY - 1) * sizeof(int));
			h->hr[0] = (int)lround(60000.0 / b[i].rr_ms);
			if (h->nhr < EH_HISTORY)
				h->nhr++;
		}
		/* a long advance: continue after the last beat taken */
		h->beats_until_s = k == EH_BEATS_MAX ? nextafter(last, t_s) : t_s;
	} while (k == EH_BEATS_MAX);
}

static void answer(struct emu *e, struct eh *h, int n)
{
	char s[EH_HISTORY * 4 + 16];
	int len = snprintf(s, sizeof(s), "%d %u", EH_STATUS_OK, (unsigned)h->count);
	for (int i = 0; i < n; i++) {
		int hr = (unsigned)i < h->nhr ? h->hr[i] : 0;
		if (hr > 255)
			hr = 255;
		len += snprintf(s + len, sizeof(s) - (size_t)len, " %d", hr);
	}
	len += snprintf(s + len, sizeof(s) - (size_t)len, "\r");
	emu_frame(e, (const uint8_t *)s, (size_t)len);
}

static void eh_advance(struct emu *e, double t_s)
{
	struct eh *h = emu_priv(e);
	take_beats(e, h, t_s);
	for (unsigned i = 0; i < h->npending; i++)
		answer(e, h, h->pending[i]);
	h->npending = 0;
	while (h->self_poll && h->next_poll_s <= t_s) {
		answer(e, h, 1);
		h->next_poll_s += EH_SELF_POLL_S;
	}
}

static void eh_autostart(struct emu *e)
{
	struct eh *h = emu_priv(e);
	h->self_poll = 1;
	h->next_poll_s = h->beats_until_s + EH_SELF_POLL_S;
}

const struct emu_ops emu_hrmi_ops = {
	.name = "hrmi",
	.ecg_fs_hz = 0,
	.emg_fs_hz = 0,
	.priv_size = sizeof(struct eh),
	.rx = eh_rx,
	.advance = eh_advance,
	.autostart = eh_autostart,
};
