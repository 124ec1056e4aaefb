/*
 * vagus-sim - an emulated sensor on a pseudo-terminal, or a capture file,
 * carrying the simulator's physiology (the truth for tests and demos).
 *
 * Problem: the daemon and the drivers must be run end to end (handshake,
 * framing, faults, unplug and replug) on machines with no sensor attached.
 * Approach: one emulator from the registry (sim/emu_registry.c; the
 * name is the driver's) produces the device's byte stream.
 *  --out PATH   writes S seconds (--seconds, default 60) to a file ("-" =
 *               stdout) as if the host had sent the driver's start-up
 *               commands (emu_autostart), as fast as possible.
 *  --pty        creates a pseudo-terminal (posix_openpt), sets it raw, prints
 *               the slave path as one line on stdout, then serves the device
 *               in real time (x --speed): bytes written to the slave by the
 *               host go to the emulator (handshake), its output goes to the
 *               host. vagus-sim keeps a slave descriptor open itself so the
 *               pty survives the host closing and reopening it; when nobody
 *               reads, output beyond the pty's buffer is dropped (counted),
 *               like a device with no reader. Runs until --seconds (0 =
 *               forever) or SIGINT/SIGTERM.
 *  --link PATH  keeps a symlink at PATH pointing at the current slave
 *               (replaced atomically), so a daemon can use one stable path.
 *  --unplug-after S --replug-after R   (pty only) after S seconds the
 *               master and slave are closed (the host sees EIO/hang-up and
 *               the slave path vanishes; the link is removed); R seconds
 *               later a new pty is created, its path printed and the link
 *               pointed at it, and a fresh device is emulated (power cycle:
 *               the handshake is needed again, counters restart, and the
 *               physiology restarts from t = 0). Happens once.
 *  --garbage-rate, --drop-rate, --corrupt-rate P   per-frame fault
 *               probabilities (emu.h); --seed N seeds the physiology (N) and
 *               the faults (N + 1); --scenario NAME picks a built-in sim
 *               scenario (sim_scenario_find).
 * At exit a summary (frames, faults, bytes dropped) goes to stderr.
 * Usage: vagus-sim --device NAME (--out PATH | --pty) [options]; --list.
 * Limits: one device per process; the pty has no baud rate (any speed
 * works); timing follows CLOCK_MONOTONIC in 5 ms steps.
 */
#include "emu.h"
#include "sim_model.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <fcntl.h>
#include "tool_cli.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SIM_STEP_S 0.01     /* advance step when writing a file */
#define SIM_POLL_MS 5       /* real-time loop period */

struct args {
	const char *device;
	const char *out;
	const char *link;
	int pty;
	double seconds;   /* -1 = default */
	double speed;
	double unplug_after, replug_after; /* < 0 = never */
	uint64_t seed;
	const struct sim_scenario *scenario; /* NULL = the sim's default */
	struct emu_faults faults;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
	fputs("usage: vagus-sim --device NAME (--out PATH | --pty) [options]\n"
	      "  --seconds S        length (file: default 60; pty: 0 = forever)\n"
	      "  --speed X          pty: time runs X times faster (default 1)\n"
	      "  --link PATH        pty: symlink kept pointing at the slave\n"
	      "  --seed N           physiology seed (faults use N + 1)\n"
	      "  --scenario NAME    sim scenario (massage, calm, surge, release,\n"
	      "                     paced6, paced5; default: the sim's default)\n"
	      "  --garbage-rate P   probability per frame of random bytes before it\n"
	      "  --drop-rate P      probability per frame of dropping it\n"
	      "  --corrupt-rate P   probability per frame of one flipped bit\n"
	      "  --unplug-after S --replug-after R   pty: unplug once, replug\n"
	      "  --list             emulated devices\n"
	      "  --help, --version\n"
	      "exit status: 0 ok, 1 failure (I/O, pty), 2 usage.\n", f);
}

