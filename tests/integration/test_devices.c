/*
 * test_devices.c - every emulated sensor end to end: vagus-sim serves the
 * device on a pty (answering its handshake), vagusd reads it through the fd
 * link and its driver, a subscriber checks the published beats (and EMG)
 * against the simulator's truth; then an unplug/replug: the daemon keeps
 * running, says so in events, resumes within 2 s of the device's return and
 * marks the gap.
 *
 * Truth alignment: the emulator's physiology starts at its t = 0 when it
 * starts streaming; the daemon may join a little later, so detected RR
 * intervals are aligned with the true RR series by the offset that matches
 * best, and every detected interval must then match its true one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client.h"
#include "msg.h"
#include "proto.h"
#include "sim_model.h"
#include "vg_err.h"
#include "vgtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAXB 2000
#define MAXE 6000

struct run {
	struct pl_beat beats[MAXB];
	int nb;
	struct pl_emg emg[MAXE];
	int ne;
	struct proto_event ev[64];
	int64_t ev_recv_ns[64];
	int nev;
	char last_status[PROTO_MSG_MAX + 1];
};

static struct run R;
static char dir[64];

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (long)s) * 1e9) };
	nanosleep(&ts, NULL);
}

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Start vagus-sim with a stable link path; wait for it. */
static pid_t start_sim(const char *device, const char *link, const char *speed,
		       const char *extra1, const char *extra2)
{
	char *argv[16];
	int n = 0;
	argv[n++] = (char *)vgt_bin("vagus-sim");
	argv[n++] = "--device";
	argv[n++] = (char *)device;
	argv[n++] = "--pty";
	argv[n++] = "--link";
	argv[n++] = (char *)link;
	argv[n++] = "--seed";
	argv[n++] = "5";
	argv[n++] = "--speed";
	argv[n++] = (char *)speed;
	argv[n++] = "--scenario";
	argv[n++] = "surge";
	if (extra1)
		argv[n++] = (char *)extra1;
	if (extra2)
		argv[n++] = (char *)extra2;
	argv[n] = NULL;
	char log[128];
	snprintf(log, sizeof(log), "%s/sim-%s.log", dir, device);
	pid_t p = vgt_spawn(argv, log);
	struct stat st;
	for (int i = 0; i < 100 && stat(link, &st) != 0; i++)
		sleep_s(0.02);
	return p;
}

/* Run vagusd on spec for secs, collecting beats, emg, events, status. */
static void collect(const char *spec, double secs)
{
	memset(&R, 0, sizeof(R));
	char pub[64], ctl[64];
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	struct proto_sub *sub = proto_sub_new(pub, NULL, 0, NULL);
	assert_non_null(sub);
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", (char *)spec, "--pub", pub,
			 "--ctl", ctl, "--stall-timeout", "3", NULL };
	char log[128];
	snprintf(log, sizeof(log), "%s/vagusd.log", dir);
	pid_t d = vgt_spawn(argv, log);
	static char json[PROTO_MSG_MAX + 1];
	char topic[32];
	static union proto_any m;
	double end = vgt_now() + secs;
	while (vgt_now() < end) {
		int n = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 100);
		if (n <= 0)
			continue;
		struct proto_header h;
		const struct proto_topic *t;
		if (proto_decode(json, (size_t)n, &h, &t, &m, sizeof(m)) < 0 || !t)
			continue;
		if (!strcmp(topic, "beat") && R.nb < MAXB)
			R.beats[R.nb++] = m.beat;
		else if (!strcmp(topic, "emg") && R.ne < MAXE)
			R.emg[R.ne++] = m.emg;
		else if (!strcmp(topic, "event") && R.nev < 64) {
			R.ev_recv_ns[R.nev] = wall_ns();
			R.ev[R.nev++] = m.event;
		} else if (!strcmp(topic, "status"))
			memcpy(R.last_status, json, (size_t)n + 1);
	}
	proto_sub_destroy(&sub);
	assert_int_equal(vgt_stop(d, 3000), 0); /* alive and clean to the end */
}

/* Align detected RR with the true RR series; returns the number of
 * detected intervals checked and the worst error (ms). */
