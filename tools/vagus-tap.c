/*
 * vagus-tap - print any of vagusd's topics as JSON lines (for jq,
 * dashboards, logs).
 *
 * usage: vagus-tap [--pub ENDPOINT] [--count N] [--seconds S] [--wait S] [TOPIC...]
 * Prints the JSON frame of every message whose topic starts with one of the
 * TOPICs (all when none), one per line, flushed at once. Stops after N
 * messages or S seconds when given; otherwise at SIGINT/SIGTERM.
 *
 * Problem: a misspelt topic or a daemon that is not running used to give
 * silence forever.
 * Approach: a TOPIC must begin some topic of the protocol (proto_topics());
 * otherwise the list is printed and nothing runs. The daemon publishes
 * `status` once a second, so the tap always listens to it too (printing it
 * only when asked): nothing at all for --wait S seconds (default 5) means
 * no daemon at ENDPOINT, said in words, exit 1.
 * Exit status: 0 ok, 1 no daemon / cannot connect, 2 usage.
 */
#include "client.h"
#include "proto.h"
#include "tool_cli.h"
#include "vg_err.h"
#include "vg_sys.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TOPICS 32

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vagus-tap [--pub ENDPOINT] [--count N] [--seconds S] [--wait S] [TOPIC...]\n"
		"  --pub ENDPOINT  vagusd's publish endpoint (default tcp://127.0.0.1:5560)\n"
		"  --count N       stop after N messages\n"
		"  --seconds S     stop after S seconds\n"
		"  --wait S        give up when nothing at all came in S seconds (default 5;\n"
		"                  0 waits for ever)\n"
		"  --help, --version\n"
		"TOPIC: a topic or its beginning (all when none):");
	for (const struct proto_topic *const *t = proto_topics(); *t; t++)
		fprintf(f, " %s", (*t)->name);
	fprintf(f, "\nexit status: 0 ok, 1 no daemon or cannot connect, 2 usage.\n");
}

static int known_topic(const char *p)
{
	if (!*p)
		return 0;
	for (const struct proto_topic *const *t = proto_topics(); *t; t++)
		if (!strncmp((*t)->name, p, strlen(p)))
			return 1;
	return 0;
}

static int wanted(const char *topic, char **topics, int n)
{
	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (!strncmp(topic, topics[i], strlen(topics[i])))
			return 1;
	return 0;
}

static int positive(const char *s, double *x)
{
	char *end;
	*x = strtod(s, &end);
	return *s && !*end && *x >= 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ep = "tcp://127.0.0.1:5560";
	long count = -1;
	double seconds = -1, wait_s = 5, x;
	int c;
	while ((c = getopt_long(argc, argv, "p:n:s:w:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': ep = optarg; break;
		case 'n':
			if (!positive(optarg, &x) || x < 1) {
				fprintf(stderr, "vagus-tap: --count takes a number of messages (1 or more)\n");
				return TOOL_EXIT_USAGE;
			}
			count = (long)x;
			break;
		case 's':
			if (!positive(optarg, &seconds)) {
				fprintf(stderr, "vagus-tap: --seconds takes seconds (e.g. 10)\n");
				return TOOL_EXIT_USAGE;
			}
			break;
		case 'w':
			if (!positive(optarg, &wait_s)) {
				fprintf(stderr, "vagus-tap: --wait takes seconds (0 = for ever)\n");
				return TOOL_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return TOOL_EXIT_OK;
		case 'V': return tool_version("vagus-tap");
		default: usage(stderr); return TOOL_EXIT_USAGE;
		}
	}
	char **topics = argv + optind;
	int ntopics = argc - optind;
	if (ntopics > MAX_TOPICS - 1) {
		fprintf(stderr, "vagus-tap: at most %d topics\n", MAX_TOPICS - 1);
		return TOOL_EXIT_USAGE;
	}
	const char *subs[MAX_TOPICS];
	for (int i = 0; i < ntopics; i++) {
		if (!known_topic(topics[i])) {
			fprintf(stderr, "vagus-tap: no topic '%s'; topics:", topics[i]);
			for (const struct proto_topic *const *t = proto_topics(); *t; t++)
				fprintf(stderr, " %s", (*t)->name);
			fputc('\n', stderr);
			return TOOL_EXIT_USAGE;
		}
		subs[i] = topics[i];
	}
	int nsubs = ntopics;
	if (ntopics > 0)
		subs[nsubs++] = "status"; /* the daemon's heartbeat, to know it is there */
	vg_stop_install();
	int err = 0;
	struct proto_sub *sub = proto_sub_new(ep, subs, nsubs, &err);
	if (!sub) {
		fprintf(stderr, "vagus-tap: cannot connect to %s: %s\n", ep, vg_strerror(err));
		return TOOL_EXIT_FAIL;
	}
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	double start = vg_mono_s();
	double end = seconds > 0 ? start + seconds : -1;
	long n = 0;
	int heard = 0, rc = TOOL_EXIT_OK;
	while (!vg_stop_requested() && (count < 0 || n < count)) {
		int wait_ms = 200;
		if (end > 0) {
			double left = end - vg_mono_s();
			if (left <= 0)
				break;
			if (left * 1000 < wait_ms)
				wait_ms = (int)(left * 1000) + 1;
		}
		if (!heard && wait_s > 0 && vg_mono_s() - start >= wait_s) {
			fprintf(stderr, "vagus-tap: no message from %s in %g s - is vagusd running? "
				"(start it with: vagusd --source sim; or give --pub ENDPOINT)\n",
				ep, wait_s);
			rc = TOOL_EXIT_FAIL;
			break;
		}
		int r = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), wait_ms);
		if (r == VG_ERR_AGAIN)
			continue;
		if (r < 0) {
			if (r == VG_ERR_IO)
				break;
			continue; /* malformed or oversize: skip */
		}
		heard = 1;
		if (!wanted(topic, topics, ntopics))
			continue;
		fputs(json, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		n++;
	}
	proto_sub_destroy(&sub);
	return rc;
}
