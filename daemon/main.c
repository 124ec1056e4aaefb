/*
 * main.c - vagusd: the vagus biofeedback daemon's command line.
 *
 * Reads heart (ECG or beat/RR) and EMG sensors, detects beats, computes HRV
 * and muscle tension, and publishes everything over ZeroMQ (see
 * protocol/PROTOCOL.md). Not a medical device.
 */
#include "vagusd.h"
#include "config.h"
#include "driver.h"
#include "loop.h"
#include "vg_err.h"
#include "vg_log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vagusd [options]\n"
		"  --config FILE      INI configuration (default /etc/vagus/vagusd.conf\n"
		"                     when it exists); the command line overrides it\n"
		"  --source SPEC      DRIVER[:LINK][,key=value...]; repeatable; required\n"
		"                     (here or in the config file): sim for the built-in\n"
		"                     simulator, auto to find attached sensors\n"
		"  --pub ENDPOINT     ZeroMQ publish endpoint (default tcp://127.0.0.1:5560)\n"
		"  --ctl ENDPOINT     control endpoint (default tcp://127.0.0.1:5561)\n"
		"  --speed X          simulator speed (1 = real time)\n"
		"  --seed N           simulator seed\n"
		"  --scenario NAME    simulator scenario (massage, calm, surge, release,\n"
		"                     paced6, paced5)\n"
		"  --room NAME        room name added to every message\n"
		"  --record-dir DIR   record sessions (EDF+, JSON lines, summary) in DIR\n"
		"                     (default $XDG_DATA_HOME/vagus/sessions, else\n"
		"                     ~/.local/share/vagus/sessions; created 0700)\n"
		"  --no-record        do not record sessions (the status says so)\n"
		"  --stall-timeout S  seconds without data before a source is stalled\n"
		"  --log-level LEVEL  err, warn, info, debug (default info)\n"
		"  --syslog           log to syslog instead of stderr\n"
		"  --insecure         allow non-loopback endpoints without CURVE\n"
		"  --version, --help\n"
		"Exit status: 0 stopped by SIGINT/SIGTERM (a running session is closed:\n"
		"summary written), 1 could not start, 2 bad command line or no source\n"
		"named, 3 the recording directory cannot be used.\n"
		"vagus is not a medical device.\n");
}

