/*
 * test_config.c - the shipped example configuration parses to the values
 * it documents, and repeated sections, overlong values and missing keys are
 * refused with file:line messages; a UTF-8 BOM, NUL bytes, hex numbers and
 * overlong lines (issue 15) are handled by the one line reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "vg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void example_parses(void **state)
{
	(void)state;
	static struct config c;
	char err[512];
	assert_int_equal(config_load("dist/vagusd.conf.example", &c, err, sizeof(err)), 0);
	assert_string_equal(c.pub, "tcp://127.0.0.1:5560");
	assert_string_equal(c.room, "room-1");
	assert_int_equal(c.nsources, 1);
	assert_string_equal(c.sources[0], "sim,seed=1,scenario=massage");
	assert_int_equal(c.nwindows, 2);
	assert_true(c.windows_s[1] == 300.0);
	assert_true(c.stall_timeout_s == 5.0);
	assert_int_equal(c.insecure, 0);
	assert_string_equal(c.record_dir, "/var/lib/vagus/sessions");
	assert_int_equal(c.nclients, 0);
}

static int load_bytes(const char *text, size_t len, struct config *c, char *err)
{
	char path[] = "/tmp/vagus-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (int)len);
	close(fd);
	int rc = config_load(path, c, err, 512);
	unlink(path);
	return rc;
}

static int load_text(const char *text, struct config *c, char *err)
{
	char path[] = "/tmp/vagus-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	int rc = config_load(path, c, err, 512);
	unlink(path);
	return rc;
}

static void several_sources_and_clients(void **state)
{
	(void)state;
	static struct config c;
	char err[512];
	assert_int_equal(load_text("[source]\nspec = sim\n[source]\nspec = openbci:/dev/x\n"
				   "options = ch1=ecg\n[client a]\npublic_key = "
				   "0123456789012345678901234567890123456789\nrole = console\n",
				   &c, err), 0);
	assert_int_equal(c.nsources, 2);
	assert_string_equal(c.sources[1], "openbci:/dev/x,ch1=ecg");
	assert_int_equal(c.nclients, 1);
	assert_string_equal(c.clients[0].name, "a");
	assert_int_equal(load_text("[source]\n[source]\nspec = sim\n", &c, err), VG_ERR_INVAL);
	assert_non_null(strstr(err, ":2: [source] spec: missing"));
	assert_int_equal(load_text("[client a]\nrole = console\n", &c, err), VG_ERR_INVAL);
	assert_non_null(strstr(err, "needs public_key"));
	assert_int_equal(load_text("[source]\nspec = sim,a b\n", &c, err), VG_ERR_INVAL);
	assert_int_equal(config_load("/nonexistent/vagus.conf", &c, err, sizeof(err)),
			 VG_ERR_NOTFOUND);
	assert_non_null(strstr(err, "/nonexistent/vagus.conf"));
}

/* issue 15 item 3: inih skipped the BOM, the project's line reader did not,
 * so [source] on line 1 was never counted and its spec went to sources[-1]
 * (over the endpoint and insecure fields). */
static void bom_on_line_one(void **state)
{
	(void)state;
	static struct config c;
	char err[512];
	assert_int_equal(load_text("\xEF\xBB\xBF[source]\nspec = sim\n", &c, err), 0);
	assert_int_equal(c.nsources, 1);
	assert_string_equal(c.sources[0], "sim");
	assert_int_equal(c.insecure, 0);
	assert_int_equal(load_text("\xEF\xBB\xBF[client a]\npublic_key = "
				   "0123456789012345678901234567890123456789\nrole = console\n",
				   &c, err), 0);
	assert_int_equal(c.nclients, 1);
	assert_string_equal(c.clients[0].name, "a");
	assert_string_equal(c.clients[0].role, "console");
	/* line numbers still count the BOM line as line 1 */
	assert_int_equal(load_text("\xEF\xBB\xBF[daemon]\nroom = x\nbogus = 1\n", &c, err),
			 VG_ERR_INVAL);
	assert_non_null(strstr(err, ":3: [daemon] bogus"));
	/* a second BOM would be stripped by inih again: refused */
	assert_true(load_text("\xEF\xBB\xBF\xEF\xBB\xBF[source]\nspec = sim\n", &c,
			      err) < 0);
	assert_non_null(strstr(err, ":1: "));
	/* an indented header is a value continuation for inih: refused */
	assert_true(load_text("[daemon]\nroom = x\n  [source]\nspec = sim\n", &c, err) < 0);
	assert_non_null(strstr(err, ":3: indented section header"));
}

/* issue 15 item 8: 0x10 was a number, a NUL byte cut the value silently,
 * an overlong line was split into two lines */
static void hex_nul_and_long_lines(void **state)
{
	(void)state;
	static struct config c;
	char err[512];
	assert_int_equal(load_text("[daemon]\nstall_timeout = 0x10\n", &c, err), VG_ERR_INVAL);
	assert_non_null(strstr(err, ":2: [daemon] stall_timeout: not a number (decimal only)"));
	assert_int_equal(load_text("[daemon]\nstall_timeout = 1e1\n", &c, err), 0);
	assert_true(c.stall_timeout_s == 10.0);
	static const char nul[] = "[daemon]\nroom = ab\0cd\n";
	assert_int_equal(load_bytes(nul, sizeof(nul) - 1, &c, err), VG_ERR_PARSE);
	assert_non_null(strstr(err, ":2: NUL byte"));
	char longl[400];
	snprintf(longl, sizeof(longl), "[daemon]\nroom = %0250d\n", 7);
	assert_int_equal(load_text(longl, &c, err), VG_ERR_RANGE);
	assert_non_null(strstr(err, ":2: line too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_parses),
		cmocka_unit_test(several_sources_and_clients),
		cmocka_unit_test(bom_on_line_one),
		cmocka_unit_test(hex_nul_and_long_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
