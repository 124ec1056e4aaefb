/*
 * test_report_fixture.h - a synthetic session written as the daemon writes
 * its JSON lines, for the report and index tests (header-only: each test
 * program includes it once).
 *
 * The session: nbeats beats at a known RR pattern (RR = rr0 +/- 40 ms
 * alternating: RMSSD 80 ms), HRV (60 s windows), breathing, two EMG
 * regions, guide messages with a resonance pacer from 120 s, a hold on
 * trapezius-left at 20 s released at 40 s, a mark at 60 s with its
 * mark.response, the session.summary, rec.start/rec.end. Client name
 * "Zoe O'Brien".
 */
#ifndef TEST_REPORT_FIXTURE_H
#define TEST_REPORT_FIXTURE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_T0_NS 1796400000000000000LL
#define FX_NS(s) (FX_T0_NS + (int64_t)((s) * 1e9))

/* Lines are collected with their time and written in time order, as the
 * daemon writes them. */
struct fx_line { double t; long seq; char *s; };
struct fx_lines { struct fx_line *v; size_t n, cap; };

static void fx_emit(struct fx_lines *L, double t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fx_emit(struct fx_lines *L, double t, const char *fmt, ...)
{
	if (L->n == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 1024;
		L->v = realloc(L->v, L->cap * sizeof(*L->v));
	}
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	L->v[L->n].t = t;
	L->v[L->n].seq = (long)L->n;
	L->v[L->n].s = strdup(buf);
	L->n++;
}

static int fx_cmp(const void *a, const void *b)
{
	const struct fx_line *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* Write BASE.jsonl; returns the number of beats with an RR (hr not null). */
static int fx_write_session(const char *base, const char *id, int nbeats, double rr0_ms,
			    double hr_base, double hr_end, const char *technique, int with_summary)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s.jsonl", base);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	struct fx_lines L = { 0 };
	double T = 0; /* time of the line being emitted */
	fx_emit(&L, T, "{\"topic\":\"rec.start\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"edf\":\"x.edf\","
		"\"client\":\"Zoe O'Brien\",\"technique\":\"%s\",\"record_s\":1,\"signals\":[]}\n",
		(long long)FX_T0_NS, technique);
	fx_emit(&L, T, "{\"topic\":\"event\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"kind\":\"session.start\","
		"\"source\":\"\",\"detail\":\"%s\",\"data\":{\"session\":\"%s\",\"client\":\"Zoe O'Brien\","
		"\"technique\":\"%s\",\"notes\":\"\"}}\n", (long long)FX_T0_NS, id, id, technique);
	double t = 0;
	int with_rr = 0;
	int seq = 0;
	for (int k = 0; k < nbeats; k++) {
		double rr = rr0_ms + (k % 2 ? 40 : -40);
		t += rr / 1000;
		T = t;
		if (k == 0)
			fx_emit(&L, T, "{\"topic\":\"beat\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,\"sample\":0,"
				"\"rr_ms\":null,\"hr_bpm\":null,\"source\":\"ECG\",\"quality\":1.000}\n",
				seq++, (long long)FX_NS(t));
		else {
			fx_emit(&L, T, "{\"topic\":\"beat\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,\"sample\":0,"
				"\"rr_ms\":%.3f,\"hr_bpm\":%.2f,\"source\":\"ECG\",\"quality\":%.3f}\n",
				seq++, (long long)FX_NS(t), rr, 60000 / rr, k % 50 == 7 ? 0.3 : 0.95);
			with_rr++;
		}
		fx_emit(&L, T, "{\"topic\":\"hrv\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,\"window_s\":60.0,\"n\":%d,"
			"\"mean_nn_ms\":%.2f,\"sdnn_ms\":40.00,\"rmssd_ms\":80.00,\"pnn50\":100.00,"
			"\"hr_bpm\":%.2f,\"artifacts_pct\":1.00,\"hf_ms2\":900.00,\"calm\":%.1f}\n",
			k, (long long)FX_NS(t), k < 75 ? k : 75, rr0_ms, 60000 / rr0_ms, 40 + 20 * t / (nbeats * rr0_ms / 1000));
	}
	double dur = t;
	for (double s = 0; s < dur; s += 1)
		fx_emit(&L, (T = s), "{\"topic\":\"resp\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"resp_bpm\":%.2f,"
			"\"confidence\":0.9,\"source\":\"rsa\"}\n", (long long)FX_NS(s), 14 - 4 * s / dur);
	for (double s = 0; s < dur; s += 0.5)
		for (int ch = 0; ch < 2 && (T = s + 0.001) > 0; ch++)
			fx_emit(&L, T, "{\"topic\":\"emg\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"channel\":%d,"
				"\"name\":\"%s\",\"sample\":0,\"rms_uv\":%.2f,\"state\":\"relaxed\",\"quality\":[]}\n",
				(long long)FX_NS(s), ch, ch ? "trapezius-right" : "trapezius-left",
				(ch ? 20 : 60) * (s < 40 ? 1.0 : 0.5));
	for (double s = 0; s < dur; s += 0.5) {
		T = s + 0.002;
		int pacing = s >= 120;
		int ph = pacing ? (((int)(s / 5)) % 2 ? 3 : 1) : 0;
		static const char *const phn[] = { "off", "inhale", "hold", "exhale" };
		fx_emit(&L, T, "{\"topic\":\"guide\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"pattern\":\"%s\","
			"\"phase\":\"%s\",\"advice\":\"hold\",\"profile\":\"sensitive\",\"holding\":false,"
			"\"technique\":\"\",\"region\":\"\",\"reasons\":\"\"}\n", (long long)FX_NS(s),
			pacing ? "resonance" : "off", phn[ph]);
		if (s == 20)
			fx_emit(&L, T, "{\"topic\":\"event\",\"v\":1,\"seq\":1,\"t_ns\":%lld,\"kind\":\"hold.start\","
				"\"source\":\"\",\"detail\":\"trigger_point\",\"data\":{\"technique\":\"trigger_point\","
				"\"region\":\"trapezius-left\"}}\n", (long long)FX_NS(s));
		if (s == 45)
			fx_emit(&L, T, "{\"topic\":\"release\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"drop_t_ns\":%lld,"
				"\"technique\":\"trigger_point\",\"region\":\"trapezius-left\",\"channel\":0,"
				"\"start_uv\":60.00,\"level_uv\":30.00,\"drop_pct\":50.0,\"hold_s\":20.0,\"text\":\"r\"}\n",
				(long long)FX_NS(s), (long long)FX_NS(40));
		if (s == 50)
			fx_emit(&L, T, "{\"topic\":\"event\",\"v\":1,\"seq\":2,\"t_ns\":%lld,\"kind\":\"hold.stop\","
				"\"source\":\"\",\"detail\":\"\",\"data\":null}\n", (long long)FX_NS(s));
		if (s == 60)
			fx_emit(&L, T, "{\"topic\":\"event\",\"v\":1,\"seq\":3,\"t_ns\":%lld,\"kind\":\"mark\","
				"\"source\":\"\",\"detail\":\"press\",\"data\":{\"label\":\"press\",\"region\":"
				"\"trapezius-left\",\"pressure\":\"\",\"session\":\"%s\"}}\n", (long long)FX_NS(s), id);
		if (s == 90)
			fx_emit(&L, T, "{\"topic\":\"mark.response\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"mark_t_ns\":%lld,"
				"\"label\":\"press\",\"region\":\"trapezius-left\",\"pressure\":null,"
				"\"hr_before_bpm\":70.00,\"hr_after_bpm\":66.00,\"dhr_bpm\":-4.00,"
				"\"rmssd_before_ms\":30.00,\"rmssd_after_ms\":36.00,\"drmssd_pct\":20.0,"
				"\"calm_before\":50.0,\"calm_after\":55.0,\"dcalm\":5.0,\"emg\":[],\"complete\":true,"
				"\"text\":\"t\"}\n", (long long)FX_NS(s), (long long)FX_NS(60));
	}
	T = dur + 1;
	/* hostile lines: not JSON, wrong types, unknown topic */
	fx_emit(&L, T, "this is not json\n{\"topic\":\"beat\",\"v\":\"x\"}\n{\"topic\":\"nonsense\",\"v\":1,"
		"\"seq\":0,\"t_ns\":1}\n\x01\x02\xff\n");
	if (with_summary)
		fx_emit(&L, T, "{\"topic\":\"event\",\"v\":1,\"seq\":9,\"t_ns\":%lld,\"kind\":\"session.summary\","
			"\"source\":\"\",\"detail\":\"%s\",\"data\":{\"session\":\"%s\",\"start_ns\":%lld,"
			"\"stop_ns\":%lld,\"duration_s\":%.1f,\"span_s\":120.0,\"regions\":[\"trapezius-left\","
			"\"trapezius-right\"],\"baseline\":{\"hr_bpm\":%.2f,\"rmssd_ms\":80.00,\"calm\":50.0,"
			"\"resp_bpm\":14.00,\"emg_uv\":[60.00,20.00]},\"end\":{\"hr_bpm\":%.2f,\"rmssd_ms\":80.00,"
			"\"calm\":60.0,\"resp_bpm\":10.00,\"emg_uv\":[30.00,10.00]},\"compact\":false,"
			"\"nreleases\":1,\"nmarks\":1,\"releases\":[],\"marks\":[],\"pacer_s\":{\"resonance\":60.0},"
			"\"advice_s\":{\"none\":0,\"hold\":%.1f,\"ease\":0,\"deepen-ok\":0},\"holds\":1,"
			"\"holds_long\":0}}\n", (long long)FX_NS(dur), id, id, (long long)FX_T0_NS,
			(long long)FX_NS(dur), dur, hr_base, hr_end, dur);
	T = dur + 2;
	fx_emit(&L, T, "{\"topic\":\"rec.end\",\"v\":1,\"seq\":0,\"t_ns\":%lld,\"records\":1,"
		"\"samples_lost\":0,\"samples_filled\":0,\"messages_lost\":0,\"edf_error\":false}\n",
		(long long)FX_NS(dur));
	qsort(L.v, L.n, sizeof(*L.v), fx_cmp);
	for (size_t i = 0; i < L.n; i++) {
		fprintf(f, "%s", L.v[i].s);
		free(L.v[i].s);
	}
	free(L.v);
	return fclose(f) == 0 ? with_rr : -1;
}

#endif
