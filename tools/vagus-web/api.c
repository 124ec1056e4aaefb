/*
 * api.c - login, logout, whoami and the control relay (see api.h).
 */
#include "api.h"

#include "client.h"
#include "control.h"
#include "proto.h"
#include "reply.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOGIN_FAIL_DELAY_US 500000 /* after a wrong password */

static const char *cookie_of(struct MHD_Connection *c)
{
	return MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE);
}

enum MHD_Result web_api_login(const struct web_ctx *w, struct MHD_Connection *c,
			      const char *body, size_t len, unsigned *status)
{
	if (!web_auth_required(w->auth)) {
		*status = MHD_HTTP_NOT_FOUND;
		return web_reply_error(c, *status, "no logins on this server");
	}
	cJSON *o = cJSON_ParseWithLength(body, len);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "user");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "password");
	char sid[AUTH_TOKEN_HEX], csrf[AUTH_TOKEN_HEX];
	enum auth_role r = AUTH_NONE;
	if (cJSON_IsString(u) && cJSON_IsString(p))
		r = web_auth_login(w->auth, u->valuestring, p->valuestring, sid, csrf);
	if (cJSON_IsString(p))
		sodium_memzero(p->valuestring, strlen(p->valuestring));
	cJSON_Delete(o);
	if (r == AUTH_NONE) {
		usleep(LOGIN_FAIL_DELAY_US);
		*status = MHD_HTTP_UNAUTHORIZED;
		return web_reply_error(c, *status, "wrong user or password");
	}
	char cookie[256], reply[256];
	snprintf(cookie, sizeof(cookie),
		 "%s=%s; Path=/; Max-Age=%d; HttpOnly; Secure; SameSite=Strict",
		 WEB_COOKIE, sid, AUTH_SESSION_S);
	int n = snprintf(reply, sizeof(reply), "{\"ok\": true, \"role\": \"%s\", \"csrf\": \"%s\"}",
			 web_auth_role_name(r), csrf);
	sodium_memzero(sid, sizeof(sid));
	*status = MHD_HTTP_OK;
	return web_reply(c, *status, "application/json", reply, (size_t)n, 0, cookie);
}

enum MHD_Result web_api_logout(const struct web_ctx *w, struct MHD_Connection *c,
			       unsigned *status)
{
	web_auth_logout(w->auth, cookie_of(c));
	char cookie[128];
	snprintf(cookie, sizeof(cookie),
		 "%s=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict", WEB_COOKIE);
	*status = MHD_HTTP_OK;
	static const char ok[] = "{\"ok\": true}";
	return web_reply(c, *status, "application/json", ok, sizeof(ok) - 1, 1, cookie);
}

enum MHD_Result web_api_whoami(const struct web_ctx *w, struct MHD_Connection *c,
			       unsigned *status)
{
	char csrf[AUTH_TOKEN_HEX] = "", user[AUTH_NAME_MAX] = "", esc[2 * AUTH_NAME_MAX];
	enum auth_role r = web_auth_check(w->auth, cookie_of(c), csrf, user, sizeof(user));
	char reply[512];
	int n = snprintf(reply, sizeof(reply),
			 "{\"ok\": true, \"role\": \"%s\", \"user\": \"%s\", \"csrf\": \"%s\", "
			 "\"login\": %s, \"ctl\": \"%s\"}",
			 web_auth_role_name(r), proto_json_escape(user, esc, sizeof(esc)),
			 r == AUTH_NONE ? "" : csrf,
			 web_auth_required(w->auth) ? "true" : "false",
			 r == AUTH_CONSOLE ? "allowed" : "denied");
	*status = MHD_HTTP_OK;
	return web_reply(c, *status, "application/json", reply, (size_t)n, 0, NULL);
}

enum MHD_Result web_api_ctl(const struct web_ctx *w, struct MHD_Connection *c,
			    const char *body, size_t len, unsigned *status)
{
	const char *cookie = cookie_of(c);
	enum auth_role r = web_auth_check(w->auth, cookie, NULL, NULL, 0);
	if (r == AUTH_NONE) {
		*status = MHD_HTTP_UNAUTHORIZED;
		return web_reply_error(c, *status, "log in first");
	}
	if (r != AUTH_CONSOLE) {
		*status = MHD_HTTP_FORBIDDEN;
		return web_reply_error(c, *status, "the observer role cannot control vagusd");
	}
	const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vagus-CSRF");
	if (!web_auth_csrf_ok(w->auth, cookie, token)) {
		*status = MHD_HTTP_FORBIDDEN;
		return web_reply_error(c, *status, "missing or wrong CSRF token");
	}
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (!type || strncmp(type, "application/json", 16)) {
		*status = MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
		return web_reply_error(c, *status, "control requests are application/json");
	}
	static __thread struct ctl_request req;
	char err[256];
	if (ctl_parse(body, len, &req, err, sizeof(err)) < 0) {
		*status = MHD_HTTP_BAD_REQUEST;
		return web_reply_error(c, *status, err);
	}
	static __thread char creq[WEB_BODY_MAX + 1], reply[PROTO_MSG_MAX];
	memcpy(creq, body, len);
	creq[len] = '\0';
	int n = proto_ctl_request(w->ctl_ep, creq, reply, sizeof(reply), WEB_CTL_TIMEOUT_MS);
	if (n < 0) {
		*status = MHD_HTTP_GATEWAY_TIMEOUT;
		snprintf(err, sizeof(err), "vagusd did not answer (%s)", vg_strerror(n));
		return web_reply_error(c, *status, err);
	}
	*status = MHD_HTTP_OK;
	return web_reply(c, *status, "application/json", reply, (size_t)n, 0, NULL);
}
