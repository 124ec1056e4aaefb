/*
 * schema.c - the one table of topics and fields (see proto.h).
 * PROTOCOL.md documents the same table; tests/unit/test_protocol.c checks
 * that every field here appears there.
 */
#include "proto.h"
#include "pipeline.h"

#include <stddef.h>
#include <string.h>

#define F_DBL(st, member, key, dec, unit, doc) \
	{ key, PF_DBL, offsetof(st, member), 0, dec, unit, NULL, doc }
#define F_I64(st, member, key, unit, doc) \
	{ key, PF_I64, offsetof(st, member), 0, 0, unit, NULL, doc }
#define F_U64(st, member, key, unit, doc) \
	{ key, PF_U64, offsetof(st, member), 0, 0, unit, NULL, doc }
#define F_INT(st, member, key, unit, doc) \
	{ key, PF_INT, offsetof(st, member), 0, 0, unit, NULL, doc }
#define F_BOOL(st, member, key, doc) \
	{ key, PF_BOOL, offsetof(st, member), 0, 0, "", NULL, doc }
#define F_STR(st, member, key, doc) \
	{ key, PF_STR, offsetof(st, member), sizeof(((st *)0)->member), 0, "", NULL, doc }
#define F_RAW(st, member, key, doc) \
	{ key, PF_RAW, offsetof(st, member), sizeof(((st *)0)->member), 0, "", NULL, doc }
#define F_ENUM(st, member, key, names, doc) \
	{ key, PF_ENUM, offsetof(st, member), 0, 0, "", names, doc }
#define F_FLAGS(st, member, key, names, doc) \
	{ key, PF_FLAGS, offsetof(st, member), 0, 0, "", names, doc }
#define NF(a) (sizeof(a) / sizeof(a[0]))

/* ---------------------------------------------------------------- beat */
static const struct proto_field beat_fields[] = {
	F_I64(struct pl_beat, sample, "sample", "samples",
	      "R-peak sample index of the ECG input; -1 for beat-only sources"),
	F_DBL(struct pl_beat, rr_ms, "rr_ms", 3, "ms",
	      "interval since the previous beat; null for the first"),
	F_DBL(struct pl_beat, hr_bpm, "hr_bpm", 2, "bpm",
	      "60000 / rr_ms; null for the first"),
	F_STR(struct pl_beat, source, "source", "input that produced the beat"),
	F_DBL(struct pl_beat, quality, "quality", 3, "",
	      "signal quality 0 (unreadable) .. 1 (clean)"),
};

/* ---------------------------------------------------------------- hrv */
static const struct proto_field hrv_fields[] = {
	F_DBL(struct pl_hrv, r.window_s, "window_s", 1, "s", "window length"),
	F_INT(struct pl_hrv, r.n, "n", "", "NN intervals in the window"),
	F_DBL(struct pl_hrv, r.mean_nn_ms, "mean_nn_ms", 2, "ms", "mean NN interval"),
	F_DBL(struct pl_hrv, r.sdnn_ms, "sdnn_ms", 2, "ms", "SD of NN intervals (n-1)"),
	F_DBL(struct pl_hrv, r.rmssd_ms, "rmssd_ms", 2, "ms", "RMS of successive differences"),
	F_DBL(struct pl_hrv, r.pnn50, "pnn50", 2, "%", "share of successive differences > 50 ms"),
	F_DBL(struct pl_hrv, r.sd1_ms, "sd1_ms", 2, "ms", "Poincare SD1"),
	F_DBL(struct pl_hrv, r.sd2_ms, "sd2_ms", 2, "ms", "Poincare SD2"),
	F_DBL(struct pl_hrv, r.hr_bpm, "hr_bpm", 2, "bpm", "60000 / mean NN"),
	F_DBL(struct pl_hrv, r.artifacts_pct, "artifacts_pct", 2, "%",
	      "intervals corrected by RR cleaning"),
	F_DBL(struct pl_hrv, r.vlf_ms2, "vlf_ms2", 2, "ms2", "power below 0.04 Hz"),
	F_DBL(struct pl_hrv, r.lf_ms2, "lf_ms2", 2, "ms2", "power in [0.04, 0.15) Hz; null if window < 120 s"),
	F_DBL(struct pl_hrv, r.hf_ms2, "hf_ms2", 2, "ms2", "power in [0.15, 0.40) Hz; null if window < 60 s"),
	F_DBL(struct pl_hrv, r.lf_hf, "lf_hf", 3, "", "LF / HF"),
	F_DBL(struct pl_hrv, r.lf_nu, "lf_nu", 2, "nu", "100 LF / (LF + HF)"),
	F_DBL(struct pl_hrv, r.hf_nu, "hf_nu", 2, "nu", "100 HF / (LF + HF)"),
	F_DBL(struct pl_hrv, r.hf_peak_hz, "hf_peak_hz", 4, "Hz", "frequency of the HF peak"),
	F_DBL(struct pl_hrv, r.rsa_ms2, "rsa_ms2", 2, "ms2", "vagal (RSA) power around the breathing frequency"),
	F_BOOL(struct pl_hrv, r.slow_breathing, "slow_breathing",
	       "breathing below 9/min: RSA lies in LF, use rsa_ms2"),
	F_DBL(struct pl_hrv, r.pns_index, "pns_index", 2, "SD", "parasympathetic index against population norms"),
	F_DBL(struct pl_hrv, r.calm, "calm", 1, "", "0..100 relative to this session's baseline"),
	F_DBL(struct pl_hrv, r.calm_trend, "calm_trend", 2, "/min", "change of calm per minute"),
};

