/*
 * test_protocol.c - the wire schema: encode/decode round trips, null for
 * NaN, escaping, truncation, hostile JSON, and PROTOCOL.md documenting
 * every topic and field of the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pipeline.h"
#include "control.h"
#include "proto.h"
#include "vg_err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void beat_round_trip(void **state)
{
	(void)state;
	struct pl_beat b = { .t_ns = 1763712000123456789LL, .sample = 4242,
			     .rr_ms = 812.3456, .hr_bpm = 73.86, .quality = 0.97 };
	strcpy(b.source, "ECG \"lead\" II");
	char buf[PROTO_MSG_MAX];
	const struct proto_topic *t = proto_topic_find("beat");
	assert_non_null(t);
	int n = proto_encode(t, 41, "room-3", &b, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\"topic\":\"beat\",\"v\":1,\"seq\":41,"
				    "\"t_ns\":1763712000123456789"));
	assert_non_null(strstr(buf, "\"rr_ms\":812.346"));
	assert_non_null(strstr(buf, "\"source\":\"ECG \\\"lead\\\" II\""));
	assert_non_null(strstr(buf, "\"room\":\"room-3\""));

	struct proto_header h;
	struct pl_beat back;
	const struct proto_topic *tt;
	assert_int_equal(proto_decode(buf, (size_t)n, &h, &tt, &back, sizeof(back)),
			 VG_OK);
	assert_ptr_equal(tt, t);
	assert_int_equal(h.seq, 41);
	assert_true(h.t_ns == 1763712000123456789LL); /* exact, not via double */
	assert_true(back.t_ns == b.t_ns);
	assert_int_equal(back.sample, 4242);
	assert_true(fabs(back.rr_ms - 812.346) < 1e-9);
	assert_string_equal(back.source, b.source);
	assert_string_equal(h.room, "room-3");
}

static void nan_is_null(void **state)
{
	(void)state;
	struct pl_hrv h;
	memset(&h, 0, sizeof(h));
	h.r.window_s = 60;
	h.r.n = 70;
	h.r.rmssd_ms = 42.0;
	h.r.lf_ms2 = NAN;
	h.r.hf_ms2 = INFINITY;
	h.r.calm = NAN;
	char buf[PROTO_MSG_MAX];
	int n = proto_encode(proto_topic_find("hrv"), 0, NULL, &h, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, "nan"));
	assert_null(strstr(buf, "inf"));
	assert_non_null(strstr(buf, "\"lf_ms2\":null"));
	assert_non_null(strstr(buf, "\"hf_ms2\":null"));
	struct proto_header hd;
	struct pl_hrv back;
	assert_int_equal(proto_decode(buf, (size_t)n, &hd, NULL, &back, sizeof(back)),
			 VG_OK);
	assert_true(isnan(back.r.lf_ms2));
	assert_true(fabs(back.r.rmssd_ms - 42.0) < 1e-9);
	assert_int_equal(back.r.n, 70);
}

static void emg_enum_and_flags(void **state)
{
	(void)state;
	struct pl_emg e;
	memset(&e, 0, sizeof(e));
	e.r.channel = 2;
	strcpy(e.r.name, "trapezius-left");
	e.r.state = EMG_RELEASING;
	e.r.quality_flags = EMG_Q_MAINS | EMG_Q_CLIPPING;
	e.r.rms_uv = 12.5;
	char buf[PROTO_MSG_MAX];
	int n = proto_encode(proto_topic_find("emg"), 7, NULL, &e, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\"state\":\"releasing\""));
	assert_non_null(strstr(buf, "\"quality\":[\"mains\",\"clipping\"]"));
	struct proto_header hd;
	struct pl_emg back;
	assert_int_equal(proto_decode(buf, (size_t)n, &hd, NULL, &back, sizeof(back)),
			 VG_OK);
	assert_int_equal(back.r.state, EMG_RELEASING);
	assert_int_equal(back.r.quality_flags, EMG_Q_MAINS | EMG_Q_CLIPPING);
}

