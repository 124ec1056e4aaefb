/*
 * test_config.c - the shipped example configuration parses to the values
 * it documents, and repeated sections, overlong values and missing keys are
 * refused with file:line messages.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_parses),
		cmocka_unit_test(several_sources_and_clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
