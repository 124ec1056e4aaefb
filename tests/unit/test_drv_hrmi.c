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

/* vagus-sim's HRMI emulator, polled by the driver at 1 Hz: one HR sample
 * per poll, close to the simulator's heart rate. */
static void test_emulator_roundtrip(void **state)
{
	(void)state;
	static struct sim_beat truth[512];
	struct emu_fault_stats fs;
	size_t nt = dt_truth_beats(9, 60.0, truth, 512);
	struct drv_instance *d = dt_roundtrip(&drv_hrmi_ops, &rec, NULL, 9, NULL,
					      60.0, 0.01, T0_NS, &fs);
	double hr_lo = 1e9, hr_hi = 0;
	for (size_t i = 1; i < nt; i++) {
		double hr = 60000.0 / truth[i].rr_ms;
		hr_lo = hr < hr_lo ? hr : hr_lo;
		hr_hi = hr > hr_hi ? hr : hr_hi;
	}
	print_message("hrmi round trip: %zu samples, %llu gaps, true HR %.1f..%.1f\n",
		      rec.nsamples, (unsigned long long)rec.gap_total, hr_lo, hr_hi);
	assert_string_equal(dt_info(&rec, "state"), "ok");
	/* 61 polls (t = 0..60 s); the first two come before the first RR
	 * (HR 0: no heart rate yet) */
	assert_int_equal(rec.nsamples + rec.gap_total, 61);
	assert_int_equal(rec.gap_total, 2);
	for (size_t i = 0; i < rec.nsamples; i++)
		assert_true(rec.samples[i] >= hr_lo - 1.0 && rec.samples[i] <= hr_hi + 1.0);
	drv_instance_destroy(&d);
}

/* Lost answers: each one is a poll timeout, marked as one missing sample. */
static void test_emulator_faults(void **state)
{
	(void)state;
	struct emu_faults f = {.drop_rate = 0.2, .seed = 5};
	struct emu_fault_stats fs;
	struct drv_instance *d = dt_roundtrip(&drv_hrmi_ops, &rec, NULL, 9, &f,
					      60.5, 0.01, T0_NS, &fs);
	print_message("hrmi faults: %llu answers, %llu dropped; driver: %zu samples, %llu gaps\n",
		      (unsigned long long)fs.frames, (unsigned long long)fs.dropped,
		      rec.nsamples, (unsigned long long)rec.gap_total);
	assert_true(fs.dropped > 0);
	/* every poll is a sample or a gap; gaps = lost answers + the (up to
	 * two) answers with HR 0 before the first RR */
	assert_int_equal(rec.nsamples + rec.gap_total, 61);
	assert_true(rec.gap_total >= fs.dropped && rec.gap_total <= fs.dropped + 2);
	assert_int_equal(drv_instance_stats(d)->frames_ok, fs.frames - fs.dropped);
	drv_instance_destroy(&d);
}

/* The emulator on its own: G<n> gives n heart rates, other text nothing. */
static void test_emulator_answers(void **state)
{
	(void)state;
	int err = 0;
	struct emu *e = emu_new("hrmi", 3, NULL, &err);
	assert_non_null(e);
	const uint8_t *out;
	emu_rx(e, (const uint8_t *)"G3\r", 3);
	size_t n = emu_advance(e, 10.0, &out);
	assert_true(n > 0 && out[n - 1] == '\r');
	unsigned fields = 1;
	for (size_t i = 0; i + 1 < n; i++)
		fields += out[i] == ' ';
	assert_int_equal(fields, 5); /* status, count, 3 heart rates */
	assert_true(out[0] == '1' && out[1] == ' ');
	emu_rx(e, (const uint8_t *)"X1\rG33\rG\r", 9);
	assert_int_equal(emu_advance(e, 11.0, &out), 0);
	emu_rx(e, (const uint8_t *)"G0\r", 3);
	n = emu_advance(e, 12.0, &out);
	fields = 1;
	for (size_t i = 0; i + 1 < n; i++)
		fields += out[i] == ' ';
	assert_int_equal(fields, 2);
	emu_destroy(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_polling),
		cmocka_unit_test(test_garbled),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_emulator_roundtrip),
		cmocka_unit_test(test_emulator_faults),
		cmocka_unit_test(test_emulator_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
