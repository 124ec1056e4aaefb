/*
 * security.c - CURVE policy and the ZAP handler (see security.h).
 * Reference: ZeroMQ RFC 27 (ZAP), RFC 26 (CurveZMQ).
 */
#include "security.h"
#include "keys.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

/* refused handshakes: the first is logged, then one summary a minute */
#define SEC_LOG_PERIOD_NS (60 * 1000000000LL)
enum { SEC_WHY_UNKNOWN, SEC_WHY_ROLE, SEC_WHY_OTHER, SEC_NWHY };

struct sec {
	void *zap;
	char public_z85[PROTO_KEY_Z85], secret_z85[PROTO_KEY_Z85];
	struct config_client clients[CONFIG_MAX_CLIENTS];
	int nclients;
	uint64_t denied;
	int64_t logged_ns;             /* last refusal line, 0 = none yet */
	uint64_t pending[SEC_NWHY];    /* refusals since then, by reason */
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One line for the refusals not logged yet, if any. */
static void log_pending(struct sec *s, int64_t now_ns)
{
	static const char *const why[SEC_NWHY] = { "unknown key",
		"role may not use this endpoint", "other" };
	char text[256];
	size_t len = 0;
	uint64_t total = 0;
	for (int i = 0; i < SEC_NWHY; i++) {
		if (!s->pending[i])
			continue;
		int n = snprintf(text + len, sizeof(text) - len, "%s%llu %s",
				 total ? ", " : "",
				 (unsigned long long)s->pending[i], why[i]);
		if (n > 0 && (size_t)n < sizeof(text) - len)
			len += (size_t)n;
		total += s->pending[i];
		s->pending[i] = 0;
	}
	if (!total)
		return;
	vg_warnx("refused %llu more client handshake(s) in the last %lld s: %s",
		 (unsigned long long)total,
		 (long long)((now_ns - s->logged_ns) / 1000000000LL), text);
	s->logged_ns = now_ns;
}

/* A refused handshake: the first one in full, then counted (an attacker
 * retrying must not fill the disk with log lines). */
static void log_refusal(struct sec *s, const char *mech, const char *domain,
			const char *text, int why)
{
	int64_t now = mono_ns();
	s->denied++;
	if (!s->logged_ns) {
		vg_warnx("refused a %s client on %s: %s (further refusals are "
			 "summarised once a minute)", mech, domain, text);
		s->logged_ns = now;
		return;
	}
	s->pending[why]++;
	if (now - s->logged_ns >= SEC_LOG_PERIOD_NS)
		log_pending(s, now);
}

int sec_endpoint_is_abstract(const char *ep)
{
	return !strncmp(ep, "ipc://@", 7);
}

int sec_endpoint_is_local(const char *ep)
{
	/* an abstract-namespace socket has no file, so no mode and no owner:
	 * every local user can connect to it (issue 15) */
	if (sec_endpoint_is_abstract(ep))
		return 0;
	if (!strncmp(ep, "ipc://", 6) || !strncmp(ep, "inproc://", 9))
		return 1;
	if (strncmp(ep, "tcp://", 6))
		return 0;
	const char *h = ep + 6;
	return !strncmp(h, "127.", 4) || !strncmp(h, "localhost:", 10) ||
	       !strncmp(h, "[::1]:", 6);
}

int sec_check_policy(const char *const *eps, int n, int have_key, int insecure)
{
	for (int i = 0; i < n; i++) {
		if (!eps[i] || sec_endpoint_is_local(eps[i]) || have_key)
			continue;
		int abstract = sec_endpoint_is_abstract(eps[i]);
		if (insecure) {
			vg_warnx("%s is reachable from %s WITHOUT encryption or "
				 "authentication (--insecure)", eps[i],
				 abstract ? "every local user" : "other machines");
			continue;
		}
		if (abstract) {
			vg_err("refusing to bind %s without CURVE keys: an abstract "
			       "ipc socket has no file permissions, so every local user "
			       "could read the health data and control the session. Use "
			       "ipc:///PATH (mode 0660), configure [security] keys, or "
			       "pass --insecure", eps[i]);
			return VG_ERR_SECURITY;
		}
		vg_err("refusing to bind %s without CURVE keys: health data must not "
		       "leave this machine in the clear. Configure [security] "
		       "secret_key_file and [client NAME] keys (vagusctl keygen), or "
		       "pass --insecure", eps[i]);
		return VG_ERR_SECURITY;
	}
	return VG_OK;
}

void sec_after_bind(const char *ep)
{
	if (strncmp(ep, "ipc://", 6) != 0 || sec_endpoint_is_abstract(ep))
		return; /* an abstract socket has no file to chmod */
	if (chmod(ep + 6, 0660) != 0)
		vg_warn("chmod 0660 %s", ep + 6);
}

struct sec *sec_new(void *zctx, const char *secret_key_file,
		    const struct config_client *clients, int nclients, int *err)
{
	int e = VG_ERR_NOMEM;
	struct sec *s = calloc(1, sizeof(*s));
	char why[300];
	if (!s)
		goto fail;
	e = proto_key_load(secret_key_file, s->public_z85, s->secret_z85, why,
			   sizeof(why));
	if (e < 0) {
		vg_err("%s", why);
		goto fail;
	}
	if (nclients > CONFIG_MAX_CLIENTS)
		nclients = CONFIG_MAX_CLIENTS;
	memcpy(s->clients, clients, sizeof(*clients) * (size_t)nclients);
	s->nclients = nclients;
	e = VG_ERR_IO;
	s->zap = zmq_socket(zctx, ZMQ_REP);
	if (!s->zap || zmq_bind(s->zap, "inproc://zeromq.zap.01") != 0) {
		vg_err("cannot start the ZAP handler: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	vg_info("CURVE on; server public key %s; %d allowed client(s)", s->public_z85,
		nclients);
	return s;
fail:
	sec_destroy(&s);
	if (err)
		*err = e;
	return NULL;
}

void sec_destroy(struct sec **sp)
{
	if (!sp || !*sp)
		return;
	log_pending(*sp, mono_ns());
	if ((*sp)->zap)
		zmq_close((*sp)->zap);
	memset((*sp)->secret_z85, 0, sizeof((*sp)->secret_z85));
	free(*sp);
	*sp = NULL;
}

int sec_apply(const struct sec *s, void *sock, const char *domain)
{
	if (!s)
		return VG_OK;
	int one = 1;
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s->secret_z85, 40) ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain))) {
		vg_err("cannot enable CURVE: %s", zmq_strerror(zmq_errno()));
		return VG_ERR_IO;
	}
	return VG_OK;
}

