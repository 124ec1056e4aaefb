/*
 * vagus-analyze - offline analyzer: runs the daemon's analysis chain on
 * recordings (WFDB, EDF+) and prints JSON lines in the protocol's schema.
 * Usage: vagus-analyze SUBCOMMAND [ARGS]; `vagus-analyze --help` lists them.
 */
#include "va.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} cmds[] = {
	{ "beats", va_cmd_beats, "beats RECORD [--signal N]   detected beats, one JSON line each" },
	{ "hrv", va_cmd_hrv, "hrv RECORD --from S --to S [--annotations EXT] | hrv --rr FILE" },
	{ "emg", va_cmd_emg, "emg RECORD --signal N       emg messages for one EMG signal" },
	{ "stream", va_cmd_stream, "stream RECORD               every message the daemon would publish" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vagus-analyze SUBCOMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  vagus-analyze %s\n", cmds[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vagus-analyze: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
