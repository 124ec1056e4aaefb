/*
 * vagus-web - the therapist's web console: vagusd's live view and controls
 * in a browser (tablet on a stand, screen on the wall, phone), with an
 * audible breathing pacer.
 *
 * Problem: a therapist at the table glances at a tablet, not a terminal;
 * a client lying face-down hears the pacer rather than sees it. The view
 * must work with no internet, on a clinic network without leaking health
 * data, for many screens at once without slowing vagusd.
 * Approach: one ZeroMQ subscriber to vagusd (--pub; CURVE from the
 * environment as for every client, protocol/keys.h) feeds a fan-out hub
 * (hub.h, feed.h); an HTTP(S) server (http.h: GNU libmicrohttpd, see there
 * why) serves the page compiled into the binary (assets.h), streams the
 * messages to each browser as Server-Sent Events (sse.h) and relays the
 * page's control requests to vagusd's control channel (api.h, --ctl): the
 * browser never talks ZeroMQ. Logins and roles: auth.h.
 * Bind policy (like vagusd's --insecure): a loopback --http needs nothing;
 * any other address needs --tls-cert, --tls-key and --users (logins),
 * else vagus-web refuses to start unless --insecure. --users without TLS
 * is refused too (passwords would cross the network in clear) unless
 * --insecure.
 * References: protocol/PROTOCOL.md; README.md "Web console".
 * Limits: see http.h (HTTP/1.1, 6 streams per browser and host) and the
 * page (tools/vagus-web/www/app.js). vagus is not a medical device.
 * usage: vagus-web [--pub EP] [--ctl EP] [--http ADDR:PORT] [--tls-cert F
 *        --tls-key F] [--users F] [--insecure] [--www DIR] [--max-clients N]
 *        [--seconds S] [--quiet]
 *        vagus-web --add-user NAME --role observer|console --users F < password
 */
#include "auth.h"
#include "client.h"
#include "feed.h"
#include "http.h"
#include "hub.h"
#include "proto.h"
#include "vg_err.h"
#include "vg_sys.h"
#include "web.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PEM_MAX (64 * 1024)
#define NOTE_PERIOD_S 1.0
#define RECV_WAIT_MS 100

struct opts {
	const char *pub, *ctl, *http, *cert, *key, *users, *www;
	const char *add_user, *role;
	int insecure, quiet;
	unsigned max_clients;
	double seconds;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vagus-web [options]\n"
		"  --pub EP          vagusd's publish endpoint (default tcp://127.0.0.1:5560)\n"
		"  --ctl EP          vagusd's control endpoint (default tcp://127.0.0.1:5561)\n"
		"  --http ADDR:PORT  where to serve the page (default 127.0.0.1:8080; [::1]:PORT for IPv6)\n"
		"  --tls-cert FILE   PEM certificate (HTTPS), with --tls-key FILE\n"
		"  --users FILE      logins (lines name:role:hash; see --add-user)\n"
		"  --insecure        allow a non-loopback --http without TLS and logins\n"
		"  --www DIR         serve the page's files from DIR instead of the built-in copy\n"
		"  --max-clients N   connections at once (default 64)\n"
		"  --seconds S       quit after S seconds\n"
		"  --quiet           no access log\n"
		"  --add-user NAME --role observer|console --users FILE\n"
		"                    add or replace a login; the password is read from stdin\n"
		"vagus is not a medical device.\n");
}

/* "ADDR:PORT" or "[V6]:PORT" -> sockaddr; *loopback set. 0 or VG_ERR_INVAL. */
static int parse_http(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		      int *loopback)
{
	char host[64];
	const char *colon;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof(host))
			return VG_ERR_INVAL;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = '\0';
		colon = e + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return VG_ERR_INVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return VG_ERR_INVAL;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		*loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
		return 0;
	}
	return VG_ERR_INVAL;
}

