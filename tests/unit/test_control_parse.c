/*
 * test_control_parse.c - the control request validator: every command
 * parses, and malformed JSON, unknown commands and fields, wrong types,
 * out-of-range values and oversize requests are refused with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "vg_err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *s, struct ctl_request *r, char *err)
{
	return ctl_parse(s, strlen(s), r, err, 256);
}

static void good_requests(void **state)
{
	(void)state;
	struct ctl_request r;
	char err[256];
	assert_int_equal(parse("{\"cmd\":\"session.start\",\"client\":\"A. N. Other\","
			       "\"technique\":\"myofascial\",\"notes\":\"neck\"}", &r, err), 0);
	assert_int_equal(r.cmd, CTL_SESSION_START);
	assert_string_equal(r.client, "A. N. Other");
	assert_string_equal(r.technique, "myofascial");
	assert_int_equal(parse("{\"cmd\":\"mark\",\"label\":\"deep pressure\","
			       "\"region\":\"trapezius-left\",\"pressure\":7}", &r, err), 0);
	assert_string_equal(r.pressure, "7");
	assert_string_equal(r.region, "trapezius-left");
	assert_int_equal(parse("{\"cmd\":\"calibrate\",\"channel\":1,\"kind\":\"rest\"}",
			       &r, err), 0);
	assert_int_equal(r.channel, 1);
	assert_true(isnan(r.seconds));
	assert_int_equal(parse("{\"cmd\":\"pacer.set\",\"pattern\":\"custom\",\"inhale_s\":4,"
			       "\"hold_in_s\":2,\"exhale_s\":6}", &r, err), 0);
	assert_true(r.exhale_s == 6.0);
	for (int c = 0; c < CTL_NCMDS; c++)
		assert_non_null(ctl_cmd_name((enum ctl_cmd)c));
	assert_int_equal(parse("{\"cmd\":\"session.stop\"}", &r, err), 0);
	assert_int_equal(r.cmd, CTL_SESSION_STOP);
}

static void bad_requests(void **state)
{
	(void)state;
	static const struct {
		const char *req;
		int code;
		const char *msg;
	} bad[] = {
		{ "", VG_ERR_PARSE, "empty" },
		{ "{\"cmd\":", VG_ERR_PARSE, "malformed" },
		{ "[1,2]", VG_ERR_PARSE, "object" },
		{ "{\"cmd\":5}", VG_ERR_PARSE, "object" },
		{ "{\"cmd\":\"reboot\"}", VG_ERR_NOTFOUND, "unknown command 'reboot'" },
		{ "{\"cmd\":\"session.start\"}", VG_ERR_INVAL, "missing field 'client'" },
		{ "{\"cmd\":\"session.start\",\"client\":7}", VG_ERR_INVAL, "must be a string" },
		{ "{\"cmd\":\"calibrate\",\"channel\":\"one\",\"kind\":\"rest\"}", VG_ERR_INVAL,
		  "must be a number" },
		{ "{\"cmd\":\"calibrate\",\"channel\":1.5,\"kind\":\"rest\"}", VG_ERR_INVAL,
		  "integer" },
		{ "{\"cmd\":\"calibrate\",\"channel\":1,\"kind\":\"max\"}", VG_ERR_INVAL,
		  "unknown value 'max'" },
		{ "{\"cmd\":\"baseline.start\",\"seconds\":1e9}", VG_ERR_RANGE, "out of range" },
		{ "{\"cmd\":\"mark\",\"label\":\"x\",\"pressure\":99}", VG_ERR_RANGE, "out of range" },
		{ "{\"cmd\":\"mark\",\"label\":\"x\",\"lable\":\"typo\"}", VG_ERR_INVAL,
		  "unknown field 'lable'" },
		{ "{\"cmd\":\"profile.set\",\"profile\":\"brave\"}", VG_ERR_INVAL, "unknown value" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_request r;
		char err[256];
		int rc = parse(bad[i].req, &r, err);
		if (rc != bad[i].code || !strstr(err, bad[i].msg))
			fail_msg("request %zu: rc %d err '%s'", i, rc, err);
	}
}

static void oversize_and_long_strings(void **state)
{
	(void)state;
	size_t n = CTL_REQ_MAX + 100;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "{\"cmd\":\"ping\"}", 14);
	big[n] = '\0';
	struct ctl_request r;
	char err[256];
	assert_int_equal(ctl_parse(big, n, &r, err, sizeof(err)), VG_ERR_TRUNC);
	/* a client name longer than its field */
	char req[400];
	snprintf(req, sizeof(req), "{\"cmd\":\"session.start\",\"client\":\"%0200d\"}", 0);
	assert_int_equal(parse(req, &r, err), VG_ERR_TRUNC);
	assert_non_null(strstr(err, "too long"));
	free(big);
	/* not NUL-terminated input is read only to len */
	const char ok[] = "{\"cmd\":\"ping\"}XXXX";
	assert_int_equal(ctl_parse(ok, 14, &r, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_requests),
		cmocka_unit_test(bad_requests),
		cmocka_unit_test(oversize_and_long_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
