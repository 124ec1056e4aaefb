/*
 * feed.h - from vagusd's messages to Server-Sent Event frames in the hub.
 *
 * Problem: each message of vagusd must reach the browsers exactly as
 * published (one schema: protocol/PROTOCOL.md is what the page reads), and
 * a screen that connects late must see the latest of everything at once.
 * Approach: every message is checked with the protocol module's decoder
 * (proto_decode: a JSON object with the header; the topic's fields typed as
 * in schema.c) and dropped (and counted) if it is not; its JSON is then
 * framed as `id: WALL_MS\ndata: JSON\n\n` (any CR/LF made a space, though vagusd never
 * sends them) and put in the hub under a latest-key: the topic, plus the
 * window for `hrv`, the channel for `emg`, the kind for session, hold,
 * pacer and profile events. Once a second web_feed_note() adds vagus-web's
 * own `event: web` frame: {"daemon_age_s": s since vagusd's last message
 * (null = none yet), "clients", "dropped", "frames", "bad", "wall_ms"}: the
 * page says "daemon silent" from it, and "server unreachable" when even
 * these stop.
 * Limits: messages over HUB_FRAME_MAX - 48 bytes are dropped (counted).
 */
#ifndef WEB_FEED_H
#define WEB_FEED_H

#include "hub.h"

#include <stddef.h>

struct web_feed {
	struct web_hub *hub;
	unsigned long long bad;  /* messages refused (not ours, too big) */
	double last_msg_s;       /* monotonic time of vagusd's last message, 0 = never */
};

/* One message as received (the JSON frame) at now_s (monotonic) and
 * wall_ms (wall clock, ms since the epoch: sent as the SSE `id:`, so the
 * page can tell vagus-web's part of the delay from vagusd's). 0 or VG_ERR_*. */
int web_feed_msg(struct web_feed *f, const char *json, size_t len, double now_s,
		 long long wall_ms);
/* The 1 Hz `web` note. */
void web_feed_note(struct web_feed *f, double now_s, long long wall_ms);

#endif
