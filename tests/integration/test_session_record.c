/*
 * test_session_record.c - sessions recorded by the running daemon: a session
 * started and stopped over the control channel leaves an EDF+ file (every
 * channel at its rate, labels, units, the mark as an annotation) and a
 * JSON-lines file of every published message; after kill -9 the daemon's
 * next start repairs the file so EDFlib opens it with data up to about
 * 1 s before the kill; an unusable directory stops the daemon at start
 * (exit 3) or, when it goes bad later, makes session.start answer an error
 * (record.error published, the daemon serves on); a summary that cannot be
 * written (a full disk: /dev/full) makes session.stop answer an error
 * (issue 15 item 1: it used to fclose twice); SIGTERM closes a running
 * session (summary, whole EDF+); recording is on by default in
 * $XDG_DATA_HOME/vagus/sessions (0700) and --no-record says it is off.
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
	/* rec_dir NULL: the default directory; "-": --no-record */
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", pub, "--ctl", ctl,
			 "--log-level", "info", "--record-dir", (char *)rec_dir, NULL };
	if (!rec_dir)
		argv[9] = NULL;
	else if (!strcmp(rec_dir, "-"))
		argv[9] = "--no-record", argv[10] = NULL;
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

/* A recording directory that cannot be used: an error at start (exit 3,
 * the directory named); one that becomes unusable later: session.start
 * answers an error in words (no session runs) while the daemon serves on. */
static void unusable_directory(void **state)
{
	(void)state;
	char bad[128], log[128];
	snprintf(bad, sizeof(bad), "%s/not-a-dir", dir);
	FILE *fp = fopen(bad, "w");
	fclose(fp);
	snprintf(bad, sizeof(bad), "%s/not-a-dir/sub", dir);
	snprintf(log, sizeof(log), "%s/bad.log", dir);
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub",
			 "tcp://127.0.0.1:1", "--ctl", "tcp://127.0.0.1:2", "--record-dir",
			 bad, NULL };
	assert_int_equal(vgt_wait(vgt_spawn(argv, log), 5000), 3);
	assert_true(file_has(log, bad));
	assert_true(file_has(log, "--no-record"));

	char later[128];
	snprintf(later, sizeof(later), "%s/later", dir);
	mkdir(later, 0700);
	pid_t p = start_daemon(later, vgt_log("rec-bad"));
	assert_true(p > 0);
	const char *topics[] = { "event" };
	struct proto_sub *s = proto_sub_new(pub, topics, 1, NULL);
	sleep_s(0.3);
	/* the directory goes away and a file takes its place */
	char moved[160];
	snprintf(moved, sizeof(moved), "%s.gone", later);
	assert_int_equal(rename(later, moved), 0);
	fp = fopen(later, "w");
	fclose(fp);
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"C\"}");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	const char *e = cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring;
	printf("session.start: %s\n", e);
	assert_non_null(strstr(e, "cannot record"));
	assert_non_null(strstr(e, later));
	cJSON_Delete(r);
	char topic[32], json[PROTO_MSG_MAX + 1];
	int seen = 0;
	double end = vgt_now() + 3;
	while (!seen && vgt_now() < end)
		if (proto_sub_recv(s, topic, sizeof(topic), json, sizeof(json), 100) > 0)
			seen = strstr(json, "record.error") != NULL;
	proto_sub_destroy(&s);
	assert_true(seen);
	r = ask("{\"cmd\":\"status\"}"); /* still serving, and no session runs */
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(st, "session")->valuestring, "");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(st, "recording")));
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(st, "record_note")->valuestring,
			       "cannot record"));
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(p, 3000), 0);
}

/* Issue 15 item 1: the summary on a full disk (the summary file is a link
 * to /dev/full, so writing it fails at fclose): session.stop answers an
 * error in words, and the daemon does not crash (it used to fclose twice). */