static char *read_pem(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(PEM_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, PEM_MAX, f) : 0;
	if (f)
		fclose(f);
	if (!buf || n == 0 || n == PEM_MAX) {
		fprintf(stderr, "vagus-web: cannot read PEM file %s\n", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "http", required_argument, NULL, 'H' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "users", required_argument, NULL, 'u' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "www", required_argument, NULL, 'w' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "add-user", required_argument, NULL, 'A' },
		{ "role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->pub = optarg; break;
		case 'c': o->ctl = optarg; break;
		case 'H': o->http = optarg; break;
		case 'C': o->cert = optarg; break;
		case 'K': o->key = optarg; break;
		case 'u': o->users = optarg; break;
		case 'I': o->insecure = 1; break;
		case 'w': o->www = optarg; break;
		case 'm':
			v = strtol(optarg, NULL, 10);
			if (v < 1 || v > 1000)
				return -1;
			o->max_clients = (unsigned)v;
			break;
		case 's': o->seconds = strtod(optarg, NULL); break;
		case 'q': o->quiet = 1; break;
		case 'A': o->add_user = optarg; break;
		case 'r': o->role = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind < argc ? -1 : 0;
}

/* The bind policy of the file header; 0 or VG_ERR_SECURITY (printed). */
static int check_policy(const struct opts *o, int loopback)
{
	if (!o->cert != !o->key) {
		fprintf(stderr, "vagus-web: --tls-cert and --tls-key go together\n");
		return VG_ERR_INVAL;
	}
	int tls = o->cert != NULL;
	if (o->users && !tls && !o->insecure) {
		fprintf(stderr, "vagus-web: refusing logins over plain HTTP (passwords in clear): "
			"give --tls-cert/--tls-key, or pass --insecure\n");
		return VG_ERR_SECURITY;
	}
	if (!loopback && !(tls && o->users) && !o->insecure) {
		fprintf(stderr, "vagus-web: refusing to serve %s without TLS and logins "
			"(--tls-cert, --tls-key, --users); pass --insecure to allow it\n",
			o->http);
		return VG_ERR_SECURITY;
	}
	if (!loopback && o->insecure && !(tls && o->users))
		fprintf(stderr, "vagus-web: WARNING: %s is served without TLS and logins "
			"(--insecure): health data is readable on the network\n", o->http);
	return 0;
}

static int serve(const struct opts *o, const struct web_http_opts *ho,
		 struct web_ctx *w)
{
	int err = 0;
	struct proto_sub *sub = proto_sub_new(o->pub, NULL, 0, &err);
	if (!sub) {
		fprintf(stderr, "vagus-web: cannot connect to %s: %s\n", o->pub,
			vg_strerror(err));
		return 1;
	}
	struct web_http *http = web_http_start(w, ho, &err);
	if (!http) {
		fprintf(stderr, "vagus-web: cannot serve on %s (port in use? bad "
			"certificate?)\n", o->http);
		proto_sub_destroy(&sub);
		return 1;
	}
	fprintf(stderr, "vagus-web: serving %s://%s/ for vagusd %s%s\n",
		w->tls ? "https" : "http", o->http, o->pub,
		web_auth_required(w->auth) ? " (logins required)" : "");
	struct web_feed feed = { .hub = w->hub };
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	double end = o->seconds > 0 ? vg_mono_s() + o->seconds : -1, next_note = 0;
	while (!vg_stop_requested() && (end < 0 || vg_mono_s() < end)) {
		int r = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json),
				       RECV_WAIT_MS);
		if (r > 0)
			web_feed_msg(&feed, json, (size_t)r, vg_mono_s(),
				     (long long)(vg_wall_ns() / 1000000));
		else if (r != VG_ERR_AGAIN && r != VG_ERR_IO)
			feed.bad++;
		if (vg_mono_s() >= next_note) {
			web_feed_note(&feed, vg_mono_s(), (long long)(vg_wall_ns() / 1000000));
			next_note = vg_mono_s() + NOTE_PERIOD_S;
		}
	}
	web_hub_stop(w->hub);
	web_http_stop(&http);
	proto_sub_destroy(&sub);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.pub = "tcp://127.0.0.1:5560", .ctl = "tcp://127.0.0.1:5561",
		.http = "127.0.0.1:8080", .max_clients = 64
	};
	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (o.add_user) {
		if (!o.role || !o.users) {
			fprintf(stderr, "vagus-web: --add-user needs --role and --users\n");
			return 2;
		}
		return web_auth_add_user(o.users, o.add_user, o.role) < 0 ? 1 : 0;
	}
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int loopback = 0;
	if (parse_http(o.http, &ss, &sslen, &loopback) < 0) {
		fprintf(stderr, "vagus-web: --http wants ADDR:PORT (numeric), got %s\n", o.http);
		return 2;
	}
	if (check_policy(&o, loopback) < 0)
		return 1;
	int err = 0, rc = 1;
	char *cert = NULL, *key = NULL;
	struct web_ctx w = {
		.ctl_ep = o.ctl, .www_dir = o.www, .tls = o.cert != NULL,
		.check_host = loopback && !o.users, .quiet = o.quiet
	};
	if (o.cert && (!(cert = read_pem(o.cert)) || !(key = read_pem(o.key))))
		goto out;
	w.auth = web_auth_new(o.users, &err);
	if (!w.auth)
		goto out;
	w.hub = web_hub_new(&err);
	if (!w.hub)
		goto out;
	struct web_http_opts ho = {
		.addr = (const struct sockaddr *)&ss, .addrlen = sslen,
		.cert_pem = cert, .key_pem = key, .max_clients = o.max_clients
	};
	vg_stop_install();
	rc = serve(&o, &ho, &w);
out:
	web_hub_destroy(&w.hub);
	web_auth_destroy(&w.auth);
	free(cert);
	free(key);
	return rc;
}
