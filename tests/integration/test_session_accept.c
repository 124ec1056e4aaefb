/*
 * test_session_accept.c - the acceptance test of a whole session (issue
 * 14): the real vagusd on its simulator, driven through vagusctl as a
 * therapist would, then every artefact checked.
 *
 * Problem: each part passed its own tests while the session as a whole
 * had holes (marks never answered, two clocks at --speed, calibrations on
 * tense muscles, summaries that ignored the baseline). Only a session run
 * end to end through the daemon and its tool shows them.
 * Approach: vagusd --source sim,scenario=S --speed X records into a fresh
 * directory; the test waits on the session's own signal clock
 * (status.session_elapsed_s) and at set signal times runs vagusctl: session
 * start (client, technique, profile, notes), baseline --seconds, marks with
 * pressure on regions, a trigger-point hold over the scenario's release,
 * pacer changes, calibrations (rest accepted, reference, a rest on a tense
 * muscle refused), session stop. Then it checks:
 *   - every mark: its reply time is the signal time it was given at, one
 *     mark.response 30 s after it (complete) with the region's EMG;
 *   - the release (topic and EDF+ annotation) where the scenario drops;
 *   - calibration.done / calibration.refused events and the refusal words;
 *   - baseline.done; the session.summary event and summary.md (captured
 *     baseline used, spans, metadata, calibrations, SIMULATED DATA) with
 *     its figures against the simulator's truth (sim_truth_at);
 *   - the EDF+ file read back with io/edf.c: start = session start,
 *     annotations at the signal times of the commands;
 *   - the JSON lines: every topic's seq without a gap.
 * Two runs: a short scenario at --speed 1 and a long one at --speed 10, so
 * a second (wall) clock anywhere shows as times off by a factor of 10.
 * The long run is skipped in the ASan build (VG_BIN .../build-asan/bin) to
 * keep make check short.
 * Limits: sleeps wait on the daemon's clock, so a slow machine only makes
 * the run longer; tolerances are a few seconds of signal (the commands
 * land within a poll of their target times).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client.h"
#include "edf.h"
#include "sim_model.h"
#include "vg_err.h"
#include "vgtest.h"

#include <cjson/cJSON.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXSTEP 32
#define MAXMARK 8

struct step {
	double at_s;               /* signal time into the session */
	const char *args[12];      /* vagusctl arguments (NULL-terminated) */
	int want_rc;               /* vagusctl exit status */
};

struct scen {
	const char *name;          /* simulator scenario */
	double speed;
	double tol_s;              /* how late a command may land, s of signal (a
				      wall clock would be off by the speed factor) */
	double release_from_s, release_to_s; /* where the scenario's drop is */
	const char *baseline_s;    /* baseline --seconds */
	struct step steps[MAXSTEP];
	double stop_s;
};

static char dir[64], pub_ep[64], ctl_ep[64];
static int has_json_flag;

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (long)s) * 1e9) };
	nanosleep(&ts, NULL);
}

