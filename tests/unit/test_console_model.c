/*
 * test_console_model.c - the console's model and keys without a terminal:
 * JSON messages in, state out (gauge value and basis, trend fit, stale
 * detection, lost sources, session clock, release marks, advice text), keys
 * in, control requests and status lines out; hostile messages change
 * nothing and crash nothing.
 * The console's sources live in tools/vagus-console/ (a program, not a
 * library), so they are compiled into this test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../tools/vagus-console/keys.c"
#include "../../tools/vagus-console/model.c"
#include "guide.h"

#include <stdlib.h>

#define T0_NS 1790000000000000000LL /* an arbitrary epoch time, ns */

static struct con_model *model(void)
{
	static struct con_model m;
	con_model_init(&m);
	return &m;
}

static int feed(struct con_model *m, double now_s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int feed(struct con_model *m, double now_s, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return con_model_feed(m, buf, strlen(buf), now_s);
}

static void hrv(struct con_model *m, double now_s, int64_t t_ns, double window_s,
		const char *calm, double pns, double rmssd)
{
	assert_int_equal(feed(m, now_s,
			      "{\"topic\":\"hrv\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,"
			      "\"window_s\":%.1f,\"rmssd_ms\":%.2f,\"pns_index\":%.2f,"
			      "\"hf_peak_hz\":0.2500,\"slow_breathing\":false,"
			      "\"calm\":%s,\"calm_trend\":null}",
			      (int)now_s, (long long)t_ns, window_s, rmssd, pns, calm), 0);
}

static void gauge_from_calm_or_norms(void **state)
{
	(void)state;
	struct con_model *m = model();
	assert_true(isnan(m->gauge));
	/* no baseline yet: calm null -> population norms */
	hrv(m, 1.0, T0_NS, 60.0, "null", 0.5, 30.0);
	assert_true(m->gauge_from_norms);
	assert_float_equal(m->gauge, 50.0 + 50.0 * tanh(0.5), 1e-9);
	assert_float_equal(m->rmssd_ms, 30.0, 1e-9);
	/* the long window never moves the gauge */
	hrv(m, 1.1, T0_NS, 300.0, "10.0", -2.0, 44.0);
	assert_float_equal(m->gauge, 50.0 + 50.0 * tanh(0.5), 1e-9);
	assert_float_equal(m->rmssd_long_ms, 44.0, 1e-9);
	assert_float_equal(m->rmssd_ms, 30.0, 1e-9);
	/* with a baseline: calm as sent, with its trend */
	assert_int_equal(feed(m, 2.0, "{\"topic\":\"hrv\",\"seq\":3,\"t_ns\":%lld,"
			      "\"window_s\":60.0,\"calm\":72.5,\"calm_trend\":-1.25,"
			      "\"pns_index\":0.9}", (long long)(T0_NS + 1000000000LL)), 0);
	assert_false(m->gauge_from_norms);
	assert_float_equal(m->gauge, 72.5, 1e-9);
	assert_float_equal(m->gauge_trend, -1.25, 1e-9);
	/* out of range values are clipped to the gauge */
	assert_int_equal(feed(m, 3.0, "{\"topic\":\"hrv\",\"t_ns\":%lld,\"window_s\":60,"
			      "\"calm\":130}", (long long)(T0_NS + 2000000000LL)), 0);
	assert_float_equal(m->gauge, 100.0, 1e-9);
}

/* Without calm_trend, the trend is the least-squares slope of the gauge
 * over the last minute: a gauge rising 0.2 per s reads +12/min, and a
 * earlier opposite slope (older than the span) does not count. */
static void trend_fit(void **state)
{
	(void)state;
	struct con_model *m = model();
	int64_t t = T0_NS;
	for (int i = 0; i <= 60; i++, t += 1000000000LL) { /* falling, 1 Hz */
		double g = 70.0 - 0.3 * i;
		hrv(m, i, t, 60.0, "null", atanh((g - 50.0) / 50.0), 20);
	}
	assert_float_equal(m->gauge_trend, -18.0, 0.5);
	for (int i = 0; i <= 120; i++, t += 1000000000LL) { /* then rising */
		double g = 40.0 + 0.2 * i;
		hrv(m, 61 + i, t, 60.0, "null", atanh((g - 50.0) / 50.0), 20);
	}
	/* pns_index is sent with 2 decimals; the history keeps one point per
	 * CON_HIST_STEP_S: allow for both */
	assert_float_equal(m->gauge_trend, 12.0, 0.6);
	assert_true(m->hist_n >= (int)(180 / CON_HIST_STEP_S) - 1);
	/* a clock going backwards restarts the history */
	hrv(m, 200, T0_NS, 60.0, "null", 0.0, 20);
	assert_int_equal(m->hist_n, 1);
	assert_true(isnan(m->gauge_trend));
}

static void stale_detection(void **state)
{
	(void)state;
	struct con_model *m = model();
	assert_true(con_model_stale(m, CON_FEED_BEAT, 10.0));
	assert_true(con_model_age(m, CON_FEED_BEAT, 10.0) < 0);
	assert_int_equal(feed(m, 100.0, "{\"topic\":\"beat\",\"seq\":0,\"t_ns\":%lld,"
			      "\"rr_ms\":800.000,\"hr_bpm\":75.00,\"quality\":0.9}",
			      (long long)T0_NS), 0);
	assert_float_equal(m->hr_bpm, 75.0, 1e-9);
	assert_false(con_model_stale(m, CON_FEED_BEAT, 100.0 + CON_STALE_S - 0.1));
	assert_true(con_model_stale(m, CON_FEED_BEAT, 100.0 + CON_STALE_S + 0.1));
	assert_float_equal(con_model_age(m, CON_FEED_BEAT, 107.0), 7.0, 1e-9);
	/* an EMG region goes stale on its own */
	assert_int_equal(feed(m, 100.0, "{\"topic\":\"emg\",\"channel\":0,\"name\":\"a\","
			      "\"rms_uv\":10,\"level_pct\":5,\"state\":\"relaxed\",\"quality\":[]}"), 0);
	assert_int_equal(feed(m, 104.0, "{\"topic\":\"emg\",\"channel\":1,\"name\":\"b\","
			      "\"rms_uv\":20,\"level_pct\":50,\"state\":\"tense\","
			      "\"quality\":[\"mains\",\"lead_off\"]}"), 0);
	assert_int_equal(m->nreg, 2);
	assert_string_equal(m->reg[1].quality, "mains lead_off");
	assert_true(con_model_region_stale(m, 0, 106.0));
	assert_false(con_model_region_stale(m, 1, 106.0));
	assert_true(con_model_region_stale(m, 5, 106.0));
	assert_int_equal(con_model_region_find(m, "b"), 1);
	assert_int_equal(con_model_region_find(m, "c"), -1);
	/* breathing falls back to the HRV peak only while HRV is fresh */
	const char *from;
	hrv(m, 100.0, T0_NS, 60.0, "null", 0, 20);
	assert_float_equal(con_model_breathing(m, 101.0, &from), 15.0, 1e-9);
	assert_string_equal(from, "from heart rhythm");
	assert_true(isnan(con_model_breathing(m, 110.0, &from)));
}

static void sources_and_daemon(void **state)
{
	(void)state;
	struct con_model *m = model();
	char p[256];
	assert_int_equal(con_model_problems(m, 1.0, p, sizeof(p)), 1);
	assert_non_null(strstr(p, "no status from the daemon yet"));
	assert_int_equal(feed(m, 50.0,
		"{\"topic\":\"status\",\"seq\":0,\"t_ns\":%lld,\"version\":\"0.1.0\","
		"\"sources\":[{\"name\":\"strap\",\"state\":\"lost\",\"last_data_age_s\":12.0,"
		"\"channels\":[{\"label\":\"ECG\",\"kind\":\"ecg\"}]},"
		"{\"name\":\"emg8\",\"state\":\"running\",\"last_data_age_s\":0.0,"
		"\"channels\":[{\"kind\":\"emg\"},{\"kind\":\"emg\"}]},"
		"{\"name\":\"bad\",\"state\":\"stalled\",\"last_data_age_s\":null}],"
		"\"session\":\"\"}", (long long)T0_NS), 0);
	assert_int_equal(m->nsrc, 3);
	assert_string_equal(m->src[1].kinds, "EMG");
	assert_int_equal(con_model_problems(m, 51.0, p, sizeof(p)), 1);
	/* 12 s at the status, 1 s since */
	assert_non_null(strstr(p, "ECG lost 13 s (strap)"));
	assert_non_null(strstr(p, "source stalled (bad)"));
	assert_null(strstr(p, "emg8"));
	/* all running: no problem */
	assert_int_equal(feed(m, 52.0, "{\"topic\":\"status\",\"seq\":1,\"t_ns\":%lld,"
			      "\"sources\":[{\"name\":\"strap\",\"state\":\"running\"}]}",
			      (long long)T0_NS), 0);
	assert_int_equal(con_model_problems(m, 53.0, p, sizeof(p)), 0);
	assert_string_equal(p, "");
	/* the daemon goes silent */
	assert_int_equal(con_model_problems(m, 52.0 + CON_STALE_S + 2.0, p, sizeof(p)), 1);
	assert_non_null(strstr(p, "daemon silent 7 s"));
	/* a seq jump counts lost messages */
	assert_int_equal(feed(m, 60.0, "{\"topic\":\"status\",\"seq\":5,\"t_ns\":%lld}",
			      (long long)T0_NS), 0);
	assert_int_equal(m->lost_msgs, 3);
}

static void session_clock(void **state)
{
	(void)state;
	struct con_model *m = model();
	/* joined mid-session: the start comes from the id's UTC stamp */
	struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 21,
			 .tm_hour = 8, .tm_min = 0, .tm_sec = 0 };
	int64_t start = (int64_t)timegm(&tm) * 1000000000LL;
	assert_int_equal(feed(m, 10.0, "{\"topic\":\"status\",\"t_ns\":%lld,"
			      "\"session\":\"20261121-080000_anna\"}",
			      (long long)(start + 95 * 1000000000LL)), 0);
	assert_float_equal(con_model_session_s(m, 10.0), 95.0, 1e-3);
	/* the clock is the signal's: wall time alone does not move it (at
	 * --speed 10 the wall clock runs ten times slower) ... */
	assert_float_equal(con_model_session_s(m, 12.5), 95.0, 1e-3);
	/* ... the daemon's next message does */
	assert_int_equal(feed(m, 10.2, "{\"topic\":\"emg\",\"t_ns\":%lld,\"channel\":0,"
			      "\"name\":\"neck\"}", (long long)(start + 97500000000LL)), 0);
	assert_float_equal(con_model_session_s(m, 10.2), 97.5, 1e-3);
	/* stop, then a new one started by an event at its exact time */
	assert_int_equal(feed(m, 20.0, "{\"topic\":\"event\",\"t_ns\":%lld,"
			      "\"kind\":\"session.stop\",\"detail\":\"x\",\"data\":{}}",
			      (long long)start), 0);
	assert_string_equal(m->session, "");
	assert_true(isnan(con_model_session_s(m, 20.0)));
	assert_int_equal(feed(m, 30.0, "{\"topic\":\"event\",\"t_ns\":%lld,"
			      "\"kind\":\"session.start\",\"detail\":\"s2\","
			      "\"data\":{\"session\":\"20261121-090000_bob\"}}",
			      (long long)(start + 3600500000000LL)), 0);
	assert_string_equal(m->session, "20261121-090000_bob");
	assert_int_equal(feed(m, 30.1, "{\"topic\":\"beat\",\"t_ns\":%lld}",
			      (long long)(start + 3601500000000LL)), 0);
	assert_float_equal(con_model_session_s(m, 31.0), 1.0, 1e-3);
	assert_non_null(strstr(m->events[0], "session.start"));
}

