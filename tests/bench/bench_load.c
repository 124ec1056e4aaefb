/*
 * bench_load.c - load and scale figures for vagusd (issue 7): end-to-end
 * latency, daemon CPU and memory, fan-out to many subscribers, and what a
 * stalled subscriber does to the others.
 *
 * Problem: the daemon must publish within a few milliseconds, cost little
 * (it runs beside a console on a small PC), serve many dashboards without
 * losing messages, and never let one stuck subscriber slow the rest.
 * Approach: each phase starts BUILD/bin/vagusd (VG_BIN) with
 * `--source sim,emg=4` (ECG 500 Hz + 4 EMG channels at 1000 Hz) on free
 * loopback ports, runs N subscriber threads (own SUB socket each, sharing
 * one ZeroMQ context) and optionally stalled subscribers (connect,
 * subscribe to everything, never read until the end), waits until the
 * daemon's `status` counts every subscription, then measures over a window:
 *  - CPU: utime + stime from /proc/PID/stat over the window, as % of one
 *    core; memory: VmRSS and VmHWM from /proc/PID/status at the end.
 *  - gaps: per subscriber and per topic, the messages missing between
 *    consecutive `seq` values (the first message of a topic only sets the
 *    start, so joining late is not a gap). Readers must show 0.
 *  - latency (wall clock, CLOCK_REALTIME at receive, same host):
 *    * emg (speed 1 only): recv - (t_ns + PL_EMG_ECG_DELAY_MS). An `emg`
 *      result for sample k has t_ns = origin + (k+1)/fs and is computed when
 *      sample k + delay (320 ms at any rate, analysis/pipeline.c) is fed, so
 *      t_ns + 320 ms is the earliest instant that triggering sample can
 *      exist at speed 1. The figure is the time from the sample's existence
 *      to the subscriber: pipeline + encode + ZeroMQ + the simulator's
 *      delivery batching (it hands over samples on a 10 ms tick, like a
 *      device sending packets) + the timer's wake-up (zmq_poll timeouts are
 *      whole ms). It is therefore an UPPER BOUND of the daemon's own path.
 *      The constant part of the batching (the phase between the 50 ms EMG
 *      hop and the 10 ms tick grid, fixed per run) shows as the minimum.
 *    * status (any speed): recv - t_ns of `status`, whose t_ns is the loop
 *      clock when the message is built: the publish path + transport, plus
 *      whatever ran before it in the same loop iteration (the 10 ms tick,
 *      with its analysis, runs first).
 *    * device (exact, speed 1): the bench emulates a BITalino (ECG + EMG
 *      at 1000 Hz, sim/emu_bitalino.c) on a pty, given to the daemon
 *      as `--source bitalino:fd:PTY` (alone, then with sim,emg=4 beside it
 *      as load), and notes the wall time each sample's frame was written.
 *      An `emg` result of channel 0 for sample k is produced by the arrival
 *      of sample k + 320; latency = recv - write time of that sample: link
 *      read + driver + analysis + encode + ZeroMQ, exactly, per message.
 *      The index convention is checked, not assumed: the largest offset
 *      (-3..3 samples) that keeps every latency >= 0 is used and printed
 *      (expect 0); a wrong one would be off by whole 1-ms sample periods.
 *    * hrv-beat: recv of an `hrv` message minus recv of the `beat` before
 *      it: the time the daemon spends computing HRV for one beat (both
 *      windows), during which its loop serves nothing else.
 * Phases: 1x with 10 readers (latency, CPU, RSS: the targets),
 * the device alone and with the simulator (exact latency), 1x with 10
 * readers + 1 stalled, 20x with 50 readers (fan-out), 20x with
 * 10 readers, 20x with 10 readers + 1 and + 3 stalled (at 20x a stalled
 * one overflows its high-water mark within the window, so the daemon's
 * memory per stalled subscriber shows; its own gaps are counted by letting
 * it catch up for DRAIN_S at the end).
 * Usage: bench_load [SECONDS]  (window of the 1x phases, default 30; the
 * 20x phases use 2/3 of it). Figures are printed, not asserted: exit 1 only
 * when the harness fails (daemon does not start, a thread cannot start).
 * Limits: subscribers and daemon share the machine's cores, so CPU is the
 * daemon's own time but latency includes scheduling contention; one
 * ZeroMQ context with 2 I/O threads serves all subscribers.
 */