const char *sec_public_key(const struct sec *s)
{
	return s ? s->public_z85 : "";
}

uint64_t sec_denied(const struct sec *s)
{
	return s ? s->denied : 0;
}

/* The role of a CURVE client key, or NULL. */
static const char *role_of(const struct sec *s, const uint8_t *key32)
{
	char z85[PROTO_KEY_Z85];
	if (!zmq_z85_encode(z85, key32, 32))
		return NULL;
	for (int i = 0; i < s->nclients; i++)
		if (!strcmp(s->clients[i].public_key, z85))
			return s->clients[i].role;
	return NULL;
}

#define ZAP_FRAMES 7

static void zap_handle_one(struct sec *s)
{
	zmq_msg_t f[ZAP_FRAMES + 1];
	int n = 0, more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&m);
			if (n == 0)
				return;
			break;
		}
		more = zmq_msg_more(&m);
		if (n <= ZAP_FRAMES)
			f[n++] = m;
		else
			zmq_msg_close(&m);
	}
	/* version, request id, domain, address, identity, mechanism, credentials */
	const char *status = "400", *text = "denied", *user = "";
	int why = SEC_WHY_OTHER;
	char domain[16] = "", mech[16] = "";
	if (n >= 6) {
		size_t dl = zmq_msg_size(&f[2]), ml = zmq_msg_size(&f[5]);
		if (dl < sizeof(domain))
			memcpy(domain, zmq_msg_data(&f[2]), dl);
		if (ml < sizeof(mech))
			memcpy(mech, zmq_msg_data(&f[5]), ml);
	}
	if (n == 7 && !strcmp(mech, "CURVE") && zmq_msg_size(&f[6]) == 32) {
		const char *role = role_of(s, zmq_msg_data(&f[6]));
		if (role && (!strcmp(domain, "pub") ||
			     (!strcmp(domain, "ctl") && !strcmp(role, "console")))) {
			status = "200";
			text = "OK";
			user = role;
		} else {
			text = role ? "role may not use this endpoint" : "unknown key";
			why = role ? SEC_WHY_ROLE : SEC_WHY_UNKNOWN;
		}
	}
	if (strcmp(status, "200"))
		log_refusal(s, mech[0] ? mech : "?", domain[0] ? domain : "?", text, why);
	zmq_send(s->zap, "1.0", 3, ZMQ_SNDMORE);
	if (n >= 2)
		zmq_send(s->zap, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
	else
		zmq_send(s->zap, "", 0, ZMQ_SNDMORE);
	zmq_send(s->zap, status, 3, ZMQ_SNDMORE);
	zmq_send(s->zap, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(s->zap, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(s->zap, "", 0, 0);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
}

static int zap_fill(void *ctx, zmq_pollitem_t *items, int max)
{
	struct sec *s = ctx;
	if (max < 1)
		return 0;
	items[0].socket = s->zap;
	items[0].fd = -1;
	items[0].events = ZMQ_POLLIN;
	return 1;
}

static void zap_ready(void *ctx, zmq_pollitem_t *items, int n)
{
	(void)items;
	(void)n;
	for (int i = 0; i < 64; i++) {
		int ev = 0;
		size_t len = sizeof(ev);
		struct sec *s = ctx;
		zmq_getsockopt(s->zap, ZMQ_EVENTS, &ev, &len);
		if (!(ev & ZMQ_POLLIN))
			break;
		zap_handle_one(s);
	}
}

struct loop_poller sec_poller(struct sec *s)
{
	struct loop_poller p = { s, zap_fill, zap_ready };
	return p;
}
