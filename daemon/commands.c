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
		return vd_mark(d, req, reply);
	case CTL_CONFIG_GET:
		return config_get(d, reply);
	case CTL_BASELINE_START:
		pl_reset_baseline(d->pl);
		cJSON_AddNumberToObject(reply, "baseline_s", CALM_DEFAULT_BASELINE_S);
		vd_publish_event(d, "baseline.start", NULL,
			      "calm baseline is captured from now", NULL);
		return VG_OK;
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
		vd_publish_event(d, "pacer.set", NULL, spec, NULL);
		return VG_OK;
	}
	case CTL_PROFILE_SET:
		if (guide_profile_set(d->guide, req->profile) < 0)
			return vd_err_msg(err, cap, VG_ERR_INVAL, "unknown profile");
		vd_publish_event(d, "profile.set", NULL, req->profile, NULL);
		return VG_OK;
	case CTL_CALIBRATE: {
		enum emg_cal kind = !strcmp(req->kind, "rest") ? EMG_CAL_REST
							       : EMG_CAL_REFERENCE;
		double secs = isnan(req->seconds) ? 5.0 : req->seconds;
		int rc = pl_emg_calibrate(d->pl, req->channel, kind, secs);
		if (rc == VG_ERR_NOTFOUND)
			return vd_err_msg(err, cap, rc, "no such EMG channel");
		if (rc < 0)
			return vd_err_msg(err, cap, rc, "calibration refused");
		cJSON_AddNumberToObject(reply, "channel", req->channel);
		cJSON_AddNumberToObject(reply, "seconds", secs);
		return VG_OK;
	}
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
		if (start)
			guide_hold_start(d->guide, req->technique, req->region, vd_sample_now(d));
		else
			guide_hold_stop(d->guide, vd_sample_now(d));
		char data[1024], tech[400], reg[400];
		proto_json_escape(req->technique, tech, sizeof(tech));
		proto_json_escape(req->region, reg, sizeof(reg));
		snprintf(data, sizeof(data), "{\"technique\":\"%s\",\"region\":\"%s\"}",
			 tech, reg);
		vd_publish_event(d, start ? "hold.start" : "hold.stop", NULL,
			      req->technique, start ? data : NULL);
		char note[160];
		snprintf(note, sizeof(note), "%s %.60s %.60s", start ? "hold" : "hold end",
			 req->technique, req->region);
		vd_annotate(d, note);
		return VG_OK;
	}
	default:
		snprintf(err, cap, "'%s' has no handler", ctl_cmd_name(req->cmd));
		return VG_ERR_NOTSUP; /* every command of control.c is handled above */
	}
}