#include "emu.h"
#include "vgtest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define EMG_DELAY_NS 320000000LL /* PL_EMG_ECG_DELAY_MS in analysis/pipeline.c */
#define MAX_READERS 64
#define MAX_TOPICS 8
#define LAT_CAP 200000           /* latency samples per reader and kind */
#define DEV_FS_HZ 1000.0        /* BITalino at its default rate */
#define DEV_DELAY_SAMPLES 320    /* PL_EMG_ECG_DELAY_MS at DEV_FS_HZ */
#define DEV_MAX_SAMPLES 4000000  /* write times kept: > 1 h at 1000 Hz */
#define DEV_PAIRS_CAP 100000     /* (sample, recv) pairs per reader */
#define DRAIN_S 2.0              /* stalled subscriber's catch-up at the end */
#define TARGET_P99_MS 5.0
#define TARGET_CPU_PCT 3.0
#define TARGET_RSS_MB 20.0

struct reader {
	pthread_t th;
	char endpoint[64];
	int stalled;
	atomic_int *stop;
	atomic_int *measuring;
	/* results */
	uint64_t msgs;
	uint64_t gaps;
	char topic[MAX_TOPICS][32];
	uint64_t last_seq[MAX_TOPICS];
	int ntopics;
	int64_t *lat_emg;   /* ns */
	size_t n_emg;
	int64_t *lat_status;/* ns */
	size_t n_status;
	int64_t *lat_hrv;   /* ns: hrv received after its beat */
	size_t n_hrv;
	int64_t last_beat_ns;
	int device;         /* record (sample, recv) of EMG channel 0 */
	int64_t *dev_sample, *dev_recv;
	size_t n_dev;
	int failed;
};

struct phase {
	const char *name;
	double speed;
	int readers;
	int stalled;                  /* stalled subscribers */
	double window_s;
	/* results */
	double cpu_pct;
	double rss_mb, hwm_mb;
	uint64_t msgs_min, msgs_max;  /* per reader, whole run */
	uint64_t gaps_readers, gaps_worst;
	int64_t stalled_gaps;         /* least lost by a stalled one; -1 = none */
	double emg_p50, emg_p99, emg_min, emg_max; /* ms, NAN = not measured */
	size_t emg_n;
	double st_p50, st_p99, st_max;             /* ms */
	size_t st_n;
	double hrv_p50, hrv_p99, hrv_max;          /* ms */
	size_t hrv_n;
	/* device phases: a BITalino emulated on a pty is the (first) source */
	int device;
	int sim_load;                 /* also --source sim,emg=4 */
	double dev_min, dev_p50, dev_p99, dev_max; /* ms */
	size_t dev_n;
	int dev_offset;               /* index alignment found (expect 0) */
	int daemon_failed;            /* vagusd died or exited non-zero */
	int skip;
};

