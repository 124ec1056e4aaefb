/*
 * hub.c - shared SSE ring and latest-frame table (see hub.h).
 *
 * The ring is addressed by a 64-bit byte position that only grows; a frame
 * lives at pos % HUB_RING_BYTES and is still valid while pos >= end -
 * HUB_RING_BYTES, where end is the position after the newest frame. A frame
 * that would cross the end of the buffer starts at the next lap instead, so
 * every frame is one memcpy.
 */
#include "hub.h"

#include "vg_err.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hub_slot {
	uint64_t pos;  /* byte position of the frame */
	uint32_t len;
};

struct hub_key {
	char name[40];
	uint32_t len;
	char frame[HUB_FRAME_MAX];
};

struct web_hub {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
	char *ring;                    /* HUB_RING_BYTES */
	struct hub_slot slot[HUB_SLOTS];
	uint64_t end;                  /* byte position after the newest frame */
	uint64_t next_seq, oldest_seq; /* frames [oldest_seq, next_seq) are held */
	struct hub_key *keys;          /* HUB_NKEYS */
	int nkeys;
	struct hub_stats st;
};

struct web_hub *web_hub_new(int *err)
{
	struct web_hub *h = calloc(1, sizeof(*h));
	if (h) {
		h->ring = malloc(HUB_RING_BYTES);
		h->keys = calloc(HUB_NKEYS, sizeof(*h->keys));
	}
	if (!h || !h->ring || !h->keys) {
		if (h) {
			free(h->ring);
			free(h->keys);
		}
		free(h);
		if (err)
			*err = VG_ERR_NOMEM;
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cv, &ca);
	pthread_condattr_destroy(&ca);
	return h;
}

void web_hub_destroy(struct web_hub **hp)
{
	if (!hp || !*hp)
		return;
	struct web_hub *h = *hp;
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h->ring);
	free(h->keys);
	free(h);
	*hp = NULL;
}

static void keep_latest(struct web_hub *h, const char *key, const char *frame,
			size_t len)
{
	int i;
	for (i = 0; i < h->nkeys; i++)
		if (!strcmp(h->keys[i].name, key))
			break;
	if (i == h->nkeys) {
		if (h->nkeys >= HUB_NKEYS)
			return; /* table full: the ring still carries it */
		h->nkeys++;
		snprintf(h->keys[i].name, sizeof(h->keys[i].name), "%s", key);
	}
	memcpy(h->keys[i].frame, frame, len);
	h->keys[i].len = (uint32_t)len;
}

int web_hub_put(struct web_hub *h, const char *key, const char *frame, size_t len)
{
	if (len == 0 || len > HUB_FRAME_MAX)
		return VG_ERR_RANGE;
	pthread_mutex_lock(&h->mu);
	uint64_t pos = h->end;
	uint64_t off = pos % HUB_RING_BYTES;
	if (off + len > HUB_RING_BYTES)
		pos += HUB_RING_BYTES - off; /* start the next lap */
	h->end = pos + len;
	/* forget frames the new one overwrites, and slots it reuses */
	while (h->oldest_seq < h->next_seq &&
	       (h->slot[h->oldest_seq % HUB_SLOTS].pos + HUB_RING_BYTES < h->end ||
		h->next_seq - h->oldest_seq >= HUB_SLOTS))
		h->oldest_seq++;
	memcpy(h->ring + pos % HUB_RING_BYTES, frame, len);
	struct hub_slot *s = &h->slot[h->next_seq % HUB_SLOTS];
	s->pos = pos;
	s->len = (uint32_t)len;
	h->next_seq++;
	h->st.frames++;
	if (key && key[0])
		keep_latest(h, key, frame, len);
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return 0;
}

void web_hub_join(struct web_hub *h, struct hub_cursor *c)
{
	pthread_mutex_lock(&h->mu);
	c->next = h->next_seq;
	c->snap = 0;
	c->dropped = 0;
	c->joined = 1;
	h->st.clients++;
	pthread_mutex_unlock(&h->mu);
}

void web_hub_leave(struct web_hub *h, struct hub_cursor *c)
{
	if (!c->joined)
		return;
	pthread_mutex_lock(&h->mu);
	h->st.clients--;
	c->joined = 0;
	pthread_mutex_unlock(&h->mu);
}

/* Copy what is available; called with the lock held. */
static size_t copy_out(struct web_hub *h, struct hub_cursor *c, char *buf, size_t cap)
{
	size_t n = 0;
	while (c->snap >= 0 && c->snap < h->nkeys) {
		const struct hub_key *k = &h->keys[c->snap];
		if (n + k->len > cap)
			return n;
		memcpy(buf + n, k->frame, k->len);
		n += k->len;
		c->snap++;
	}
	c->snap = -1;
	if (c->next < h->oldest_seq) { /* fell a whole ring behind: drop oldest */
		c->dropped += h->oldest_seq - c->next;
		h->st.dropped += h->oldest_seq - c->next;
		h->st.lagged++;
		c->next = h->oldest_seq;
	}
	while (c->next < h->next_seq) {
		const struct hub_slot *s = &h->slot[c->next % HUB_SLOTS];
		if (n + s->len > cap)
			break;
		memcpy(buf + n, h->ring + s->pos % HUB_RING_BYTES, s->len);
		n += s->len;
		c->next++;
	}
	return n;
}

ssize_t web_hub_read(struct web_hub *h, struct hub_cursor *c, char *buf,
		     size_t cap, int wait_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->mu);
	size_t n = 0;
	for (;;) {
		if (h->stopping) {
			pthread_mutex_unlock(&h->mu);
			return VG_ERR_EOF;
		}
		n = copy_out(h, c, buf, cap);
		if (n > 0)
			break;
		if (pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&h->mu);
	return (ssize_t)n;
}

void web_hub_stop(struct web_hub *h)
{
	pthread_mutex_lock(&h->mu);
	h->stopping = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

void web_hub_stats(struct web_hub *h, struct hub_stats *s)
{
	pthread_mutex_lock(&h->mu);
	*s = h->st;
	pthread_mutex_unlock(&h->mu);
}