static void releases(void **state)
{
	(void)state;
	struct con_model *m = model();
	for (int c = 0; c < 2; c++)
		assert_int_equal(feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":%d,"
				      "\"name\":\"%s\",\"rms_uv\":%d,\"level_pct\":%d,"
				      "\"state\":\"tense\",\"quality\":[]}", c,
				      c ? "trapezius-right" : "trapezius-left",
				      40 + c, 60 + c), 0);
	assert_int_equal(feed(m, 2.0, "{\"topic\":\"event\",\"t_ns\":1,\"kind\":"
			      "\"hold.start\",\"detail\":\"trigger_point\",\"data\":"
			      "{\"technique\":\"trigger_point\",\"region\":\"trapezius-right\"}}"), 0);
	assert_true(m->holding);
	assert_string_equal(m->hold_region, "trapezius-right");
	/* the hold clock runs on signal time, not on arrival */
	assert_true(isnan(con_model_hold_s(m, 32.0)) || con_model_hold_s(m, 32.0) < 1e-6);
	assert_int_equal(feed(m, 3.0, "{\"topic\":\"beat\",\"t_ns\":30000000001}"), 0);
	assert_float_equal(con_model_hold_s(m, 3.0), 30.0, 1e-6);
	assert_float_equal(m->reg[1].hold_from_pct, 61.0, 1e-9);
	assert_true(isnan(m->reg[0].hold_from_pct));
	/* the guide's release topic */
	assert_int_equal(feed(m, 40.0, "{\"topic\":\"release\",\"t_ns\":5,"
			      "\"technique\":\"trigger_point\",\"region\":\"trapezius-right\","
			      "\"channel\":1,\"start_uv\":41.00,\"level_uv\":28.00,"
			      "\"drop_pct\":31.7,\"hold_s\":24.0,\"text\":\"released 32 %%\"}"), 0);
	const struct con_region *r = &m->reg[1];
	assert_int_equal(r->releases, 1);
	assert_float_equal(r->release_drop_pct, 31.7, 1e-9);
	assert_float_equal(r->release_from_uv, 41.0, 1e-9);
	assert_float_equal(r->release_from_pct, 61.0, 1e-9);
	assert_int_equal(m->reg[0].releases, 0);
	assert_non_null(strstr(m->events[0], "released 32 %"));
	/* the EMG engine's event for the same release: counted once */
	assert_int_equal(feed(m, 40.5, "{\"topic\":\"event\",\"t_ns\":6,\"kind\":"
			      "\"emg.release\",\"detail\":\"\",\"data\":{\"channel\":1,"
			      "\"name\":\"trapezius-right\",\"release_sample\":99}}"), 0);
	assert_int_equal(r->releases, 1);
	assert_float_equal(r->release_drop_pct, 31.7, 1e-9);
	/* a later one on the other region, by channel number only */
	assert_int_equal(feed(m, 60.0, "{\"topic\":\"event\",\"t_ns\":7,\"kind\":"
			      "\"emg.release\",\"detail\":\"\",\"data\":{\"channel\":0}}"), 0);
	assert_int_equal(m->reg[0].releases, 1);
	assert_true(isnan(m->reg[0].release_drop_pct));
	assert_int_equal(feed(m, 61.0, "{\"topic\":\"event\",\"t_ns\":8,\"kind\":"
			      "\"hold.stop\",\"detail\":\"\",\"data\":null}"), 0);
	assert_false(m->holding);
	assert_true(isnan(con_model_hold_s(m, 62.0)));
}

