/*
 * http.h - vagus-web's HTTP(S) server (GNU libmicrohttpd).
 *
 * Problem: serve the page, the live stream and the JSON API to a few
 * tablets and phones, over TLS when off loopback, with every request
 * treated as hostile input.
 * Approach: libmicrohttpd, chosen over libwebsockets because it is small,
 * packaged in Debian (libmicrohttpd-dev), does TLS itself through GnuTLS
 * (MHD_USE_TLS with the certificate and key in memory), and streams
 * Server-Sent Events with a plain content-reader callback (SSE covers the
 * one-way live data; control goes up as ordinary POSTs, so no WebSocket is
 * needed). One thread per connection (the SSE reader blocks on the hub),
 * a connection limit, a per-IP limit and an idle timeout; bodies over
 * WEB_BODY_MAX are refused (413) without being kept. Routes: / and the
 * page's files, /events (sse.h), /api/... (api.h). With logins, everything
 * but the page's files and /api/login needs a session. Without logins on
 * loopback, the Host header must name loopback (no DNS rebinding).
 * References: GNU libmicrohttpd manual 0.9.75.
 * Limits: HTTP/1.1 only: a browser opens at most 6 streams per host, so
 * more than 6 tabs of one browser on one server wait for a free slot.
 */
#ifndef WEB_HTTP_H
#define WEB_HTTP_H

#include "web.h"

#include <sys/socket.h>

struct web_http;

struct web_http_opts {
	const struct sockaddr *addr; /* where to listen */
	socklen_t addrlen;
	const char *cert_pem, *key_pem; /* both or neither (NUL-terminated PEM) */
	unsigned max_clients;        /* connections at once */
};

struct web_http *web_http_start(const struct web_ctx *w, const struct web_http_opts *o,
				int *err);
void web_http_stop(struct web_http **h);

#endif