/* No source named: say how to name one. */
static int no_source(void)
{
	fprintf(stderr,
		"vagusd: no source named. Name one with --source (or [source] spec = in\n"
		"the config file):\n"
		"  --source sim                 the built-in simulator (data are not a person's)\n"
		"  --source auto                find attached sensors and watch for new ones\n"
		"  --source DRIVER:DEVICE       e.g. --source openbci:/dev/ttyUSB0\n"
		"drivers:");
	for (const struct drv_ops *const *o = drv_all(); *o; o++)
		fprintf(stderr, " %s", (*o)->name);
	fprintf(stderr, "\n");
	return VAGUSD_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "pub", required_argument, NULL, 'p' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "speed", required_argument, NULL, 'x' },
		{ "seed", required_argument, NULL, 'S' },
		{ "scenario", required_argument, NULL, 'n' },
		{ "room", required_argument, NULL, 'r' },
		{ "stall-timeout", required_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'L' },
		{ "config", required_argument, NULL, 'f' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "record-dir", required_argument, NULL, 'R' },
		{ "no-record", no_argument, NULL, 'N' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vagusd_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	char simopts[256] = "";
	size_t so = 0;
	int c;
	/* first pass: the config file, so the command line can override it */
	const char *cfg_path = NULL;
	opterr = 0; /* errors are reported by the second pass */
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1)
		if (c == 'f')
			cfg_path = optarg;
	opterr = 1;
	static struct config file;
	const char *def = "/etc/vagus/vagusd.conf";
	if (cfg_path || access(def, R_OK) == 0) {
		char err[512];
		if (config_load(cfg_path ? cfg_path : def, &file, err, sizeof(err)) < 0)
			vg_fatalx("%s", err);
		if (file.pub[0])
			cfg.pub_endpoint = file.pub;
		if (file.ctl[0])
			cfg.ctl_endpoint = file.ctl;
		if (file.room[0])
			cfg.room = file.room;
		if (file.log_level[0]) {
			enum vg_log_level lv;
			vg_log_parse_level(file.log_level, &lv);
			vg_log_set_level(lv);
		}
		cfg.stall_timeout_s = file.stall_timeout_s;
		cfg.insecure = file.insecure;
		for (int i = 0; i < file.nsources; i++)
			cfg.sources[cfg.nsources++] = file.sources[i];
		for (int i = 0; i < file.nwindows; i++)
			cfg.hrv_windows_s[i] = file.windows_s[i];
		if (file.record_dir[0])
			cfg.record_dir = file.record_dir;
		if (file.index_url[0])
			cfg.index_url = file.index_url;
		cfg.no_record = file.record_off;
		if (file.secret_key_file[0])
			cfg.secret_key_file = file.secret_key_file;
		cfg.clients = file.clients;
		cfg.nclients = file.nclients;
	}
	int cli_sources = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'f': break; /* handled above */
		case 'I': cfg.insecure = 1; break;
		case 'R': cfg.record_dir = optarg; cfg.no_record = 0; break;
		case 'N': cfg.no_record = 1; break;
		case 's':
			if (!cli_sources++)
				cfg.nsources = 0; /* --source replaces the file's sources */
			if (cfg.nsources >= VAGUSD_MAX_SOURCES)
				vg_fatalx("at most %d sources", VAGUSD_MAX_SOURCES);
			cfg.sources[cfg.nsources++] = optarg;
			break;
		case 'p': cfg.pub_endpoint = optarg; break;
		case 'c': cfg.ctl_endpoint = optarg; break;
		case 'r': cfg.room = optarg; break;
		case 'x': {
			double v = strtod(optarg, &end);
			if (*end || !(v > 0 && v <= 1000))
				vg_fatalx("--speed wants a number in (0, 1000]");
			so += (size_t)snprintf(simopts + so, sizeof(simopts) - so,
					       "%sspeed=%s", so ? "," : "", optarg);
			break;
		}
		case 'S': {
			long v = strtol(optarg, &end, 0);
			if (*end || v < 0)
				vg_fatalx("--seed wants a non-negative integer");
			so += (size_t)snprintf(simopts + so, sizeof(simopts) - so,
					       "%sseed=%s", so ? "," : "", optarg);
			break;
		}
		case 'n':
			so += (size_t)snprintf(simopts + so, sizeof(simopts) - so,
					       "%sscenario=%s", so ? "," : "", optarg);
			break;
		case 't': {
			double v = strtod(optarg, &end);
			if (*end || !(v > 0))
				vg_fatalx("--stall-timeout wants seconds > 0");
			cfg.stall_timeout_s = v;
			break;
		}
		case 'l': {
			enum vg_log_level lv;
			if (vg_log_parse_level(optarg, &lv) < 0)
				vg_fatalx("unknown log level '%s'", optarg);
			vg_log_set_level(lv);
			break;
		}
		case 'L': vg_log_use_syslog("vagusd"); break;
		case 'V': printf("vagusd %s\n", VAGUSD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return VAGUSD_EXIT_USAGE;
		}
		if (so >= sizeof(simopts))
			vg_fatalx("simulator options too long");
	}
	if (optind < argc) {
		usage(stderr);
		return VAGUSD_EXIT_USAGE;
	}
	if (cfg.nsources == 0)
		return no_source();
	static char defdir[1024];
	if (cfg.no_record) {
		cfg.record_dir = NULL;
	} else if (!cfg.record_dir || !cfg.record_dir[0]) {
		if (vagusd_default_record_dir(defdir, sizeof(defdir)) < 0) {
			fprintf(stderr, "vagusd: neither XDG_DATA_HOME nor HOME is set: give "
				"--record-dir DIR, or --no-record\n");
			return VAGUSD_EXIT_RECORD;
		}
		cfg.record_dir = defdir;
	}
	if (cfg.record_dir) {
		char why[1024];
		if (vagusd_record_dir_ready(cfg.record_dir, why, sizeof(why)) < 0) {
			fprintf(stderr, "vagusd: %s\n", why);
			return VAGUSD_EXIT_RECORD;
		}
		vg_info("sessions are recorded in %s", cfg.record_dir);
	} else {
		vg_info("recording is off (--no-record): sessions leave no files");
	}
	cfg.sim_options = simopts;
	loop_install_signals();
	int err = VG_OK;
	struct vagusd *d = vagusd_new(&cfg, &err);
	if (!d) {
		vg_err("cannot start: %s", vg_strerror(err));
		return VAGUSD_EXIT_FAIL;
	}
	int rc = vagusd_run(d);
	vagusd_destroy(&d);
	return rc < 0 ? VAGUSD_EXIT_FAIL : 0;
}