/* A hold reported (by the guide) before the region's first EMG message
 * starts from the first level seen during the hold; a new hold starts
 * afresh. */
static void hold_before_emg(void **state)
{
	(void)state;
	struct con_model *m = model();
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"guide\",\"t_ns\":1,\"holding\":true,"
			      "\"technique\":\"myofascial\",\"region\":\"calf\"}"), 0);
	assert_int_equal(feed(m, 1.1, "{\"topic\":\"emg\",\"channel\":0,\"name\":\"neck\","
			      "\"rms_uv\":10,\"level_pct\":12}"), 0);
	assert_int_equal(feed(m, 1.1, "{\"topic\":\"emg\",\"channel\":1,\"name\":\"calf\","
			      "\"rms_uv\":30,\"level_pct\":64}"), 0);
	assert_int_equal(feed(m, 1.2, "{\"topic\":\"emg\",\"channel\":1,\"name\":\"calf\","
			      "\"rms_uv\":28,\"level_pct\":60}"), 0);
	assert_true(isnan(m->reg[0].hold_from_pct));
	assert_float_equal(m->reg[1].hold_from_pct, 64.0, 1e-9);
	assert_int_equal(feed(m, 9.0, "{\"topic\":\"release\",\"t_ns\":2,\"region\":\"calf\","
			      "\"drop_pct\":25.0}"), 0);
	assert_float_equal(m->reg[1].release_from_pct, 64.0, 1e-9);
	assert_float_equal(m->reg[1].release_from_uv, 30.0, 1e-9);
	assert_int_equal(feed(m, 10.0, "{\"topic\":\"guide\",\"t_ns\":3,\"holding\":false}"), 0);
	assert_true(isnan(m->reg[1].hold_from_pct));
	assert_float_equal(m->reg[1].release_from_pct, 64.0, 1e-9); /* the mark stays */
}

