/*
 * test_link_usb.c - the usb link without a USB bus: enumeration works or
 * reports the missing subsystem cleanly, an absent device is VG_ERR_NODEV,
 * malformed targets are VG_ERR_INVAL, and libusb's codes map to the right
 * VG_ERR_*.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link.h"
#include "link_ring.h"
#include "link_usb_impl.h"
#include "vg_err.h"

#include <libusb.h>
#include <string.h>

#define MAX_DEV 64

static int terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static void test_enumerate(void **state)
{
	static struct link_usb_info devs[MAX_DEV];
	memset(devs, 0xa5, sizeof(devs));
	int n = link_usb_enumerate(devs, MAX_DEV);
	if (n == VG_ERR_NODEV)
		return; /* no USB subsystem: reported cleanly */
	assert_true(n >= 0);
	assert_true(n <= MAX_DEV);
	for (int i = 0; i < n; i++) {
		assert_true(terminated(devs[i].port_path, sizeof(devs[i].port_path)));
		assert_true(terminated(devs[i].serial, sizeof(devs[i].serial)));
		assert_true(terminated(devs[i].product, sizeof(devs[i].product)));
		assert_true(devs[i].bus > 0);
		assert_true(devs[i].port_path[0] != '\0');
	}
	assert_int_equal(link_usb_enumerate(NULL, 0), 0);
	assert_int_equal(link_usb_enumerate(NULL, 2), VG_ERR_INVAL);
	assert_int_equal(link_usb_enumerate(devs, -1), VG_ERR_INVAL);
}

/* A VID/PID no attached device has (0xfffe is reserved for testing). */
static int attached(uint16_t vid, uint16_t pid)
{
	struct link_usb_info devs[MAX_DEV];
	int n = link_usb_enumerate(devs, MAX_DEV);
	for (int i = 0; i < n; i++)
		if (devs[i].vid == vid && devs[i].pid == pid)
			return 1;
	return 0;
}

static void test_missing_device(void **state)
{
	const char *targets[] = { "usb:0fcf:1008", "usb:0FCF:1009:ABC123",
				  "usb:fffe:1?iface=0" };
	const uint16_t ids[][2] = { { 0x0fcf, 0x1008 }, { 0x0fcf, 0x1009 },
				    { 0xfffe, 0x0001 } };
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (attached(ids[i][0], ids[i][1]))
			continue; /* a real stick is plugged in */
		int err = 0;
		assert_null(link_open(targets[i], 0, &err));
		assert_int_equal(err, VG_ERR_NODEV);
	}
}

static void test_malformed_targets(void **state)
{
	const char *bad[] = {
		"usb:", "usb:0fcf", "usb:0fcf:", "usb:0fcf:1008:",
		"usb:0fcf:1008:a:b", "usb:0fcf:10080", "usb:0x0f:1008",
		"usb:zzzz:1008", "usb:0000:1008", "usb:-1:1008",
		"usb:0fcf:1008:has space", "usb:0fcf:1008?iface=256",
		"usb:0fcf:1008?iface=x", "usb:0fcf:1008?baud=9600",
		"usb::1008",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = 0;
		assert_null(link_open(bad[i], 0, &err));
		assert_int_equal(err, VG_ERR_INVAL);
	}
}

