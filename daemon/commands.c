/*
 * commands.c - the daemon's answers to control requests (ctl_request from
 * protocol/control.c): status, sources, config, sessions, marks, holds,
 * calibration, pacer, profile, baseline.
 */
#include "vagusd_int.h"
#include "vg_err.h"
#include "vg_log.h"
#include "calm.h"
#include "ctlserver.h"
#include "loop.h"
#include "pacer.h"
#include "pipeline.h"
#include "publish.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>


/* Attach the JSON of an encoded message as reply[key]. */
static int attach_json(cJSON *reply, const char *key, const char *json)
{
	cJSON *j = cJSON_Parse(json);
	if (!j)
		return VG_ERR_PARSE;
	cJSON_AddItemToObject(reply, key, j);
	return VG_OK;
}

static int config_get(struct vagusd *d, cJSON *reply)
{
	cJSON *c = cJSON_AddObjectToObject(reply, "config");
	cJSON_AddStringToObject(c, "pub", d->cfg.pub_endpoint);
	cJSON_AddStringToObject(c, "ctl", d->cfg.ctl_endpoint);
	cJSON_AddStringToObject(c, "room", d->cfg.room ? d->cfg.room : "");
	cJSON *src = cJSON_AddArrayToObject(c, "sources");
	for (int i = 0; i < d->cfg.nsources; i++)
		cJSON_AddItemToArray(src, cJSON_CreateString(d->cfg.sources[i]));
	cJSON *w = cJSON_AddArrayToObject(c, "hrv_windows_s");
	for (int i = 0; i < 4 && d->cfg.hrv_windows_s[i] > 0; i++)
		cJSON_AddItemToArray(w, cJSON_CreateNumber(d->cfg.hrv_windows_s[i]));
	cJSON_AddNumberToObject(c, "stall_timeout_s", d->cfg.stall_timeout_s);
	return VG_OK;
}

/* calibrate: a rest calibration of a muscle that is tense now is refused
 * at once; one that turns out tense over its capture is refused at its
 * end (calibration_watch in vagusd.c) and the previous calibration kept. */
static int calibrate(struct vagusd *d, const struct ctl_request *req, cJSON *reply,
		     char *err, size_t cap)
{
	enum emg_cal kind = !strcmp(req->kind, "rest") ? EMG_CAL_REST : EMG_CAL_REFERENCE;
	double secs = isnan(req->seconds) ? 5.0 : req->seconds;
	int ch = req->channel;
	double rest = NAN, ref = NAN;
	if (pl_emg_get_calibration(d->pl, ch, &rest, &ref) < 0 || ch >= GUIDE_MAX_REGIONS) {
		char m[96];
		snprintf(m, sizeof(m), "there is no EMG channel %d (channels 0..%d)", ch,
			 pl_emg_channels(d->pl) - 1);
		return vd_err_msg(err, cap, VG_ERR_NOTFOUND, m);
	}
	if (d->cal[ch].active)
		return vd_err_msg(err, cap, VG_ERR_STATE,
				  "a calibration of this channel is running; wait for it");
	char why[192];
	if (kind == EMG_CAL_REST &&
	    guide_rest_check(d->guide, ch, NAN, ref, vd_sample_now(d), why, sizeof(why))) {
		vd_calibration_result(d, ch, kind, NAN, 0, why);
		return vd_err_msg(err, cap, VG_ERR_STATE, why);
	}
	int rc = pl_emg_calibrate(d->pl, ch, kind, secs);
	if (rc < 0)
		return vd_err_msg(err, cap, rc, "calibration refused: seconds must be 0.5..30");
	d->cal[ch] = (struct vd_cal){ .active = 1, .kind = kind, .prev_rest_uv = rest,
				      .prev_ref_uv = ref };
	const char *region = guide_region_name(d->guide, ch);
	char data[256], reg[96], detail[160], note[96];
	snprintf(data, sizeof(data),
		 "{\"channel\":%d,\"region\":\"%s\",\"kind\":\"%s\",\"seconds\":%.1f}", ch,
		 proto_json_escape(region, reg, sizeof(reg)), req->kind, secs);
	snprintf(detail, sizeof(detail), "%s calibration of %s over %.0f s", req->kind,
		 region[0] ? region : "the channel", secs);
	vd_publish_event(d, "calibration.start", NULL, detail, data);
	snprintf(note, sizeof(note), "calibration %s %.40s", req->kind, region);
	vd_annotate_at(d, vd_sample_now(d), secs, note);
	cJSON_AddNumberToObject(reply, "channel", ch);
	cJSON_AddStringToObject(reply, "region", region);
	cJSON_AddNumberToObject(reply, "seconds", secs);
	return VG_OK;
}