static void guide_advice(void **state)
{
	(void)state;
	struct con_model *m = model();
	const char *reasons = "EMG trapezius-left +35 % in 10 s (18 -> 24 uV); "
			      "HR +8 bpm in 30 s (64 -> 72): arousal";
	assert_int_equal(feed(m, 5.0, "{\"topic\":\"guide\",\"v\":1,\"seq\":0,\"t_ns\":1,"
			      "\"pattern\":\"4-2-6\",\"phase\":\"exhale\",\"progress\":0.250,"
			      "\"breath_progress\":0.650,\"rate_bpm\":5.00,\"phase_s\":6.000,"
			      "\"phase_start_ns\":1,\"breath\":3,\"following\":0.62,"
			      "\"resp_bpm\":5.2,\"advice\":\"ease\",\"confidence\":0.80,"
			      "\"reasons\":\"%s\",\"profile\":\"standard\",\"holding\":true,"
			      "\"technique\":\"myofascial\",\"region\":\"trapezius-left\","
			      "\"hold_s\":42.0,\"span_min_s\":90,\"span_max_s\":300}", reasons), 0);
	assert_string_equal(m->advice, "ease");
	assert_string_equal(m->reasons, reasons);
	assert_float_equal(m->confidence, 0.8, 1e-9);
	assert_string_equal(m->phase, "exhale");
	assert_float_equal(m->progress, 0.25, 1e-9);
	assert_string_equal(m->pattern, "4-2-6");
	const char *from;
	assert_float_equal(con_model_breathing(m, 6.0, &from), 5.2, 1e-9);
	assert_string_equal(from, "measured");
	assert_true(m->holding);
	assert_float_equal(con_model_hold_s(m, 6.0), 42.0, 1e-9);
	assert_string_equal(m->technique, "myofascial");
	/* the guide goes quiet: nothing from it is trusted */
	assert_true(con_model_stale(m, CON_FEED_GUIDE, 5.0 + CON_STALE_S + 0.5));
	assert_true(isnan(con_model_breathing(m, 5.0 + CON_STALE_S + 0.5, &from)));
	/* null figures stay unknown */
	assert_int_equal(feed(m, 7.0, "{\"topic\":\"guide\",\"t_ns\":2,\"pattern\":\"off\","
			      "\"phase\":\"off\",\"progress\":null,\"advice\":\"none\","
			      "\"confidence\":0,\"reasons\":\"\",\"holding\":false}"), 0);
	assert_true(isnan(m->progress));
	assert_false(m->holding);
	/* mark.response and hold.long are told in words */
	assert_int_equal(feed(m, 8.0, "{\"topic\":\"mark.response\",\"t_ns\":3,"
			      "\"label\":\"x\",\"text\":\"after 'x': HR -4 bpm\"}"), 0);
	assert_non_null(strstr(m->events[0], "HR -4 bpm"));
}

