/*
 * test_session_record.c - sessions recorded by the running daemon: a session
 * started and stopped over the control channel leaves an EDF+ file (every
 * channel at its rate, labels, units, the mark as an annotation) and a
 * JSON-lines file of every published message; after kill -9 the daemon's
 * next start repairs the file so EDFlib opens it with data up to about
 * 1 s before the kill; an unwritable directory gives a record.error event
 * while publishing goes on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client.h"
#include "edf.h"
#include "proto.h"
#include "vg_err.h"
#include "vgtest.h"

#include <cjson/cJSON.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64], pub[64], ctl[64];

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (long)s) * 1e9) };
	nanosleep(&ts, NULL);
}

static pid_t start_daemon(const char *rec_dir, const char *log)
{
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--pub", pub, "--ctl", ctl,
			 "--record-dir", (char *)rec_dir, "--log-level", "info", NULL };
	pid_t p = vgt_spawn(argv, log);
	char reply[256];
	for (int i = 0; i < 50; i++)
		if (proto_ctl_request(ctl, "{\"cmd\":\"ping\"}", reply, sizeof(reply), 200) > 0)
			return p;
	return -1;
}

static cJSON *ask(const char *req)
{
	static char reply[8192];
	int n = proto_ctl_request(ctl, req, reply, sizeof(reply), 2000);
	assert_true(n > 0);
	cJSON *r = cJSON_Parse(reply);
	assert_non_null(r);
	return r;
}

static int file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	static char buf[1 << 22];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void session_to_edf(void **state)
{
	(void)state;
	pid_t p = start_daemon(dir, vgt_log("rec"));
	assert_true(p > 0);
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"Ann\",\"technique\":\"swedish\"}");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	const cJSON *edf = cJSON_GetObjectItemCaseSensitive(r, "edf");
	assert_true(cJSON_IsString(edf));
	char edf_path[512], jsonl[512];
	snprintf(edf_path, sizeof(edf_path), "%s", edf->valuestring);
	cJSON_Delete(r);
	sleep_s(2.0);
	cJSON_Delete(ask("{\"cmd\":\"mark\",\"label\":\"deep pressure\",\"region\":\"trapezius-left\"}"));
	sleep_s(2.0);
	r = ask("{\"cmd\":\"session.stop\"}");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(p, 3000), 0);

	int err = 0;
	struct edfr *f = edfr_open(edf_path, &err);
	if (!f)
		fail_msg("%s: %s", edf_path, vg_strerror(err));
	assert_int_equal(edfr_nsig(f), 3); /* ECG + 2 EMG from the simulator */
	assert_string_equal(edfr_sig_label(f, 0), "ECG ECG"); /* EDF+ type, then the name */
	assert_int_equal(strncmp(edfr_sig_label(f, 1), "EMG ", 4), 0);
	assert_true(edfr_sig_fs(f, 0) == 500.0);
	assert_true(edfr_sig_fs(f, 1) == 1000.0);
	assert_string_equal(edfr_sig_units(f, 1), "uV");
	double dur = edfr_duration_s(f);
	printf("recorded %.1f s of a 4.0 s session\n", dur);
	assert_true(dur >= 3.0 && dur <= 5.0);
	/* the ECG has beats: an R wave above 0.8 mV somewhere */
	float x[1500];
	assert_int_equal(edfr_read_phys(f, 0, 0, 1500, x), 0);
	float mx = 0;
	for (int i = 0; i < 1500; i++)
		mx = x[i] > mx ? x[i] : mx;
	assert_true(mx > 0.8f);
	int marks = 0;
	for (size_t i = 0; i < edfr_nannot(f); i++)
		marks += strstr(edfr_annot(f, i)->text, "mark deep pressure") != NULL;
	assert_int_equal(marks, 1);
	edfr_close(&f);
	/* the JSON-lines file next to it holds the published messages */
	snprintf(jsonl, sizeof(jsonl), "%.*s.jsonl", (int)(strlen(edf_path) - 4), edf_path);
	assert_true(file_has(jsonl, "\"topic\":\"beat\""));
	assert_true(file_has(jsonl, "\"topic\":\"emg\""));
	assert_true(file_has(jsonl, "\"kind\":\"mark\""));
}

static void kill9_then_repair_on_start(void **state)
{
	(void)state;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/crash", dir);
	mkdir(sub, 0700);
	pid_t p = start_daemon(sub, vgt_log("rec-crash"));
	assert_true(p > 0);
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"Bob\"}");
	char edf_path[512];
	snprintf(edf_path, sizeof(edf_path), "%s",
		 cJSON_GetObjectItemCaseSensitive(r, "edf")->valuestring);
	cJSON_Delete(r);
	sleep_s(3.5);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	int err = 0;
	struct edfr *f = edfr_open(edf_path, &err);
	assert_null(f); /* EDFlib cannot open it as left */
	/* the next start repairs it */
	p = start_daemon(sub, vgt_log("rec-crash2"));
	assert_true(p > 0);
	assert_int_equal(vgt_stop(p, 3000), 0);
	f = edfr_open(edf_path, &err);
	if (!f)
		fail_msg("after repair: %s", vg_strerror(err));
	double dur = edfr_duration_s(f);
	printf("after kill -9 at 3.5 s: %.1f s recovered\n", dur);
	assert_true(dur >= 2.0); /* <= 1 s lost, plus start-up */
	edfr_close(&f);
}

static void unwritable_directory(void **state)
{
	(void)state;
	if (geteuid() == 0) {
		/* root ignores permissions: use a path under a regular file */
		char bad[128];
		snprintf(bad, sizeof(bad), "%s/not-a-dir", dir);
		FILE *fp = fopen(bad, "w");
		fclose(fp);
		snprintf(bad, sizeof(bad), "%s/not-a-dir/sub", dir);
		pid_t p = start_daemon(bad, vgt_log("rec-bad"));
		assert_true(p > 0);
		const char *topics[] = { "event" };
		struct proto_sub *s = proto_sub_new(pub, topics, 1, NULL);
		sleep_s(0.3);
		cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"C\"}");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
		cJSON_Delete(r);
		char topic[32], json[PROTO_MSG_MAX + 1];
		int seen = 0;
		double end = vgt_now() + 3;
		while (!seen && vgt_now() < end)
			if (proto_sub_recv(s, topic, sizeof(topic), json, sizeof(json), 100) > 0)
				seen = strstr(json, "record.error") != NULL;
		proto_sub_destroy(&s);
		assert_true(seen);
		cJSON *pg = ask("{\"cmd\":\"ping\"}"); /* still serving */
		cJSON_Delete(pg);
		assert_int_equal(vgt_stop(p, 3000), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	return vgt_mkdtemp(dir, sizeof(dir), "vagus-rec") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_to_edf),
		cmocka_unit_test(kill9_then_repair_on_start),
		cmocka_unit_test(unwritable_directory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
