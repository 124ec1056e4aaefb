/*
 * hub.h - vagus-web's fan-out: one subscriber to vagusd, any number of
 * browsers, bounded memory whatever they do.
 *
 * Problem: every browser wants every message, some browsers stall (a tablet
 * that went to sleep, a phone on bad Wi-Fi), and vagusd must not see more
 * than one subscriber however many screens are open. A queue per browser
 * would grow without bound behind a stalled one.
 * Approach: the ZeroMQ thread writes each message once, already framed as a
 * Server-Sent Event, into one shared byte ring (positions grow as 64-bit
 * byte offsets; a frame never straddles the end). Each browser is only a
 * cursor (a sequence number). A browser that falls a whole ring behind skips
 * to the oldest frame still held: the frames it missed are dropped and
 * counted (per client and in total), never queued. A second table keeps the
 * latest frame per key (status, guide, resp, each HRV window, each EMG
 * channel, the last session events), sent first to a browser that connects,
 * so a new screen is complete at once. Memory: HUB_RING_BYTES + HUB_NKEYS
 * frames, fixed at hub_new(); no allocation per message.
 * Limits: frames larger than HUB_FRAME_MAX are refused (vagusd's messages
 * are at most PROTO_MSG_MAX). Readers block on one condition variable.
 */
#ifndef WEB_HUB_H
#define WEB_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HUB_RING_BYTES (2u << 20) /* shared ring, bytes */
#define HUB_SLOTS 8192            /* frames the ring can index */
#define HUB_FRAME_MAX 12288       /* one SSE frame, bytes */
#define HUB_NKEYS 48              /* latest-frame table entries */

struct web_hub;

/* What a browser's stream has read so far. Zero it, then web_hub_join(). */
struct hub_cursor {
	uint64_t next;     /* next ring sequence number to send */
	int snap;          /* next latest-table entry to send; -1 = done */
	uint64_t dropped;  /* frames this client missed (fell behind) */
	int joined;
};

struct hub_stats {
	int clients;             /* joined cursors */
	uint64_t frames;         /* frames published */
	uint64_t dropped;        /* frames skipped by slow clients, total */
	uint64_t lagged;         /* times a client fell a ring behind */
};

struct web_hub *web_hub_new(int *err);
void web_hub_destroy(struct web_hub **h);

/* Publish one frame (already SSE-formatted, len bytes); key != NULL also
 * keeps it as the latest of that key. 0 or VG_ERR_RANGE (too large). */
int web_hub_put(struct web_hub *h, const char *key, const char *frame, size_t len);

/* Start a client: it will first receive the latest-table frames. */
void web_hub_join(struct web_hub *h, struct hub_cursor *c);
void web_hub_leave(struct web_hub *h, struct hub_cursor *c);

/* Copy whole frames for this client into buf (at most cap bytes, cap >=
 * HUB_FRAME_MAX), waiting up to wait_ms for one. Returns the byte count,
 * 0 when nothing came in time, VG_ERR_EOF once web_hub_stop() was called. */
ssize_t web_hub_read(struct web_hub *h, struct hub_cursor *c, char *buf,
		     size_t cap, int wait_ms);

/* Wake every reader and make them end (shutdown). */
void web_hub_stop(struct web_hub *h);
void web_hub_stats(struct web_hub *h, struct hub_stats *s);

#endif