/* ---------------------------------------------------------------- emg */
static const char *const emg_states[] = { "relaxed", "tense", "releasing", NULL };
static const char *const emg_quality[] = { "mains", "clipping", "lead_off",
					   "saturation", "presmoothed",
					   "uncalibrated", NULL };
static const struct proto_field emg_fields[] = {
	F_INT(struct pl_emg, r.channel, "channel", "", "EMG channel number (0-based, daemon-wide)"),
	F_STR(struct pl_emg, r.name, "name", "muscle or region"),
	F_I64(struct pl_emg, r.sample, "sample", "samples", "last sample index the result covers"),
	F_DBL(struct pl_emg, r.rms_uv, "rms_uv", 2, "uV", "RMS envelope (250 ms window)"),
	F_DBL(struct pl_emg, r.level_pct, "level_pct", 1, "%", "0 = rest, 100 = reference contraction"),
	F_DBL(struct pl_emg, r.mdf_hz, "mdf_hz", 1, "Hz", "median frequency over the last 1 s"),
	F_DBL(struct pl_emg, r.mnf_hz, "mnf_hz", 1, "Hz", "mean frequency over the last 1 s"),
	F_ENUM(struct pl_emg, r.state, "state", emg_states, "relaxed, tense or releasing"),
	F_FLAGS(struct pl_emg, r.quality_flags, "quality", emg_quality,
		"list of problems: mains, clipping, lead_off, saturation, presmoothed, uncalibrated"),
};

/* ---------------------------------------------------------------- status */
static const struct proto_field status_fields[] = {
	F_STR(struct proto_status, version, "version", "vagusd version"),
	F_DBL(struct proto_status, uptime_s, "uptime_s", 1, "s", "time since start"),
	F_RAW(struct proto_status, sources, "sources",
	      "array of sources: name, driver, state, channels, samples, rate, drops, last data"),
	F_U64(struct proto_status, dropped_samples, "dropped_samples", "samples",
	      "samples lost in counter gaps over all sources"),
	F_STR(struct proto_status, pub_endpoint, "pub_endpoint", "where subscribers connect"),
	F_STR(struct proto_status, ctl_endpoint, "ctl_endpoint", "control channel endpoint"),
	F_INT(struct proto_status, subscribers, "subscribers", "",
	      "subscriptions currently registered on the PUB socket"),
	F_STR(struct proto_status, session, "session", "current session id, empty when none"),
};

/* ---------------------------------------------------------------- event */
static const struct proto_field event_fields[] = {
	F_STR(struct proto_event, kind, "kind", "what happened, e.g. source.connected"),
	F_STR(struct proto_event, source, "source", "source concerned, empty if none"),
	F_STR(struct proto_event, detail, "detail", "human-readable description"),
	F_RAW(struct proto_event, data, "data", "JSON object with details, or null"),
};

static const struct proto_topic topic_beat = {
	"beat", sizeof(struct pl_beat), offsetof(struct pl_beat, t_ns),
	beat_fields, NF(beat_fields), "one per detected or reported heartbeat"
};
static const struct proto_topic topic_hrv = {
	"hrv", sizeof(struct pl_hrv), offsetof(struct pl_hrv, t_ns),
	hrv_fields, NF(hrv_fields), "after each beat, one per configured window"
};
static const struct proto_topic topic_emg = {
	"emg", sizeof(struct pl_emg), offsetof(struct pl_emg, t_ns),
	emg_fields, NF(emg_fields), "per EMG channel, 20 Hz"
};
static const struct proto_topic topic_status = {
	"status", sizeof(struct proto_status), offsetof(struct proto_status, t_ns),
	status_fields, NF(status_fields), "daemon health, 1 Hz"
};
static const struct proto_topic topic_event = {
	"event", sizeof(struct proto_event), offsetof(struct proto_event, t_ns),
	event_fields, NF(event_fields), "sessions, marks, sources, recording problems"
};

static const struct proto_topic *const topics[] = {
	&topic_beat, &topic_hrv, &topic_emg, &topic_status, &topic_event, NULL
};

const struct proto_topic *const *proto_topics(void)
{
	return topics;
}

const struct proto_topic *proto_topic_find(const char *name)
{
	for (size_t i = 0; topics[i]; i++)
		if (strcmp(topics[i]->name, name) == 0)
			return topics[i];
	return NULL;
}
