/*
 * test_drv_pulse.c - the PulseSensor Amped driver (drivers/drv_pulse.c):
 * the documented lines (protocols.md 5.2: S512, B72, Q832, "72,832,512") in
 * both output formats, every split of the reads, garbage and garbled lines
 * (marked as lost samples), lost Q lines and late beats (DRV_BEAT_AFTER_GAP),
 * the beat clock, reconnect, and option checking.
 */
#include "drvtest.h"

extern const struct drv_ops drv_pulse_ops;

#define T0_NS 1700000000000000000LL
#define MS 1000000LL

static struct dt_rec rec;

static void test_vectors(void **state)
{
	(void)state;
	assert_true(dt_vectors(&drv_pulse_ops, "pulse") >= 3);
}

static void test_documented_bytes(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_pulse_ops, &rec, NULL, NULL, &err);
	assert_non_null(d);
	const struct drv_channel *c = drv_instance_channel(d, 0);
	assert_non_null(c);
	assert_int_equal(c->kind, DRV_SIG_PPG);
	assert_true(c->rate_hz == 50.0);
	static const uint8_t sync[] = {0x0D, 0x0A};
	static const uint8_t s512[] = {0x53, 0x35, 0x31, 0x32, 0x0D, 0x0A};
	static const uint8_t b72[] = {0x42, 0x37, 0x32, 0x0D, 0x0A};
	static const uint8_t q832[] = {0x51, 0x38, 0x33, 0x32, 0x0D, 0x0A};
	static const uint8_t plot[] = {0x37, 0x32, 0x2C, 0x38, 0x33, 0x32, 0x2C,
				       0x35, 0x31, 0x32, 0x0D, 0x0A};
	drv_instance_set_now(d, T0_NS);
	drv_instance_feed(d, sync, sizeof(sync));
	drv_instance_feed(d, s512, sizeof(s512));
	assert_int_equal(rec.nsamples, 1);
	assert_true(rec.samples[0] == 512.0f);
	drv_instance_feed(d, b72, sizeof(b72));
	drv_instance_feed(d, q832, sizeof(q832));
	assert_int_equal(rec.nbeats, 1);
	assert_true(rec.beats[0].rr_ms == 832.0);
	assert_true(rec.beats[0].hr_bpm == 72.0);
	assert_int_equal(rec.beats[0].t_ns, T0_NS); /* first beat: arrival */
	/* the plotter line gives a sample; its beat needs a previous line */
	drv_instance_feed(d, plot, sizeof(plot));
	assert_int_equal(rec.nsamples, 2);
	assert_true(rec.samples[1] == 512.0f);
	assert_string_equal(dt_info(&rec, "format"), "serial-plotter");
	assert_int_equal(drv_instance_stats(d)->garbage_bytes, 0);
	drv_instance_destroy(&d);
}

/* A beat arriving much later than its IBI allows: beats were lost. */
static void test_late_beat_and_clock(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_pulse_ops, &rec, "rate_hz=50", NULL, &err);
	assert_non_null(d);
	int64_t now = T0_NS;
	drv_instance_set_now(d, now);
	dt_feed_str(d, "\n");
	const long ibi[] = {800, 810, 790, 800};
	for (size_t i = 0; i < 4; i++) {
		now += ibi[i] * MS + (long)(i % 2) * 20 * MS;
		drv_instance_set_now(d, now);
		char line[32];
		snprintf(line, sizeof(line), "B75\r\nQ%ld\r\n", ibi[i]);
		dt_feed_str(d, line);
	}
	assert_int_equal(rec.nbeats, 4);
	for (size_t i = 1; i < 4; i++) {
		assert_int_equal(rec.beats[i].flags, 0);
		assert_int_equal(rec.beats[i].t_ns - rec.beats[i - 1].t_ns,
				 ibi[i] * MS);
	}
	/* the next beat (IBI 800) arrives 1.6 s later: one was lost */
	now += 1600 * MS;
	drv_instance_set_now(d, now);
	dt_feed_str(d, "B75\r\nQ800\r\n");
	assert_int_equal(rec.nbeats, 5);
	assert_true(rec.beats[4].flags & DRV_BEAT_AFTER_GAP);
	assert_int_equal(rec.beats[4].t_ns, now);
	/* implausible IBI: RR unknown */
	now += 3000 * MS;
	drv_instance_set_now(d, now);
	dt_feed_str(d, "B20\r\nQ3000\r\n");
	assert_true(rec.beats[5].rr_ms == 0.0);
	assert_true(rec.beats[5].flags & DRV_BEAT_AFTER_GAP);
	drv_instance_destroy(&d);
}

