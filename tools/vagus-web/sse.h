/*
 * sse.h - the live stream to a browser as Server-Sent Events.
 *
 * Problem: a browser must get every message of vagusd as it comes, over
 * plain HTTP(S) that survives proxies and reconnects by itself.
 * Approach: GET /events answers text/event-stream; its content reader (one
 * MHD thread per connection) blocks on the hub (hub.h) and copies whole
 * frames into MHD's buffer. Each frame is `data: <vagusd's JSON>\n\n`, or
 * `event: web` for vagus-web's own 1 Hz note (feed.h). EventSource in the
 * page reconnects after `retry:` ms when the stream ends.
 * References: WHATWG HTML "Server-sent events".
 * Limits: one thread per stream (MHD_USE_THREAD_PER_CONNECTION); the
 * connection limit of main.c bounds them.
 */
#ifndef WEB_SSE_H
#define WEB_SSE_H

#include "web.h"

#include <microhttpd.h>

#define SSE_BLOCK_BYTES (32 * 1024) /* MHD buffer per stream */
#define SSE_RETRY_MS 1500           /* browser reconnect delay */

enum MHD_Result web_sse_start(const struct web_ctx *w, struct MHD_Connection *c);

#endif