static void hostile_messages(void **state)
{
	(void)state;
	struct con_model *m = model();
	static const char *bad[] = { "", "nope", "[1,2]", "{\"v\":1}", "{\"topic\":7}",
				     "{\"topic\":\"beat\"", "\"beat\"", "null" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(con_model_feed(m, bad[i], strlen(bad[i]), 1.0), VG_ERR_PARSE);
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"weather\",\"t_ns\":1}"), VG_ERR_NOTSUP);
	/* wrong types: ignored figure by figure */
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"beat\",\"hr_bpm\":\"fast\",\"rr_ms\":[]}"), 0);
	assert_true(isnan(m->hr_bpm));
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":9999,\"name\":\"x\"}"), 0);
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":-1,\"name\":\"x\"}"), 0);
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":\"0\"}"), 0);
	assert_int_equal(m->nreg, 0);
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"status\",\"sources\":{\"a\":1},"
			      "\"session\":\"garbage\"}"), 0);
	assert_int_equal(m->nsrc, 0);
	assert_true(isnan(con_model_session_s(m, 2.0)));
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"event\",\"kind\":\"emg.release\","
			      "\"data\":{\"channel\":1e9}}"), 0);
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"release\",\"channel\":-5}"), 0);
	/* a name longer than the field is cut, not overrun */
	char big[600];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":0,\"name\":\"%s\"}", big), 0);
	assert_int_equal(strlen(m->reg[0].name), sizeof(m->reg[0].name) - 1);
	assert_int_equal(feed(m, 1.0, "{\"topic\":\"event\",\"kind\":\"%s\",\"detail\":\"%s\"}",
			      big, big), 0);
	assert_true(strlen(m->events[0]) > 100 && strlen(m->events[0]) < sizeof(m->events[0]));
}

/* ---------------------------------------------------------------- keys */
static cJSON *sent(const char *req)
{
	cJSON *o = cJSON_Parse(req);
	assert_non_null(o);
	return o;
}

