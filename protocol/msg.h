/*
 * msg.h - a union big enough for any message of the schema, for tools that
 * decode whatever arrives (proto_decode(..., &m, sizeof(m))).
 */
#ifndef PROTO_MSG_H
#define PROTO_MSG_H

#include "guide.h"
#include "pipeline.h"
#include "proto.h"

union proto_any {
	struct pl_beat beat;
	struct pl_hrv hrv;
	struct pl_emg emg;
	struct proto_status status;
	struct proto_event event;
	struct guide_msg guide;
	struct guide_release release;
	struct guide_hold_long hold_long;
	struct guide_mark_response mark_response;
};

#endif
