/*
 * test_record_crash.c - kill -9 during a recording, repair, read back.
 *
 * A child process records 3 signals (500/1000/1000 Hz) in real time, as
 * the daemon does: every 10 ms the next 10 ms of samples, a `beat`-like
 * message every 100 ms, an annotation every 500 ms, rec_sync() every
 * second. It publishes how far it got in shared memory. The parent kills it
 * with SIGKILL at an arbitrary moment, repairs the files (rec_repair, and
 * rec_repair_dir as the daemon does at start) and checks with EDFlib that
 * everything fed up to 1 s before the kill is there and exact (samples
 * within half an EDF step, annotations with their onsets) and that the JSON
 * lines hold every message up to 1 s before the kill. Two kill times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vgtest.h"

#include "record.h"
#include "vg_err.h"
#include "vg_log.h"

#include <edflib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_NS (1795248000LL * 1000000000LL)
#define TICK_MS 10
#define AT_RISK_MS 1000 /* the promise: at most 1 s lost */

struct shared {
	volatile int64_t fed_ms;      /* signal time fed and returned from rec_samples */
	volatile int64_t messages;    /* rec_message calls returned */
	volatile int64_t annotations; /* rec_annotation calls returned */
	char edf[4096];
	char jsonl[4096];
};

static const struct rec_signal sigs[] = {
	{ "ECG", "mV", "AgAgCl", "HP:0.5Hz", -5.0, 5.0, 500.0, "ECG" },
	{ "EMG1", "uV", "sEMG", "HP:20Hz", -2000.0, 2000.0, 1000.0, "EMG" },
	{ "EMG2", "uV", "sEMG", "HP:20Hz", -2000.0, 2000.0, 1000.0, "EMG" },
};
static const double amp[] = { 4.0, 1500.0, 1800.0 };

static float value(int sig, uint64_t i, double fs)
{
	double t = (double)i / fs;
	return (float)(amp[sig] * (0.7 * sin(2 * M_PI * (1.1 + sig) * t) +
				   0.2 * sin(2 * M_PI * 23.0 * t + sig)));
}

static void sleep_until(const struct timespec *t0, int64_t ms)
{
	struct timespec t = *t0;
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0)
		;
}