static void test_reconnect(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_pulse_ops, &rec, NULL, NULL, &err);
	assert_non_null(d);
	dt_feed_str(d, "\r\nS100\r\nS1");
	drv_instance_event(d, DRV_EV_DISCONNECT);
	drv_instance_event(d, DRV_EV_CONNECT);
	/* the partial "S1" + "23" is dropped as the first (partial) line */
	dt_feed_str(d, "23\r\nS200\r\nB60\r\nQ1000\r\n");
	assert_int_equal(rec.nsamples, 2);
	assert_true(rec.samples[1] == 200.0f);
	assert_int_equal(rec.nbeats, 1);
	assert_true(rec.beats[0].flags & DRV_BEAT_AFTER_GAP);
	assert_string_equal(dt_info(&rec, "state"), "connected");
	drv_instance_destroy(&d);
}

static void test_bad_options(void **state)
{
	(void)state;
	int err = 0;
	assert_null(dt_new(&drv_pulse_ops, &rec, "rate_hz=abc", NULL, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	assert_null(dt_new(&drv_pulse_ops, &rec, "rate_hz=0", NULL, &err));
	assert_int_equal(err, VG_ERR_RANGE);
}

/* vagus-sim's PulseSensor emulator through the driver: ~50 PPG samples/s,
 * every IBI the simulator's RR to within the sketch's 2 ms resolution. */
static void test_emulator_roundtrip(void **state)
{
	(void)state;
	static struct sim_beat truth[512];
	struct emu_fault_stats fs;
	size_t nt = dt_truth_beats(5, 120.0, truth, 512);
	struct drv_instance *d = dt_roundtrip(&drv_pulse_ops, &rec, NULL, 5, NULL,
					      120.0, 0.01, T0_NS, &fs);
	size_t m = dt_match_rr(&rec, truth, nt, 1.0);
	print_message("pulse round trip: %zu true beats, %zu beats, %zu RR matched, %zu samples\n",
		      nt, rec.nbeats, m, rec.nsamples);
	assert_string_equal(dt_info(&rec, "format"), "visualizer");
	assert_true(nt > 100);
	assert_true(m + 3 >= nt);
	/* 50 lines/s, the first one dropped as possibly partial */
	assert_true(rec.nsamples >= 5995 && rec.nsamples <= 6000);
	float lo = 1e9f, hi = -1e9f;
	for (size_t i = 0; i < rec.nsamples; i++) {
		lo = rec.samples[i] < lo ? rec.samples[i] : lo;
		hi = rec.samples[i] > hi ? rec.samples[i] : hi;
	}
	assert_true(lo >= 0.0f && hi <= 1023.0f && hi - lo > 150.0f);
	assert_int_equal(drv_instance_stats(d)->gaps, 0);
	/* beat times advance by the IBI */
	for (size_t i = 1; i < rec.nbeats; i++)
		if (!(rec.beats[i].flags & DRV_BEAT_AFTER_GAP))
			assert_int_equal(rec.beats[i].t_ns - rec.beats[i - 1].t_ns,
					 (int64_t)llround(rec.beats[i].rr_ms * 1e6));
	drv_instance_destroy(&d);
}

/* Lost lines and garbage: rejected lines marked as lost samples, lost Q
 * lines as beats after a gap, never a wrong RR. (Bit flips are not tested:
 * with no checksum, "Q832" -> "Q812" is undetectable by any driver.) */
static void test_emulator_faults(void **state)
{
	(void)state;
	static struct sim_beat truth[512];
	struct emu_faults f = {.garbage_rate = 0.05, .drop_rate = 0.05, .seed = 4};
	struct emu_fault_stats fs;
	size_t nt = dt_truth_beats(6, 120.0, truth, 512);
	struct drv_instance *d = dt_roundtrip(&drv_pulse_ops, &rec, NULL, 6, &f,
					      120.0, 0.01, T0_NS, &fs);
	size_t m = dt_match_rr(&rec, truth, nt, 1.0);
	const struct drv_stats *st = drv_instance_stats(d);
	print_message("pulse faults: %llu lines, %llu dropped, %llu garbage bytes; driver: %llu gaps, %llu garbage bytes; %zu of %zu RR\n",
		      (unsigned long long)fs.frames, (unsigned long long)fs.dropped,
		      (unsigned long long)fs.garbage_bytes, (unsigned long long)st->gaps,
		      (unsigned long long)st->garbage_bytes, m, nt);
	assert_true(st->gaps > 0);
	assert_true(m >= nt * 8 / 10);
	size_t flagged = 0;
	for (size_t i = 0; i < rec.nbeats; i++)
		flagged += (rec.beats[i].flags & DRV_BEAT_AFTER_GAP) != 0;
	assert_true(flagged > 0);
	drv_instance_destroy(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_documented_bytes),
		cmocka_unit_test(test_late_beat_and_clock),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_emulator_roundtrip),
		cmocka_unit_test(test_emulator_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
