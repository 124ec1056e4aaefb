/*
 * reply.c - responses with the security headers, and the access log
 * (see reply.h).
 */
#include "reply.h"

#include "proto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void web_reply_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; connect-src 'self'; img-src 'self' data:; "
				"style-src 'self'; script-src 'self'; object-src 'none'; "
				"base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

enum MHD_Result web_reply(struct MHD_Connection *c, unsigned status, const char *type,
			  const void *data, size_t len, int static_data,
			  const char *cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)data, static_data ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	web_reply_headers(r);
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	enum MHD_Result q = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return q;
}

enum MHD_Result web_reply_error(struct MHD_Connection *c, unsigned status,
				const char *msg)
{
	char esc[512], body[600];
	proto_json_escape(msg, esc, sizeof(esc));
	int n = snprintf(body, sizeof(body), "{\"ok\": false, \"error\": \"%s\"}", esc);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)sizeof(body) - 1;
	return web_reply(c, status, "application/json", body, (size_t)n, 0, NULL);
}

void web_access_log(struct MHD_Connection *c, const char *method, const char *route,
		    unsigned status)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				  addr, sizeof(addr));
	}
	char m[8];
	snprintf(m, sizeof(m), "%s", method && strlen(method) < sizeof(m) ? method : "?");
	fprintf(stderr, "vagus-web: %s %s %s %u\n", addr, m, route, status);
}