static void summary_on_full_disk(void **state)
{
	(void)state;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/full", dir);
	mkdir(sub, 0700);
	pid_t p = start_daemon(sub, vgt_log("rec-full"));
	assert_true(p > 0);
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"Full\"}");
	char md[600];
	const char *edf = cJSON_GetObjectItemCaseSensitive(r, "edf")->valuestring;
	snprintf(md, sizeof(md), "%.*s.summary.md", (int)(strlen(edf) - 4), edf);
	cJSON_Delete(r);
	assert_int_equal(symlink("/dev/full", md), 0);
	sleep_s(1.0);
	r = ask("{\"cmd\":\"session.stop\"}");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	const char *e = cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring;
	printf("session.stop: %s\n", e);
	assert_non_null(strstr(e, "cannot write the session summary"));
	cJSON_Delete(r);
	cJSON_Delete(ask("{\"cmd\":\"ping\"}")); /* alive */
	r = ask("{\"cmd\":\"status\"}"); /* the session did end */
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r, "status"), "session")->valuestring, "");
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(p, 3000), 0);
}

/* SIGTERM during a session closes it: summary written, EDF+ whole (the
 * record count is set), session.summary in the JSON lines. */
static void sigterm_closes_session(void **state)
{
	(void)state;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/term", dir);
	mkdir(sub, 0700);
	pid_t p = start_daemon(sub, vgt_log("rec-term"));
	assert_true(p > 0);
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"Term\"}");
	char base[600], path[700];
	const char *edf = cJSON_GetObjectItemCaseSensitive(r, "edf")->valuestring;
	snprintf(base, sizeof(base), "%.*s", (int)(strlen(edf) - 4), edf);
	cJSON_Delete(r);
	sleep_s(2.0);
	assert_int_equal(vgt_stop(p, 3000), 0); /* SIGTERM */
	snprintf(path, sizeof(path), "%s.summary.md", base);
	assert_true(file_has(path, "# Session"));
	snprintf(path, sizeof(path), "%s.jsonl", base);
	assert_true(file_has(path, "\"kind\":\"session.summary\""));
	assert_true(file_has(path, "\"kind\":\"session.stop\""));
	snprintf(path, sizeof(path), "%s.edf", base);
	int err = 0;
	struct edfr *f = edfr_open(path, &err); /* whole without a repair */
	if (!f)
		fail_msg("%s: %s", path, vg_strerror(err));
	assert_true(edfr_duration_s(f) >= 1.0);
	int stop = 0;
	for (size_t i = 0; i < edfr_nannot(f); i++)
		stop += strstr(edfr_annot(f, i)->text, "session stop") != NULL;
	assert_int_equal(stop, 1);
	edfr_close(&f);
}

/* Recording is on by default, in $XDG_DATA_HOME/vagus/sessions (made
 * 0700), and the status says where; --no-record turns it off and the
 * status and session.start say so. */
static void default_dir_and_no_record(void **state)
{
	(void)state;
	char xdg[128], want[200];
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	snprintf(want, sizeof(want), "%s/vagus/sessions", xdg);
	setenv("XDG_DATA_HOME", xdg, 1);
	pid_t p = start_daemon(NULL, vgt_log("rec-default"));
	assert_true(p > 0);
	struct stat st;
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	cJSON *r = ask("{\"cmd\":\"status\"}");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "status");
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(s, "record_note")->valuestring,
			       want));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "simulated")));
	cJSON_Delete(r);
	r = ask("{\"cmd\":\"session.start\",\"client\":\"Def\"}");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "recording")));
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(r, "edf")->valuestring, want));
	cJSON_Delete(r);
	r = ask("{\"cmd\":\"status\"}");
	s = cJSON_GetObjectItemCaseSensitive(r, "status");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "recording")));
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "session_elapsed_s")));
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(p, 3000), 0);

	p = start_daemon("-", vgt_log("rec-off"));
	assert_true(p > 0);
	r = ask("{\"cmd\":\"session.start\",\"client\":\"Off\"}");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "recording")));
	cJSON_Delete(r);
	r = ask("{\"cmd\":\"status\"}");
	s = cJSON_GetObjectItemCaseSensitive(r, "status");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "recording")));
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(s, "record_note")->valuestring,
			       "recording is off"));
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(p, 3000), 0);
	unsetenv("XDG_DATA_HOME");
}

