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
 * Signals: --ecg N picks the ECG signal, --emg N (repeatable) EMG signals;
 * by default the first signal whose description looks like ECG (ECG, MLII,
 * V1..V6, lead names) and every signal described as EMG.
 * Limits: WFDB records (EDF+ comes with the recorder).
 */
#include "pipeline.h"
#include "proto.h"
#include "va.h"
#include "vg_err.h"
#include "wfdb.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK_S 0.1 /* feed 100 ms of every signal at a time */
#define MAX_SIG 16

struct out {
	uint64_t seq[3];
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

static int looks_ecg(const char *d)
{
	static const char *const names[] = { "ECG", "EKG", "MLII", "ML2", "V1", "V2",
					     "V3", "V4", "V5", "V6", "I", "II", "III",
					     "aVR", "aVL", "aVF", NULL };
	for (int i = 0; names[i]; i++)
		if (!strcasecmp(d, names[i]) || !strncasecmp(d, "ECG", 3))
			return 1;
	return 0;
}

static int looks_emg(const char *d)
{
	return strstr(d, "EMG") || strstr(d, "emg");
}

/* scale from the signal's units to the pipeline's (ECG mV, EMG uV) */
static float unit_scale(const char *units, int emg)
{
	if (!strcmp(units, "uV") || !strcmp(units, "µV"))
		return emg ? 1.0f : 0.001f;
	if (!strcmp(units, "V"))
		return emg ? 1e6f : 1000.0f;
	return emg ? 1000.0f : 1.0f; /* mV */
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
	struct wfdb_record *r = wfdb_open(argv[optind], &err);
	if (!r) {
		fprintf(stderr, "vagus-analyze: %s: %s\n", argv[optind], vg_strerror(err));
		return 1;
	}
	int nsig = wfdb_nsig(r);
	if (ecg == -2) {
		ecg = -1;
		for (int s = 0; s < nsig && ecg < 0; s++)
			if (looks_ecg(wfdb_sig_desc(r, s)))
				ecg = s;
		if (nemg == 0)
			for (int s = 0; s < nsig && nemg < MAX_SIG; s++)
				if (looks_emg(wfdb_sig_desc(r, s)))
					emg[nemg++] = s;
	}
	int bad = ecg >= nsig;
	for (int i = 0; i < nemg; i++)
		bad |= emg[i] < 0 || emg[i] >= nsig;
	if (bad || (ecg < 0 && nemg == 0)) {
		fprintf(stderr, "vagus-analyze: %s: no usable ECG/EMG signal chosen\n",
			argv[optind]);
		wfdb_destroy(&r);
		return 1;
	}
	int64_t origin = 0;
	wfdb_base_time_ns(r, &origin);
	static struct out o;
	struct pl_output po = { &o, on_beat, on_hrv, on_emg };
	struct pipeline *pl = pl_new(NULL, &po, &err);
	int sig[MAX_SIG + 1], id[MAX_SIG + 1], is_emg[MAX_SIG + 1], n = 0;
	if (pl && ecg >= 0) {
		sig[n] = ecg;
		is_emg[n] = 0;
		id[n] = pl_add_input(pl, PL_IN_ECG, wfdb_sig_fs(r, ecg), "ECG", origin);
		n++;
	}
	for (int i = 0; pl && i < nemg; i++) {
		sig[n] = emg[i];
		is_emg[n] = 1;
		id[n] = pl_add_input(pl, PL_IN_EMG, wfdb_sig_fs(r, emg[i]),
				     wfdb_sig_desc(r, emg[i]), origin);
		n++;
	}
	for (int i = 0; pl && i < n; i++)
		if (id[i] < 0) {
			fprintf(stderr, "vagus-analyze: signal %d: %s\n", sig[i],
				vg_strerror(id[i]));
			pl_destroy(&pl);
		}
	if (!pl) {
		wfdb_destroy(&r);
		return 1;
	}
	float *buf = NULL;
	int rc = 0;
	double dur = (double)wfdb_nframes(r) / wfdb_fs(r);
	if (seconds > 0 && seconds < dur)
		dur = seconds;
	for (double t = 0; t < dur && rc == 0; t += BLOCK_S) {
		for (int i = 0; i < n; i++) {
			double fs = wfdb_sig_fs(r, sig[i]);
			int64_t a = (int64_t)(t * fs), b = (int64_t)((t + BLOCK_S) * fs);
			int64_t lim = (int64_t)(dur * fs);
			if (b > lim)
				b = lim;
			if (b <= a)
				continue;
			float *nb = realloc(buf, (size_t)(b - a) * sizeof(float));
			if (!nb) {
				rc = 1;
				break;
			}
			buf = nb;
			int got = wfdb_read_phys(r, sig[i], a, (size_t)(b - a), buf);
			if (got < 0) {
				fprintf(stderr, "vagus-analyze: read: %s\n", vg_strerror(got));
				rc = 1;
				break;
			}
			float k = unit_scale(wfdb_sig_units(r, sig[i]), is_emg[i]);
			for (int j = 0; j < got; j++)
				buf[j] *= k;
			pl_feed(pl, id[i], buf, (size_t)got);
		}
	}
	free(buf);
	pl_destroy(&pl);
	wfdb_destroy(&r);
	return rc;
}