static const char *field(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int type(struct con_ui *u, const struct con_model *m, const char *keys,
		char *req, size_t cap)
{
	int n = 0;
	for (const char *k = keys; *k; k++)
		n += con_ui_key(u, m, *k == '\n' ? CON_KEY_ENTER : *k, req, cap, 1.0);
	return n;
}

static void keys_session_and_mark(void **state)
{
	(void)state;
	struct con_model *m = model();
	struct con_ui u;
	char req[1024];
	con_ui_init(&u);
	/* s asks for the name; the request escapes it */
	assert_int_equal(type(&u, m, "s", req, sizeof(req)), 0);
	assert_int_equal(u.mode, CON_MODE_TEXT);
	assert_int_equal(type(&u, m, "Ann \"Q\"x", req, sizeof(req)), 0);
	assert_int_equal(con_ui_key(&u, m, CON_KEY_BACKSPACE, req, sizeof(req), 1), 0);
	assert_int_equal(type(&u, m, "\n", req, sizeof(req)), 1);
	cJSON *o = sent(req);
	assert_string_equal(field(o, "cmd"), "session.start");
	assert_string_equal(field(o, "client"), "Ann \"Q\"");
	cJSON_Delete(o);
	con_ui_reply(&u, m, 40, "{\"ok\":true,\"session\":\"20261121-080000_Ann__Q_\"}", 2.0);
	assert_non_null(strstr(u.status, "session started: 20261121-080000_Ann__Q_"));
	assert_false(u.status_error);
	/* Enter on an empty prompt and Esc cancel */
	assert_int_equal(type(&u, m, "m\n", req, sizeof(req)), 0);
	assert_int_equal(u.mode, CON_MODE_NORMAL);
	assert_int_equal(type(&u, m, "mab", req, sizeof(req)), 0);
	assert_int_equal(con_ui_key(&u, m, CON_KEY_ESC, req, sizeof(req), 1), 0);
	assert_int_equal(u.mode, CON_MODE_NORMAL);
	/* a mark carries the selected region */
	feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":0,\"name\":\"neck\"}");
	feed(m, 1.0, "{\"topic\":\"emg\",\"channel\":2,\"name\":\"calf\"}");
	assert_string_equal(con_ui_region(&u, m), "neck");
	assert_int_equal(con_ui_key(&u, m, CON_KEY_TAB, req, sizeof(req), 1), 0);
	assert_string_equal(con_ui_region(&u, m), "calf"); /* channel 1 unnamed: skipped */
	assert_int_equal(con_ui_key(&u, m, CON_KEY_DOWN, req, sizeof(req), 1), 0);
	assert_string_equal(con_ui_region(&u, m), "neck");
	assert_int_equal(con_ui_key(&u, m, CON_KEY_UP, req, sizeof(req), 1), 0);
	assert_string_equal(con_ui_region(&u, m), "calf");
	assert_int_equal(type(&u, m, "mdeep stroke\n", req, sizeof(req)), 1);
	o = sent(req);
	assert_string_equal(field(o, "cmd"), "mark");
	assert_string_equal(field(o, "label"), "deep stroke");
	assert_string_equal(field(o, "region"), "calf");
	cJSON_Delete(o);
	/* with a session running, s asks before stopping */
	feed(m, 3.0, "{\"topic\":\"status\",\"t_ns\":1,\"session\":\"20261121-080000_x\"}");
	assert_int_equal(type(&u, m, "sn", req, sizeof(req)), 0);
	assert_int_equal(type(&u, m, "sy", req, sizeof(req)), 1);
	o = sent(req);
	assert_string_equal(field(o, "cmd"), "session.stop");
	cJSON_Delete(o);
	con_ui_reply(&u, m, 50, "{\"ok\":true,\"session\":\"s\",\"duration_s\":61.4,\"marks\":2}", 4);
	assert_non_null(strstr(u.status, "61 s, 2 marks"));
	feed(m, 4.0, "{\"topic\":\"event\",\"t_ns\":2,\"kind\":\"session.stop\","
	     "\"data\":{}}");
	assert_int_equal(type(&u, m, "q", req, sizeof(req)), 0);
	assert_true(u.quit);
}

/* q during a session asks: s stops it (and quits once the daemon agreed),
 * l leaves it running, anything else cancels; a refused stop does not quit. */
static void keys_quit_during_session(void **state)
{
	(void)state;
	struct con_model *m = model();
	struct con_ui u;
	char req[1024], prompt[256];
	con_ui_init(&u);
	feed(m, 1.0, "{\"topic\":\"status\",\"t_ns\":1,\"session\":\"20261121-080000_x\"}");
	assert_int_equal(type(&u, m, "q", req, sizeof(req)), 0);
	assert_false(u.quit);
	assert_int_equal(u.mode, CON_MODE_QUIT);
	con_ui_prompt(&u, m, prompt, sizeof(prompt));
	assert_non_null(strstr(prompt, "s stop it and quit"));
	assert_non_null(strstr(prompt, "l leave it running"));
	assert_int_equal(con_ui_key(&u, m, CON_KEY_ESC, req, sizeof(req), 1), 0);
	assert_false(u.quit);
	assert_int_equal(u.mode, CON_MODE_NORMAL);
	/* s: session.stop; quits only when it succeeded */
	assert_int_equal(type(&u, m, "qs", req, sizeof(req)), 1);
	cJSON *o = sent(req);
	assert_string_equal(field(o, "cmd"), "session.stop");
	cJSON_Delete(o);
	assert_false(u.quit);
	con_ui_reply(&u, m, 30, "{\"ok\":false,\"error\":\"disk full\"}", 2);
	assert_false(u.quit);
	assert_non_null(strstr(u.status, "not quitting"));
	assert_int_equal(type(&u, m, "qs", req, sizeof(req)), 1);
	con_ui_reply(&u, m, VG_ERR_TIMEOUT, "", 3);
	assert_false(u.quit);
	assert_int_equal(type(&u, m, "qs", req, sizeof(req)), 1);
	con_ui_reply(&u, m, 50, "{\"ok\":true,\"session\":\"x\",\"duration_s\":5,"
		     "\"marks\":0}", 4);
	assert_true(u.quit);
	/* l: leave it running */
	con_ui_init(&u);
	assert_int_equal(type(&u, m, "ql", req, sizeof(req)), 0);
	assert_true(u.quit);
}

/* Status lines clear; the key line fits the width and names every key;
 * advice waits for data; captures end by event or by time. */
