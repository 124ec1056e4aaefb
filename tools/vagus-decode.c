/*
 * vagus-decode - decode a device capture without the daemon (like gpsd's
 * gpsdecode) and print JSON lines.
 *
 * Problem: checking a driver against a capture, a bug report or a golden
 * file must not need the daemon, ZeroMQ or the device.
 * Approach: the named driver from the registry runs over the bytes of FILE
 * (or stdin) through drv_instance_*; its output is printed by drv_decode.c,
 * one JSON object per line: "channel" lines first, then "sample" (one per
 * sample, value in the channel's unit), "gap", "beat" and "info" lines in
 * stream order, and a final "stats" line (drv_instance_stats).
 * Usage: vagus-decode [-o OPTIONS] [-c CHUNK] DRIVER [FILE]
 *        vagus-decode -l
 *   -o  driver options as for the daemon, e.g. "ch1=ecg,ch2=emg:trapezius"
 *   -c  bytes handed to the driver per call (default 4096; 1 = byte by byte)
 *   -l  list the drivers
 * Exit status 0, or 1 with a message (unknown driver, bad options, I/O).
 * Limits: start-up commands are not sent (no link); the driver clock stays
 * at 0, so beat times from beat-only drivers are relative to that.
 */
#include "driver.h"
#include "drv_decode.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: vagus-decode [-o OPTIONS] [-c CHUNK] DRIVER [FILE]\n"
	      "       vagus-decode -l\n", f);
}

int main(int argc, char **argv)
{
	const char *options = NULL;
	long chunk = DRV_DECODE_CHUNK;
	int opt;
	while ((opt = getopt(argc, argv, "o:c:lh")) != -1) {
		switch (opt) {
		case 'o':
			options = optarg;
			break;
		case 'c': {
			char *end;
			chunk = strtol(optarg, &end, 10);
			if (*end || chunk < 1 || chunk > DRV_DECODE_CHUNK) {
				fprintf(stderr, "vagus-decode: -c takes 1..%d\n",
					DRV_DECODE_CHUNK);
				return 1;
			}
			break;
		}
		case 'l':
			for (const struct drv_ops *const *d = drv_all(); *d; d++)
				printf("%-10s %s\n", (*d)->name,
				       (*d)->description ? (*d)->description : "");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 1;
	}
	const struct drv_ops *ops = drv_find(argv[optind]);
	if (!ops) {
		fprintf(stderr, "vagus-decode: no driver \"%s\" (try -l)\n",
			argv[optind]);
		return 1;
	}
	FILE *in = stdin;
	if (optind + 1 < argc && strcmp(argv[optind + 1], "-") != 0) {
		in = fopen(argv[optind + 1], "rb");
		if (!in) {
			fprintf(stderr, "vagus-decode: %s: %s\n", argv[optind + 1],
				strerror(errno));
			return 1;
		}
	}
	int rc = drv_decode_stream(ops, options, in, (size_t)chunk, stdout);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) != 0)
		rc = VG_ERR_IO;
	if (rc < 0) {
		fprintf(stderr, "vagus-decode: %s: %s\n", ops->name, vg_strerror(rc));
		return 1;
	}
	return 0;
}