static int check_rr(double *worst)
{
	struct sim_config sc = { .seed = 5, .n_emg = 2,
				 .scenario = sim_scenario_find("surge") };
	struct sim *sim = sim_new(&sc, NULL);
	static struct sim_beat tb[4000];
	int nt = (int)sim_beats(sim, 0.0, 400.0, tb, 4000);
	sim_destroy(&sim);
	double rr[MAXB];
	int n = 0;
	for (int i = 0; i < R.nb; i++)
		if (isfinite(R.beats[i].rr_ms))
			rr[n++] = R.beats[i].rr_ms;
	if (n < 5)
		fail_msg("only %d intervals", n);
	int best_k = -1;
	double best = 1e9;
	for (int k = 0; k + n <= nt; k++) {
		/* the median error of the first 5 intervals picks the offset */
		double e[5];
		for (int i = 0; i < 5; i++)
			e[i] = fabs(rr[i] - tb[i + k].rr_ms);
		for (int a = 0; a < 5; a++)
			for (int b = a + 1; b < 5; b++)
				if (e[b] < e[a]) {
					double x = e[a];
					e[a] = e[b];
					e[b] = x;
				}
		if (e[2] < best) {
			best = e[2];
			best_k = k;
		}
	}
	assert_true(best_k >= 0);
	*worst = 0;
	for (int i = 0; i < n; i++) {
		double err = fabs(rr[i] - tb[i + best_k].rr_ms);
		if (err > *worst)
			*worst = err;
	}
	return n;
}

static void device_case(const char *device, const char *opts, const char *speed,
			double secs, double tol_ms, int has_emg)
{
	char link[128], spec[512];
	snprintf(link, sizeof(link), "%s/%s", dir, device);
	pid_t sim = start_sim(device, link, speed, NULL, NULL);
	assert_true(sim > 0);
	snprintf(spec, sizeof(spec), "%s:fd:%s%s%s", device, link, opts ? "," : "",
		 opts ? opts : "");
	collect(spec, secs);
	vgt_stop(sim, 2000);
	double worst;
	int n = check_rr(&worst);
	printf("%s: %d beats, %d intervals matched to the truth, worst RR error %.2f ms "
	       "(tolerance %.1f)\n", device, R.nb, n, worst, tol_ms);
	assert_true(worst <= tol_ms);
	if (!has_emg)
		return;
	/* EMG: surge scenario, tension 0.06 before 60 s and 0.70 after 64 s */
	double lo = 0, hi = 0;
	int nlo = 0, nhi = 0;
	double fs = 0;
	/* sample clock of the EMG input: t = (sample + 1) / fs; fs from the
	 * spacing of results (20 per second of signal) */
	if (R.ne > 40) {
		int a = -1, b = -1;
		for (int i = 0; i < R.ne; i++)
			if (R.emg[i].r.channel == 0) {
				if (a < 0)
					a = i;
				b = i;
			}
		fs = (double)(R.emg[b].r.sample - R.emg[a].r.sample) /
		     ((double)(R.emg[b].t_ns - R.emg[a].t_ns) * 1e-9);
	}
	assert_true(fs > 200);
	for (int i = 0; i < R.ne; i++) {
		if (R.emg[i].r.channel != 0 || !isfinite(R.emg[i].r.rms_uv))
			continue;
		double t = (R.emg[i].r.sample + 1) / fs;
		if (t > 30 && t < 55) {
			lo += R.emg[i].r.rms_uv;
			nlo++;
		} else if (t > 70 && t < 110) {
			hi += R.emg[i].r.rms_uv;
			nhi++;
		}
	}
	assert_true(nlo > 100 && nhi > 100);
	lo /= nlo;
	hi /= nhi;
	struct sim_config sc = { .seed = 5, .n_emg = 2, .scenario = sim_scenario_find("surge") };
	struct sim *s = sim_new(&sc, NULL);
	struct sim_truth a, b;
	sim_truth_at(s, 40, &a);
	sim_truth_at(s, 90, &b);
	sim_destroy(&s);
	printf("%s: EMG rest %.1f uV (truth %.1f), surge %.1f uV (truth %.1f)\n", device, lo,
	       a.emg_rms_uv[0], hi, b.emg_rms_uv[0]);
	assert_true(fabs(lo - a.emg_rms_uv[0]) < 0.25 * a.emg_rms_uv[0]);
	assert_true(fabs(hi - b.emg_rms_uv[0]) < 0.15 * b.emg_rms_uv[0]);
}

