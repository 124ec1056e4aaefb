/*
 * schema.c - the one table of topics and fields (see proto.h).
 * PROTOCOL.md documents the same table; tests/unit/test_protocol.c checks
 * that every field here appears there.
 */
#include "proto.h"
#include "guide.h"
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
	F_DBL(struct pl_hrv, r.spectrum_age_s, "spectrum_age_s", 1, "s",
	      "age of the LF/HF figures (0: computed at this beat)"),
	F_DBL(struct pl_hrv, r.vlf_age_s, "vlf_age_s", 1, "s", "age of the VLF figure (refreshed every 5 s)"),
};

/* ---------------------------------------------------------------- resp */
static const char *const resp_sources[] = { "none", "rsa", "edr", "fused", NULL };
static const char *const resp_reasons[] = { "none", "low_quality", "disagree", NULL };
static const struct proto_field resp_fields[] = {
	F_DBL(struct pl_resp, r.resp_bpm, "resp_bpm", 2, "/min",
	      "breathing rate from the ECG/RR alone; null when unknown"),
	F_DBL(struct pl_resp, r.confidence, "confidence", 2, "", "0..1"),
	F_ENUM(struct pl_resp, r.source, "source", resp_sources,
	       "rsa (RR spectrum), edr (R amplitude), fused, or none"),
	F_DBL(struct pl_resp, r.rsa_bpm, "rsa_bpm", 2, "/min", "estimate from RSA alone"),
	F_DBL(struct pl_resp, r.edr_bpm, "edr_bpm", 2, "/min",
	      "estimate from ECG-derived respiration alone"),
	F_ENUM(struct pl_resp, r.reason, "reason", resp_reasons,
	       "why resp_bpm is null: none, low_quality or disagree"),
	F_DBL(struct pl_resp, r.mod_bpm[RESP_MOD_RS], "rs_bpm", 2, "/min",
	      "estimate from the R-S amplitude alone"),
	F_DBL(struct pl_resp, r.mod_bpm[RESP_MOD_AREA], "area_bpm", 2, "/min",
	      "estimate from the QRS area alone"),
	F_DBL(struct pl_resp, r.mod_bpm[RESP_MOD_BW], "bw_bpm", 2, "/min",
	      "estimate from the baseline wander alone"),
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
	F_BOOL(struct proto_status, recording, "recording",
	       "true while the current session is written to disk"),
	F_STR(struct proto_status, record_path, "record_path",
	      "base path of the session's files (no extension); empty when not recording"),
	F_BOOL(struct proto_status, simulated, "simulated",
	       "true when any source is the simulator: the data are not a person's"),
	F_DBL(struct proto_status, session_elapsed_s, "session_elapsed_s", 1, "s",
	      "signal time since the session started (null when none): the session clock"),
	F_STR(struct proto_status, record_note, "record_note",
	      "where sessions are recorded, or why they are not (plain words)"),
};

/* ---------------------------------------------------------------- event */
static const struct proto_field event_fields[] = {
	F_STR(struct proto_event, kind, "kind", "what happened, e.g. source.connected"),
	F_STR(struct proto_event, source, "source", "source concerned, empty if none"),
	F_STR(struct proto_event, detail, "detail", "human-readable description"),
	F_RAW(struct proto_event, data, "data", "JSON object with details, or null"),
};


/* ---------------------------------------------------------------- guide */
static const char *const guide_patterns[] = { "off", "4-2-6", "resonance", "custom",
					      "follow", "adaptive", NULL };
static const char *const guide_phases[] = { "off", "inhale", "hold", "exhale",
					    "hold_out", NULL };
static const char *const guide_advices[] = { "none", "hold", "ease", "deepen-ok", NULL };
static const char *const guide_profiles[] = { "standard", "sensitive", "flare", NULL };
static const struct proto_field guide_fields[] = {
	F_ENUM(struct guide_msg, pattern, "pattern", guide_patterns,
	       "pacer pattern: off, 4-2-6, resonance, custom, follow, adaptive"),
	F_ENUM(struct guide_msg, phase, "phase", guide_phases,
	       "off, inhale, hold, exhale, hold_out"),
	F_DBL(struct guide_msg, progress, "progress", 3, "", "0..1 within the phase"),
	F_DBL(struct guide_msg, breath_progress, "breath_progress", 3, "",
	      "0..1 within the breath"),
	F_DBL(struct guide_msg, rate_bpm, "rate_bpm", 2, "/min", "pacer rate"),
	F_DBL(struct guide_msg, phase_s, "phase_s", 3, "s", "length of the current phase"),
	F_I64(struct guide_msg, phase_start_ns, "phase_start_ns", "ns",
	      "exact start of the current phase (sample clock)"),
	F_U64(struct guide_msg, breath, "breath", "", "breaths since the pacer started"),
	F_DBL(struct guide_msg, following, "following", 2, "",
	      "0..1 share of HR variance at the pacer's rhythm"),
	F_DBL(struct guide_msg, resp_bpm, "resp_bpm", 1, "/min", "measured breathing rate"),
	F_ENUM(struct guide_msg, advice, "advice", guide_advices,
	       "pressure advice: none, hold, ease, deepen-ok"),
	F_DBL(struct guide_msg, confidence, "confidence", 2, "", "0..1 confidence of the advice"),
	F_STR(struct guide_msg, reasons, "reasons", "the advice's reasons in words and figures"),
	F_ENUM(struct guide_msg, profile, "profile", guide_profiles,
	       "client profile: standard, sensitive, flare"),
	F_BOOL(struct guide_msg, holding, "holding", "a hold is running"),
	F_STR(struct guide_msg, technique, "technique", "technique of the hold"),
	F_STR(struct guide_msg, region, "region", "region of the hold"),
	F_DBL(struct guide_msg, hold_s, "hold_s", 1, "s", "time since hold.start"),
	F_DBL(struct guide_msg, span_min_s, "span_min_s", 0, "s", "usual span of the technique, from"),
	F_DBL(struct guide_msg, span_max_s, "span_max_s", 0, "s", "usual span of the technique, to"),
};