static int parse_double(const char *name, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end) {
		fprintf(stderr, "vagus-sim: %s: not a number: %s\n", name, s);
		return VG_ERR_INVAL;
	}
	*out = v;
	return VG_OK;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_DEVICE = 256, O_OUT, O_PTY, O_LINK, O_SECONDS, O_SPEED, O_SEED,
	       O_GARBAGE, O_DROP, O_CORRUPT, O_UNPLUG, O_REPLUG, O_LIST, O_HELP, O_VERSION,
	       O_SCENARIO };
	static const struct option opts[] = {
		{ "device", required_argument, NULL, O_DEVICE },
		{ "out", required_argument, NULL, O_OUT },
		{ "pty", no_argument, NULL, O_PTY },
		{ "link", required_argument, NULL, O_LINK },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "seed", required_argument, NULL, O_SEED },
		{ "garbage-rate", required_argument, NULL, O_GARBAGE },
		{ "drop-rate", required_argument, NULL, O_DROP },
		{ "corrupt-rate", required_argument, NULL, O_CORRUPT },
		{ "unplug-after", required_argument, NULL, O_UNPLUG },
		{ "replug-after", required_argument, NULL, O_REPLUG },
		{ "scenario", required_argument, NULL, O_SCENARIO },
		{ "list", no_argument, NULL, O_LIST },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	memset(a, 0, sizeof(*a));
	a->seconds = -1;
	a->speed = 1.0;
	a->unplug_after = a->replug_after = -1;
	a->seed = 1;
	int c, e = 0;
	double v;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_DEVICE: a->device = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_PTY: a->pty = 1; break;
		case O_LINK: a->link = optarg; break;
		case O_SECONDS: e = parse_double("--seconds", optarg, &a->seconds); break;
		case O_SPEED: e = parse_double("--speed", optarg, &a->speed); break;
		case O_SEED:
			e = parse_double("--seed", optarg, &v);
			if (!e && (v < 0 || v > 1e15))
				e = VG_ERR_RANGE;
			a->seed = (uint64_t)v;
			break;
		case O_GARBAGE: e = parse_double("--garbage-rate", optarg, &a->faults.garbage_rate); break;
		case O_DROP: e = parse_double("--drop-rate", optarg, &a->faults.drop_rate); break;
		case O_CORRUPT: e = parse_double("--corrupt-rate", optarg, &a->faults.corrupt_rate); break;
		case O_SCENARIO:
			a->scenario = sim_scenario_find(optarg);
			if (!a->scenario) {
				fprintf(stderr, "vagus-sim: no scenario \"%s\"\n", optarg);
				e = VG_ERR_NOTFOUND;
			}
			break;
		case O_UNPLUG: e = parse_double("--unplug-after", optarg, &a->unplug_after); break;
		case O_REPLUG: e = parse_double("--replug-after", optarg, &a->replug_after); break;
		case O_LIST:
			for (const char *const *n = emu_names(); *n; n++)
				printf("%s\n", *n);
			exit(0);
		case O_HELP:
			usage(stdout);
			exit(TOOL_EXIT_OK);
		case O_VERSION:
			exit(tool_version("vagus-sim"));
		default:
			usage(stderr);
			return VG_ERR_INVAL;
		}
		if (e < 0)
			return e;
	}
	if (optind != argc || !a->device || (!a->out == !a->pty)) {
		usage(stderr);
		return VG_ERR_INVAL;
	}
	if (!(a->speed > 0) || (a->link && !a->pty) ||
	    ((a->unplug_after >= 0) != (a->replug_after >= 0)) ||
	    (a->unplug_after >= 0 && !a->pty)) {
		fprintf(stderr, "vagus-sim: --speed > 0; --link, --unplug-after and "
			"--replug-after (both) need --pty\n");
		return VG_ERR_INVAL;
	}
	a->faults.seed = a->seed + 1;
	return VG_OK;
}

static struct emu *make_emu(const struct args *a)
{
	int err = 0;
	struct sim_config cfg = { .seed = a->seed, .scenario = a->scenario };
	struct emu *e = emu_new_with(a->device, &cfg, &a->faults, &err);
	if (!e)
		fprintf(stderr, "vagus-sim: %s: %s (try --list)\n", a->device,
			vg_strerror(err));
	return e;
}

static void summary(const struct emu *e, uint64_t bytes, uint64_t dropped)
{
	const struct emu_fault_stats *s = emu_fault_stats(e);
	fprintf(stderr, "vagus-sim: %llu bytes, %llu frames (%llu dropped, %llu "
		"corrupted, %llu garbage bytes), %llu bytes unread\n",
		(unsigned long long)bytes, (unsigned long long)s->frames,
		(unsigned long long)s->dropped, (unsigned long long)s->corrupted,
		(unsigned long long)s->garbage_bytes, (unsigned long long)dropped);
}

static int run_file(const struct args *a)
{
	struct emu *e = make_emu(a);
	if (!e)
		return 1;
	FILE *f = strcmp(a->out, "-") == 0 ? stdout : fopen(a->out, "wb");
	if (!f) {
		fprintf(stderr, "vagus-sim: %s: %s\n", a->out, strerror(errno));
		emu_destroy(&e);
		return 1;
	}
	double secs = a->seconds < 0 ? 60.0 : a->seconds;
	long steps = (long)(secs / SIM_STEP_S + 0.5);
	uint64_t total = 0;
	emu_autostart(e);
	for (long k = 1; k <= steps && !stop_flag; k++) {
		const uint8_t *out;
		size_t n = emu_advance(e, (double)k * SIM_STEP_S, &out);
		if (n && fwrite(out, 1, n, f) != n)
			break;
		total += n;
	}
	int rc = 0;
	if (ferror(f) || (f != stdout ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "vagus-sim: %s: write failed\n", a->out);
		rc = 1;
	}
	summary(e, total, 0);
	emu_destroy(&e);
	return rc;
}