static void openbci(void **state)
{
	(void)state;
	device_case("openbci", NULL, "15", 8.5, 8.0, 1);
}

static void bitalino(void **state)
{
	(void)state;
	device_case("bitalino", NULL, "15", 8.5, 3.0, 1);
}

static void p2(void **state)
{
	(void)state;
	device_case("p2", NULL, "15", 8.5, 8.0, 1);
}

static void ant(void **state)
{
	(void)state;
	device_case("ant", "network_key=00 11 22 33 44 55 66 77", "1", 8.0, 2.0, 0);
}

static void pulse(void **state)
{
	(void)state;
	device_case("pulse", NULL, "1", 8.0, 3.0, 0);
}

static const struct proto_event *find_event(const char *kind, int nth, int *idx)
{
	for (int i = 0, k = 0; i < R.nev; i++)
		if (!strcmp(R.ev[i].kind, kind) && k++ == nth) {
			if (idx)
				*idx = i;
			return &R.ev[i];
		}
	return NULL;
}

static void unplug_replug(void **state)
{
	(void)state;
	char link[128], spec[256];
	snprintf(link, sizeof(link), "%s/replug", dir);
	pid_t sim = start_sim("bitalino", link, "1", "--unplug-after=4", "--replug-after=1.5");
	snprintf(spec, sizeof(spec), "bitalino:fd:%s", link);
	collect(spec, 11.0);
	vgt_stop(sim, 2000);
	int il = -1, ic = -1;
	const struct proto_event *lost = find_event("source.lost", 0, &il);
	/* the first "connected" of the start may come before we subscribed:
	 * take the first one after the loss */
	const struct proto_event *back = NULL;
	for (int i = il + 1; lost && i < R.nev && !back; i++)
		if (!strcmp(R.ev[i].kind, "source.connected")) {
			back = &R.ev[i];
			ic = i;
		}
	assert_non_null(lost);
	assert_non_null(back);
	double away = (double)(R.ev_recv_ns[ic] - R.ev_recv_ns[il]) * 1e-9;
	printf("unplug: lost -> connected again after %.2f s (device away 1.5 s): %s\n",
	       away, back->detail);
	assert_true(away < 1.5 + 2.0); /* resumed within 2 s of the return */
	assert_non_null(strstr(back->detail, "samples marked missing"));
	const struct proto_event *gap = find_event("source.gap", 0, NULL);
	assert_non_null(gap);
	assert_non_null(strstr(gap->detail, "disconnected"));
	/* beats came again after the return, and the status counts the gap */
	int after = 0;
	for (int i = 0; i < R.nb; i++)
		after += R.beats[i].t_ns > back->t_ns;
	assert_true(after >= 3);
	const char *sm = strstr(R.last_status, "\"samples_missing\":");
	assert_non_null(sm);
	assert_true(atol(sm + 18) > 1000); /* >= 1.5 s at 1000 Hz */
	assert_non_null(strstr(R.last_status, "\"state\":\"running\""));
}

static void missing_device_keeps_trying(void **state)
{
	(void)state;
	char spec[256];
	snprintf(spec, sizeof(spec), "openbci:fd:%s/nothing-here", dir);
	collect(spec, 2.5); /* asserts the daemon ran until stopped */
	assert_non_null(strstr(R.last_status, "\"state\":\"lost\""));
}

static int setup(void **state)
{
	(void)state;
	return vgt_mkdtemp(dir, sizeof(dir), "vagus-dev") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openbci),
		cmocka_unit_test(bitalino),
		cmocka_unit_test(p2),
		cmocka_unit_test(ant),
		cmocka_unit_test(pulse),
		cmocka_unit_test(unplug_replug),
		cmocka_unit_test(missing_device_keeps_trying),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