static void child(struct shared *sh, const char *dir)
{
	struct rec_config cfg = { dir, "crash", "test", START_NS, sigs, 3, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	if (!r)
		_exit(3);
	snprintf(sh->edf, sizeof(sh->edf), "%s", rec_edf_path(r));
	snprintf(sh->jsonl, sizeof(sh->jsonl), "%s", rec_jsonl_path(r));
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	float buf[16];
	for (int64_t ms = TICK_MS;; ms += TICK_MS) {
		for (int s = 0; s < 3; s++) {
			uint64_t n = (uint64_t)(sigs[s].rate_hz * TICK_MS / 1000);
			uint64_t first = (uint64_t)((ms - TICK_MS) * sigs[s].rate_hz / 1000);
			for (uint64_t k = 0; k < n; k++)
				buf[k] = value(s, first + k, sigs[s].rate_hz);
			if (rec_samples(r, s, buf, n) != 0)
				_exit(4);
		}
		sh->fed_ms = ms;
		if (ms % 100 == 0) {
			char json[128];
			int n = snprintf(json, sizeof(json),
					 "{\"topic\":\"beat\",\"v\":1,\"seq\":%lld,\"t_ns\":%lld}",
					 (long long)sh->messages,
					 (long long)(START_NS + ms * 1000000LL));
			if (rec_message(r, json, (size_t)n) != 0)
				_exit(5);
			sh->messages++;
		}
		if (ms % 500 == 0) {
			char text[32];
			snprintf(text, sizeof(text), "mark %lld", (long long)(ms / 500));
			if (rec_annotation(r, START_NS + ms * 1000000LL, 0.1, text) != 0)
				_exit(6);
			sh->annotations++;
		}
		if (ms % 1000 == 0 && rec_sync(r) != 0)
			_exit(7);
		sleep_until(&t0, ms);
	}
}

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	if (!vgt_mkdtemp(tmpdir, sizeof(tmpdir), "vg_test_crash"))
		return -1;
	vg_log_set_level(VG_LOG_ERR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(tmpdir);
}

static void crash_and_check(int kill_after_ms, int use_dir_scan)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/k%d", tmpdir, kill_after_ms);
	assert_int_equal(mkdir(dir, 0755), 0);
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(sh, dir);
	usleep((useconds_t)kill_after_ms * 1000);
	int64_t fed = sh->fed_ms, msgs = sh->messages, annots = sh->annotations;
	assert_int_equal(kill(pid, SIGKILL), 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	print_message("killed after %d ms: %lld ms fed, %lld messages, %lld annotations\n",
		      kill_after_ms, (long long)fed, (long long)msgs, (long long)annots);
	assert_true(fed >= 1000);

	/* a killed recording does not open as it is */
	struct edf_hdr_struct *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	assert_true(edfopen_file_readonly(sh->edf, h, EDFLIB_READ_ALL_ANNOTATIONS) < 0);
	if (use_dir_scan) {
		assert_int_equal(rec_repair_dir(dir), 1);
	} else {
		int changed = 0;
		assert_int_equal(rec_repair(sh->edf, &changed), 0);
		assert_int_equal(changed, 1);
	}
	assert_int_equal(edfopen_file_readonly(sh->edf, h, EDFLIB_READ_ALL_ANNOTATIONS), 0);
	int64_t kept_ms = h->datarecords_in_file * 1000;
	print_message("  repaired: %lld records (%lld ms), %lld annotations; lost %lld ms\n",
		      (long long)h->datarecords_in_file, (long long)kept_ms,
		      (long long)h->annotations_in_file, (long long)(fed - kept_ms));
	assert_true(kept_ms >= fed - AT_RISK_MS);
	for (int s = 0; s < 3; s++) {
		int n = (int)(sigs[s].rate_hz * (double)kept_ms / 1000);
		double *buf = malloc((size_t)n * sizeof(double));
		assert_non_null(buf);
		assert_int_equal(edfread_physical_samples(h->handle, s, n, buf), n);
		double step = (sigs[s].phys_max - sigs[s].phys_min) / 65535.0;
		for (int i = 0; i < n; i++)
			if (fabs(buf[i] - value(s, (uint64_t)i, sigs[s].rate_hz)) > step / 2 + 1e-9)
				fail_msg("signal %d sample %d: %f, want %f", s, i, buf[i],
					 value(s, (uint64_t)i, sigs[s].rate_hz));
		free(buf);
	}
	/* annotations: "technique test" and every mark up to 1 s before */
	int64_t marks_safe = (fed - AT_RISK_MS) / 500;
	int found = 0, technique = 0;
	for (long long k = 0; k < h->annotations_in_file; k++) {
		struct edf_annotation_struct a;
		assert_int_equal(edf_get_annotation(h->handle, (int)k, &a), 0);
		long long m;
		if (sscanf(a.annotation, "mark %lld", &m) == 1) {
			long long end = h->datarecords_in_file * h->datarecord_duration;
			if (m * 500 * 10000LL + 1000000LL <= end) { /* inside the data */
				assert_int_equal(a.onset, m * 500 * 10000LL);
				assert_int_equal(a.duration_l, 1000000LL);
			} else { /* after the data that survived: kept, at its end */
				assert_true(a.onset <= end && a.onset + a.duration_l <= end);
			}
			found++;
		} else if (!strcmp(a.annotation, "technique test")) {
			technique = 1;
		}
	}
	assert_true(technique);
	assert_true(found >= marks_safe);
	edfclose_file(h->handle);
	free(h);

	/* JSON lines: every message up to 1 s before the kill, in order; a
	 * partial last line is allowed */
	FILE *f = fopen(sh->jsonl, "r");
	assert_non_null(f);
	char line[1024];
	long long seq = 0;
	while (fgets(line, sizeof(line), f)) {
		long long s, t;
		if (sscanf(line, "{\"topic\":\"beat\",\"v\":1,\"seq\":%lld,\"t_ns\":%lld}", &s,
			   &t) == 2 && strchr(line, '\n')) {
			assert_int_equal(s, seq);
			seq++;
		}
	}
	fclose(f);
	print_message("  JSON lines: %lld of %lld messages\n", seq, (long long)msgs);
	assert_true(seq >= msgs - AT_RISK_MS / 100);
	munmap(sh, sizeof(*sh));
}

static void test_kill_early(void **state)
{
	(void)state;
	crash_and_check(1450, 0);
}

static void test_kill_later(void **state)
{
	(void)state;
	crash_and_check(2730, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_early),
		cmocka_unit_test(test_kill_later),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
