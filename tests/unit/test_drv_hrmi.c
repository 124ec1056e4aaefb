/*
 * test_drv_hrmi.c - the HRMI driver (drivers/drv_hrmi.c): the documented
 * answer to G3 (protocols.md 5.1: status 1, count 106, HR 79/80/81), every
 * split of the reads, garbled answers, polling with G<n>\r from tick(),
 * timeouts marked as lost samples, late answers dropped, "not responding"
 * after three silent polls, and option checking.
 */
#include "drvtest.h"

extern const struct drv_ops drv_hrmi_ops;

#define T0_NS 1700000000000000000LL
#define MS 1000000LL

static struct dt_rec rec;

static void test_vectors(void **state)
{
	(void)state;
	assert_true(dt_vectors(&drv_hrmi_ops, "hrmi") >= 1);
}

static void expect_written(const char *s)
{
	assert_int_equal(dt_nwritten, strlen(s));
	assert_memory_equal(dt_written, s, dt_nwritten);
	dt_nwritten = 0;
}

static void test_polling(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_hrmi_ops, &rec, "history=3",
					DT_FAKE_LINK, &err);
	assert_non_null(d);
	const struct drv_channel *c = drv_instance_channel(d, 0);
	assert_string_equal(c->unit, "bpm");
	assert_true(c->rate_hz == 1.0);
	expect_written(""); /* nothing before the first tick */
	int64_t t = T0_NS;
	drv_instance_tick(d, t);
	static const uint8_t g3[] = {0x47, 0x33, 0x0D};
	assert_int_equal(dt_nwritten, 3);
	assert_memory_equal(dt_written, g3, 3);
	dt_nwritten = 0;
	drv_instance_tick(d, t += 10 * MS);
	expect_written(""); /* one poll outstanding */
	static const uint8_t ans[] = {0x31, 0x20, 0x31, 0x30, 0x36, 0x20, 0x37, 0x39,
				      0x20, 0x38, 0x30, 0x20, 0x38, 0x31, 0x0D};
	drv_instance_feed(d, ans, sizeof(ans));
	assert_int_equal(rec.nsamples, 1);
	assert_true(rec.samples[0] == 79.0f);
	assert_string_equal(dt_info(&rec, "state"), "ok");
	assert_string_equal(dt_info(&rec, "status"), "1");
	drv_instance_tick(d, t += 500 * MS);
	expect_written("");
	drv_instance_tick(d, t += 500 * MS); /* 1 s after the first poll */
	expect_written("G3\r");
	/* no answer within 500 ms: one sample marked missing */
	drv_instance_tick(d, t += 499 * MS);
	assert_int_equal(rec.gap_total, 0);
	drv_instance_tick(d, t += 1 * MS);
	assert_int_equal(rec.gap_total, 1);
	/* the late answer is dropped, not counted twice */
	drv_instance_feed(d, (const uint8_t *)"1 107 80 79 80\r", 15);
	assert_int_equal(rec.nsamples, 1);
	/* two more silent polls: not responding */
	for (int i = 0; i < 2; i++) {
		drv_instance_tick(d, t += 500 * MS);
		expect_written("G3\r");
		drv_instance_tick(d, t += 500 * MS);
	}
	assert_int_equal(rec.gap_total, 3);
	assert_string_equal(dt_info(&rec, "state"), "not responding");
	/* it answers again: back to ok, sample index counts the gaps */
	drv_instance_tick(d, t += 500 * MS);
	expect_written("G3\r");
	dt_feed_str(d, "1 110 82 81 80\r");
	assert_int_equal(rec.nsamples, 2);
	assert_true(rec.samples[1] == 82.0f);
	assert_int_equal(rec.index[1], 4);
	assert_string_equal(dt_info(&rec, "state"), "ok");
	/* after a long stall, no burst of polls */
	t += 10000 * MS;
	drv_instance_tick(d, t);
	expect_written("G3\r");
	dt_feed_str(d, "1 111 82 81 80\r");
	drv_instance_tick(d, t += 10 * MS);
	expect_written("");
	drv_instance_destroy(&d);
}

static void test_garbled(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_hrmi_ops, &rec, NULL, DT_FAKE_LINK, &err);
	assert_non_null(d);
	int64_t t = T0_NS;
	const char *bad[] = {"1  106 79\r", " 1 106 79\r", "1 106 79 \r",
			     "1 106 2790\r", "1 106 256\r", "1\r", "G1\r",
			     "\x80\xff 1 2\r"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		drv_instance_tick(d, t += 1000 * MS);
		dt_feed_str(d, bad[i]);
	}
	assert_int_equal(rec.nsamples, 0);
	assert_int_equal(rec.gap_total, 8);
	assert_int_equal(drv_instance_stats(d)->frames_ok, 0);
	/* an over-long line */
	drv_instance_tick(d, t += 1000 * MS);
	for (int i = 0; i < 100; i++)
		dt_feed_str(d, "1 2 ");
	dt_feed_str(d, "3\r");
	assert_int_equal(rec.gap_total, 9);
	assert_int_equal(drv_instance_stats(d)->garbage_bytes,
			 9 + 9 + 9 + 10 + 9 + 1 + 2 + 6 + 401);
	drv_instance_destroy(&d);
}

static void test_bad_options(void **state)
{
	(void)state;
	int err = 0;
	assert_null(dt_new(&drv_hrmi_ops, &rec, "history=33", NULL, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	assert_null(dt_new(&drv_hrmi_ops, &rec, "poll_hz=100", NULL, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	assert_null(dt_new(&drv_hrmi_ops, &rec, "poll_hz=2,timeout_ms=600", NULL, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	assert_null(dt_new(&drv_hrmi_ops, &rec, "history=x", NULL, &err));
	assert_int_equal(err, VG_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_polling),
		cmocka_unit_test(test_garbled),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