/* Run vagusctl with args; its exit status in *rc, its reply parsed. */
static cJSON *vctl(const char *const *args, int *rc)
{
	char *argv[24];
	int n = 0;
	argv[n++] = (char *)vgt_bin("vagusctl");
	if (has_json_flag)
		argv[n++] = "--json";
	argv[n++] = "--ctl";
	argv[n++] = ctl_ep;
	for (int i = 0; args[i] && n < 23; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t p = fork();
	if (p == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	static char out[65536];
	size_t len = 0;
	ssize_t k;
	while ((k = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)k;
	close(fd[0]);
	out[len] = '\0';
	int st = 0;
	waitpid(p, &st, 0);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	char *brace = strchr(out, '{');
	return brace ? cJSON_Parse(brace) : NULL;
}

static cJSON *status(void)
{
	static char reply[16384];
	if (proto_ctl_request(ctl_ep, "{\"cmd\":\"status\"}", reply, sizeof(reply), 2000) <= 0)
		return NULL;
	return cJSON_Parse(reply);
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(j) ? j->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(j) ? j->valuestring : "";
}

/* Wait until the session's signal clock reaches s; the clock read. */
static double wait_signal(double s, double speed)
{
	double end = vgt_now() + s / speed + 60.0;
	for (;;) {
		cJSON *r = status();
		double e = r ? num(cJSON_GetObjectItemCaseSensitive(r, "status"),
				   "session_elapsed_s") : NAN;
		cJSON_Delete(r);
		if (isfinite(e) && e >= s)
			return e;
		if (vgt_now() > end)
			fail_msg("the session clock did not reach %.1f s (at %.1f)", s, e);
		double w = isfinite(e) ? (s - e) / speed * 0.5 : 0.05;
		sleep_s(w > 0.05 ? 0.05 : (w < 0.005 ? 0.005 : w));
	}
}

/* Mean of the simulator's truth over scenario time [a, b). */
static void truth_mean(struct sim *sim, double a, double b, double *hr, double emg[2])
{
	double h = 0, e0 = 0, e1 = 0;
	int n = 0;
	for (double t = a; t < b; t += 0.25, n++) {
		struct sim_truth tr;
		sim_truth_at(sim, t, &tr);
		h += tr.hr_bpm;
		e0 += tr.emg_rms_uv[0];
		e1 += tr.emg_rms_uv[1];
	}
	*hr = h / n;
	emg[0] = e0 / n;
	emg[1] = e1 / n;
}

static int near(double a, double b, double tol)
{
	return isfinite(a) && isfinite(b) && fabs(a - b) <= tol;
}

/* a command asked for at signal time at landed at t: a little after it
 * (the time vagusctl takes to start), never before */
static int landed(double t, double at, double tol)
{
	return isfinite(t) && t >= at - 0.5 && t <= at + tol;
}

static const struct edfr_annot *find_annot(const struct edfr *f, const char *prefix,
					   size_t from)
{
	for (size_t i = from; i < edfr_nannot(f); i++)
		if (!strncmp(edfr_annot(f, i)->text, prefix, strlen(prefix)))
			return edfr_annot(f, i);
	return NULL;
}

static void run_session(const struct scen *sc)
{
	char rec[128], log[160], simspec[96], speed[16];
	snprintf(rec, sizeof(rec), "%s/%s-x%g", dir, sc->name, sc->speed);
	mkdir(rec, 0700);
	snprintf(log, sizeof(log), "%s.log", rec);
	snprintf(simspec, sizeof(simspec), "sim,scenario=%s,seed=7", sc->name);
	snprintf(speed, sizeof(speed), "%g", sc->speed);
	pid_t pid = -1;
	for (int attempt = 0; attempt < 3 && pid < 0; attempt++) {
		snprintf(pub_ep, sizeof(pub_ep), "tcp://127.0.0.1:%d", vgt_free_port());
		snprintf(ctl_ep, sizeof(ctl_ep), "tcp://127.0.0.1:%d", vgt_free_port());
		char *argv[] = { (char *)vgt_bin("vagusd"), "--source", simspec, "--speed",
				 speed, "--pub", pub_ep, "--ctl", ctl_ep, "--record-dir", rec,
				 "--log-level", "info", NULL };
		pid = vgt_spawn(argv, log);
		char reply[256];
		int up = 0;
		for (int i = 0; i < 50 && !up; i++)
			up = proto_ctl_request(ctl_ep, "{\"cmd\":\"ping\"}", reply, sizeof(reply),
					       200) > 0;
		if (!up) {
			vgt_stop(pid, 2000);
			pid = -1;
		}
	}
	assert_true(pid > 0);

	/* session start */
	int rc;
	const char *start[] = { "session", "start", "--client", "Ann Example", "--technique",
				"trigger_point", "--profile", "sensitive", "--notes",
				"neck and shoulders", NULL };
	cJSON *r = vctl(start, &rc);
	assert_int_equal(rc, 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "recording")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "simulated")));
	char edf_path[512], base[512];
	snprintf(edf_path, sizeof(edf_path), "%s", str(r, "edf"));
	snprintf(base, sizeof(base), "%.*s", (int)strlen(edf_path) - 4, edf_path);
	cJSON_Delete(r);
	/* the scenario's clock: status t_ns is origin + samples / rate */
	r = status();
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "simulated")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "recording")));
	const cJSON *chs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "sources"), 0), "channels");
	double fs = num(cJSON_GetArrayItem(chs, 1), "rate_hz");
	double samples = num(cJSON_GetArrayItem(chs, 1), "samples");
	double status_t = num(st, "t_ns");
	double elapsed0 = num(st, "session_elapsed_s");
	double origin_ns = status_t - samples / fs * 1e9;
	double session_scen_s = (status_t - origin_ns) * 1e-9 - elapsed0;
	cJSON_Delete(r);

	/* the steps, each at its signal time */
	double mark_t[MAXMARK], mark_at[MAXMARK];
	char mark_label[MAXMARK][64];
	int nmark = 0;
	double t_start_ns = NAN;
	for (int i = 0; i < MAXSTEP && sc->steps[i].args[0]; i++) {
		const struct step *s = &sc->steps[i];
		double at = wait_signal(s->at_s, sc->speed);
		r = vctl(s->args, &rc);
		if (rc != s->want_rc)
			fail_msg("step %d (%s %s) at %.1f s: exit %d, want %d", i, s->args[0],
				 s->args[1] ? s->args[1] : "", at, rc, s->want_rc);
		if (!strcmp(s->args[0], "mark")) {
			mark_t[nmark] = num(r, "t_ns");
			mark_at[nmark] = at;
			snprintf(mark_label[nmark], sizeof(mark_label[0]), "%s", s->args[1]);
			nmark++;
		}
		if (rc == 1) /* a refusal says why in words */
			printf("  refused at %.1f s: %s\n", at, str(r, "error"));
		cJSON_Delete(r);
	}
	double at_stop = wait_signal(sc->stop_s, sc->speed);
	const char *stop[] = { "session", "stop", NULL };
	r = vctl(stop, &rc);
	assert_int_equal(rc, 0);
	double dur = num(r, "duration_s");
	assert_int_equal((int)num(r, "marks"), nmark);
	cJSON_Delete(r);
	assert_int_equal(vgt_stop(pid, 5000), 0);
	printf("  %s at --speed %g: %.1f s of signal (stop asked at %.1f s)\n", sc->name,
	       sc->speed, dur, at_stop);
	assert_true(landed(dur, at_stop, sc->tol_s)); /* signal time, not wall time */

	/* ---- the JSON lines */
	char path[600];
	snprintf(path, sizeof(path), "%s.jsonl", base);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char line[1 << 20];
	char topics[32][32];
	double last_seq[32];
	int ntop = 0, gaps = 0, nresp = 0, nrel = 0, ncal_done = 0, ncal_ref = 0, nbase = 0;
	int resp_ok[MAXMARK] = { 0 };
	double rel_drop_ns = NAN, rel_t_ns = NAN, sum_start = NAN, sum_stop = NAN;
	double base_hr = NAN, end_hr = NAN, base_emg[2] = { NAN, NAN }, span_s = NAN;
	double base_from_ns = NAN, base_len_s = NAN, base_done_ns = NAN, first_calm_ns = NAN;
	int summary_sim = 0, hold_start = 0, hold_stop = 0, pacer_set = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *o = cJSON_Parse(line);
		assert_non_null(o);
		const char *topic = str(o, "topic");
		int k = 0;
		while (k < ntop && strcmp(topics[k], topic))
			k++;
		double seq = num(o, "seq");
		if (k == ntop && ntop < 32) {
			snprintf(topics[ntop], sizeof(topics[0]), "%s", topic);
			last_seq[ntop++] = seq;
		} else if (k < ntop && strncmp(topic, "rec.", 4)) {
			gaps += seq != last_seq[k] + 1;
			last_seq[k] = seq;
		}
		if (!strcmp(topic, "rec.start"))
			t_start_ns = num(o, "t_ns");
		if (!strcmp(topic, "mark.response")) {
			nresp++;
			for (int m = 0; m < nmark; m++)
				if (near(num(o, "mark_t_ns"), mark_t[m], 1e4) &&
				    !strcmp(str(o, "label"), mark_label[m]) &&
				    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "complete")) &&
				    near(num(o, "t_ns") - mark_t[m], 30e9, 1e4) &&
				    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "emg")) == 2)
					resp_ok[m]++;
		}
		if (!strcmp(topic, "hrv") && isfinite(base_from_ns) && isnan(first_calm_ns) &&
		    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "calm")))
			first_calm_ns = num(o, "t_ns");
		if (!strcmp(topic, "release") && !strcmp(str(o, "region"), "trapezius-left")) {
			nrel++;
			rel_drop_ns = num(o, "drop_t_ns");
			rel_t_ns = num(o, "t_ns");
		}
		if (!strcmp(topic, "event")) {
			const char *kind = str(o, "kind");
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "data");
			ncal_done += !strcmp(kind, "calibration.done");
			if (!strcmp(kind, "calibration.refused")) {
				ncal_ref++;
				assert_true(strlen(str(d, "why")) > 20);
			}
			nbase += !strcmp(kind, "baseline.done");
			hold_start += !strcmp(kind, "hold.start");
			hold_stop += !strcmp(kind, "hold.stop");
			pacer_set += !strcmp(kind, "pacer.set");
			if (!strcmp(kind, "session.start"))
				assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "simulated")));
			if (!strcmp(kind, "session.summary")) {
				sum_start = num(d, "start_ns");
				sum_stop = num(d, "stop_ns");
				span_s = num(d, "span_s");
				summary_sim = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "simulated"));
				assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
					d, "baseline_captured")));
				base_len_s = num(d, "baseline_s");
				const cJSON *b = cJSON_GetObjectItemCaseSensitive(d, "baseline");
				const cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "end");
				base_hr = num(b, "hr_bpm");
				end_hr = num(e, "hr_bpm");
				base_emg[0] = cJSON_GetArrayItem(
					cJSON_GetObjectItemCaseSensitive(b, "emg_uv"), 0)->valuedouble;
				base_emg[1] = cJSON_GetArrayItem(
					cJSON_GetObjectItemCaseSensitive(b, "emg_uv"), 1)->valuedouble;
				assert_string_equal(str(d, "client"), "Ann Example");
				assert_string_equal(str(d, "technique"), "trigger_point");
				assert_non_null(strstr(str(d, "profile"), "sensitive, flare at "));
				assert_int_equal((int)num(d, "ncal"), 4);
			}
			if (!strcmp(kind, "baseline.start"))
				base_from_ns = num(o, "t_ns");
			if (!strcmp(kind, "baseline.done"))
				base_done_ns = num(o, "t_ns");
		}
		cJSON_Delete(o);
	}
	fclose(f);
	printf("  jsonl: %d topics, %d seq gaps, %d mark.response for %d marks, %d release(s), "
	       "calibrations %d done %d refused, baseline.done %d\n", ntop, gaps, nresp, nmark,
	       nrel, ncal_done, ncal_ref, nbase);
	assert_int_equal(gaps, 0);
	assert_int_equal(nresp, nmark);
	for (int m = 0; m < nmark; m++) {
		double into = (mark_t[m] - t_start_ns) * 1e-9;
		printf("  mark '%s' given at %.1f s of signal, stamped %.2f s\n", mark_label[m],
		       mark_at[m], into);
		assert_true(landed(into, mark_at[m], sc->tol_s));
		assert_int_equal(resp_ok[m], 1);
	}
	assert_int_equal(nrel, 1);
	double drop_scen = (rel_drop_ns - origin_ns) * 1e-9;
	printf("  release: drop at %.1f s of the scenario (truth %.0f-%.0f s)\n", drop_scen,
	       sc->release_from_s, sc->release_to_s);
	assert_true(drop_scen >= sc->release_from_s && drop_scen <= sc->release_to_s);
	assert_int_equal(ncal_done, 3);
	assert_int_equal(ncal_ref, 1);
	assert_int_equal(nbase, 1);
	assert_int_equal(hold_start, 1);
	assert_int_equal(hold_stop, 1);
	assert_int_equal(pacer_set, 3);
	assert_true(summary_sim);
	assert_true(near(sum_start, t_start_ns, 1e4));
	assert_true(sum_stop > sum_start);
	assert_true(near((sum_stop - sum_start) * 1e-9, dur, 0.5));
	assert_true(near(span_s, fmin(120.0, fmax(15.0, 0.2 * dur)), 0.5));
	assert_true(near(base_len_s, atof(sc->baseline_s), 0.01));
	/* baseline --seconds S is honoured: done after S (+ the 2 s the
	 * figures need), and calm (relative to the new baseline) exists from
	 * about S on, not after the default's 30 s provisional wait */
	double done_s = (base_done_ns - base_from_ns) * 1e-9;
	double calm_s = (first_calm_ns - base_from_ns) * 1e-9;
	printf("  baseline --seconds %s: baseline.done after %.1f s, calm from %.1f s\n",
	       sc->baseline_s, done_s, calm_s);
	assert_true(done_s >= base_len_s && done_s <= base_len_s + 3.0);
	if (base_len_s < 25.0)
		assert_true(calm_s >= base_len_s - 1.0 && calm_s < 28.0);
	else
		assert_true(calm_s >= 25.0);

	/* ---- the figures against the simulator's truth */
	struct sim_config scfg = { .seed = 7, .scenario = sim_scenario_find(sc->name) };
	int err = 0;
	struct sim *sim = sim_new(&scfg, &err);
	assert_non_null(sim);
	double thr, temg[2], bfrom = (base_from_ns - origin_ns) * 1e-9;
	truth_mean(sim, bfrom, bfrom + base_len_s, &thr, temg);
	printf("  baseline (captured %.0f s from %.0f s): HR %.1f bpm (truth %.1f), EMG %.1f / "
	       "%.1f uV (truth RMS %.1f / %.1f)\n", base_len_s, bfrom, base_hr, thr,
	       base_emg[0], base_emg[1], temg[0], temg[1]);
	assert_true(near(base_hr, thr, 3.0));
	for (int c = 0; c < 2; c++)
		assert_true(near(base_emg[c], temg[c], 0.35 * temg[c] + 2.0));
	double stop_scen = session_scen_s + dur;
	truth_mean(sim, stop_scen - span_s, stop_scen, &thr, temg);
	printf("  end (last %.0f s): HR %.1f bpm (truth %.1f)\n", span_s, end_hr, thr);
	assert_true(near(end_hr, thr, 4.0));
	sim_destroy(&sim);

	/* ---- summary.md */
	snprintf(path, sizeof(path), "%s.summary.md", base);
	f = fopen(path, "r");
	assert_non_null(f);
	static char md[65536];
	size_t n = fread(md, 1, sizeof(md) - 1, f);
	md[n] = '\0';
	fclose(f);
	static const char *const want[] = {
		"SIMULATED DATA", "| client | Ann Example |", "| technique | trigger_point |",
		"| profile | sensitive, flare at ", "| notes | neck and shoulders |", "| date | 20",
		"Baseline = the baseline captured", "rest on trapezius-right", "refused: ",
		"reference on trapezius-left", "| 4-2-6 |", "1 release(s)", "after 'thumb",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(md, want[i]))
			fail_msg("summary.md lacks '%s':\n%s", want[i], md);
	assert_null(strstr(md, "(none) | 0"));

	/* ---- the EDF+ file, read back with io/edf.c */
	struct edfr *e = edfr_open(edf_path, &err);
	if (!e)
		fail_msg("%s: %s", edf_path, vg_strerror(err));
	printf("  EDF+: %zu annotations, start %+.3f ms from the session start, %.1f s long\n",
	       edfr_nannot(e), (edfr_start_ns(e) - t_start_ns) * 1e-6, edfr_duration_s(e));
	assert_true(near((double)edfr_start_ns(e), t_start_ns, 1e6));
	assert_true(near(edfr_duration_s(e), dur, 1.5));
	for (int m = 0; m < nmark; m++) {
		char pre[96];
		snprintf(pre, sizeof(pre), "mark %s", mark_label[m]);
		const struct edfr_annot *a = find_annot(e, pre, 0);
		assert_non_null(a);
		assert_true(near(a->onset_ns * 1e-9, (mark_t[m] - t_start_ns) * 1e-9, 0.01));
		snprintf(pre, sizeof(pre), "response %s", mark_label[m]);
		a = find_annot(e, pre, 0);
		assert_non_null(a);
		assert_true(near(a->onset_ns * 1e-9, (mark_t[m] - t_start_ns) * 1e-9, 0.01));
		assert_true(near(a->duration_ns * 1e-9, 30.0, 0.01));
	}
	const struct edfr_annot *a = find_annot(e, "release trapezius-left", 0);
	assert_non_null(a);
	assert_true(near(a->onset_ns * 1e-9, (rel_drop_ns - t_start_ns) * 1e-9, 0.01));
	assert_true(near(a->duration_ns * 1e-9, (rel_t_ns - rel_drop_ns) * 1e-9, 0.01));
	a = find_annot(e, "session stop", 0);
	assert_non_null(a);
	assert_true(near(a->onset_ns * 1e-9, dur, 0.05));
	static const char *const notes[] = {
		"session start SIMULATED", "baseline ", "hold trigger_point trapezius-left",
		"hold end", "pacer 4-2-6", "calibration rest done trapezius-right",
		"calibration rest refused trapezius-left", "calibration reference done",
		"baseline done", "profile flare",
	};
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!find_annot(e, notes[i], 0))
			fail_msg("no EDF+ annotation '%s'", notes[i]);
	edfr_close(&e);
}

