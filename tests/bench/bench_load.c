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
 * one ZeroMQ context) and optionally one stalled subscriber (connects,
 * subscribes to everything, never reads until the end), waits until the
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
 *      clock when the message is built: the publish path + transport alone.
 * Phases: 1x with 10 readers (latency, CPU, RSS: the targets),
 * 1x with 10 readers + 1 stalled, 20x with 50 readers (fan-out), 20x with
 * 10 readers, 20x with 10 readers + 1 stalled (at 20x the stalled one
 * overflows its high-water mark within the window; its own gaps are
 * counted by draining it at the end).
 * Usage: bench_load [SECONDS]  (window of the 1x phases, default 30; the
 * 20x phases use 2/3 of it). Figures are printed, not asserted: exit 1 only
 * when the harness fails (daemon does not start, a thread cannot start).
 * Limits: subscribers and daemon share the machine's cores, so CPU is the
 * daemon's own time but latency includes scheduling contention; one
 * ZeroMQ context with 2 I/O threads serves all subscribers.
 */
#include "vgtest.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define EMG_DELAY_NS 320000000LL /* PL_EMG_ECG_DELAY_MS in analysis/pipeline.c */
#define MAX_READERS 64
#define MAX_TOPICS 8
#define LAT_CAP 200000           /* latency samples per reader and kind */
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
	int failed;
};

