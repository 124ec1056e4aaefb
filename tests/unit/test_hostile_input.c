/*
 * test_hostile_input.c - the parsers of external input refuse what issue 15
 * found them accepting or mis-converting: a control request with trailing
 * bytes, a NUL (raw or \u0000) or invalid UTF-8; a message whose t_ns, seq
 * or an integer field does not fit its C type (1e89 was converted with UB);
 * a WFDB header dated year 20 (signed overflow in the base time).
 * Each case failed (accepted, or aborted under UBSan) before the fix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "msg.h"
#include "pipeline.h"
#include "proto.h"
#include "vg_err.h"
#include "vg_log.h"
#include "wfdb.h"

#include <stdio.h>
#include <string.h>

static int parse_n(const char *s, size_t n, char *err)
{
	struct ctl_request r;
	return ctl_parse(s, n, &r, err, 256);
}

static int parse(const char *s, char *err)
{
	return parse_n(s, strlen(s), err);
}

static void control_trailing_bytes_and_nul(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(parse("{\"cmd\":\"ping\"}", err), 0);
	assert_int_equal(parse(" {\"cmd\":\"ping\"}\n", err), 0); /* whitespace is fine */
	assert_int_equal(parse("{\"cmd\":\"ping\"}x", err), VG_ERR_PARSE);
	assert_non_null(strstr(err, "trailing bytes"));
	assert_int_equal(parse("{\"cmd\":\"ping\"}{\"cmd\":\"status\"}", err), VG_ERR_PARSE);
	/* "ping\u0000x" was cut at the NUL and ran ping */
	assert_int_equal(parse("{\"cmd\":\"ping\\u0000x\"}", err), VG_ERR_INVAL);
	assert_non_null(strstr(err, "u0000"));
	/* an escaped backslash before u0000 is just text */
	assert_int_equal(parse("{\"cmd\":\"mark\",\"label\":\"a\\\\u0000\"}", err), 0);
	static const char raw_nul[] = "{\"cmd\":\"ping\"}\0garbage";
	assert_int_equal(parse_n(raw_nul, sizeof(raw_nul) - 1, err), VG_ERR_INVAL);
	assert_non_null(strstr(err, "NUL"));
}

static void control_utf8(void **state)
{
	(void)state;
	char err[256];
	struct ctl_request r;
	const char *ok = "{\"cmd\":\"mark\",\"label\":\"Schulter \xc3\xa4 \xe2\x9c\x93 \xf0\x9f\x99\x82\"}";
	assert_int_equal(ctl_parse(ok, strlen(ok), &r, err, sizeof(err)), 0);
	assert_string_equal(r.label, "Schulter \xc3\xa4 \xe2\x9c\x93 \xf0\x9f\x99\x82");
	static const char *const bad[] = {
		"{\"cmd\":\"mark\",\"label\":\"\xff\"}",         /* never valid */
		"{\"cmd\":\"mark\",\"label\":\"\xc3\"}",         /* cut sequence */
		"{\"cmd\":\"mark\",\"label\":\"\xc0\xaf\"}",     /* overlong '/' */
		"{\"cmd\":\"mark\",\"label\":\"\xed\xa0\x80\"}", /* surrogate */
		"{\"cmd\":\"mark\",\"label\":\"\xf4\x90\x80\x80\"}", /* > U+10FFFF */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], err) != VG_ERR_INVAL || !strstr(err, "UTF-8"))
			fail_msg("case %zu accepted: %s", i, err);
	}
	/* a lone surrogate escape is refused by cJSON itself */
	assert_true(parse("{\"cmd\":\"mark\",\"label\":\"\\ud800\"}", err) < 0);
}

static int decode(const char *s)
{
	static union proto_any m;
	struct proto_header h;
	const struct proto_topic *t;
	return proto_decode(s, strlen(s), &h, &t, &m, sizeof(m));
}

static void decode_out_of_range_numbers(void **state)
{
	(void)state;
	assert_int_equal(decode("{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":5}"), 0);
	assert_int_equal(decode("{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":1e89}"),
			 VG_ERR_PARSE);
	assert_int_equal(decode("{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":-1e30}"),
			 VG_ERR_PARSE);
	assert_int_equal(decode("{\"topic\":\"beat\",\"v\":1,\"seq\":1e40,\"t_ns\":5}"),
			 VG_ERR_PARSE);
	assert_int_equal(decode("{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":5,"
				"\"sample\":1e300}"), VG_ERR_INVAL);
	assert_int_equal(decode("{\"topic\":\"status\",\"v\":1,\"seq\":1,\"t_ns\":5,"
				"\"dropped_samples\":2e19}"), VG_ERR_INVAL);
	assert_int_equal(decode("{\"topic\":\"beat\",\"v\":1,\"seq\":1,\"t_ns\":5,"
				"\"sample\":-12}"), 0);
}

static void wfdb_date_out_of_range(void **state)
{
	(void)state;
	int err;
	vg_log_set_level(VG_LOG_ERR);
	static const char year20[] = "r 1 360 10 12:00:00 01/01/0020\nr.dat 212\n";
	struct wfdb_record *r = wfdb_parse_header(year20, sizeof(year20) - 1, NULL, &err);
	assert_non_null(r);
	int64_t t = 0;
	assert_int_equal(wfdb_base_time_ns(r, &t), VG_ERR_RANGE);
	wfdb_destroy(&r);
	static const char year9999[] = "r 1 360 10 12:00:00 31/12/9999\nr.dat 212\n";
	r = wfdb_parse_header(year9999, sizeof(year9999) - 1, NULL, &err);
	assert_non_null(r);
	assert_int_equal(wfdb_base_time_ns(r, &t), VG_ERR_RANGE);
	wfdb_destroy(&r);
	static const char y2000[] = "r 1 360 10 00:00:01 01/01/2000\nr.dat 212\n";
	r = wfdb_parse_header(y2000, sizeof(y2000) - 1, NULL, &err);
	assert_non_null(r);
	assert_int_equal(wfdb_base_time_ns(r, &t), 0);
	assert_true(t == 946684801LL * 1000000000LL);
	wfdb_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_trailing_bytes_and_nul),
		cmocka_unit_test(control_utf8),
		cmocka_unit_test(decode_out_of_range_numbers),
		cmocka_unit_test(wfdb_date_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
