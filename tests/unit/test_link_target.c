/*
 * test_link_target.c - the target-string parser: every part of the grammar
 * in link.h is split correctly, and garbage (empty, overlong, control
 * characters, unknown scheme, malformed options, bad ids, ports and
 * numbers) is refused with VG_ERR_INVAL, both by the parser and by
 * link_open().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link.h"
#include "link_target.h"
#include "vg_err.h"

#include <string.h>

static void test_split(void **state)
{
	struct link_target t;
	assert_int_equal(link_target_parse("serial:/dev/ttyUSB0", &t), VG_OK);
	assert_string_equal(t.scheme, "serial");
	assert_string_equal(t.addr, "/dev/ttyUSB0");
	assert_int_equal(t.nopt, 0);

	assert_int_equal(link_target_parse("/dev/pts/3", &t), VG_OK);
	assert_string_equal(t.scheme, "fd");
	assert_string_equal(t.addr, "/dev/pts/3");

	assert_int_equal(link_target_parse("./cap.bin?rate=115200", &t), VG_OK);
	assert_string_equal(t.scheme, "fd");
	assert_string_equal(t.addr, "./cap.bin");
	assert_string_equal(link_target_opt(&t, "rate"), "115200");
	assert_null(link_target_opt(&t, "baud"));

	assert_int_equal(link_target_parse("fd:/a:b?baud=9600&flow=rtscts", &t),
			 VG_OK);
	assert_string_equal(t.addr, "/a:b");
	assert_int_equal(t.nopt, 2);
	assert_string_equal(link_target_opt(&t, "baud"), "9600");
	assert_string_equal(link_target_opt(&t, "flow"), "rtscts");

	assert_int_equal(link_target_parse("usb:0fcf:1008:AB12", &t), VG_OK);
	assert_string_equal(t.scheme, "usb");
	assert_string_equal(t.addr, "0fcf:1008:AB12");

	assert_int_equal(link_target_parse("tcp:[::1]:2000", &t), VG_OK);
	assert_string_equal(t.addr, "[::1]:2000");
}

static void test_garbage(void **state)
{
	char longstr[400];
	memset(longstr, 'a', sizeof(longstr) - 1);
	memcpy(longstr, "fd:/", 4);
	longstr[sizeof(longstr) - 1] = '\0';
	const char *bad[] = {
		"", "x", "dev/ttyUSB0", ":x", "Serial:/dev/x", "fd:", "fd:?a=1",
		"/x?", "/x?a", "/x?=1", "/x?a=", "/x?a=1&", "/x?a=1&&b=2",
		"/x?a=1&a=2", "/x?A=1", "/x?a=b=c", "/x?a=1?b", "/x?a=1 2",
		"/dev/\x01x", "/dev/x\x7f", "fd:/x\n", "verylongscheme:x",
		"/x?a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1",
		"/x?aaaaaaaaaaaaaaaaaaaaaa=1", longstr,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct link_target t;
		assert_int_equal(link_target_parse(bad[i], &t), VG_ERR_INVAL);
		int err = 0;
		assert_null(link_open(bad[i], 0, &err));
		assert_int_equal(err, VG_ERR_INVAL);
	}
	struct link_target t;
	assert_int_equal(link_target_parse(NULL, &t), VG_ERR_INVAL);
	int err = 0;
	assert_null(link_open(NULL, 0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	/* well-formed but unknown transport */
	assert_int_equal(link_target_parse("bt:00:11:22", &t), VG_OK);
	err = 0;
	assert_null(link_open("bt:00:11:22", 0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	err = 0;
	assert_null(link_open("/dev/null", -1, &err));
	assert_int_equal(err, VG_ERR_INVAL);
}

static void test_usb_addr(void **state)
{
	uint16_t vid, pid;
	char serial[16];
	assert_int_equal(link_parse_usb_addr("0fcf:1008", &vid, &pid, serial,
					     sizeof(serial)), VG_OK);
	assert_int_equal(vid, 0x0fcf);
	assert_int_equal(pid, 0x1008);
	assert_string_equal(serial, "");
	assert_int_equal(link_parse_usb_addr("FCF:9:S-1.x", &vid, &pid, serial,
					     sizeof(serial)), VG_OK);
	assert_int_equal(vid, 0x0fcf);
	assert_int_equal(pid, 9);
	assert_string_equal(serial, "S-1.x");
	const char *bad[] = { "", ":", "0fcf", "0fcf:", ":1008", "0fcf:1008:",
			      "10000:1", "1:10000", "0:1", "g:1", "1:1:a b",
			      "1:1:a:b", "1:1:0123456789abcdef", "+1:1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(link_parse_usb_addr(bad[i], &vid, &pid, serial,
						     sizeof(serial)),
				 VG_ERR_INVAL);
}

static void test_host_port(void **state)
{
	char host[16];
	uint16_t port;
	assert_int_equal(link_parse_host_port("127.0.0.1:2000", host,
					      sizeof(host), &port), VG_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 2000);
	assert_int_equal(link_parse_host_port("[fe80::1%eth0]:65535", host,
					      sizeof(host), &port), VG_OK);
	assert_string_equal(host, "fe80::1%eth0");
	assert_int_equal(port, 65535);
	assert_int_equal(link_parse_host_port("bridge-1.lan:1", host,
					      sizeof(host), &port), VG_OK);
	assert_string_equal(host, "bridge-1.lan");
	const char *bad[] = { "", "host", "host:", ":1", "host:0",
			      "host:65536", "host:+1", "host:1x", "[::1]",
			      "[::1]2000", "[]:1", "a/b:1", "::1:80",
			      "averyveryverylonghostname:1", "host:99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(link_parse_host_port(bad[i], host, sizeof(host),
						      &port), VG_ERR_INVAL);
}

static void test_ulong(void **state)
{
	unsigned long v;
	assert_int_equal(link_parse_ulong("0", 0, 5, &v), VG_OK);
	assert_int_equal(v, 0);
	assert_int_equal(link_parse_ulong("115200", 1, 4000000, &v), VG_OK);
	assert_int_equal(v, 115200);
	assert_int_equal(link_parse_ulong("18446744073709551615", 0,
					  (unsigned long)-1, &v), VG_OK);
	const char *bad[] = { "", "-1", "+1", " 1", "1 ", "0x10", "6", "9",
			      "18446744073709551616" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(link_parse_ulong(bad[i], 0, 5, &v), VG_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_usb_addr),
		cmocka_unit_test(test_host_port),
		cmocka_unit_test(test_ulong),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
