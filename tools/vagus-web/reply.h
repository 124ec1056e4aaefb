/*
 * reply.h - vagus-web's HTTP responses and access log.
 *
 * Problem: every response must carry the same security headers (a strict
 * Content-Security-Policy, no sniffing, no framing, no referrer, no caching
 * of live data), and the access log must never contain a client's name or
 * a health value.
 * Approach: one function builds and queues every response; the access log
 * prints the peer address, method, a fixed route name (never the URL as
 * sent, never a query string or body) and the status.
 * References: MDN "Content-Security-Policy"; OWASP secure headers project.
 * Limits: bodies are copied (MHD_RESPMEM_MUST_COPY) except static assets.
 */
#ifndef WEB_REPLY_H
#define WEB_REPLY_H

#include <microhttpd.h>
#include <stddef.h>

/* Queue a response. cookie (a whole Set-Cookie value) may be NULL; static_data
 * = 1 when data outlives the response (built-in assets). */
enum MHD_Result web_reply(struct MHD_Connection *c, unsigned status, const char *type,
			  const void *data, size_t len, int static_data,
			  const char *cookie);
/* {"ok": false, "error": msg} with this status. */
enum MHD_Result web_reply_error(struct MHD_Connection *c, unsigned status,
				const char *msg);
/* Add the security headers to a response built elsewhere (the SSE stream). */
void web_reply_headers(struct MHD_Response *r);
/* One access-log line on stderr: peer, method, route name, status. */
void web_access_log(struct MHD_Connection *c, const char *method, const char *route,
		    unsigned status);

#endif