static void status_keys_advice_capture(void **state)
{
	(void)state;
	struct con_model *m = model();
	struct con_ui u;
	con_ui_init(&u);
	con_ui_reply(&u, m, 10, "{\"ok\":true}", 1.0);
	assert_non_null(con_ui_status(&u, 1.5));
	assert_null(con_ui_status(&u, 1.0 + CON_STATUS_KEEP_S + 0.1));
	con_ui_reply(&u, m, VG_ERR_TIMEOUT, "", 2.0);
	assert_non_null(con_ui_status(&u, 2.0 + CON_STATUS_KEEP_S + 0.1));
	assert_null(con_ui_status(&u, 2.0 + CON_STATUS_ERR_KEEP_S + 0.1));
	static const char *const keys[] = { "s", "m", "h", "p", "b", "c", "tab", "?", "q" };
	int widths[] = { 79, 100, 119 };
	for (int w = 0; w < 3; w++) {
		const char *l = con_ui_keys_line(widths[w]);
		assert_true((int)strlen(l) <= widths[w]);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			char pat[8];
			snprintf(pat, sizeof(pat), "%s%s", keys[k], widths[w] < 90 ? ":" : " ");
			assert_non_null(strstr(l, pat));
		}
	}
	/* advice: nothing to show before the first hrv, whatever the guide says */
	feed(m, 1.0, "{\"topic\":\"guide\",\"t_ns\":1000000000,\"advice\":\"hold\","
	     "\"reasons\":\"steady\"}");
	assert_false(con_model_advice_ready(m));
	hrv(m, 2.0, 2000000000LL, 60.0, "null", 0.1, 30.0);
	assert_true(con_model_advice_ready(m));
	/* baseline capture: 120 s of signal, ended early by baseline.done */
	double left;
	con_ui_reply(&u, m, 10, "{\"ok\":true,\"baseline_s\":120}", 2.0);
	u.req_cmd[0] = 0;
	assert_false(con_model_capturing(m, CON_CAP_BASELINE, 2.0, &left));
	snprintf(u.req_cmd, sizeof(u.req_cmd), "baseline.start");
	con_ui_reply(&u, m, 10, "{\"ok\":true,\"baseline_s\":120}", 2.0);
	assert_true(con_model_capturing(m, CON_CAP_BASELINE, 2.0, &left));
	assert_float_equal(left, 120.0, 1e-6);
	feed(m, 3.0, "{\"topic\":\"beat\",\"t_ns\":62000000000}");
	assert_true(con_model_capturing(m, CON_CAP_BASELINE, 3.0, &left));
	assert_float_equal(left, 60.0, 1e-6);
	feed(m, 4.0, "{\"topic\":\"event\",\"t_ns\":70000000000,\"kind\":\"baseline.done\","
	     "\"detail\":\"baseline captured\",\"data\":{}}");
	assert_false(con_model_capturing(m, CON_CAP_BASELINE, 4.0, &left));
	assert_non_null(strstr(m->cap[CON_CAP_BASELINE].result, "baseline captured"));
	/* calibration: no done event; over once its seconds of signal passed */
	snprintf(u.req_cmd, sizeof(u.req_cmd), "calibrate");
	snprintf(u.req_kind, sizeof(u.req_kind), "rest");
	con_ui_reply(&u, m, 10, "{\"ok\":true,\"channel\":0,\"seconds\":5}", 4.0);
	assert_true(con_model_capturing(m, CON_CAP_CALIBRATION, 4.0, &left));
	feed(m, 4.2, "{\"topic\":\"emg\",\"t_ns\":75000000001,\"channel\":0,"
	     "\"name\":\"neck\"}");
	assert_false(con_model_capturing(m, CON_CAP_CALIBRATION, 4.2, &left));
	/* calibration.done by name */
	con_ui_reply(&u, m, 10, "{\"ok\":true,\"channel\":0,\"seconds\":5}", 5.0);
	feed(m, 5.1, "{\"topic\":\"event\",\"t_ns\":75000000002,\"kind\":"
	     "\"calibration.done\",\"detail\":\"neck rest 12 uV\",\"data\":{}}");
	assert_false(con_model_capturing(m, CON_CAP_CALIBRATION, 5.1, &left));
	assert_non_null(strstr(m->cap[CON_CAP_CALIBRATION].result, "neck rest 12 uV"));
}