struct phase {
	const char *name;
	double speed;
	int readers;
	int stalled;
	double window_s;
	/* results */
	double cpu_pct;
	double rss_mb, hwm_mb;
	uint64_t msgs_min, msgs_max;  /* per reader, whole run */
	uint64_t gaps_readers, gaps_worst;
	int64_t stalled_gaps;         /* -1 = no stalled subscriber */
	uint64_t stalled_msgs;
	double emg_p50, emg_p99, emg_min, emg_max; /* ms, NAN = not measured */
	size_t emg_n;
	double st_p50, st_p99, st_max;             /* ms */
	size_t st_n;
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
	if (!strcmp(topic, "emg") && speed == 1.0 && r->n_emg < LAT_CAP)
		r->lat_emg[r->n_emg++] = now - (t_ns + EMG_DELAY_NS);
	else if (!strcmp(topic, "status") && r->n_status < LAT_CAP)
		r->lat_status[r->n_status++] = now - t_ns;
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
		while (take(r, sock, a->speed)) /* what reached it, to count its gaps */
			;
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

static int daemon_start(struct daemon *d, double speed)
{
	char speed_s[32];
	snprintf(d->pub, sizeof(d->pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(d->ctl, sizeof(d->ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(speed_s, sizeof(speed_s), "%g", speed);
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim,emg=4",
			 "--speed", speed_s, "--pub", d->pub, "--ctl", d->ctl,
			 "--log-level", "warn", NULL };
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

/* Pool every reader's samples of one kind; percentile figures in ms. */
static size_t pool(struct reader *rd, int n, int emg, int64_t **out)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += emg ? rd[i].n_emg : rd[i].n_status;
	*out = total ? malloc(total * sizeof(int64_t)) : NULL;
	if (!*out)
		return 0;
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		size_t m = emg ? rd[i].n_emg : rd[i].n_status;
		memcpy(*out + k, emg ? rd[i].lat_emg : rd[i].lat_status,
		       m * sizeof(int64_t));
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

static int run_phase(struct phase *ph)
{
	static struct reader rd[MAX_READERS + 1];
	static struct reader_arg args[MAX_READERS + 1];
	atomic_int stop = 0, measuring = 0;
	struct daemon d;
	int nthreads = ph->readers + ph->stalled, started = 0, rc = -1;
	if (nthreads > MAX_READERS + 1 || daemon_start(&d, ph->speed) < 0) {
		fprintf(stderr, "bench_load: cannot start %s\n", vgt_bin("vagusd"));
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
		args[i].r = r;
		args[i].speed = ph->speed;
		if (!r->lat_emg || !r->lat_status ||
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
	vgt_stop(d.pid, 3000);
	if (rc == 0) {
		ph->msgs_min = UINT64_MAX;
		ph->stalled_gaps = -1;
		for (int i = 0; i < nthreads; i++) {
			if (rd[i].failed)
				rc = -1;
			if (rd[i].stalled) {
				ph->stalled_gaps = (int64_t)rd[i].gaps;
				ph->stalled_msgs = rd[i].msgs;
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
		ph->emg_n = pool(rd, ph->readers, 1, &v);
		ph->emg_p50 = ph->emg_p99 = ph->emg_min = ph->emg_max = -1;
		if (ph->emg_n) {
			ph->emg_min = pct_ms(v, ph->emg_n, 0.0);
			ph->emg_p50 = pct_ms(v, ph->emg_n, 0.50);
			ph->emg_p99 = pct_ms(v, ph->emg_n, 0.99);
			ph->emg_max = pct_ms(v, ph->emg_n, 1.0);
		}
		free(v);
		ph->st_n = pool(rd, ph->readers, 0, &v);
		ph->st_p50 = ph->st_p99 = ph->st_max = -1;
		if (ph->st_n) {
			ph->st_p50 = pct_ms(v, ph->st_n, 0.50);
			ph->st_p99 = pct_ms(v, ph->st_n, 0.99);
			ph->st_max = pct_ms(v, ph->st_n, 1.0);
		}
		free(v);
	}
	for (int i = 0; i < nthreads; i++) {
		free(rd[i].lat_emg);
		free(rd[i].lat_status);
	}
	return rc;
}

static void print_phase(const struct phase *ph)
{
	printf("%-26s %5.0fx %4d %3s %6.1f %6.2f %6.1f %6.1f %9" PRIu64 " %6" PRIu64,
	       ph->name, ph->speed, ph->readers, ph->stalled ? "1" : "-",
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
		printf("  %5.2f/%5.2f/%5.2f", ph->st_p50, ph->st_p99, ph->st_max);
	printf("\n");
}

static const char *verdict(int ok)
{
	return ok ? "met" : "MISSED";
}

int main(int argc, char **argv)
{
	double win = argc > 1 ? strtod(argv[1], NULL) : 30.0;
	if (!(win >= 1.0 && win <= 3600.0)) {
		fprintf(stderr, "usage: bench_load [SECONDS]  (1..3600, default 30)\n");
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
		{ .name = "1x, 10 readers + stalled", .speed = 1, .readers = 10,
		  .stalled = 1, .window_s = win },
		{ .name = "fan-out 20x, 50 readers", .speed = 20, .readers = 50,
		  .window_s = win20 },
		{ .name = "20x, 10 readers", .speed = 20, .readers = 10,
		  .window_s = win20 },
		{ .name = "20x, 10 readers + stalled", .speed = 20, .readers = 10,
		  .stalled = 1, .window_s = win20 },
	};
	int n = (int)(sizeof(ph) / sizeof(ph[0]));
	printf("vagusd load: --source sim,emg=4 (ECG 500 Hz + 4 EMG 1000 Hz), "
	       "subscribers to all topics, %d cores\n", (int)sysconf(_SC_NPROCESSORS_ONLN));
	printf("latency columns (ms): emg = recv - (t_ns + 320 ms) [upper bound: "
	       "includes the sim's 10 ms delivery batching], status = recv - t_ns "
	       "[publish path + transport]\n");
	printf("%-26s %6s %4s %3s %6s %6s %6s %6s %9s %6s %8s  %-26s  %s\n", "phase",
	       "speed", "subs", "stl", "win_s", "cpu_%", "rss_MB", "hwm_MB",
	       "msgs/sub", "gaps", "stl_gaps", "emg min/p50/p99/max", "status p50/p99/max");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		if (run_phase(&ph[i]) < 0) {
			zmq_ctx_term(zctx);
			return 1;
		}
		print_phase(&ph[i]);
		fflush(stdout);
	}
	zmq_ctx_term(zctx);
	printf("\ntargets:\n");
	printf("  latency p99 (emg, 1x, 10 subs)   %7.2f ms   <= %.0f ms  %s (upper bound; "
	       "status path p99 %.2f ms)\n", ph[0].emg_p99, TARGET_P99_MS,
	       verdict(ph[0].emg_p99 <= TARGET_P99_MS), ph[0].st_p99);
	printf("  CPU (1x, 10 subs)                 %7.2f %%    <= %.0f %%   %s\n",
	       ph[0].cpu_pct, TARGET_CPU_PCT, verdict(ph[0].cpu_pct <= TARGET_CPU_PCT));
	printf("  RSS (1x, 10 subs)                 %7.1f MB   <= %.0f MB  %s (peak %.1f MB)\n",
	       ph[0].rss_mb, TARGET_RSS_MB, verdict(ph[0].rss_mb <= TARGET_RSS_MB),
	       ph[0].hwm_mb);
	printf("  fan-out gaps (50 subs, 20x)       %7" PRIu64 "      == 0     %s\n",
	       ph[2].gaps_readers, verdict(ph[2].gaps_readers == 0));
	printf("  stalled: readers' gaps (1x, 20x)  %3" PRIu64 ", %-3" PRIu64
	       "     == 0     %s (stalled one lost %" PRId64 " at 20x)\n",
	       ph[1].gaps_readers, ph[4].gaps_readers,
	       verdict(ph[1].gaps_readers == 0 && ph[4].gaps_readers == 0),
	       ph[4].stalled_gaps);
	printf("  stalled: emg p99 1x               %7.2f ms vs %.2f ms without\n",
	       ph[1].emg_p99, ph[0].emg_p99);
	printf("  stalled: CPU 1x / 20x             %5.2f / %.2f %% vs %.2f / %.2f %% without\n",
	       ph[1].cpu_pct, ph[4].cpu_pct, ph[0].cpu_pct, ph[3].cpu_pct);
	printf("  stalled: status p99 20x           %7.2f ms vs %.2f ms without\n",
	       ph[4].st_p99, ph[3].st_p99);
	return 0;
}
