/*
 * vagus-analyze - offline analyzer: runs the daemon's analysis chain on
 * recordings (WFDB, EDF+) and prints JSON lines in the protocol's schema.
 * Usage: vagus-analyze SUBCOMMAND [ARGS]; `vagus-analyze --help` lists them.
 */
#include "va.h"
#include "../tool_cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} cmds[] = {
	{ "beats", va_cmd_beats, "beats RECORD [--signal N] [--block N]   detected beats, one JSON line each" },
	{ "hrv", va_cmd_hrv, "hrv RECORD [--from S --to S] [--annotations EXT | --signal N] [--nn-range MIN,MAX]\n"
	  "  vagus-analyze hrv --rr FILE [--from S --to S] [--clean]   one hrv object" },
	{ "emg", va_cmd_emg, "emg RECORD [--signal N] [--name NAME] [--mains 50|60] [--window-ms MS] [--summary]" },
	{ "stream", va_cmd_stream, "stream RECORD [--ecg N] [--emg N]... [--seconds S]   every message the daemon would publish" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vagus-analyze SUBCOMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  vagus-analyze %s\n", cmds[i].usage);
	fprintf(f, "RECORD: a WFDB record (with or without .hea) or an EDF+ file (the daemon's\n"
		   "  session recordings); ECG and EMG signals are found by kind (EDF+ type\n"
		   "  prefix \"ECG \"/\"EMG \", a lead name, or ECG/EMG in the label or transducer).\n"
		   "hrv --rr FILE: RR intervals as one column (ms or s, told apart by size),\n"
		   "  time_s,rr_s, or Polar / Kubios / Elite HRV text exports.\n"
		   "  --help, --version\n"
		   "exit status: 0 ok, 1 failure (unreadable input, nothing to analyse), 2 usage.\n");
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
	if (!strcmp(argv[1], "--version"))
		return tool_version("vagus-analyze");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vagus-analyze: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
