/*
 * link_ring.c - fixed byte ring (see link_ring.h).
 *
 * Problem: see link_ring.h. Approach: at most two memcpy per call (the
 * part up to the end of the buffer, then the wrapped part).
 * Limits: none beyond the fixed capacity.
 */
#include "link_ring.h"

#include <string.h>

void link_ring_init(struct link_ring *r, uint8_t *buf, size_t cap)
{
	r->buf = buf;
	r->cap = cap;
	r->head = 0;
	r->len = 0;
	r->dropped = 0;
}

size_t link_ring_put(struct link_ring *r, const uint8_t *b, size_t n)
{
	size_t room = r->cap - r->len;
	if (n > room) {
		r->dropped += n - room;
		n = room;
	}
	size_t tail = (r->head + r->len) % r->cap;
	size_t first = r->cap - tail < n ? r->cap - tail : n;
	memcpy(r->buf + tail, b, first);
	memcpy(r->buf, b + first, n - first);
	r->len += n;
	return n;
}

size_t link_ring_get(struct link_ring *r, uint8_t *b, size_t cap)
{
	size_t n = r->len < cap ? r->len : cap;
	size_t first = r->cap - r->head < n ? r->cap - r->head : n;
	memcpy(b, r->buf + r->head, first);
	memcpy(b + first, r->buf, n - first);
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	return n;
}
