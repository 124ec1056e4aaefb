/*
 * api.h - vagus-web's JSON endpoints: login, logout, who am I, control.
 *
 * Problem: the page must log in, learn its role and CSRF token, and send
 * control requests to vagusd, without ever reaching ZeroMQ itself, and a
 * hostile request must be refused before it reaches the daemon.
 * Approach: POST /api/login {"user","password"} -> session cookie
 * (HttpOnly; Secure; SameSite=Strict); POST /api/logout; GET /api/whoami ->
 * {"role","user","csrf","login"}; POST /api/ctl with a control request of
 * PROTOCOL.md ("Control channel"), Content-Type application/json and the
 * X-Vagus-CSRF header: the console role only (observer: 403), validated by
 * the protocol module's ctl_parse(), then sent on vagusd's control channel
 * (proto_ctl_request) and vagusd's reply returned as is.
 * Limits: bodies of at most WEB_BODY_MAX bytes (the caller enforces it).
 */
#ifndef WEB_API_H
#define WEB_API_H

#include "web.h"

#include <microhttpd.h>
#include <stddef.h>

/* Each returns the status it queued via *status. */
enum MHD_Result web_api_login(const struct web_ctx *w, struct MHD_Connection *c,
			      const char *body, size_t len, unsigned *status);
enum MHD_Result web_api_logout(const struct web_ctx *w, struct MHD_Connection *c,
			       unsigned *status);
enum MHD_Result web_api_whoami(const struct web_ctx *w, struct MHD_Connection *c,
			       unsigned *status);
enum MHD_Result web_api_ctl(const struct web_ctx *w, struct MHD_Connection *c,
			    const char *body, size_t len, unsigned *status);

/* The session cookie's name. */
#define WEB_COOKIE "vgsid"

#endif
