/*
 * vagus-hub - one publish endpoint for several vagusd daemons (one per
 * treatment room), for a central dashboard.
 *
 * usage: vagus-hub --sub ENDPOINT [--sub ENDPOINT]... [--pub ENDPOINT]
 *                  [--config FILE] [--insecure] [--log-level LEVEL]
 *
 * Problem: a clinic runs one daemon per room; a dashboard wants all rooms
 * from one endpoint, without the daemons knowing about it, and without
 * opening health data to the network by accident.
 * Approach: a ZeroMQ XSUB socket connects to every daemon's PUB endpoint
 * and an XPUB socket binds for dashboards; zmq_proxy_steerable() forwards
 * messages downstream and subscriptions upstream (a daemon only sends the
 * topics some dashboard asked for). Messages pass unchanged: run each
 * daemon with `--room NAME` and every message carries "room" (PROTOCOL.md),
 * while `seq` stays per daemon and per topic, so a dashboard tracks gaps
 * per (room, topic). The proxy runs in its own thread; the main thread
 * waits for SIGINT/SIGTERM (and serves CURVE authentication when
 * configured), then sends TERMINATE on the proxy's control socket, so
 * shutdown is clean (exit status 0).
 * Security (same policy as vagusd, daemon/security.h): --pub must be
 * loopback or ipc unless CURVE is configured or --insecure is given. With
 * --config FILE (vagusd's INI format: [security] secret_key_file and
 * [client NAME] public_key/role), the XPUB is a CURVE server admitting the
 * allowlisted keys (ZAP domain "pub"). Towards the daemons the hub is a
 * CURVE client like every tool: VAGUS_SERVER_KEY and VAGUS_KEY_FILE
 * (protocol/keys.h).
 * Limits: one VAGUS_SERVER_KEY for all daemons; at most HUB_MAX_SUBS
 * daemons; a dashboard that falls HUB_HWM messages behind loses messages
 * (seq shows it), the others do not; the hub adds no fields.
 */
#include "config.h"
#include "keys.h"
#include "loop.h"
#include "security.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include "tool_cli.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define HUB_MAX_SUBS 32
#define HUB_HWM 20000          /* messages queued per peer, as vagusd */
#define HUB_CTRL "inproc://vagus-hub-control"
#define DEFAULT_PUB "tcp://127.0.0.1:5570"

struct hub {
	void *zctx;
	void *xsub, *xpub;
	void *ctrl_proxy, *ctrl_main; /* PAIR sockets: steering the proxy */
	struct sec *sec;
	struct loop *loop;
	pthread_t th;
	int running;
	int proxy_rc;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vagus-hub --sub ENDPOINT [--sub ENDPOINT]... [options]\n"
		"  --sub ENDPOINT     a vagusd publish endpoint (repeatable, up to %d)\n"
		"  --pub ENDPOINT     where dashboards subscribe (default %s)\n"
		"  --config FILE      CURVE for --pub: vagusd's [security] secret_key_file\n"
		"                     and [client NAME] allowlist\n"
		"  --insecure         allow a non-loopback --pub without CURVE\n"
		"  --log-level LEVEL  err, warn, info, debug (default info)\n"
		"  --help, --version\n"
		"Run each daemon with --room NAME: every message then says its room.\n"
		"CURVE towards the daemons: VAGUS_SERVER_KEY, VAGUS_KEY_FILE.\n"
		"exit status: 0 ok, 1 failure (cannot bind or connect), 2 usage.\n",
		HUB_MAX_SUBS, DEFAULT_PUB);
}

static void *proxy_main(void *arg)
{
	struct hub *h = arg;
	/* returns when TERMINATE arrives on the control socket */
	h->proxy_rc = zmq_proxy_steerable(h->xsub, h->xpub, NULL, h->ctrl_proxy);
	return NULL;
}

static void hub_close(struct hub *h)
{
	if (h->running) {
		zmq_send(h->ctrl_main, "TERMINATE", 9, 0);
		pthread_join(h->th, NULL);
		h->running = 0;
	}
	void **socks[] = { &h->xsub, &h->xpub, &h->ctrl_proxy, &h->ctrl_main };
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (*socks[i]) {
			zmq_close(*socks[i]);
			*socks[i] = NULL;
		}
	}
	sec_destroy(&h->sec);
	if (h->zctx) {
		zmq_ctx_term(h->zctx);
		h->zctx = NULL;
	}
	loop_destroy(&h->loop);
}