static void test_error_mapping(void **state)
{
	static const struct {
		int usb;
		int vg;
	} map[] = {
		{ LIBUSB_SUCCESS, VG_OK },
		{ LIBUSB_ERROR_IO, VG_ERR_IO },
		{ LIBUSB_ERROR_INVALID_PARAM, VG_ERR_INVAL },
		{ LIBUSB_ERROR_ACCESS, VG_ERR_ACCESS },
		{ LIBUSB_ERROR_NO_DEVICE, VG_ERR_NODEV },
		{ LIBUSB_ERROR_NOT_FOUND, VG_ERR_NOTFOUND },
		{ LIBUSB_ERROR_BUSY, VG_ERR_BUSY },
		{ LIBUSB_ERROR_TIMEOUT, VG_ERR_TIMEOUT },
		{ LIBUSB_ERROR_OVERFLOW, VG_ERR_TRUNC },
		{ LIBUSB_ERROR_PIPE, VG_ERR_IO },
		{ LIBUSB_ERROR_INTERRUPTED, VG_ERR_AGAIN },
		{ LIBUSB_ERROR_NO_MEM, VG_ERR_NOMEM },
		{ LIBUSB_ERROR_NOT_SUPPORTED, VG_ERR_NOTSUP },
		{ LIBUSB_ERROR_OTHER, VG_ERR_IO },
		{ -55, VG_ERR_IO },
		{ 64, 64 }, /* transferred byte counts pass through */
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		assert_int_equal(link_err_from_usb(map[i].usb), map[i].vg);
}

/* Device bytes are hostile: bLength larger or smaller than what arrived,
 * odd lengths, wrong type, non-ASCII code units, a tiny output buffer. */
static void test_string_descriptor(void **state)
{
	char out[8];
	const uint8_t ok[] = { 10, 3, 'A', 0, 'N', 0, 'T', 0, 0xe9, 0 };
	link_usb_string_decode(ok, sizeof(ok), out, sizeof(out));
	assert_string_equal(out, "ANT?");
	/* bLength says more than arrived: only what arrived is used */
	const uint8_t lying[] = { 200, 3, 'x', 0, 'y', 0 };
	link_usb_string_decode(lying, sizeof(lying), out, sizeof(out));
	assert_string_equal(out, "xy");
	/* bLength says less: it wins */
	link_usb_string_decode((const uint8_t[]){ 4, 3, 'a', 0, 'b', 0 }, 6,
			       out, sizeof(out));
	assert_string_equal(out, "a");
	/* odd length: the half code unit is ignored */
	link_usb_string_decode((const uint8_t[]){ 5, 3, 'a', 0, 'b' }, 5,
			       out, sizeof(out));
	assert_string_equal(out, "a");
	/* wrong type, too short, failed transfer */
	link_usb_string_decode((const uint8_t[]){ 4, 2, 'a', 0 }, 4, out,
			       sizeof(out));
	assert_string_equal(out, "");
	link_usb_string_decode((const uint8_t[]){ 2 }, 1, out, sizeof(out));
	assert_string_equal(out, "");
	link_usb_string_decode(ok, LIBUSB_ERROR_TIMEOUT, out, sizeof(out));
	assert_string_equal(out, "");
	/* output truncated and terminated */
	const uint8_t longer[] = { 22, 3, '0', 0, '1', 0, '2', 0, '3', 0, '4', 0,
				   '5', 0, '6', 0, '7', 0, '8', 0, '9', 0 };
	link_usb_string_decode(longer, sizeof(longer), out, sizeof(out));
	assert_string_equal(out, "0123456");
	link_usb_string_decode(longer, sizeof(longer), out, 1);
	assert_string_equal(out, "");
}

static void test_ring(void **state)
{
	uint8_t buf[10], in[32], out[32];
	for (int i = 0; i < 32; i++)
		in[i] = (uint8_t)(i + 1);
	struct link_ring r;
	link_ring_init(&r, buf, sizeof(buf));
	assert_int_equal(link_ring_get(&r, out, sizeof(out)), 0);
	/* wrap around many times with uneven sizes, order preserved */
	uint8_t next_in = 1, next_out = 1;
	for (int round = 0; round < 50; round++) {
		size_t n = (size_t)(round % 7) + 1;
		uint8_t chunk[8];
		for (size_t i = 0; i < n; i++)
			chunk[i] = next_in++;
		size_t stored = link_ring_put(&r, chunk, n);
		next_in = (uint8_t)(next_in - (n - stored));
		size_t got = link_ring_get(&r, out, (size_t)(round % 5) + 1);
		for (size_t i = 0; i < got; i++)
			assert_int_equal(out[i], next_out++);
	}
	/* overflow drops the newest bytes and counts them */
	size_t held = r.len;
	uint64_t dropped = r.dropped;
	assert_int_equal(link_ring_put(&r, in, sizeof(in)), sizeof(buf) - held);
	assert_int_equal(r.dropped - dropped, sizeof(in) - (sizeof(buf) - held));
	assert_int_equal(r.len, sizeof(buf));
	size_t got = link_ring_get(&r, out, sizeof(out));
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(out + held, in, sizeof(buf) - held);
	assert_int_equal(r.len, 0);
}

struct hotplug_count {
	int arrived, left, bad;
};

static void on_hotplug(void *ctx, const struct link_usb_info *dev, int arrived)
{
	struct hotplug_count *c = ctx;
	if (arrived)
		c->arrived++;
	else
		c->left++;
	if (!terminated(dev->port_path, sizeof(dev->port_path)) ||
	    !terminated(dev->serial, sizeof(dev->serial)))
		c->bad++;
}

static void test_hotplug_monitor(void **state)
{
	int err = 0;
	assert_null(link_usb_monitor_new(NULL, NULL, &err));
	assert_int_equal(err, VG_ERR_INVAL);

	struct hotplug_count c = { 0, 0, 0 };
	struct link_usb_monitor *m = link_usb_monitor_new(on_hotplug, &c, &err);
	if (!m) { /* no hot-plug or no USB here: reported cleanly */
		assert_true(err == VG_ERR_NOTSUP || err == VG_ERR_NODEV);
		return;
	}
	struct pollfd fds[16];
	int n = link_usb_monitor_pollfds(m, fds, 16);
	assert_true(n >= 0 && n <= 16);
	for (int i = 0; i < n; i++)
		assert_true(fds[i].fd >= 0);
	assert_int_equal(link_usb_monitor_handle(m), VG_OK);
	/* devices already attached are reported as arrivals */
	static struct link_usb_info devs[MAX_DEV];
	int attached_now = link_usb_enumerate(devs, MAX_DEV);
	if (attached_now < 0)
		attached_now = 0;
	assert_true(c.arrived >= attached_now);
	assert_int_equal(c.bad, 0);
	assert_int_equal(link_usb_monitor_handle(m), VG_OK);
	link_usb_monitor_destroy(&m);
	assert_null(m);
	link_usb_monitor_destroy(&m); /* harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_malformed_targets),
		cmocka_unit_test(test_error_mapping),
		cmocka_unit_test(test_hotplug_monitor),
		cmocka_unit_test(test_string_descriptor),
		cmocka_unit_test(test_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
