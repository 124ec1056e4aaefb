/*
 * feed.c - validate, key and frame vagusd's messages for the hub (see
 * feed.h).
 */
#include "feed.h"

#include "msg.h"
#include "pipeline.h"
#include "proto.h"
#include "vg_err.h"

#include <stdio.h>
#include <string.h>

static const char *const kept_events[] = {
	"session.start", "session.stop", "session.summary", "hold.start", "hold.stop",
	"pacer.set", "profile.set", NULL
};

int web_feed_msg(struct web_feed *f, const char *json, size_t len, double now_s,
		 long long wall_ms)
{
	static union {
		union proto_any any;
		struct pl_resp resp;
	} m;
	static char frame[HUB_FRAME_MAX];
	struct proto_header hdr;
	const struct proto_topic *t = NULL;
	if (len + 48 > sizeof(frame) ||
	    proto_decode(json, len, &hdr, &t, &m, sizeof(m)) != VG_OK) {
		f->bad++;
		return VG_ERR_PARSE;
	}
	f->last_msg_s = now_s;
	char key[40];
	snprintf(key, sizeof(key), "%s", hdr.topic);
	if (!strcmp(hdr.topic, "hrv") && t)
		snprintf(key, sizeof(key), "hrv/%.0f", m.any.hrv.r.window_s);
	else if (!strcmp(hdr.topic, "emg") && t)
		snprintf(key, sizeof(key), "emg/%d", m.any.emg.r.channel);
	else if (!strcmp(hdr.topic, "event") && t) {
		key[0] = '\0';
		for (int i = 0; kept_events[i]; i++)
			if (!strcmp(m.any.event.kind, kept_events[i]))
				snprintf(key, sizeof(key), "event/%s", kept_events[i]);
	}
	size_t n = (size_t)snprintf(frame, 40, "id: %lld\ndata: ", wall_ms);
	for (size_t i = 0; i < len; i++)
		frame[n++] = (json[i] == '\n' || json[i] == '\r') ? ' ' : json[i];
	frame[n++] = '\n';
	frame[n++] = '\n';
	return web_hub_put(f->hub, key[0] ? key : NULL, frame, n);
}

void web_feed_note(struct web_feed *f, double now_s, long long wall_ms)
{
	struct hub_stats st;
	web_hub_stats(f->hub, &st);
	char age[32], frame[512];
	if (f->last_msg_s > 0)
		snprintf(age, sizeof(age), "%.1f", now_s - f->last_msg_s);
	else
		snprintf(age, sizeof(age), "null");
	int n = snprintf(frame, sizeof(frame),
			 "event: web\ndata: {\"daemon_age_s\": %s, \"clients\": %d, "
			 "\"dropped\": %llu, \"frames\": %llu, \"bad\": %llu, \"wall_ms\": %lld}\n\n",
			 age, st.clients, (unsigned long long)st.dropped,
			 (unsigned long long)st.frames, f->bad, wall_ms);
	if (n > 0 && (size_t)n < sizeof(frame))
		web_hub_put(f->hub, NULL, frame, (size_t)n);
}