/* release: trapezius-left at 0.60 until 60 s, 0.20 from 61 s; HR 70 -> 68. */
static void short_session_speed1(void **state)
{
	(void)state;
	static const struct scen sc = {
		"release", 1.0, 1.5, 59.5, 63.0, "15",
		{
			{ 1, { "baseline", "--seconds", "15", NULL }, 0 },
			{ 3, { "calibrate", "--channel", "1", "--kind", "rest", "--seconds", "3", NULL }, 0 },
			{ 5, { "hold", "start", "--technique", "trigger_point", "--region",
			       "trapezius-left", NULL }, 0 },
			{ 8, { "mark", "thumb pressure", "--region", "trapezius-left", "--pressure",
			       "deep", NULL }, 0 },
			{ 10, { "calibrate", "--channel", "0", "--kind", "reference", "--seconds", "3",
				NULL }, 0 },
			{ 15, { "pacer", "4-2-6", NULL }, 0 },
			{ 17, { "calibrate", "--channel", "0", "--kind", "rest", "--seconds", "3", NULL }, 1 },
			{ 20, { "mark", "light stroke", "--region", "trapezius-right", "--pressure",
				"light", NULL }, 0 },
			{ 25, { "calibrate", "--channel", "1", "--kind", "rest", "--seconds", "2", NULL }, 0 },
			{ 30, { "pacer", "resonance", NULL }, 0 },
			{ 40, { "profile", "flare", NULL }, 0 },
			{ 45, { "pacer", "off", NULL }, 0 },
			{ 70, { "hold", "stop", NULL }, 0 },
			{ 0, { NULL }, 0 },
		},
		74,
	};
	run_session(&sc);
}