static void *zctx;

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------ /proc */
static int proc_cpu_ticks(pid_t pid, uint64_t *ticks)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return -1;
	unsigned long long ut = 0, st = 0;
	/* after ")": state(3) ... utime is field 14, stime 15 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		return -1;
	*ticks = ut + st;
	return 0;
}

static double proc_status_mb(pid_t pid, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	double mb = -1;
	size_t kl = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			mb = strtod(line + kl + 1, NULL) / 1024.0;
			break;
		}
	}
	fclose(f);
	return mb;
}

/* ------------------------------------------------------------ readers */
static int64_t json_int(const char *json, const char *key)
{
	const char *p = strstr(json, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void count_seq(struct reader *r, const char *topic, int64_t seq)
{
	if (seq < 0)
		return;
	int i;
	for (i = 0; i < r->ntopics; i++)
		if (!strcmp(r->topic[i], topic))
			break;
	if (i == r->ntopics) {
		if (r->ntopics == MAX_TOPICS)
			return;
		snprintf(r->topic[i], sizeof(r->topic[i]), "%s", topic);
		r->ntopics++;
	} else if ((uint64_t)seq > r->last_seq[i] + 1) {
		r->gaps += (uint64_t)seq - r->last_seq[i] - 1;
	}
	r->last_seq[i] = (uint64_t)seq;
}

/* Receive one two-frame message without waiting; 1 = got one, 0 = none. */
static int take(struct reader *r, void *sock, double speed)
{
	char topic[32], json[8192];
	int n = zmq_recv(sock, topic, sizeof(topic) - 1, ZMQ_DONTWAIT);
	if (n < 0)
		return 0;
	int64_t now = wall_ns();
	topic[n < (int)sizeof(topic) - 1 ? n : (int)sizeof(topic) - 1] = '\0';
	int more = 0;
	size_t ml = sizeof(more);
	zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
	if (!more)
		return 1;
	n = zmq_recv(sock, json, sizeof(json) - 1, 0);
	if (n < 0)
		return 1;
	json[n < (int)sizeof(json) - 1 ? n : (int)sizeof(json) - 1] = '\0';
	r->msgs++;
	count_seq(r, topic, json_int(json, "\"seq\":"));
	if (r->stalled || !atomic_load(r->measuring))
		return 1;
	int64_t t_ns = json_int(json, "\"t_ns\":");
	if (r->device && !strcmp(topic, "emg") &&
	    json_int(json, "\"channel\":") == 0 && r->n_dev < DEV_PAIRS_CAP) {
		r->dev_sample[r->n_dev] = json_int(json, "\"sample\":");
		r->dev_recv[r->n_dev++] = now;
		return 1;
	}
	if (!strcmp(topic, "emg") && speed == 1.0 && r->n_emg < LAT_CAP)
		r->lat_emg[r->n_emg++] = now - (t_ns + EMG_DELAY_NS);
	else if (!strcmp(topic, "status") && r->n_status < LAT_CAP)
		r->lat_status[r->n_status++] = now - t_ns;
	else if (!strcmp(topic, "beat"))
		r->last_beat_ns = now;
	else if (!strcmp(topic, "hrv") && r->last_beat_ns && r->n_hrv < LAT_CAP)
		r->lat_hrv[r->n_hrv++] = now - r->last_beat_ns;
	return 1;
}

struct reader_arg {
	struct reader *r;
	double speed;
};

static void *reader_main(void *arg)
{
	struct reader_arg *a = arg;
	struct reader *r = a->r;
	void *sock = zmq_socket(zctx, ZMQ_SUB);
	int linger = 0;
	if (!sock) {
		r->failed = 1;
		return NULL;
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0);
	if (zmq_connect(sock, r->endpoint) != 0) {
		r->failed = 1;
		zmq_close(sock);
		return NULL;
	}
	if (r->stalled) {
		while (!atomic_load(r->stop))
			sleep_s(0.05);
		/* catch up with what the daemon kept for it (the daemon still
		 * runs), to count what it lost at its high-water mark */
		double until = vgt_now() + DRAIN_S;
		while (vgt_now() < until) {
			zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
			if (zmq_poll(&it, 1, 100) > 0)
				while (take(r, sock, a->speed))
					;
		}
		zmq_close(sock);
		return NULL;
	}
	while (!atomic_load(r->stop)) {
		zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		while (take(r, sock, a->speed))
			;
	}
	zmq_close(sock);
	return NULL;
}

/* ------------------------------------------------------------ daemon */
struct daemon {
	pid_t pid;
	char pub[64], ctl[64];
};

/* device_slave: NULL = the simulator alone; else a BITalino on that pty
 * first, plus the simulator when sim_load. */
static int daemon_start(struct daemon *d, double speed, const char *device_slave,
			int sim_load)
{
	char speed_s[32], dev[160];
	snprintf(d->pub, sizeof(d->pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(d->ctl, sizeof(d->ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(speed_s, sizeof(speed_s), "%g", speed);
	snprintf(dev, sizeof(dev), "bitalino:fd:%s", device_slave ? device_slave : "");
	char *argv[16];
	int n = 0;
	argv[n++] = (char *)vgt_bin("vagusd");
	if (device_slave) {
		argv[n++] = "--source";
		argv[n++] = dev;
	}
	if (!device_slave || sim_load) {
		argv[n++] = "--source";
		argv[n++] = "sim,emg=4";
	}
	char *rest[] = { "--speed", speed_s, "--pub", d->pub, "--ctl", d->ctl,
			 "--log-level", "warn", NULL };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		argv[n++] = rest[i];
	d->pid = vgt_spawn(argv, NULL);
	return d->pid > 0 ? 0 : -1;
}

/* The daemon's current subscription count from a status request, or -1. */
static int daemon_subscribers(const struct daemon *d)
{
	void *s = zmq_socket(zctx, ZMQ_REQ);
	int tmo = 1000, linger = 0, subs = -1;
	char reply[16384];
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	const char *req = "{\"cmd\":\"status\"}";
	if (zmq_connect(s, d->ctl) == 0 && zmq_send(s, req, strlen(req), 0) >= 0) {
		int n = zmq_recv(s, reply, sizeof(reply) - 1, 0);
		if (n > 0) {
			reply[n < (int)sizeof(reply) - 1 ? n : (int)sizeof(reply) - 1] = '\0';
			subs = (int)json_int(reply, "\"subscribers\":");
		}
	}
	zmq_close(s);
	return subs;
}

/* ------------------------------------------------------------ figures */
static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

enum lat_kind { LAT_EMG, LAT_STATUS, LAT_HRV };

static size_t lat_count(const struct reader *r, enum lat_kind k, const int64_t **v)
{
	*v = k == LAT_EMG ? r->lat_emg : k == LAT_STATUS ? r->lat_status : r->lat_hrv;
	return k == LAT_EMG ? r->n_emg : k == LAT_STATUS ? r->n_status : r->n_hrv;
}

/* Pool every reader's samples of one kind, sorted. */
static size_t pool(struct reader *rd, int n, enum lat_kind kind, int64_t **out)
{
	size_t total = 0;
	const int64_t *v;
	for (int i = 0; i < n; i++)
		total += lat_count(&rd[i], kind, &v);
	*out = total ? malloc(total * sizeof(int64_t)) : NULL;
	if (!*out)
		return 0;
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		size_t m = lat_count(&rd[i], kind, &v);
		memcpy(*out + k, v, m * sizeof(int64_t));
		k += m;
	}
	qsort(*out, total, sizeof(int64_t), cmp_i64);
	return total;
}

static double pct_ms(const int64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[i] * 1e-6;
}

/* ------------------------------------------------------------ device */
/* A BITalino (ECG + EMG at 1000 Hz) emulated on a pty master: answers the
 * driver's start-up commands, then writes the frames due every ~0.5 ms and
 * notes, for every sample, the wall time its frame was written. */
struct device {
	pthread_t th;
	int master;
	char slave[128];
	struct emu *emu;
	atomic_int *stop;
	int64_t *written_ns;   /* per sample index */
	uint64_t nsamples;
	int failed;
};

static void *device_main(void *arg)
{
	struct device *dv = arg;
	double t0 = vgt_now();
	while (!atomic_load(dv->stop)) {
		uint8_t in[256];
		ssize_t n = read(dv->master, in, sizeof(in));
		if (n > 0)
			emu_rx(dv->emu, in, (size_t)n);
		const uint8_t *out;
		size_t len = emu_advance(dv->emu, vgt_now() - t0, &out);
		/* stamped before the write: the daemon cannot have the bytes
		 * earlier, so a preemption here only overstates the latency */
		int64_t now = wall_ns();
		while (len > 0) {
			ssize_t w = write(dv->master, out, len);
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				break; /* no slave side (yet): the bytes are lost */
			if (w > 0) {
				out += w;
				len -= (size_t)w;
			}
		}
		uint64_t frames = emu_fault_stats(dv->emu)->frames;
		while (dv->nsamples < frames && dv->nsamples < DEV_MAX_SAMPLES)
			dv->written_ns[dv->nsamples++] = now;
		sleep_s(0.0005);
	}
	return NULL;
}

static int device_open(struct device *dv, atomic_int *stop)
{
	int err = 0;
	memset(dv, 0, sizeof(*dv));
	dv->stop = stop;
	dv->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (dv->master < 0 || grantpt(dv->master) || unlockpt(dv->master) ||
	    ptsname_r(dv->master, dv->slave, sizeof(dv->slave)))
		return -1;
	fcntl(dv->master, F_SETFL, O_NONBLOCK);
	dv->emu = emu_new("bitalino", 3, NULL, &err);
	dv->written_ns = malloc(DEV_MAX_SAMPLES * sizeof(int64_t));
	if (!dv->emu || !dv->written_ns)
		return -1;
	return pthread_create(&dv->th, NULL, device_main, dv) == 0 ? 0 : -1;
}

static void device_close(struct device *dv, int started)
{
	if (started)
		pthread_join(dv->th, NULL);
	emu_destroy(&dv->emu);
	if (dv->master >= 0)
		close(dv->master);
	free(dv->written_ns);
	dv->written_ns = NULL;
}

/* Exact latency of each EMG result: recv - write time of the sample whose
 * arrival produced it (index sample + DEV_DELAY_SAMPLES + offset). The
 * offset allows for an index convention off by a sample or two: the largest
 * offset that keeps every latency causal (>= 0) is the right one, since
 * the next sample was written a whole sample period later. */
static void device_figures(struct phase *ph, const struct device *dv,
			   struct reader *rd, int n)
{
	ph->dev_n = 0;
	ph->dev_offset = 99;
	for (int o = 3; o >= -3; o--) {
		int64_t lo = INT64_MAX;
		size_t cnt = 0;
		for (int i = 0; i < n; i++)
			for (size_t k = 0; k < rd[i].n_dev; k++) {
				int64_t j = rd[i].dev_sample[k] + DEV_DELAY_SAMPLES + o;
				if (j < 0 || (uint64_t)j >= dv->nsamples)
					continue;
				int64_t l = rd[i].dev_recv[k] - dv->written_ns[j];
				if (l < lo)
					lo = l;
				cnt++;
			}
		if (cnt && lo >= 0) {
			ph->dev_offset = o;
			break;
		}
	}
	if (ph->dev_offset == 99)
		return;
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += rd[i].n_dev;
	int64_t *v = malloc((total ? total : 1) * sizeof(int64_t));
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < rd[i].n_dev; k++) {
			int64_t j = rd[i].dev_sample[k] + DEV_DELAY_SAMPLES + ph->dev_offset;
			if (j >= 0 && (uint64_t)j < dv->nsamples)
				v[ph->dev_n++] = rd[i].dev_recv[k] - dv->written_ns[j];
		}
	qsort(v, ph->dev_n, sizeof(int64_t), cmp_i64);
	if (ph->dev_n) {
		ph->dev_min = pct_ms(v, ph->dev_n, 0.0);
		ph->dev_p50 = pct_ms(v, ph->dev_n, 0.50);
		ph->dev_p99 = pct_ms(v, ph->dev_n, 0.99);
		ph->dev_max = pct_ms(v, ph->dev_n, 1.0);
	}
	free(v);
}

static int run_phase(struct phase *ph)
{
	static struct reader rd[MAX_READERS + 1];
	static struct reader_arg args[MAX_READERS + 1];
	static struct device dv;
	atomic_int stop = 0, measuring = 0, dev_stop = 0;
	struct daemon d;
	int nthreads = ph->readers + ph->stalled, started = 0, rc = -1;
	int dev_started = 0;
	dv.master = -1;
	if (ph->device) {
		if (device_open(&dv, &dev_stop) < 0) {
			fprintf(stderr, "bench_load: cannot emulate a device on a pty\n");
			device_close(&dv, 0);
			return -1;
		}
		dev_started = 1;
	}
	if (nthreads > MAX_READERS + 1 ||
	    daemon_start(&d, ph->speed, ph->device ? dv.slave : NULL,
			 ph->sim_load) < 0) {
		fprintf(stderr, "bench_load: cannot start %s\n", vgt_bin("vagusd"));
		atomic_store(&dev_stop, 1);
		device_close(&dv, dev_started);
		return -1;
	}
	memset(rd, 0, sizeof(rd));
	for (int i = 0; i < nthreads; i++) {
		struct reader *r = &rd[i];
		snprintf(r->endpoint, sizeof(r->endpoint), "%s", d.pub);
		r->stalled = i >= ph->readers;
		r->stop = &stop;
		r->measuring = &measuring;
		r->lat_emg = malloc(LAT_CAP * sizeof(int64_t));
		r->lat_status = malloc(LAT_CAP * sizeof(int64_t));
		r->lat_hrv = malloc(LAT_CAP * sizeof(int64_t));
		r->device = ph->device;
		r->dev_sample = malloc(DEV_PAIRS_CAP * sizeof(int64_t));
		r->dev_recv = malloc(DEV_PAIRS_CAP * sizeof(int64_t));
		args[i].r = r;
		args[i].speed = ph->speed;
		if (!r->lat_emg || !r->lat_status || !r->lat_hrv || !r->dev_sample ||
		    !r->dev_recv ||
		    pthread_create(&r->th, NULL, reader_main, &args[i]) != 0) {
			fprintf(stderr, "bench_load: cannot start subscriber %d\n", i);
			goto out;
		}
		started++;
	}
	/* every subscription registered (10 s at most), then 2 s to settle */
	double until = vgt_now() + 10.0;
	int subs = -1;
	while (vgt_now() < until && (subs = daemon_subscribers(&d)) < nthreads)
		sleep_s(0.1);
	if (subs < nthreads) {
		fprintf(stderr, "bench_load: %s: daemon sees %d of %d subscribers\n",
			ph->name, subs, nthreads);
		goto out;
	}
	sleep_s(2.0);
	uint64_t t0 = 0, t1 = 0;
	double w0 = vgt_now();
	if (proc_cpu_ticks(d.pid, &t0) < 0)
		goto out;
	atomic_store(&measuring, 1);
	sleep_s(ph->window_s);
	atomic_store(&measuring, 0);
	if (proc_cpu_ticks(d.pid, &t1) < 0)
		goto out;
	double w = vgt_now() - w0;
	ph->cpu_pct = 100.0 * (double)(t1 - t0) / (double)sysconf(_SC_CLK_TCK) / w;
	ph->rss_mb = proc_status_mb(d.pid, "VmRSS");
	ph->hwm_mb = proc_status_mb(d.pid, "VmHWM");
	rc = 0;
out:
	atomic_store(&stop, 1);
	for (int i = 0; i < started; i++)
		pthread_join(rd[i].th, NULL);
	atomic_store(&dev_stop, 1);
	if (dev_started)
		pthread_join(dv.th, NULL);
	int st = vgt_stop(d.pid, 3000);
	if (st != -1 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		fprintf(stderr, "bench_load: %s: vagusd ended badly (%s %d)\n", ph->name,
			WIFSIGNALED(st) ? "signal" : "exit status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		ph->daemon_failed = 1;
	}
	if (dev_started && dv.failed)
		rc = -1;
	if (rc == 0) {
		ph->msgs_min = UINT64_MAX;
		ph->stalled_gaps = -1;
		for (int i = 0; i < nthreads; i++) {
			if (rd[i].failed)
				rc = -1;
			if (rd[i].stalled) { /* the least any stalled one lost */
				if (ph->stalled_gaps < 0 || (int64_t)rd[i].gaps < ph->stalled_gaps)
					ph->stalled_gaps = (int64_t)rd[i].gaps;
				continue;
			}
			ph->gaps_readers += rd[i].gaps;
			if (rd[i].gaps > ph->gaps_worst)
				ph->gaps_worst = rd[i].gaps;
			if (rd[i].msgs < ph->msgs_min)
				ph->msgs_min = rd[i].msgs;
			if (rd[i].msgs > ph->msgs_max)
				ph->msgs_max = rd[i].msgs;
		}
		int64_t *v = NULL;
		ph->emg_n = pool(rd, ph->readers, LAT_EMG, &v);
		ph->emg_p50 = ph->emg_p99 = ph->emg_min = ph->emg_max = -1;
		if (ph->emg_n) {
			ph->emg_min = pct_ms(v, ph->emg_n, 0.0);
			ph->emg_p50 = pct_ms(v, ph->emg_n, 0.50);
			ph->emg_p99 = pct_ms(v, ph->emg_n, 0.99);
			ph->emg_max = pct_ms(v, ph->emg_n, 1.0);
		}
		free(v);
		ph->st_n = pool(rd, ph->readers, LAT_STATUS, &v);
		ph->st_p50 = ph->st_p99 = ph->st_max = -1;
		if (ph->st_n) {
			ph->st_p50 = pct_ms(v, ph->st_n, 0.50);
			ph->st_p99 = pct_ms(v, ph->st_n, 0.99);
			ph->st_max = pct_ms(v, ph->st_n, 1.0);
		}
		free(v);
		ph->hrv_n = pool(rd, ph->readers, LAT_HRV, &v);
		if (ph->hrv_n) {
			ph->hrv_p50 = pct_ms(v, ph->hrv_n, 0.50);
			ph->hrv_p99 = pct_ms(v, ph->hrv_n, 0.99);
			ph->hrv_max = pct_ms(v, ph->hrv_n, 1.0);
		}
		free(v);
		if (ph->device)
			device_figures(ph, &dv, rd, ph->readers);
	}
	for (int i = 0; i < nthreads; i++) {
		free(rd[i].lat_emg);
		free(rd[i].lat_status);
		free(rd[i].lat_hrv);
		free(rd[i].dev_sample);
		free(rd[i].dev_recv);
	}
	if (dev_started)
		device_close(&dv, 0);
	return rc;
}

static void print_phase(const struct phase *ph)
{
	printf("%-26s %5.0fx %4d %3d %6.1f %6.2f %6.1f %6.1f %9" PRIu64 " %6" PRIu64,
	       ph->name, ph->speed, ph->readers, ph->stalled,
	       ph->window_s, ph->cpu_pct, ph->rss_mb, ph->hwm_mb, ph->msgs_min,
	       ph->gaps_readers);
	if (ph->stalled_gaps >= 0)
		printf(" %8" PRId64, ph->stalled_gaps);
	else
		printf(" %8s", "-");
	if (ph->emg_n)
		printf("  %5.2f/%5.2f/%5.2f/%6.2f", ph->emg_min, ph->emg_p50,
		       ph->emg_p99, ph->emg_max);
	else
		printf("  %26s", "-");
	if (ph->st_n)
		printf("  %5.2f/%5.2f/%6.2f", ph->st_p50, ph->st_p99, ph->st_max);
	else
		printf("  %19s", "-");
	if (ph->hrv_n)
		printf("  %5.2f/%5.2f/%6.2f", ph->hrv_p50, ph->hrv_p99, ph->hrv_max);
	else
		printf("  %20s", "-");
	if (ph->dev_n)
		printf("  %5.2f/%5.2f/%5.2f/%6.2f (n %zu, offset %d)", ph->dev_min,
		       ph->dev_p50, ph->dev_p99, ph->dev_max, ph->dev_n, ph->dev_offset);
	else if (ph->device)
		printf("  no alignment found (%zu results)", ph->dev_n);
	printf("\n");
}

static const char *verdict(int ok)
{
	return ok ? "met" : "MISSED";
}

int main(int argc, char **argv)
{
	double win = argc > 1 ? strtod(argv[1], NULL) : 30.0;
	const char *only = argc > 2 ? argv[2] : NULL;
	if (!(win >= 1.0 && win <= 3600.0) || argc > 3) {
		fprintf(stderr, "usage: bench_load [SECONDS [PHASE-SUBSTRING]]  "
			"(SECONDS 1..3600, default 30)\n");
		return 2;
	}
	double win20 = win * 2.0 / 3.0;
	zctx = zmq_ctx_new();
	if (!zctx)
		return 1;
	zmq_ctx_set(zctx, ZMQ_IO_THREADS, 2);
	struct phase ph[] = {
		{ .name = "baseline 1x, 10 readers", .speed = 1, .readers = 10,
		  .window_s = win },
		{ .name = "device 1x, 10 readers", .speed = 1, .readers = 10,
		  .window_s = win, .device = 1 },
		{ .name = "device+sim 1x, 10 readers", .speed = 1, .readers = 10,
		  .window_s = win, .device = 1, .sim_load = 1 },
		{ .name = "1x, 10 readers + stalled", .speed = 1, .readers = 10,
		  .stalled = 1, .window_s = win },
		{ .name = "fan-out 20x, 50 readers", .speed = 20, .readers = 50,
		  .window_s = win20 },
		{ .name = "20x, 10 readers", .speed = 20, .readers = 10,
		  .window_s = win20 },
		{ .name = "20x, 10 readers + stalled", .speed = 20, .readers = 10,
		  .stalled = 1, .window_s = win20 },
		{ .name = "20x, 10 readers + 3 stalled", .speed = 20, .readers = 10,
		  .stalled = 3, .window_s = win20 },
	};
	int n = (int)(sizeof(ph) / sizeof(ph[0]));
	printf("vagusd load: --source sim,emg=4 (ECG 500 Hz + 4 EMG 1000 Hz), "
	       "subscribers to all topics, %d cores\n", (int)sysconf(_SC_NPROCESSORS_ONLN));
	printf("latency columns (ms): emg = recv - (t_ns + 320 ms) [upper bound: "
	       "includes the sim's 10 ms delivery batching], status = recv - t_ns "
	       "[publish path + transport],\n  hrv-beat = recv(hrv) - recv(its beat) "
	       "[HRV computation per beat, which runs in the daemon's loop]\n");
	printf("%-26s %6s %4s %3s %6s %6s %6s %6s %9s %6s %8s  %-26s  %-19s  %-20s  %s\n",
	       "phase",
	       "speed", "subs", "stl", "win_s", "cpu_%", "rss_MB", "hwm_MB",
	       "msgs/sub", "gaps", "stl_gaps", "emg min/p50/p99/max",
	       "status p50/p99/max", "hrv-beat p50/p99/max", "device min/p50/p99/max");
	fflush(stdout);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		if (only && !strstr(ph[i].name, only)) {
			ph[i].skip = 1;
			continue;
		}
		if (run_phase(&ph[i]) < 0) {
			zmq_ctx_term(zctx);
			return 1;
		}
		print_phase(&ph[i]);
		fflush(stdout);
		failed |= ph[i].daemon_failed;
	}
	zmq_ctx_term(zctx);
	if (failed)
		printf("WARNING: vagusd died or failed in a phase (see above): its "
		       "figures are not valid\n");
	if (only)
		return failed;
	enum { BASE, DEV, DEVSIM, STALL1, FAN50, X20, STALL20, STALL20X3 };
	printf("\ntargets:\n");
	printf("  latency p99 (device bytes -> subscriber, 1x, sim load, 10 subs)  "
	       "%6.2f ms  <= %.0f ms  %s (exact; device alone %.2f ms)\n",
	       ph[DEVSIM].dev_p99, TARGET_P99_MS,
	       verdict(ph[DEVSIM].dev_n && ph[DEVSIM].dev_p99 <= TARGET_P99_MS),
	       ph[DEV].dev_p99);
	printf("  latency p99 (sim sample -> subscriber, 1x, 10 subs)             "
	       "%6.2f ms  <= %.0f ms  %s (upper bound: sim 10 ms batching)\n",
	       ph[BASE].emg_p99, TARGET_P99_MS, verdict(ph[BASE].emg_p99 <= TARGET_P99_MS));
	printf("  CPU (1x, ECG 500 Hz + 4 EMG 1000 Hz, 10 subs)                   "
	       "%6.2f %%   <= %.0f %%   %s\n", ph[BASE].cpu_pct, TARGET_CPU_PCT,
	       verdict(ph[BASE].cpu_pct <= TARGET_CPU_PCT));
	printf("  RSS (same)                                                      "
	       "%6.1f MB  <= %.0f MB  %s (peak %.1f MB)\n", ph[BASE].rss_mb,
	       TARGET_RSS_MB, verdict(ph[BASE].rss_mb <= TARGET_RSS_MB), ph[BASE].hwm_mb);
	printf("  fan-out: seq gaps, 50 subs at 20x                               "
	       "%6" PRIu64 "     == 0     %s\n", ph[FAN50].gaps_readers,
	       verdict(ph[FAN50].gaps_readers == 0));
	printf("  stalled subscriber: the readers' gaps at 1x / 20x               "
	       "%3" PRIu64 " / %-3" PRIu64 " == 0     %s (the stalled one lost %" PRId64
	       " at 20x)\n", ph[STALL1].gaps_readers, ph[STALL20].gaps_readers,
	       verdict(ph[STALL1].gaps_readers == 0 && ph[STALL20].gaps_readers == 0),
	       ph[STALL20].stalled_gaps);
	printf("  stalled subscriber: emg p99 1x %.2f ms (without %.2f); status p99 "
	       "20x %.2f ms (without %.2f);\n    CPU 1x %.2f %% (without %.2f), 20x "
	       "%.2f %% (without %.2f); RSS 20x %.1f MB (without %.1f)\n",
	       ph[STALL1].emg_p99, ph[BASE].emg_p99, ph[STALL20].st_p99, ph[X20].st_p99,
	       ph[STALL1].cpu_pct, ph[BASE].cpu_pct, ph[STALL20].cpu_pct,
	       ph[X20].cpu_pct, ph[STALL20].rss_mb, ph[X20].rss_mb);
	printf("  memory per stalled subscriber (20x, queue at SNDHWM): 3 stalled "
	       "%.1f MB, 1 stalled %.1f MB, none %.1f MB; readers' gaps with 3: %"
	       PRIu64 "\n", ph[STALL20X3].rss_mb, ph[STALL20].rss_mb, ph[X20].rss_mb,
	       ph[STALL20X3].gaps_readers);
	return failed;
}
