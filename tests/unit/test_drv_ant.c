/*
 * test_drv_ant.c - the ANT+ heart-rate driver (drivers/drv_ant.c) against the
 * documented vectors (protocols.md 1.7: RR 833.0 ms, the 64 s wrap, the
 * legacy pair 781.25 ms, the extended frame of device 12345 whose checksum
 * is A4), every split of the reads, garbage, bad checksums, counter gaps,
 * the start-up handshake byte for byte (protocols.md 1.3), retries, the
 * refusal to open without a network key, silence reset, legacy detection
 * and the beat clock.
 */
#include "drvtest.h"

#include "ant_msg.h"

extern const struct drv_ops drv_ant_ops;

#define KEYOPT "network_key=00 11 22 33 44 55 66 77"
#define T0_NS 1700000000000000000LL
#define MS 1000000LL

static struct dt_rec rec;

static void feed_hex(struct drv_instance *d, const char *hex)
{
	uint8_t b[128];
	size_t n = 0;
	unsigned v;
	int used;
	while (sscanf(hex, "%2x%n", &v, &used) == 1 && n < sizeof(b)) {
		b[n++] = (uint8_t)v;
		hex += used;
		while (*hex == ' ')
			hex++;
	}
	assert_int_equal(drv_instance_feed(d, b, n), 0);
}

/* One HRM broadcast on channel 0. */
static void feed_page(struct drv_instance *d, uint8_t b0, uint16_t prev,
		      uint16_t t, uint8_t count, uint8_t hr)
{
	uint8_t pl[9] = {0, b0, 0, (uint8_t)prev, (uint8_t)(prev >> 8),
			 (uint8_t)t, (uint8_t)(t >> 8), count, hr};
	uint8_t m[ANT_MSG_MAX];
	size_t n = ant_msg_build(m, ANT_ID_BROADCAST, pl, sizeof(pl));
	assert_int_equal(drv_instance_feed(d, m, n), 0);
}

static void test_vectors(void **state)
{
	(void)state;
	assert_true(dt_vectors(&drv_ant_ops, "ant") >= 7);
}

static void test_no_key_refused(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, NULL, NULL, &err);
	assert_null(d);
	assert_int_equal(err, VG_ERR_SECURITY);
	d = dt_new(&drv_ant_ops, &rec, "network_key=,device=5", NULL, &err);
	assert_null(d);
	assert_int_equal(err, VG_ERR_SECURITY);
	d = dt_new(&drv_ant_ops, &rec, "network_key=00 11 22", NULL, &err);
	assert_null(d);
	assert_int_equal(err, VG_ERR_INVAL);
	d = dt_new(&drv_ant_ops, &rec, "network_key=00 11 22 33 44 55 66 7g", NULL, &err);
	assert_null(d);
	assert_int_equal(err, VG_ERR_INVAL);
	d = dt_new(&drv_ant_ops, &rec, "network_key=0x00:11:22:33:44:55:66:77", NULL, &err);
	assert_non_null(d);
	drv_instance_destroy(&d);
}

static void expect_written(const char *want)
{
	const char *hex = want;
	uint8_t b[64];
	size_t n = 0;
	unsigned v;
	int used;
	while (sscanf(hex, "%2x%n", &v, &used) == 1) {
		b[n++] = (uint8_t)v;
		hex += used;
		while (*hex == ' ')
			hex++;
	}
	if (dt_nwritten != n || memcmp(dt_written, b, n) != 0) {
		char got[256] = "";
		for (size_t i = 0; i < dt_nwritten && i < 60; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%02X ",
				 dt_written[i]);
		fail_msg("wrote %s, expected %s", got, want);
	}
	dt_nwritten = 0;
}

static void ack(struct drv_instance *d, uint8_t id, uint8_t code)
{
	uint8_t pl[3] = {0, id, code};
	uint8_t m[ANT_MSG_MAX];
	size_t n = ant_msg_build(m, ANT_ID_CHAN_RESPONSE, pl, 3);
	assert_int_equal(drv_instance_feed(d, m, n), 0);
}