static const struct proto_field release_fields[] = {
	F_I64(struct guide_release, drop_t_ns, "drop_t_ns", "ns", "when the drop began"),
	F_STR(struct guide_release, technique, "technique", "technique of the hold"),
	F_STR(struct guide_release, region, "region", "region of the hold"),
	F_INT(struct guide_release, channel, "channel", "", "EMG channel, -1 if none"),
	F_DBL(struct guide_release, start_uv, "start_uv", 2, "uV", "level over the hold's first 1 s"),
	F_DBL(struct guide_release, level_uv, "level_uv", 2, "uV", "level at confirmation"),
	F_DBL(struct guide_release, drop_pct, "drop_pct", 1, "%", "drop from the start level"),
	F_DBL(struct guide_release, hold_s, "hold_s", 1, "s", "hold start to drop"),
	F_STR(struct guide_release, text, "text", "plain-words description"),
};

static const struct proto_field hold_long_fields[] = {
	F_STR(struct guide_hold_long, technique, "technique", "technique of the hold"),
	F_STR(struct guide_hold_long, region, "region", "region of the hold"),
	F_DBL(struct guide_hold_long, hold_s, "hold_s", 1, "s", "time since hold.start"),
	F_DBL(struct guide_hold_long, span_max_s, "span_max_s", 0, "s", "end of the usual span"),
	F_BOOL(struct guide_hold_long, released, "released", "a release was seen in this hold"),
	F_STR(struct guide_hold_long, text, "text", "plain-words description"),
};

static const struct proto_field mark_response_fields[] = {
	F_I64(struct guide_mark_response, mark_t_ns, "mark_t_ns", "ns", "time of the mark"),
	F_STR(struct guide_mark_response, label, "label", "the mark's label"),
	F_STR(struct guide_mark_response, region, "region", "the mark's region"),
	F_DBL(struct guide_mark_response, pressure, "pressure", 2, "", "pressure given with the mark"),
	F_DBL(struct guide_mark_response, hr_before_bpm, "hr_before_bpm", 2, "bpm", "mean HR, 30 s before"),
	F_DBL(struct guide_mark_response, hr_after_bpm, "hr_after_bpm", 2, "bpm", "mean HR, 30 s after"),
	F_DBL(struct guide_mark_response, dhr_bpm, "dhr_bpm", 2, "bpm", "after - before"),
	F_DBL(struct guide_mark_response, rmssd_before_ms, "rmssd_before_ms", 2, "ms", "RMSSD, 30 s before"),
	F_DBL(struct guide_mark_response, rmssd_after_ms, "rmssd_after_ms", 2, "ms", "RMSSD, 30 s after"),
	F_DBL(struct guide_mark_response, drmssd_pct, "drmssd_pct", 1, "%", "RMSSD change"),
	F_DBL(struct guide_mark_response, calm_before, "calm_before", 1, "", "mean calm, 30 s before"),
	F_DBL(struct guide_mark_response, calm_after, "calm_after", 1, "", "mean calm, 30 s after"),
	F_DBL(struct guide_mark_response, dcalm, "dcalm", 1, "", "after - before"),
	F_RAW(struct guide_mark_response, emg, "emg",
	      "array of {region, before_uv, after_uv, change_pct}"),
	F_BOOL(struct guide_mark_response, complete, "complete",
	       "false when the session stopped within 30 s of the mark"),
	F_STR(struct guide_mark_response, text, "text", "plain-words description"),
};

static const struct proto_topic topic_beat = {
	"beat", sizeof(struct pl_beat), offsetof(struct pl_beat, t_ns),
	beat_fields, NF(beat_fields), "one per detected or reported heartbeat"
};
static const struct proto_topic topic_hrv = {
	"hrv", sizeof(struct pl_hrv), offsetof(struct pl_hrv, t_ns),
	hrv_fields, NF(hrv_fields), "after each beat, one per configured window"
};
static const struct proto_topic topic_resp = {
	"resp", sizeof(struct pl_resp), offsetof(struct pl_resp, t_ns),
	resp_fields, NF(resp_fields), "breathing rate, 1 Hz"
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

static const struct proto_topic topic_guide = {
	"guide", sizeof(struct guide_msg), offsetof(struct guide_msg, t_ns),
	guide_fields, NF(guide_fields), "breathing pacer, pressure advice, hold clock; >= 10 Hz"
};
static const struct proto_topic topic_release = {
	"release", sizeof(struct guide_release), offsetof(struct guide_release, t_ns),
	release_fields, NF(release_fields), "tension of a held region dropped >= 20 % for >= 5 s"
};
static const struct proto_topic topic_hold_long = {
	"hold.long", sizeof(struct guide_hold_long), offsetof(struct guide_hold_long, t_ns),
	hold_long_fields, NF(hold_long_fields), "a hold outlasted its technique's usual span"
};
static const struct proto_topic topic_mark_response = {
	"mark.response", sizeof(struct guide_mark_response),
	offsetof(struct guide_mark_response, t_ns), mark_response_fields,
	NF(mark_response_fields), "30 s after a mark against the 30 s before"
};

static const struct proto_topic *const topics[] = {
	&topic_beat, &topic_hrv, &topic_resp, &topic_emg, &topic_status, &topic_event,
	&topic_guide, &topic_release, &topic_hold_long, &topic_mark_response, NULL
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
