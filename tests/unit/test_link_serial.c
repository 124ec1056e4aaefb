/*
 * test_link_serial.c - the serial link without hardware: enumeration is
 * well-formed, a missing port is a clear error, a pty is refused with
 * NOTSUP on libserialport 0.1.1 (or opens on a newer one), bad options are
 * INVAL, and libserialport's codes map to the right VG_ERR_*.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link.h"
#include "vg_err.h"

#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PORTS 64

static int terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static void test_enumerate(void **state)
{
	static struct link_port_info ports[MAX_PORTS];
	memset(ports, 0xa5, sizeof(ports));
	int n = link_serial_enumerate(ports, MAX_PORTS);
	assert_true(n >= 0);
	assert_true(n <= MAX_PORTS);
	for (int i = 0; i < n; i++) {
		assert_true(terminated(ports[i].path, sizeof(ports[i].path)));
		assert_true(terminated(ports[i].description,
				       sizeof(ports[i].description)));
		assert_true(terminated(ports[i].serial, sizeof(ports[i].serial)));
		assert_true(ports[i].path[0] != '\0');
		/* a USB port has a vendor id; a native one has neither id */
		if (ports[i].vid == 0)
			assert_int_equal(ports[i].pid, 0);
	}
	/* max limits the count; 0 entries needs no array */
	if (n > 1)
		assert_int_equal(link_serial_enumerate(ports, 1), 1);
	assert_int_equal(link_serial_enumerate(NULL, 0), 0);
	assert_int_equal(link_serial_enumerate(NULL, 3), VG_ERR_INVAL);
	assert_int_equal(link_serial_enumerate(ports, -1), VG_ERR_INVAL);
}

static void test_missing_port(void **state)
{
	int err = 0;
	assert_null(link_open("serial:/dev/ttyUSB-vagus-missing", 115200, &err));
	assert_true(err == VG_ERR_NOTFOUND || err == VG_ERR_NODEV);
	err = 0; /* a bare port name is looked up under /dev */
	assert_null(link_open("serial:ttyUSB-vagus-missing", 115200, &err));
	assert_true(err == VG_ERR_NOTFOUND || err == VG_ERR_NODEV);
}

static void test_pty_refused_or_opened(void **state)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	char slave[128], target[160];
	assert_int_equal(ptsname_r(m, slave, sizeof(slave)), 0);
	snprintf(target, sizeof(target), "serial:%s", slave);
	int err = 0;
	struct link *l = link_open(target, 115200, &err);
	if (l) { /* a libserialport that handles ptys */
		struct pollfd fds[2];
		assert_int_equal(link_pollfds(l, fds, 2), 1);
		uint8_t b[4];
		assert_int_equal(link_read(l, b, sizeof(b)), VG_ERR_AGAIN);
		link_close(&l);
	} else {
		assert_int_equal(err, VG_ERR_NOTSUP);
	}
	close(m);
}

static void test_bad_options(void **state)
{
	const char *bad[] = {
		"serial:/dev/ttyS0?flow=maybe", "serial:/dev/ttyS0?baud=0",
		"serial:/dev/ttyS0?baud=-9600", "serial:/dev/ttyS0?baud=96x",
		"serial:/dev/ttyS0?rate=9600", "serial:", "serial:?baud=1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = 0;
		assert_null(link_open(bad[i], 115200, &err));
		assert_int_equal(err, VG_ERR_INVAL);
	}
}

static void test_error_mapping(void **state)
{
	static const struct {
		int sp;
		int vg;
	} map[] = {
		{ SP_OK, VG_OK },
		{ SP_ERR_ARG, VG_ERR_INVAL },
		{ SP_ERR_FAIL, VG_ERR_IO },
		{ SP_ERR_MEM, VG_ERR_NOMEM },
		{ SP_ERR_SUPP, VG_ERR_NOTSUP },
		{ -77, VG_ERR_IO },
		{ 17, 17 }, /* byte counts pass through */
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		assert_int_equal(link_err_from_sp(map[i].sp), map[i].vg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_missing_port),
		cmocka_unit_test(test_pty_refused_or_opened),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_error_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