static void test_handshake(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, DT_FAKE_LINK, &err);
	assert_non_null(d);
	expect_written("A4 01 4A 00 EF"); /* reset */
	feed_hex(d, "A4 01 6F 20 EA");     /* start-up, command reset */
	assert_string_equal(dt_info(&rec, "reset_cause"), "0x20");
	/* network key, CHK = EB ^ K0 ^ ... ^ K7 */
	uint8_t chk = 0xEB ^ 0x00 ^ 0x11 ^ 0x22 ^ 0x33 ^ 0x44 ^ 0x55 ^ 0x66 ^ 0x77;
	char key[80];
	snprintf(key, sizeof(key), "A4 09 46 00 00 11 22 33 44 55 66 77 %02X", chk);
	expect_written(key);
	ack(d, 0x46, 0);
	expect_written("A4 03 42 00 00 00 E5");
	ack(d, 0x42, 0);
	expect_written("A4 05 51 00 00 00 78 00 88");
	ack(d, 0x51, 0);
	expect_written("A4 02 44 00 FF 1D");
	ack(d, 0x44, 0);
	expect_written("A4 02 66 00 01 C1");
	ack(d, 0x41, 0); /* a response to another command does not advance */
	expect_written("");
	ack(d, 0x66, 0x28); /* refused: optional, continue */
	expect_written("A4 03 43 00 86 1F 7D");
	ack(d, 0x43, 0);
	expect_written("A4 02 45 00 39 DA");
	ack(d, 0x45, 0);
	expect_written("A4 01 4B 00 EE");
	assert_string_equal(dt_info(&rec, "state"), "configuring");
	ack(d, 0x4B, 0);
	expect_written("");
	assert_string_equal(dt_info(&rec, "state"), "searching");
	/* channel closed by the stick while running: reopened */
	feed_hex(d, "A4 03 40 00 01 07 E1");
	expect_written("A4 01 4B 00 EE");
	drv_instance_destroy(&d);
	expect_written("A4 01 4C 00 E9"); /* clean stop: close channel */
}

static void test_retries(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT ",ext=0,device=12345",
					DT_FAKE_LINK, &err);
	assert_non_null(d);
	expect_written("A4 01 4A 00 EF");
	int64_t t = T0_NS;
	drv_instance_tick(d, t);
	drv_instance_tick(d, t += 900 * MS);
	expect_written(""); /* not yet */
	drv_instance_tick(d, t += 200 * MS);
	expect_written("A4 01 4A 00 EF"); /* second reset */
	drv_instance_tick(d, t += 10 * MS);
	drv_instance_tick(d, t += 1100 * MS);
	expect_written("A4 01 4A 00 EF"); /* third */
	drv_instance_tick(d, t += 10 * MS);
	drv_instance_tick(d, t += 1100 * MS);
	/* no start-up message at all: configure anyway */
	assert_int_equal(dt_written[2], ANT_ID_NETWORK_KEY);
	dt_nwritten = 0;
	ack(d, 0x46, 0);
	ack(d, 0x42, 0);
	/* channel id with device 12345 = 0x3039 */
	expect_written("A4 03 42 00 00 00 E5 A4 05 51 00 39 30 78 00 81");
	/* unanswered: resent 3 times, then skipped (ext=0: next is search) */
	drv_instance_tick(d, t += 10 * MS);
	drv_instance_tick(d, t += 1100 * MS);
	expect_written("A4 05 51 00 39 30 78 00 81");
	drv_instance_tick(d, t += 10 * MS);
	drv_instance_tick(d, t += 1100 * MS);
	expect_written("A4 05 51 00 39 30 78 00 81");
	drv_instance_tick(d, t += 10 * MS);
	drv_instance_tick(d, t += 1100 * MS);
	expect_written("A4 02 44 00 FF 1D");
	drv_instance_destroy(&d);
}