static int hub_open(struct hub *h, const char *const *subs, int nsubs,
		    const char *pub, const struct config *cfg)
{
	int e = VG_ERR_IO, hwm = HUB_HWM, linger = 0;
	h->loop = loop_new(&e);
	if (!h->loop)
		return e;
	h->zctx = zmq_ctx_new();
	if (!h->zctx)
		return VG_ERR_IO;
	if (cfg && cfg->secret_key_file[0]) {
		h->sec = sec_new(h->zctx, cfg->secret_key_file, cfg->clients,
				 cfg->nclients, &e);
		if (!h->sec)
			return e;
		struct loop_poller zp = sec_poller(h->sec);
		if ((e = loop_add_poller(h->loop, &zp)) < 0)
			return e;
	}
	h->xsub = zmq_socket(h->zctx, ZMQ_XSUB);
	h->xpub = zmq_socket(h->zctx, ZMQ_XPUB);
	h->ctrl_proxy = zmq_socket(h->zctx, ZMQ_PAIR);
	h->ctrl_main = zmq_socket(h->zctx, ZMQ_PAIR);
	if (!h->xsub || !h->xpub || !h->ctrl_proxy || !h->ctrl_main)
		return VG_ERR_IO;
	zmq_setsockopt(h->xsub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(h->xpub, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(h->xsub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(h->xpub, ZMQ_LINGER, &linger, sizeof(linger));
	if ((e = proto_key_client_setup(h->xsub)) < 0)
		return e;
	for (int i = 0; i < nsubs; i++) {
		if (zmq_connect(h->xsub, subs[i]) != 0) {
			vg_err("cannot connect to %s: %s", subs[i], zmq_strerror(zmq_errno()));
			return VG_ERR_INVAL;
		}
	}
	if ((e = sec_apply(h->sec, h->xpub, "pub")) < 0)
		return e;
	if (zmq_bind(h->xpub, pub) != 0) {
		int busy = zmq_errno() == EADDRINUSE;
		vg_err("cannot bind %s: %s", pub, zmq_strerror(zmq_errno()));
		return busy ? VG_ERR_BUSY : VG_ERR_INVAL;
	}
	sec_after_bind(pub);
	if (zmq_bind(h->ctrl_proxy, HUB_CTRL) != 0 ||
	    zmq_connect(h->ctrl_main, HUB_CTRL) != 0)
		return VG_ERR_IO;
	/* the proxy thread must not take the signals: the main thread waits */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&h->th, NULL, proxy_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return VG_ERR_NOMEM;
	h->running = 1;
	return VG_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sub", required_argument, NULL, 's' },
		{ "pub", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'f' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *subs[HUB_MAX_SUBS];
	int nsubs = 0, insecure = 0, c;
	const char *pub = DEFAULT_PUB, *cfg_path = NULL;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nsubs >= HUB_MAX_SUBS) {
				fprintf(stderr, "vagus-hub: at most %d --sub endpoints\n", HUB_MAX_SUBS);
				return TOOL_EXIT_USAGE;
			}
			subs[nsubs++] = optarg;
			break;
		case 'p': pub = optarg; break;
		case 'f': cfg_path = optarg; break;
		case 'I': insecure = 1; break;
		case 'l': {
			enum vg_log_level lv;
			if (vg_log_parse_level(optarg, &lv) < 0) {
				fprintf(stderr, "vagus-hub: --log-level takes err, warn, info or "
					"debug, not '%s'\n", optarg);
				return TOOL_EXIT_USAGE;
			}
			vg_log_set_level(lv);
			break;
		}
		case 'h': usage(stdout); return TOOL_EXIT_OK;
		case 'V': return tool_version("vagus-hub");
		default: usage(stderr); return TOOL_EXIT_USAGE;
		}
	}
	if (optind < argc || nsubs == 0) {
		if (nsubs == 0)
			fprintf(stderr, "vagus-hub: give at least one --sub ENDPOINT (a vagusd's "
				"publish endpoint, e.g. tcp://127.0.0.1:5560)\n");
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	static struct config cfg;
	if (cfg_path) {
		char err[512];
		if (config_load(cfg_path, &cfg, err, sizeof(err)) < 0)
			vg_fatalx("%s", err);
	}
	const char *eps[1] = { pub };
	if (sec_check_policy(eps, 1, cfg.secret_key_file[0] != '\0', insecure) < 0)
		return 1;
	loop_install_signals();
	struct hub h;
	memset(&h, 0, sizeof(h));
	int e = hub_open(&h, subs, nsubs, pub, cfg_path ? &cfg : NULL);
	if (e < 0) {
		vg_err("cannot start: %s", vg_strerror(e));
		hub_close(&h);
		return 1;
	}
	vg_info("vagus-hub: %d daemon(s) -> %s%s", nsubs, pub,
		h.sec ? " (CURVE)" : "");
	e = loop_run(h.loop); /* until SIGINT/SIGTERM; serves ZAP if any */
	hub_close(&h);
	if (h.proxy_rc != 0 && e == VG_OK)
		vg_warnx("proxy ended with %d", h.proxy_rc);
	return e < 0 ? 1 : 0;
}