static void keys_pacer_hold_calibrate(void **state)
{
	(void)state;
	struct con_model *m = model();
	struct con_ui u;
	char req[1024];
	con_ui_init(&u);
	/* p cycles off -> 4-2-6 -> resonance -> follow -> adaptive -> off */
	for (int i = 1; i <= CON_NPATTERNS; i++) {
		assert_int_equal(type(&u, m, "p", req, sizeof(req)), 1);
		cJSON *o = sent(req);
		assert_string_equal(field(o, "cmd"), "pacer.set");
		assert_string_equal(field(o, "pattern"), con_patterns[i % CON_NPATTERNS]);
		cJSON_Delete(o);
	}
	/* a refusal is shown as the daemon words it */
	con_ui_reply(&u, m, 60, "{\"ok\":false,\"error\":\"'pacer.set' is not available "
		     "in this build yet\"}", 5.0);
	assert_string_equal(u.status, "'pacer.set' is not available in this build yet");
	assert_true(u.status_error);
	con_ui_reply(&u, m, VG_ERR_TIMEOUT, "", 5.0);
	assert_non_null(strstr(u.status, "pacer.set: no answer from the daemon"));
	/* the pattern the guide reports is where the cycle continues */
	feed(m, 10.0, "{\"topic\":\"guide\",\"t_ns\":1,\"pattern\":\"resonance\","
	     "\"phase\":\"inhale\",\"holding\":false}");
	con_ui_key(&u, m, 'p', req, sizeof(req), 10.5);
	cJSON *o = sent(req);
	assert_string_equal(field(o, "pattern"), "follow");
	cJSON_Delete(o);
	/* calibrate needs a region */
	assert_int_equal(type(&u, m, "c", req, sizeof(req)), 0);
	assert_true(u.status_error);
	feed(m, 11.0, "{\"topic\":\"emg\",\"channel\":0,\"name\":\"neck\"}");
	feed(m, 11.0, "{\"topic\":\"emg\",\"channel\":1,\"name\":\"back\"}");
	con_ui_key(&u, m, CON_KEY_RIGHT, req, sizeof(req), 11);
	assert_int_equal(type(&u, m, "c", req, sizeof(req)), 1);
	o = sent(req);
	assert_string_equal(field(o, "cmd"), "calibrate");
	assert_string_equal(field(o, "kind"), "rest");
	assert_int_equal(cJSON_GetObjectItem(o, "channel")->valueint, 1);
	cJSON_Delete(o);
	/* h: technique by number, on the selected region */
	assert_int_equal(type(&u, m, "h", req, sizeof(req)), 0);
	assert_int_equal(u.mode, CON_MODE_TECHNIQUE);
	char prompt[256];
	con_ui_prompt(&u, m, prompt, sizeof(prompt));
	assert_non_null(strstr(prompt, "muscle_energy"));
	/* every technique offered is one the guidance engine knows */
	for (int i = 0; i < CON_NTECHNIQUES; i++) {
		double lo, hi;
		assert_int_equal(guide_technique_span(con_techniques[i], &lo, &hi), 1);
	}
	assert_int_equal(type(&u, m, "2", req, sizeof(req)), 1);
	o = sent(req);
	assert_string_equal(field(o, "cmd"), "hold.start");
	assert_string_equal(field(o, "technique"), "myofascial");
	assert_string_equal(field(o, "region"), "back");
	cJSON_Delete(o);
	con_ui_reply(&u, m, 10, "{\"ok\":true}", 12);
	assert_string_equal(u.status, "hold started: myofascial on back");
	/* arrows + Enter pick too; while holding, h stops */
	type(&u, m, "h", req, sizeof(req));
	con_ui_key(&u, m, CON_KEY_RIGHT, req, sizeof(req), 12);
	assert_int_equal(con_ui_key(&u, m, CON_KEY_ENTER, req, sizeof(req), 12), 1);
	o = sent(req);
	assert_string_equal(field(o, "technique"), "deep_tissue");
	cJSON_Delete(o);
	feed(m, 12.0, "{\"topic\":\"event\",\"t_ns\":1,\"kind\":\"hold.start\","
	     "\"data\":{\"technique\":\"deep_tissue\",\"region\":\"back\"}}");
	assert_int_equal(type(&u, m, "h", req, sizeof(req)), 1);
	o = sent(req);
	assert_string_equal(field(o, "cmd"), "hold.stop");
	cJSON_Delete(o);
	assert_int_equal(type(&u, m, "b", req, sizeof(req)), 1);
	o = sent(req);
	assert_string_equal(field(o, "cmd"), "baseline.start");
	cJSON_Delete(o);
	con_ui_reply(&u, m, 5, "not json", 13);
	assert_true(u.status_error);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gauge_from_calm_or_norms),
		cmocka_unit_test(trend_fit),
		cmocka_unit_test(stale_detection),
		cmocka_unit_test(sources_and_daemon),
		cmocka_unit_test(session_clock),
		cmocka_unit_test(releases),
		cmocka_unit_test(hold_before_emg),
		cmocka_unit_test(guide_advice),
		cmocka_unit_test(hostile_messages),
		cmocka_unit_test(keys_session_and_mark),
		cmocka_unit_test(keys_pacer_hold_calibrate),
		cmocka_unit_test(keys_quit_during_session),
		cmocka_unit_test(status_keys_advice_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
