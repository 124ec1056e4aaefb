/*
 * ctlserver.h - the daemon's control channel (ZeroMQ ROUTER, JSON requests).
 *
 * Problem: consoles and scripts steer sessions (start/stop, marks, holds,
 * calibration, pacer); every request may be hostile or broken and must get
 * a reply while the daemon carries on.
 * Approach: a ROUTER socket accepts REQ (and DEALER) clients; each request
 * is validated by ctl_parse() (protocol/control.c) and handed to the host's
 * handler, which fills a cJSON reply object; errors become
 * {"ok": false, "error": "..."}. Every message gets exactly one reply, as
 * REQ needs: a body over CTL_REQ_MAX bytes, or a request of more than one
 * body frame, gets an error reply (extra frames are read and dropped).
 * Limits: 64 requests per wake-up, so a flood cannot starve the sources; a
 * single frame over CTL_FRAME_MAX makes libzmq drop the peer unread (the
 * memory bound: such a client gets no reply).
 */
#ifndef CTLSERVER_H
#define CTLSERVER_H

#include "control.h"
#include "loop.h"

#include <stddef.h>

#define CTL_FRAME_MAX (4 << 20) /* bytes */

struct ctl_server;
struct cJSON;

/* Fill reply (an object; "ok" is added by the server when absent) or return
 * a negative VG_ERR_* with a message in err. */
typedef int (*ctl_handler_fn)(void *ctx, const struct ctl_request *req,
			      struct cJSON *reply, char *err, size_t errcap);

struct ctl_server *ctl_server_new(void *zctx, const char *endpoint,
				  ctl_handler_fn fn, void *ctx, int *err);
void ctl_server_destroy(struct ctl_server **s);
struct loop_poller ctl_server_poller(struct ctl_server *s);
/* The socket, for security options before use. */
void *ctl_server_socket(struct ctl_server *s);
uint64_t ctl_server_requests(const struct ctl_server *s);
uint64_t ctl_server_errors(const struct ctl_server *s);
/* The framing rule, apart from ZeroMQ (for tests and fuzzing): given the
 * sizes of the first nstored frames of a message of ntotal frames, sets
 * *nenv to the envelope length (identity frames up to and including the
 * first empty delimiter; just the identity when there is none) and returns
 * 0 when exactly one body frame follows it, else VG_ERR_PARSE. */
int ctl_frames_split(const size_t *sizes, int nstored, int ntotal, int *nenv);

#endif