/* Issue 15 item 8: a session of a beat-only source (an ANT+ strap, here
 * its emulator on a pty) is recorded: the JSON lines, and an EDF+ file
 * with one HR channel and the annotations (it used to record nothing). */
static void beat_only_session(void **state)
{
	(void)state;
	char sub[128], link[160], spec[256], slog[160];
	snprintf(sub, sizeof(sub), "%s/ant", dir);
	mkdir(sub, 0700);
	snprintf(link, sizeof(link), "%s/ant.pty", dir);
	snprintf(slog, sizeof(slog), "%s/ant-sim.log", dir);
	char *sargv[] = { (char *)vgt_bin("vagus-sim"), "--device", "ant", "--pty", "--link",
			  link, "--seed", "5", "--speed", "1", NULL };
	pid_t sim = vgt_spawn(sargv, slog);
	struct stat st;
	for (int i = 0; i < 100 && stat(link, &st) != 0; i++)
		sleep_s(0.02);
	snprintf(spec, sizeof(spec), "ant:fd:%s,network_key=00 11 22 33 44 55 66 77", link);
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", spec, "--pub", pub, "--ctl", ctl,
			 "--record-dir", sub, NULL };
	pid_t p = vgt_spawn(argv, vgt_log("rec-ant"));
	char reply[256];
	int up = 0;
	for (int i = 0; i < 50 && !up; i++)
		up = proto_ctl_request(ctl, "{\"cmd\":\"ping\"}", reply, sizeof(reply), 200) > 0;
	assert_true(up);
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"Strap\"}");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	const cJSON *edf = cJSON_GetObjectItemCaseSensitive(r, "edf");
	assert_true(cJSON_IsString(edf));
	char edf_path[512];
	snprintf(edf_path, sizeof(edf_path), "%s", edf->valuestring);
	cJSON_Delete(r);
	sleep_s(3.0);
	cJSON_Delete(ask("{\"cmd\":\"mark\",\"label\":\"strap mark\"}"));
	sleep_s(4.0);
	r = ask("{\"cmd\":\"session.stop\"}");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(p, 3000), 0);
	vgt_stop(sim, 2000);
	int err = 0;
	struct edfr *f = edfr_open(edf_path, &err);
	if (!f)
		fail_msg("%s: %s", edf_path, vg_strerror(err));
	assert_int_equal(edfr_nsig(f), 1);
	assert_string_equal(edfr_sig_label(f, 0), "MISC HR"); /* EDF+ type prefix: not EEG */
	assert_string_equal(edfr_sig_units(f, 0), "bpm");
	int64_t ns = edfr_sig_nsamp(f, 0);
	printf("beat-only session: %.1f s of HR at %.0f Hz, %zu annotations\n",
	       edfr_duration_s(f), edfr_sig_fs(f, 0), edfr_nannot(f));
	assert_true(ns >= 20);
	float hr[64];
	size_t n = ns > 64 ? 64 : (size_t)ns;
	assert_int_equal(edfr_read_phys(f, 0, ns - (int64_t)n, n, hr), 0);
	int plausible = 0;
	for (size_t i = 0; i < n; i++)
		plausible += hr[i] > 40.0f && hr[i] < 120.0f;
	assert_true(plausible >= (int)n / 2); /* the strap's rate, held between beats */
	int marks = 0;
	for (size_t i = 0; i < edfr_nannot(f); i++)
		marks += strstr(edfr_annot(f, i)->text, "mark strap mark") != NULL;
	assert_int_equal(marks, 1);
	edfr_close(&f);
	char jsonl[600];
	snprintf(jsonl, sizeof(jsonl), "%.*s.jsonl", (int)(strlen(edf_path) - 4), edf_path);
	assert_true(file_has(jsonl, "\"topic\":\"beat\""));
	assert_true(file_has(jsonl, "\"kind\":\"session.summary\""));
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
		cmocka_unit_test(unusable_directory),
		cmocka_unit_test(summary_on_full_disk),
		cmocka_unit_test(sigterm_closes_session),
		cmocka_unit_test(default_dir_and_no_record),
		cmocka_unit_test(beat_only_session),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
