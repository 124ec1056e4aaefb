/*
 * sse.c - the /events stream (see sse.h).
 */
#include "sse.h"

#include "reply.h"
#include "vg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSE_WAIT_MS 1000

struct sse_stream {
	struct web_hub *hub;
	struct hub_cursor cur;
	int sent_retry;
};

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_stream *s = cls;
	(void)pos;
	size_t n = 0;
	if (!s->sent_retry) {
		n = (size_t)snprintf(buf, max, "retry: %d\n\n", SSE_RETRY_MS);
		s->sent_retry = 1;
		return (ssize_t)n;
	}
	if (max < HUB_FRAME_MAX) /* no room for a whole frame (not seen: the
				  * connection memory holds a full block) */
		return MHD_CONTENT_READER_END_WITH_ERROR; /* the page reconnects */
	for (;;) { /* block: this connection has its own thread */
		ssize_t r = web_hub_read(s->hub, &s->cur, buf, max, SSE_WAIT_MS);
		if (r < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (r > 0)
			return r;
	}
}

static void sse_free(void *cls)
{
	struct sse_stream *s = cls;
	web_hub_leave(s->hub, &s->cur);
	free(s);
}

enum MHD_Result web_sse_start(const struct web_ctx *w, struct MHD_Connection *c)
{
	struct sse_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return MHD_NO;
	s->hub = w->hub;
	web_hub_join(w->hub, &s->cur);
	struct MHD_Response *r = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, SSE_BLOCK_BYTES, sse_read, s, sse_free);
	if (!r) {
		sse_free(s);
		return MHD_NO;
	}
	web_reply_headers(r);
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	enum MHD_Result q = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return q;
}