static void test_silence_reset(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, NULL, &err);
	assert_non_null(d);
	int64_t t = T0_NS;
	drv_instance_set_now(d, t);
	feed_page(d, 0x00, 0xFFFF, 0x4000, 16, 75);
	drv_instance_set_now(d, t += 800 * MS);
	feed_page(d, 0x00, 0xFFFF, 0x4320, 17, 75);
	assert_int_equal(rec.nbeats, 1);
	assert_true(fabs(rec.beats[0].rr_ms - 781.25) < 1e-9);
	/* 61 s of silence: count and time are forgotten; the first message
	 * after it only re-learns, even though its count is +1 */
	drv_instance_set_now(d, t += 61000 * MS);
	feed_page(d, 0x00, 0xFFFF, 0x4640, 18, 75);
	assert_int_equal(rec.nbeats, 1);
	drv_instance_set_now(d, t += 800 * MS);
	feed_page(d, 0x00, 0xFFFF, 0x4960, 19, 75);
	assert_int_equal(rec.nbeats, 2);
	assert_true(fabs(rec.beats[1].rr_ms - 781.25) < 1e-9);
	assert_true(rec.beats[1].flags & DRV_BEAT_AFTER_GAP);
	assert_int_equal(rec.beats[1].t_ns, t); /* re-anchored at arrival */
	drv_instance_destroy(&d);
}

static void test_legacy_detection(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, NULL, &err);
	assert_non_null(d);
	drv_instance_set_now(d, T0_NS);
	/* byte 0 stuck at 0x84 (a legacy strap's undefined bytes can look
	 * like page 4): bytes 2-3 must not be trusted, so a count jump of 2
	 * gives no RR */
	for (uint8_t c = 10; c < 12; c++)
		feed_page(d, 0x84, 0x1000, (uint16_t)(0x1000 + c), c, 70);
	feed_page(d, 0x84, 0x1000, 0x1355, 13, 70);
	assert_int_equal(rec.nbeats, 2);
	assert_true(rec.beats[0].rr_ms == 0.0); /* 1 tick: implausible */
	assert_true(rec.beats[1].rr_ms == 0.0); /* 2 beats: no RR */
	assert_true(rec.beats[1].flags & DRV_BEAT_AFTER_GAP);
	/* once the toggle moves, page 4's previous time is used across gaps */
	feed_page(d, 0x04, 0x1000, 0x1355, 13, 70);
	feed_page(d, 0x04, 0x1355, 0x16AA, 15, 70);
	assert_int_equal(rec.nbeats, 3);
	assert_true(fabs(rec.beats[2].rr_ms - 833.0) < 0.01);
	/* ten messages without a change: legacy again */
	for (int i = 0; i < 10; i++)
		feed_page(d, 0x04, 0x1355, 0x16AA, 15, 70);
	feed_page(d, 0x04, 0x16AA, 0x19FF, 17, 70);
	assert_int_equal(rec.nbeats, 4);
	assert_true(rec.beats[3].rr_ms == 0.0);
	drv_instance_destroy(&d);
}

/* Beat times advance by RR from the first arrival; re-anchor on drift. */
static void test_beat_clock(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, NULL, &err);
	assert_non_null(d);
	int64_t now = T0_NS;
	uint16_t t = 0x1000;
	uint8_t c = 0;
	drv_instance_set_now(d, now);
	feed_page(d, 0x00, 0, t, c, 70);
	/* 20 beats of 900 ticks (878.9 ms) arriving with jitter */
	for (int i = 0; i < 20; i++) {
		uint16_t prev = t;
		t = (uint16_t)(t + 900);
		c++;
		now += 878906250LL + ((i % 3) - 1) * 60 * MS;
		drv_instance_set_now(d, now);
		feed_page(d, (uint8_t)(0x04 | ((i / 4) % 2) << 7), prev, t, c, 70);
	}
	assert_int_equal(rec.nbeats, 20);
	for (size_t i = 1; i < rec.nbeats; i++) {
		assert_true(fabs(rec.beats[i].rr_ms - 878.90625) < 1e-9);
		int64_t dt = rec.beats[i].t_ns - rec.beats[i - 1].t_ns;
		assert_true(llabs(dt - 878906250LL) <= 1);
	}
	/* the host clock runs away (arrival 1.5 s later than RR says) */
	uint16_t prev = t;
	t = (uint16_t)(t + 900);
	c++;
	now += 878906250LL + 1500 * MS;
	drv_instance_set_now(d, now);
	feed_page(d, 0x04, prev, t, c, 70);
	assert_int_equal(rec.nbeats, 21);
	assert_int_equal(rec.beats[20].t_ns, now);
	drv_instance_destroy(&d);
}

