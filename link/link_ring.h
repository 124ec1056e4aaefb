/*
 * link_ring.h - a fixed byte ring between a producer that must not block
 * (libusb transfer callbacks) and link_read().
 *
 * Problem: USB data arrives in callbacks whether or not the host has read
 * the previous bytes; the link must neither allocate nor block there.
 * Approach: a caller-provided buffer used as a circular queue; when full,
 * new bytes are dropped and counted (the drivers resynchronise and mark a
 * gap from their frame counters).
 * Limits: single thread; capacity fixed at init.
 */
#ifndef LINK_RING_H
#define LINK_RING_H

#include <stddef.h>
#include <stdint.h>

struct link_ring {
	uint8_t *buf;
	size_t cap;      /* bytes */
	size_t head;     /* index of the oldest byte */
	size_t len;      /* bytes held */
	uint64_t dropped; /* bytes refused because the ring was full */
};

/* Use buf[cap] (cap > 0) as an empty ring. */
void link_ring_init(struct link_ring *r, uint8_t *buf, size_t cap);
/* Append up to n bytes; returns how many were stored (the rest are
 * counted in dropped). Never blocks. */
size_t link_ring_put(struct link_ring *r, const uint8_t *b, size_t n);
/* Remove up to cap bytes into b, oldest first; returns the count. */
size_t link_ring_get(struct link_ring *r, uint8_t *b, size_t cap);

#endif
