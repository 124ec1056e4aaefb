/*
 * web.h - what every part of vagus-web's HTTP side shares: the hub, the
 * logins, the daemon's control endpoint and the serving options.
 *
 * Problem: the request handlers (http.c routes, api.c, sse.c, reply.c)
 * need the same few objects without globals.
 * Approach: one struct built by main.c and handed to web_http_start().
 * Limits: read-only after start (the objects it points to lock themselves).
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include "auth.h"
#include "hub.h"

#define WEB_CTL_TIMEOUT_MS 2500 /* wait for vagusd's control reply */
#define WEB_BODY_MAX 4096       /* largest request body (CTL_REQ_MAX) */

struct web_ctx {
	struct web_hub *hub;
	struct web_auth *auth;
	const char *ctl_ep;      /* vagusd's control endpoint */
	const char *www_dir;     /* serve the page from here, NULL = built in */
	int tls;                 /* 1 = HTTPS */
	int check_host;          /* 1 = Host must name loopback (DNS rebinding) */
	int quiet;               /* 1 = no access log */
};

#endif