static void test_background_pages(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, NULL, &err);
	assert_non_null(d);
	drv_instance_set_now(d, T0_NS);
	feed_page(d, 0x04, 0, 0, 1, 60);
	feed_page(d, 0x84, 0, 0, 1, 60); /* toggle moved: current strap */
	uint8_t pl[9] = {0, 0x82, 0x0F, 0x34, 0x12, 0, 0, 1, 60}; /* page 2 */
	uint8_t m[ANT_MSG_MAX];
	size_t n = ant_msg_build(m, ANT_ID_BROADCAST, pl, 9);
	drv_instance_feed(d, m, n);
	assert_string_equal(dt_info(&rec, "manufacturer_id"), "15");
	assert_string_equal(dt_info(&rec, "serial_upper"), "4660");
	uint8_t pl7[9] = {0, 0x87, 80, 128, 0x03, 0, 0, 1, 60}; /* page 7 */
	n = ant_msg_build(m, ANT_ID_BROADCAST, pl7, 9);
	drv_instance_feed(d, m, n);
	assert_string_equal(dt_info(&rec, "battery_pct"), "80");
	assert_string_equal(dt_info(&rec, "battery_v"), "3.500");
	drv_instance_destroy(&d);
}

/* vagus-sim's ANT emulator through the driver: handshake, then every beat's
 * RR equals the simulator's true RR to within the 1/1024 s resolution. */
static void test_emulator_roundtrip(void **state)
{
	(void)state;
	static struct sim_beat truth[512];
	struct emu_fault_stats fs;
	size_t nt = dt_truth_beats(7, 120.0, truth, 512);
	struct drv_instance *d = dt_roundtrip(&drv_ant_ops, &rec, KEYOPT, 7, NULL,
					      120.0, 0.01, T0_NS, &fs);
	assert_string_equal(dt_info(&rec, "state"), "receiving");
	assert_string_equal(dt_info(&rec, "device_number"), "12345");
	assert_string_equal(dt_info(&rec, "manufacturer_id"), "255");
	size_t m = dt_match_rr(&rec, truth, nt, 1.0);
	print_message("ant round trip: %zu true beats, %zu RR reported and matched\n",
		      nt, m);
	assert_true(nt > 100);
	assert_true(m + 3 >= nt);
	const struct drv_stats *st = drv_instance_stats(d);
	assert_int_equal(st->garbage_bytes, 0);
	assert_int_equal(st->checksum_errors, 0);
	assert_int_equal(st->gaps, 0);
	drv_instance_destroy(&d);
}

/* The same with lost, damaged and garbage-prefixed messages: fewer beats,
 * never a wrong RR, damage counted. */
