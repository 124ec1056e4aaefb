/*
 * vagus-tap - print any of vagusd's topics as JSON lines (for jq,
 * dashboards, logs).
 *
 * usage: vagus-tap [--pub ENDPOINT] [--count N] [--seconds S] [TOPIC...]
 * Prints the JSON frame of every message whose topic starts with one of the
 * TOPICs (all when none), one per line, flushed at once. Stops after N
 * messages or S seconds when given; otherwise at SIGINT/SIGTERM.
 */
#include "client.h"
#include "proto.h"
#include "vg_err.h"
#include "vg_sys.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ep = "tcp://127.0.0.1:5560";
	long count = -1;
	double seconds = -1;
	int c;
	while ((c = getopt_long(argc, argv, "p:n:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': ep = optarg; break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 's': seconds = strtod(optarg, NULL); break;
		case 'h':
			printf("usage: vagus-tap [--pub ENDPOINT] [--count N] "
			       "[--seconds S] [TOPIC...]\n");
			return 0;
		default: return 2;
		}
	}
	vg_stop_install();
	int err = 0;
	struct proto_sub *sub = proto_sub_new(ep, (const char *const *)argv + optind,
					      argc - optind, &err);
	if (!sub) {
		fprintf(stderr, "vagus-tap: cannot connect to %s: %s\n", ep,
			vg_strerror(err));
		return 1;
	}
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	double end = seconds > 0 ? vg_mono_s() + seconds : -1;
	long n = 0;
	while (!vg_stop_requested() && (count < 0 || n < count)) {
		int wait_ms = 200;
		if (end > 0) {
			double left = end - vg_mono_s();
			if (left <= 0)
				break;
			if (left * 1000 < wait_ms)
				wait_ms = (int)(left * 1000) + 1;
		}
		int r = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json),
				       wait_ms);
		if (r == VG_ERR_AGAIN)
			continue;
		if (r < 0) {
			if (r == VG_ERR_IO)
				break;
			continue; /* malformed or oversize: skip */
		}
		fputs(json, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		n++;
	}
	proto_sub_destroy(&sub);
	return 0;
}