static void truncation_is_an_error(void **state)
{
	(void)state;
	struct pl_beat b = { .t_ns = 1, .rr_ms = 800 };
	char small[40];
	assert_int_equal(proto_encode(proto_topic_find("beat"), 0, NULL, &b, small,
				      sizeof(small)),
			 VG_ERR_TRUNC);
	assert_true(strlen(small) < sizeof(small));
}

static void hostile_input(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "{", "[]", "null", "{\"topic\":1}", "{\"topic\":\"beat\"}",
		"{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":\"x\"}",
		"{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":5,\"rr_ms\":\"fast\"}",
		"{\"topic\":\"emg\",\"v\":1,\"seq\":1,\"t_ns\":5,\"state\":\"angry\"}",
		"{\"topic\":\"emg\",\"v\":1,\"seq\":1,\"t_ns\":5,\"quality\":[1]}",
		"\xff\xfe\x00garbage",
	};
	union { struct pl_beat b; struct pl_emg e; } m;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proto_header h;
		int rc = proto_decode(bad[i], strlen(bad[i]) ? strlen(bad[i]) : 0, &h,
				      NULL, &m, sizeof(m));
		assert_true(rc < 0);
	}
	/* unknown topic: header decoded, no struct */
	const char *u = "{\"topic\":\"future\",\"v\":2,\"seq\":3,\"t_ns\":9,\"x\":1}";
	struct proto_header h;
	const struct proto_topic *t = (const void *)1;
	assert_int_equal(proto_decode(u, strlen(u), &h, &t, &m, sizeof(m)), VG_OK);
	assert_null(t);
	assert_string_equal(h.topic, "future");
	/* struct too small */
	const char *ok = "{\"topic\":\"hrv\",\"v\":1,\"seq\":3,\"t_ns\":9}";
	char tiny[8];
	assert_int_equal(proto_decode(ok, strlen(ok), &h, NULL, tiny, sizeof(tiny)),
			 VG_ERR_INVAL);
}

static void escape_truncates_cleanly(void **state)
{
	(void)state;
	char out[8];
	proto_json_escape("a\"b\\c\n", out, sizeof(out));
	assert_string_equal(out, "a\\\"b\\\\c");
	proto_json_escape("\"\"\"\"", out, 4);
	assert_string_equal(out, "\\\"");
}

/* PROTOCOL.md must name every topic (as a heading) and every field. */
static void protocol_md_documents_table(void **state)
{
	(void)state;
	FILE *f = fopen("protocol/PROTOCOL.md", "r");
	assert_non_null(f);
	static char doc[200000];
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	for (const struct proto_topic *const *t = proto_topics(); *t; t++) {
		char want[64];
		snprintf(want, sizeof(want), "`%s`", (*t)->name);
		if (!strstr(doc, want))
			fail_msg("PROTOCOL.md lacks topic %s", (*t)->name);
		for (size_t i = 0; i < (*t)->nfields; i++) {
			snprintf(want, sizeof(want), "| `%s` |", (*t)->fields[i].name);
			if (!strstr(doc, want))
				fail_msg("PROTOCOL.md lacks field %s.%s", (*t)->name,
					 (*t)->fields[i].name);
		}
	}
	for (int c = 0; c < CTL_NCMDS; c++) {
		char want[64];
		snprintf(want, sizeof(want), "| `%s` |", ctl_cmd_name((enum ctl_cmd)c));
		if (!strstr(doc, want))
			fail_msg("PROTOCOL.md lacks control command %s",
				 ctl_cmd_name((enum ctl_cmd)c));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(beat_round_trip),
		cmocka_unit_test(nan_is_null),
		cmocka_unit_test(emg_enum_and_flags),
		cmocka_unit_test(truncation_is_an_error),
		cmocka_unit_test(hostile_input),
		cmocka_unit_test(escape_truncates_cleanly),
		cmocka_unit_test(protocol_md_documents_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
