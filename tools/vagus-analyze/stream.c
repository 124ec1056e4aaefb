/*
 * stream.c - vagus-analyze stream RECORD: every message the daemon would
 * publish for a recording (beat, hrv, emg), as JSON lines.
 *
 * Problem: a session recorded elsewhere (or a PhysioNet record) must give
 * the same results as live; researchers re-analyse offline.
 * Approach: the same pipeline (analysis/pipeline.c) the daemon runs, fed
 * in blocks of BLOCK samples per signal in time order, encoded by the same
 * protocol encoder with per-topic seq. Times: the record's base time when
 * the header has one, else t_ns counts from 0 at the record's start.
 * Recordings are opened through io/recording.h (WFDB record or EDF+ file);
 * the gaps a session recording marks are given to the pipeline as gaps
 * (pl_gap, as the daemon did live), never as the filler samples.
 * Signals: --ecg N picks the ECG signal, --emg N (repeatable) EMG signals;
 * by default the first ECG signal and every EMG signal by kind (sigkind.c:
 * the EDF+ type prefix "ECG "/"EMG ", a lead name, or the word in the label
 * or transducer text; never by region name). RECORD: a WFDB record (with or
 * without .hea) or an EDF+ recording.
 * Limits: a replayed EDF+ session reproduces the live messages up to the
 * EDF 16-bit quantisation and the 100 ns of its start time; `sample`
 * counts from the start of the recording.
 */
#include "pipeline.h"
#include "proto.h"
#include "va.h"
#include "vg_err.h"
#include "recording.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK_S 0.1 /* feed 100 ms of every signal at a time */
#define MAX_SIG 16

struct out {
	uint64_t seq[4];
	char buf[PROTO_MSG_MAX];
};

static void emit(struct out *o, int k, const char *topic, const void *msg)
{
	int n = proto_encode(proto_topic_find(topic), o->seq[k]++, NULL, msg, o->buf,
			     sizeof(o->buf));
	if (n > 0)
		puts(o->buf);
}

static void on_beat(void *ctx, const struct pl_beat *b)
{
	emit(ctx, 0, "beat", b);
}

static void on_hrv(void *ctx, const struct pl_hrv *h)
{
	emit(ctx, 1, "hrv", h);
}

static void on_emg(void *ctx, const struct pl_emg *e)
{
	emit(ctx, 2, "emg", e);
}

static void on_resp(void *ctx, const struct pl_resp *r)
{
	emit(ctx, 3, "resp", r);
}

struct input {
	int sig;     /* signal of the recording */
	int id;      /* pipeline input */
	int is_emg;
	int64_t pos; /* next sample to give the pipeline */
};

struct feed_buf {
	float *v;
	size_t cap;
};

/* Give the pipeline in's samples up to (not including) sample end: gaps as
 * pl_gap() in one piece, the rest read and scaled. 0 or 1 (error). */
static int feed_upto(struct recording *r, struct pipeline *pl, struct input *in,
		     int64_t end, struct feed_buf *fb)
{
	while (in->pos < end) {
		int64_t gs, gl, stop = end;
		if (recording_next_gap(r, in->sig, in->pos, &gs, &gl)) {
			if (gs <= in->pos) {
				uint64_t missing = (uint64_t)(gs + gl - in->pos);
				pl_gap(pl, in->id, missing);
				in->pos += (int64_t)missing;
				continue;
			}
			if (gs < stop)
				stop = gs;
		}
		size_t m = (size_t)(stop - in->pos);
		if (m > fb->cap) {
			float *nb = realloc(fb->v, m * sizeof(float));
			if (!nb)
				return 1;
			fb->v = nb;
			fb->cap = m;
		}
		int e = recording_read_phys(r, in->sig, in->pos, m, fb->v);
		if (e < 0) {
			fprintf(stderr, "vagus-analyze: read: %s\n", vg_strerror(e));
			return 1;
		}
		float k = va_unit_scale(recording_sig_units(r, in->sig),
					in->is_emg ? VA_KIND_EMG : VA_KIND_ECG);
		for (size_t j = 0; j < m; j++)
			fb->v[j] *= k;
		pl_feed(pl, in->id, fb->v, m);
		in->pos = stop;
	}
	return 0;
}