/* massage at --speed 10: baseline to 90 s, deep pressure 120-180 s,
 * trigger-point hold to 250 s, release 250-253 s, paced breathing. */
static void long_session_speed10(void **state)
{
	(void)state;
	const char *bin = getenv("VG_BIN");
	if (bin && strstr(bin, "build-asan")) {
		printf("  (the long run is left to the normal build)\n");
		return;
	}
	static const struct scen sc = {
		"massage", 10.0, 10.0, 249.0, 255.0, "60",
		{
			{ 2, { "baseline", "--seconds", "60", NULL }, 0 },
			{ 66, { "calibrate", "--channel", "0", "--kind", "rest", NULL }, 0 },
			{ 72, { "calibrate", "--channel", "1", "--kind", "rest", NULL }, 0 },
			{ 80, { "mark", "thumb effleurage", "--region", "trapezius-left", "--pressure",
				"light", NULL }, 0 },
			{ 95, { "pacer", "4-2-6", NULL }, 0 },
			{ 130, { "mark", "deep pressure", "--region", "trapezius-left", "--pressure",
				 "8", NULL }, 0 },
			{ 160, { "calibrate", "--channel", "0", "--kind", "rest", NULL }, 1 },
			{ 185, { "calibrate", "--channel", "0", "--kind", "reference", NULL }, 0 },
			{ 196, { "hold", "start", "--technique", "trigger_point", "--region",
				 "trapezius-left", NULL }, 0 },
			{ 265, { "hold", "stop", NULL }, 0 },
			{ 270, { "profile", "flare", NULL }, 0 },
			{ 280, { "pacer", "resonance", NULL }, 0 },
			{ 285, { "mark", "paced breathing", "--region", "trapezius-right", NULL }, 0 },
			{ 300, { "pacer", "off", NULL }, 0 },
			{ 0, { NULL }, 0 },
		},
		330,
	};
	run_session(&sc);
}

static int setup(void **state)
{
	(void)state;
	/* does vagusctl take --json (readable output by default)? */
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t p = fork();
	if (p == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl(vgt_bin("vagusctl"), "vagusctl", "--help", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char out[8192];
	size_t len = 0;
	ssize_t k;
	while ((k = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)k;
	out[len] = '\0';
	close(fd[0]);
	waitpid(p, NULL, 0);
	has_json_flag = strstr(out, "--json") != NULL;
	return vgt_mkdtemp(dir, sizeof(dir), "vagus-accept") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_session_speed1),
		cmocka_unit_test(long_session_speed10),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