/* ------------------------------------------------------------ pty */
struct pty {
	int master, slave;
	char path[128];
};

static int pty_open(struct pty *p, const char *link)
{
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (p->master < 0 || grantpt(p->master) < 0 || unlockpt(p->master) < 0) {
		vg_warn("posix_openpt");
		goto fail;
	}
	const char *name = ptsname(p->master);
	if (!name || strlen(name) >= sizeof(p->path))
		goto fail;
	strcpy(p->path, name);
	p->slave = open(p->path, O_RDWR | O_NOCTTY);
	if (p->slave < 0) {
		vg_warn("%s", p->path);
		goto fail;
	}
	struct termios t;
	if (tcgetattr(p->slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(p->slave, TCSANOW, &t);
	}
	int fl = fcntl(p->master, F_GETFL);
	fcntl(p->master, F_SETFL, fl | O_NONBLOCK);
	if (link) {
		char tmp[1100];
		snprintf(tmp, sizeof(tmp), "%s.tmp%ld", link, (long)getpid());
		unlink(tmp);
		if (symlink(p->path, tmp) < 0 || rename(tmp, link) < 0) {
			vg_warn("link %s", link);
			unlink(tmp);
			goto fail;
		}
	}
	printf("%s\n", p->path);
	fflush(stdout);
	return VG_OK;
fail:
	if (p->master >= 0)
		close(p->master);
	p->master = p->slave = -1;
	return VG_ERR_IO;
}

static void pty_close(struct pty *p, const char *link)
{
	if (p->slave >= 0)
		close(p->slave);
	if (p->master >= 0)
		close(p->master);
	p->master = p->slave = -1;
	if (link)
		unlink(link);
}

static int run_pty(const struct args *a)
{
	struct emu *e = make_emu(a);
	if (!e)
		return 1;
	struct pty p = { -1, -1, "" };
	if (pty_open(&p, a->link) < 0) {
		emu_destroy(&e);
		return 1;
	}
	double t0 = now_s();        /* wall time of session time 0 */
	double t_dev0 = 0;          /* session time the current device started */
	double t_unplugged = -1;    /* session time of the unplug, -1 = plugged */
	int unplug_done = 0;
	uint64_t total = 0, unread = 0;
	int rc = 0;
	while (!stop_flag) {
		double t = (now_s() - t0) * a->speed;
		if (a->seconds > 0 && t >= a->seconds)
			break;
		if (t_unplugged >= 0) {
			if (t - t_unplugged >= a->replug_after) {
				summary(e, total, unread);
				emu_destroy(&e);
				e = make_emu(a);
				if (!e || pty_open(&p, a->link) < 0) {
					rc = 1;
					break;
				}
				t_dev0 = t;
				t_unplugged = -1;
			} else {
				struct timespec ts = { 0, SIM_POLL_MS * 1000000L };
				nanosleep(&ts, NULL);
				continue;
			}
		}
		if (!unplug_done && a->unplug_after >= 0 && t >= a->unplug_after) {
			pty_close(&p, a->link);
			fprintf(stderr, "vagus-sim: unplugged at %.2f s\n", t);
			unplug_done = 1;
			t_unplugged = t;
			continue;
		}
		struct pollfd pfd = { .fd = p.master, .events = POLLIN };
		int pr = poll(&pfd, 1, SIM_POLL_MS);
		if (pr < 0 && errno != EINTR) {
			vg_warn("poll");
			rc = 1;
			break;
		}
		if (pr > 0 && (pfd.revents & POLLIN)) {
			uint8_t buf[256];
			ssize_t n = read(p.master, buf, sizeof(buf));
			if (n > 0)
				emu_rx(e, buf, (size_t)n);
		}
		const uint8_t *out;
		size_t n = emu_advance(e, t - t_dev0, &out);
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(p.master, out + off, n - off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				unread += n - off; /* nobody reads: dropped */
				break;
			}
			off += (size_t)w;
		}
		total += off;
	}
	if (e)
		summary(e, total, unread);
	pty_close(&p, a->link);
	emu_destroy(&e);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a;
	if (parse_args(argc, argv, &a) < 0)
		return TOOL_EXIT_USAGE;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return a.pty ? run_pty(&a) : run_file(&a);
}