int va_cmd_stream(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ecg", required_argument, NULL, 'e' },
		{ "emg", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int ecg = -2, emg[MAX_SIG], nemg = 0, c;
	double seconds = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': ecg = atoi(optarg); break;
		case 'm':
			if (nemg < MAX_SIG)
				emg[nemg++] = atoi(optarg);
			break;
		case 's': seconds = strtod(optarg, NULL); break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: vagus-analyze stream RECORD [--ecg N] "
				"[--emg N]... [--seconds S]\n");
		return 2;
	}
	int err = 0;
	char namebuf[4096];
	argv[optind] = (char *)va_record_name(argv[optind], namebuf, sizeof(namebuf));
	struct recording *r = recording_open(argv[optind], &err);
	if (!r) {
		fprintf(stderr, "vagus-analyze: %s: %s\n", argv[optind], vg_strerror(err));
		return 1;
	}
	int nsig = recording_nsig(r);
	if (ecg == -2) {
		ecg = va_find_kind(r, VA_KIND_ECG, -1);
		if (nemg == 0)
			for (int s = va_find_kind(r, VA_KIND_EMG, -1); s >= 0 && nemg < MAX_SIG;
			     s = va_find_kind(r, VA_KIND_EMG, s))
				emg[nemg++] = s;
	}
	int bad = ecg >= nsig;
	for (int i = 0; i < nemg; i++)
		bad |= emg[i] < 0 || emg[i] >= nsig;
	if (bad || (ecg < 0 && nemg == 0)) {
		fprintf(stderr, "vagus-analyze: %s: no usable ECG/EMG signal chosen\n",
			argv[optind]);
		recording_close(&r);
		return 1;
	}
	int64_t origin = 0;
	recording_start_ns(r, &origin);
	static struct out o;
	struct pl_output po = { &o, on_beat, on_hrv, on_emg, on_resp };
	struct pipeline *pl = pl_new(NULL, &po, &err);
	struct input in[MAX_SIG + 1];
	int n = 0;
	if (pl && ecg >= 0) {
		in[n] = (struct input){ ecg, -1, 0, 0 };
		in[n].id = pl_add_input(pl, PL_IN_ECG, recording_sig_fs(r, ecg), "ECG", origin);
		n++;
	}
	for (int i = 0; pl && i < nemg; i++) {
		in[n] = (struct input){ emg[i], -1, 1, 0 };
		in[n].id = pl_add_input(pl, PL_IN_EMG, recording_sig_fs(r, emg[i]),
					recording_sig_label(r, emg[i]), origin);
		n++;
	}
	for (int i = 0; pl && i < n; i++)
		if (in[i].id < 0) {
			fprintf(stderr, "vagus-analyze: signal %d: %s\n", in[i].sig,
				vg_strerror(in[i].id));
			pl_destroy(&pl);
		}
	if (!pl) {
		recording_close(&r);
		return 1;
	}
	struct feed_buf fb = { NULL, 0 };
	int rc = 0;
	double dur = recording_duration_s(r);
	if (seconds > 0 && seconds < dur)
		dur = seconds;
	for (double t = 0; t < dur && rc == 0; t += BLOCK_S) {
		for (int i = 0; i < n && rc == 0; i++) {
			double fs = recording_sig_fs(r, in[i].sig);
			int64_t b = (int64_t)((t + BLOCK_S) * fs);
			int64_t lim = (int64_t)(dur * fs);
			rc = feed_upto(r, pl, &in[i], b < lim ? b : lim, &fb);
		}
	}
	free(fb.v);
	pl_destroy(&pl);
	recording_close(&r);
	return rc;
}
