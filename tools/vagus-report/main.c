/*
 * vagus-report - reports with pictures, the session index, progress
 * across sessions and data out (see vr.h for the commands).
 *
 * Problem: after a session, and over a course of sessions, a therapist
 * wants pictures and a client history; a researcher wants files.
 * Approach: a thin command line over report/ (rpt_*, idx_*): parse the
 * options, dispatch to one file per command.
 * Limits: exit status 0 on success, 1 on any failure, 2 on usage errors.
 */
#include "vagusd.h"
#include "vg_err.h"
#include "vg_log.h"
#include "vr.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: vagus-report [options] SESSION|FILE.edf|BASE...\n"
	      "       vagus-report --client ID|NAME [--index URL|--dir DIR] [-o DIR]\n"
	      "       vagus-report --list [--index URL|--dir DIR]\n"
	      "       vagus-report --rebuild-index DIR [--index URL]\n"
	      "       vagus-report --export csv [--identified] [-o DIR] SESSION...\n"
	      "Session reports are BASE.html (self-contained, inline SVG) and BASE.pdf, next to\n"
	      "the recording or in -o DIR; the session is registered in the index.\n"
	      "  -o, --out DIR         where reports and exports go\n"
	      "  --index URL           the index: a SQLite file or directory, sqlite:PATH, or\n"
	      "                        postgresql://... (default DIR/vagus-index.sqlite, DIR = the\n"
	      "                        recording's directory or --dir)\n"
	      "  --dir DIR             recording directory (default: the session's, or .)\n"
	      "  --no-index            report only, do not register\n"
	      "  --client ID|NAME      progress report of one client's sessions\n"
	      "  --list                list clients and sessions of the index\n"
	      "  --rebuild-index DIR   rebuild the index from the recordings in DIR\n"
	      "  --export csv          beats, RR (Kubios text), HRV, breathing, EMG, events as CSV;\n"
	      "                        de-identified (client id) unless --identified\n"
	      "  --version, --help\n"
	      "vagus is not a medical device.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "index", required_argument, NULL, 'i' },
		{ "dir", required_argument, NULL, 'd' },
		{ "client", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "rebuild-index", required_argument, NULL, 'r' },
		{ "export", required_argument, NULL, 'e' },
		{ "identified", no_argument, NULL, 'I' },
		{ "no-index", no_argument, NULL, 'N' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vr_opts o = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.outdir = optarg; break;
		case 'i': o.index_url = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'c': o.client = optarg; break;
		case 'l': o.list = 1; break;
		case 'r': o.rebuild = optarg; break;
		case 'e': o.export_fmt = optarg; break;
		case 'I': o.identified = 1; break;
		case 'N': o.no_index = 1; break;
		case 'V': printf("vagus-report %s\n", VAGUSD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.export_fmt && strcmp(o.export_fmt, "csv") != 0) {
		fprintf(stderr, "vagus-report: --export supports csv only\n");
		return 2;
	}
	int e = 0;
	if (o.rebuild)
		e = vr_rebuild(&o);
	else if (o.list)
		e = vr_list(&o);
	else if (o.client)
		e = vr_progress(&o);
	else if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (int i = optind; e == 0 && i < argc; i++)
		e = o.export_fmt ? vr_export(&o, argv[i]) : vr_session(&o, argv[i]);
	if (e < 0) {
		fprintf(stderr, "vagus-report: %s\n", vg_strerror(e));
		return 1;
	}
	return 0;
}
