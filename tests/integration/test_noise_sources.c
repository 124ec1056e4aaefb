/*
 * test_noise_sources.c - a device that sends only noise is not "running"
 * (issue 15: pulse and hrmi stayed "running" with 0 frames decoded, since
 * every rejected line advanced the sample index as a gap).
 * vagusd reads pulse and hrmi from a FIFO fed with line-shaped garbage by a
 * child process; `sources` must then report the source "stalled" with 0
 * frames, and the log must say so. Readiness is polled (no fixed sleeps
 * decide the outcome): the state is read until it leaves "running" or
 * 20 s pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client.h"
#include "vgtest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

/* A child writing noise lines into fifo until killed. */
static pid_t noise_writer(const char *fifo)
{
	pid_t p = fork();
	if (p != 0)
		return p;
	FILE *f = fopen(fifo, "w");
	if (!f)
		_exit(1);
	unsigned x = 12345;
	for (;;) {
		char line[32];
		int n = 0;
		for (int i = 0; i < 12; i++) {
			x = x * 1103515245u + 12345u;
			line[n++] = "xyzQSB,.- 9#"[(x >> 16) % 12];
		}
		line[n++] = '\r';
		line[n++] = '\n';
		if (fwrite(line, 1, (size_t)n, f) != (size_t)n || fflush(f))
			_exit(0);
		struct timespec ts = { 0, 20000000 };
		nanosleep(&ts, NULL);
	}
}

static void noise_is_not_running(const char *driver)
{
	char fifo[128], spec[192], pub[64], ctl[64], log[128];
	snprintf(fifo, sizeof(fifo), "%s/%s.fifo", dir, driver);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(spec, sizeof(spec), "%s:fd:%s", driver, fifo);
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(log, sizeof(log), "%s/%s.log", dir, driver);
	pid_t w = noise_writer(fifo);
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", spec, "--stall-timeout",
			 "2", "--pub", pub, "--ctl", ctl, NULL };
	pid_t d = vgt_spawn(argv, log);
	static char reply[8192];
	int got = 0, left_running = 0;
	for (double end = vgt_now() + 20; vgt_now() < end && !left_running;) {
		if (proto_ctl_request(ctl, "{\"cmd\":\"sources\"}", reply, sizeof(reply),
				      1000) <= 0)
			continue;
		got = 1;
		left_running = !strstr(reply, "\"state\":\"running\"") &&
			       !strstr(reply, "\"state\":\"starting\"");
		if (!left_running) {
			struct timespec ts = { 0, 200000000 };
			nanosleep(&ts, NULL);
		}
	}
	kill(w, SIGKILL);
	waitpid(w, NULL, 0);
	assert_int_equal(vgt_stop(d, 3000), 0);
	assert_true(got);
	if (!left_running)
		fail_msg("%s on noise still running after 20 s: %s", driver, reply);
	assert_non_null(strstr(reply, "\"state\":\"stalled\""));
	assert_non_null(strstr(reply, "\"frames\":0"));
	FILE *f = fopen(log, "r");
	assert_non_null(f);
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "0 frames decoded"));
}

static void pulse_on_noise(void **state)
{
	(void)state;
	noise_is_not_running("pulse");
}

static void hrmi_on_noise(void **state)
{
	(void)state;
	noise_is_not_running("hrmi");
}

static int setup(void **state)
{
	(void)state;
	return vgt_mkdtemp(dir, sizeof(dir), "vagus-noise") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pulse_on_noise),
		cmocka_unit_test(hrmi_on_noise),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