static void test_emulator_faults(void **state)
{
	(void)state;
	static struct sim_beat truth[512];
	struct emu_faults f = {.garbage_rate = 0.05, .drop_rate = 0.1,
			       .corrupt_rate = 0.05, .seed = 11};
	struct emu_fault_stats fs;
	size_t nt = dt_truth_beats(8, 120.0, truth, 512);
	struct drv_instance *d = dt_roundtrip(&drv_ant_ops, &rec, KEYOPT, 8, &f,
					      120.0, 0.01, T0_NS, &fs);
	size_t m = dt_match_rr(&rec, truth, nt, 1.0);
	const struct drv_stats *st = drv_instance_stats(d);
	print_message("ant faults: %llu frames, %llu dropped, %llu corrupted, %llu garbage bytes; driver: %llu checksum errors, %llu garbage bytes, %llu gaps; %zu of %zu RR\n",
		      (unsigned long long)fs.frames, (unsigned long long)fs.dropped,
		      (unsigned long long)fs.corrupted, (unsigned long long)fs.garbage_bytes,
		      (unsigned long long)st->checksum_errors,
		      (unsigned long long)st->garbage_bytes, (unsigned long long)st->gaps,
		      m, nt);
	assert_true(fs.corrupted > 0 && fs.dropped > 0);
	assert_true(st->checksum_errors > 0);
	assert_true(st->garbage_bytes >= fs.garbage_bytes);
	assert_true(m >= nt * 9 / 10);
	drv_instance_destroy(&d);

	/* 70 % of the messages lost: beats go missing, are counted as gaps,
	 * and page 4 still gives the RR of the beats that come through */
	struct emu_faults heavy = {.drop_rate = 0.7, .seed = 12};
	d = dt_roundtrip(&drv_ant_ops, &rec, KEYOPT, 8, &heavy, 120.0, 0.01,
			 T0_NS, &fs);
	m = dt_match_rr(&rec, truth, nt, 1.0);
	st = drv_instance_stats(d);
	print_message("ant 70%% loss: %llu gaps, %llu beats missing, %zu beats, %zu RR matched\n",
		      (unsigned long long)st->gaps,
		      (unsigned long long)st->samples_missing, rec.nbeats, m);
	assert_true(st->gaps > 0);
	assert_int_equal(rec.gap_total, st->samples_missing);
	/* all but the beats before the first and after the last message */
	assert_true(rec.nbeats + st->samples_missing + 6 >= nt);
	assert_true(m >= nt / 2);
	drv_instance_destroy(&d);
}

/* The emulator on its own: broadcasts every 8070/32768 s, page 4 with the
 * toggle flipped every 4 messages, a background page (1, 2, 3 in turn) as
 * every 65th message, extended data after autostart. */
static void test_emulator_pages(void **state)
{
	(void)state;
	int err = 0;
	struct emu *e = emu_new("ant", 3, NULL, &err);
	assert_non_null(e);
	emu_autostart(e);
	const double period = 8070.0 / 32768.0;
	const uint8_t *out;
	size_t n = emu_advance(e, 200 * period + period / 2, &out);
	assert_int_equal(n, 200 * 18); /* 200 extended broadcasts */
	unsigned bg_expect = 1;
	for (size_t k = 0; k < 200; k++) {
		const uint8_t *m = out + 18 * k;
		assert_int_equal(m[0], 0xA4);
		assert_int_equal(m[1], 14);
		assert_int_equal(m[2], 0x4E);
		assert_int_equal(ant_xor(m, 17), m[17]);
		assert_int_equal(m[12], 0x80);           /* extended: channel id */
		assert_int_equal(m[13] | m[14] << 8, 12345); /* device number */
		assert_int_equal(m[15], 0x78);           /* heart-rate monitor */
		assert_int_equal(m[16], 1);              /* transmission type */
		unsigned toggle = m[4] >> 7, page = m[4] & 0x7Fu;
		assert_int_equal(toggle, (k / 4) % 2);
		if (k % 65 == 64) {
			assert_int_equal(page, bg_expect);
			bg_expect = bg_expect % 3 + 1;
		} else {
			assert_int_equal(page, 4);
		}
	}
	emu_destroy(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_no_key_refused),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_silence_reset),
		cmocka_unit_test(test_legacy_detection),
		cmocka_unit_test(test_beat_clock),
		cmocka_unit_test(test_background_pages),
		cmocka_unit_test(test_emulator_roundtrip),
		cmocka_unit_test(test_emulator_faults),
		cmocka_unit_test(test_emulator_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