int vd_on_request(void *ctx, const struct ctl_request *req, cJSON *reply,
		      char *err, size_t cap)
{
	struct vagusd *d = ctx;
	static char buf[PROTO_MSG_MAX];
	switch (req->cmd) {
	case CTL_PING:
		cJSON_AddStringToObject(reply, "version", VAGUSD_VERSION);
		return VG_OK;
	case CTL_STATUS:
	case CTL_SOURCES: {
		vd_build_status(d, loop_now_ns(d->loop));
		if (req->cmd == CTL_SOURCES)
			return attach_json(reply, "sources", d->status.sources);
		int n = proto_encode(proto_topic_find("status"), 0, d->cfg.room,
				     &d->status, buf, sizeof(buf));
		return n < 0 ? n : attach_json(reply, "status", buf);
	}
	case CTL_SESSION_START:
		return vd_session_start(d, req, reply, err, cap);
	case CTL_SESSION_STOP:
		return vd_session_stop(d, reply, err, cap);
	case CTL_MARK:
		return vd_mark(d, req, reply, err, cap);
	case CTL_CONFIG_GET:
		return config_get(d, reply);
	case CTL_BASELINE_START: {
		double secs = isnan(req->seconds) ? CALM_DEFAULT_BASELINE_S : req->seconds;
		int64_t now = vd_sample_now(d);
		pl_baseline_start(d->pl, secs);
		guide_baseline_capture(d->guide, now, now + (int64_t)llround(secs * 1e9));
		d->baseline_pending = 1;
		d->baseline_s = secs;
		cJSON_AddNumberToObject(reply, "baseline_s", secs);
		char data[64], detail[128], note[64];
		snprintf(data, sizeof(data), "{\"seconds\":%.1f}", secs);
		snprintf(detail, sizeof(detail),
			 "baseline is captured over the next %.0f s (baseline.done follows)", secs);
		vd_publish_event(d, "baseline.start", NULL, detail, data);
		snprintf(note, sizeof(note), "baseline %.0f s", secs);
		vd_annotate_at(d, now, secs, note);
		return VG_OK;
	}
	case CTL_PACER_SET: {
		char spec[96];
		if (!strcmp(req->pattern, "custom")) {
			if (isnan(req->inhale_s) || isnan(req->exhale_s))
				return vd_err_msg(err, cap, VG_ERR_INVAL,
					       "custom needs inhale_s and exhale_s");
			snprintf(spec, sizeof(spec), "%g-%g-%g-%g", req->inhale_s,
				 isnan(req->hold_in_s) ? 0 : req->hold_in_s, req->exhale_s,
				 isnan(req->hold_out_s) ? 0 : req->hold_out_s);
		} else if (!strcmp(req->pattern, "follow") && !isnan(req->target_bpm)) {
			snprintf(spec, sizeof(spec), "follow:%g", req->target_bpm);
		} else {
			snprintf(spec, sizeof(spec), "%s", req->pattern);
		}
		struct pacer_cfg pc;
		if (pacer_parse(spec, &pc) < 0 ||
		    guide_pacer_set(d->guide, &pc, vd_sample_now(d)) < 0)
			return vd_err_msg(err, cap, VG_ERR_INVAL, "pacer pattern refused");
		cJSON_AddStringToObject(reply, "pacer", spec);
		char data[160], sp[120], note[128];
		snprintf(data, sizeof(data), "{\"pattern\":\"%s\",\"spec\":\"%s\"}",
			 proto_json_escape(req->pattern, sp, sizeof(sp)), spec);
		vd_publish_event(d, "pacer.set", NULL, spec, data);
		snprintf(note, sizeof(note), "pacer %.60s", spec);
		vd_annotate(d, note);
		return VG_OK;
	}
	case CTL_PROFILE_SET: {
		if (guide_profile_set(d->guide, req->profile) < 0)
			return vd_err_msg(err, cap, VG_ERR_INVAL,
					  "unknown profile: say standard, sensitive or flare");
		char data[64], note[64];
		snprintf(data, sizeof(data), "{\"profile\":\"%s\"}", req->profile);
		vd_publish_event(d, "profile.set", NULL, req->profile, data);
		snprintf(note, sizeof(note), "profile %.32s", req->profile);
		vd_annotate(d, note);
		return VG_OK;
	}
	case CTL_CALIBRATE:
		return calibrate(d, req, reply, err, cap);
	case CTL_HOLD_START:
	case CTL_HOLD_STOP: {
		int start = req->cmd == CTL_HOLD_START;
		int ch = req->region[0] ? pl_emg_find(d->pl, req->region) : -1;
		if (start && req->region[0] && ch < 0)
			return vd_err_msg(err, cap, VG_ERR_NOTFOUND,
				       "no EMG channel for that region");
		int n = pl_emg_channels(d->pl);
		for (int c = 0; c < n; c++)
			if (ch < 0 || c == ch)
				pl_emg_hold(d->pl, c, start);
		if (start) {
			guide_hold_start(d->guide, req->technique, req->region, vd_sample_now(d));
			snprintf(d->hold_technique, sizeof(d->hold_technique), "%s", req->technique);
			snprintf(d->hold_region, sizeof(d->hold_region), "%s", req->region);
		} else if (guide_hold_stop(d->guide, vd_sample_now(d)) < 0) {
			return vd_err_msg(err, cap, VG_ERR_STATE, "no hold is running");
		}
		char data[1024], tech[400], reg[400];
		proto_json_escape(d->hold_technique, tech, sizeof(tech));
		proto_json_escape(d->hold_region, reg, sizeof(reg));
		snprintf(data, sizeof(data), "{\"technique\":\"%s\",\"region\":\"%s\"}",
			 tech, reg);
		vd_publish_event(d, start ? "hold.start" : "hold.stop", NULL,
			      d->hold_technique, data);
		char note[160];
		snprintf(note, sizeof(note), "%s %.60s %.60s", start ? "hold" : "hold end",
			 d->hold_technique, d->hold_region[0] ? d->hold_region : "(no region)");
		vd_annotate(d, note);
		return VG_OK;
	}
	default:
		snprintf(err, cap, "'%s' has no handler", ctl_cmd_name(req->cmd));
		return VG_ERR_NOTSUP; /* every command of control.c is handled above */
	}
}

