/*
 * http.c - the libmicrohttpd server and the routes (see http.h).
 */
#include "http.h"

#include "api.h"
#include "assets.h"
#include "reply.h"
#include "sse.h"
#include "vg_err.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_IDLE_TIMEOUT_S 60
#define HTTP_PER_IP_MAX 32
#define HTTP_CONN_MEMORY (128 * 1024) /* per connection: headers + the SSE block */
#define HTTP_ASSET_MAX (1 << 20) /* --www files, bytes */
#define HTTP_UPLOAD_DROP (256 * 1024) /* body bytes after which the connection is closed */

struct web_http {
	struct MHD_Daemon *d;
	struct web_ctx w;
};

/* Per request: the body collected so far. */
struct http_req {
	size_t n;
	size_t seen;    /* body bytes received, kept or not */
	int too_big;
	char body[WEB_BODY_MAX + 1];
};

static const struct web_asset *asset_find(const char *url)
{
	for (size_t i = 0; i < web_assets_n; i++)
		if (!strcmp(web_assets[i].path, url))
			return &web_assets[i];
	return NULL;
}

static int host_ok(const struct web_ctx *w, struct MHD_Connection *c)
{
	if (!w->check_host)
		return 1;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	if (!h)
		return 0;
	if (!strncmp(h, "localhost", 9) && (h[9] == '\0' || h[9] == ':'))
		return 1;
	if (!strncmp(h, "[::1]", 5) && (h[5] == '\0' || h[5] == ':'))
		return 1;
	if (!strncmp(h, "127.", 4)) {
		for (const char *p = h + 4; *p && *p != ':'; p++)
			if ((*p < '0' || *p > '9') && *p != '.')
				return 0;
		return 1;
	}
	return 0;
}

static enum MHD_Result serve_asset(const struct web_ctx *w, struct MHD_Connection *c,
				   const struct web_asset *a, unsigned *status)
{
	*status = MHD_HTTP_OK;
	if (!w->www_dir)
		return web_reply(c, *status, a->type, a->data, a->len, 1, NULL);
	char path[4096];
	const char *name = strcmp(a->path, "/") ? a->path : "/index.html";
	snprintf(path, sizeof(path), "%s%s", w->www_dir, name);
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(HTTP_ASSET_MAX) : NULL;
	size_t n = buf ? fread(buf, 1, HTTP_ASSET_MAX, f) : 0;
	if (f)
		fclose(f);
	enum MHD_Result q;
	if (!buf || n == 0 || n == HTTP_ASSET_MAX) {
		*status = MHD_HTTP_NOT_FOUND;
		q = web_reply_error(c, *status, "no such file in --www");
	} else {
		q = web_reply(c, *status, a->type, buf, n, 0, NULL);
	}
	free(buf);
	return q;
}

static enum MHD_Result route(struct web_http *h, struct MHD_Connection *c,
			     const char *url, const char *method, struct http_req *rq,
			     const char **name, unsigned *status)
{
	const struct web_ctx *w = &h->w;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int post = !strcmp(method, "POST");
	const struct web_asset *a = get ? asset_find(url) : NULL;
	*name = a ? url : "-";
	if (!host_ok(w, c)) {
		*status = MHD_HTTP_MISDIRECTED_REQUEST;
		return web_reply_error(c, *status, "this server answers to loopback names only");
	}
	if (rq->too_big) {
		*status = MHD_HTTP_CONTENT_TOO_LARGE;
		return web_reply_error(c, *status, "request body too large");
	}
	if (a)
		return serve_asset(w, c, a, status);
	if (!strcmp(url, "/favicon.ico")) {
		*name = url;
		*status = MHD_HTTP_NO_CONTENT;
		return web_reply(c, *status, NULL, "", 0, 1, NULL);
	}
	if (!strcmp(url, "/api/login") && post) {
		*name = url;
		return web_api_login(w, c, rq->body, rq->n, status);
	}
	if (!strcmp(url, "/api/logout") && post) {
		*name = url;
		return web_api_logout(w, c, status);
	}
	if (!strcmp(url, "/api/whoami") && get) {
		*name = url;
		return web_api_whoami(w, c, status);
	}
	if (!strcmp(url, "/api/ctl") && post) {
		*name = url;
		return web_api_ctl(w, c, rq->body, rq->n, status);
	}
	if (!strcmp(url, "/events") && get) {
		*name = url;
		const char *ck = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE);
		if (web_auth_check(w->auth, ck, NULL, NULL, 0) == AUTH_NONE) {
			*status = MHD_HTTP_UNAUTHORIZED;
			return web_reply_error(c, *status, "log in first");
		}
		*status = MHD_HTTP_OK;
		return web_sse_start(w, c);
	}
	*status = MHD_HTTP_NOT_FOUND;
	return web_reply_error(c, *status, "not found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	struct web_http *h = cls;
	struct http_req *rq = *con_cls;
	(void)version;
	if (!rq) { /* first call: headers only */
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) { /* a piece of the body */
		rq->seen += *upload_size;
		if (rq->seen > HTTP_UPLOAD_DROP)
			return MHD_NO; /* not a browser of ours: close */
		if (rq->n + *upload_size > WEB_BODY_MAX) {
			rq->too_big = 1;
		} else {
			memcpy(rq->body + rq->n, upload, *upload_size);
			rq->n += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	rq->body[rq->n] = '\0';
	const char *name = "-";
	unsigned status = 0;
	enum MHD_Result q = route(h, c, url ? url : "", method ? method : "", rq, &name,
				  &status);
	if (!h->w.quiet)
		web_access_log(c, method, name, status);
	return q;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("vagus-web: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

struct web_http *web_http_start(const struct web_ctx *w, const struct web_http_opts *o,
				int *err)
{
	struct web_http *h = calloc(1, sizeof(*h));
	if (!h) {
		*err = VG_ERR_NOMEM;
		return NULL;
	}
	h->w = *w;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ERROR_LOG;
	if (o->addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (o->cert_pem)
		flags |= MHD_USE_TLS;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, o->addr,
		MHD_OPTION_CONNECTION_LIMIT, o->max_clients,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_PER_IP_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
		o->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, o->cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
		MHD_OPTION_END);
	if (!h->d) {
		free(h);
		*err = VG_ERR_IO;
		return NULL;
	}
	return h;
}

void web_http_stop(struct web_http **hp)
{
	if (!hp || !*hp)
		return;
	MHD_stop_daemon((*hp)->d);
	free(*hp);
	*hp = NULL;
}
