/*
 * test_drv_openbci.c - the OpenBCI Cyton driver (drivers/drv_openbci.c):
 * the documented example packet, reads split at every byte boundary,
 * leading garbage, a damaged footer, a corrupted counter, counter wrap and
 * gaps, the "v"/"d"/"b"/"s" exchange, options, and the emulator round trip
 * (clean and with faults) against the simulator.
 * Truth: ../shared/docs/protocols.md section 2 and the simulator.
 */
#include "drva_test.h"

#define FRAME 33

/* documented packet: sample 5, channels 0, 1, -1, 0x1000, -0x1000,
 * 0x7FFFFF, -0x800000, 0x1BF; accelerometer Z = 8000 */
static const uint8_t doc_packet[FRAME] = {
	0xA0, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF,
	0x00, 0x10, 0x00, 0xFF, 0xF0, 0x00, 0x7F, 0xFF, 0xFF, 0x80, 0x00,
	0x00, 0x00, 0x01, 0xBF, 0x00, 0x00, 0x00, 0x00, 0x1F, 0x40, 0xC0
};

static const char *all_emg =
	"ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg,ch7=emg,ch8=emg,accel=1";

static void packet(uint8_t *p, uint8_t seq, int32_t c1, int32_t c2, int32_t c3)
{
	memset(p, 0, FRAME);
	p[0] = 0xA0;
	p[1] = seq;
	int32_t c[3] = { c1, c2, c3 };
	for (int i = 0; i < 3; i++) {
		uint32_t u = (uint32_t)c[i];
		p[2 + 3 * i] = (uint8_t)(u >> 16);
		p[3 + 3 * i] = (uint8_t)(u >> 8);
		p[4 + 3 * i] = (uint8_t)u;
	}
	p[32] = 0xC0;
}

static void test_doc_example(void **state)
{
	(void)state;
	/* two packets: the documented one and its successor (an unlocked
	 * stream locks on two packets in a row) */
	uint8_t buf[2 * FRAME];
	memcpy(buf, doc_packet, FRAME);
	memcpy(buf + FRAME, doc_packet, FRAME);
	buf[FRAME + 1] = 6;
	struct rec r;
	struct drv_stats st;
	dt_decode("openbci", all_emg, buf, sizeof(buf), 0, 0, &r, &st);
	static const double want_uv[8] = {
		0, 0.0224, -0.0224, 91.553, -91.553, 187500.0, -187500.02, 9.991
	};
	for (int c = 0; c < 8; c++) {
		assert_int_equal(r.ch[c].n, 2);
		double tol = fabs(want_uv[c]) > 1000 ? 0.02 : 0.0005;
		assert_true(fabs(r.ch[c].v[0] - want_uv[c]) <= tol);
	}
	assert_true(fabs(r.ch[10].v[0] - 1.000) < 1e-6); /* ACC Z, g */
	assert_true(fabs(r.ch[8].v[0]) < 1e-9);
	assert_int_equal(st.frames_ok, 2);
	assert_int_equal(st.garbage_bytes, 0);
	rec_free(&r);
}

/* A stream with everything: garbage, wrap, a bad footer, a real gap. */
static size_t build_stream(uint8_t *buf)
{
	static const uint8_t garbage[] = { 0xA0, 0x00, 0xC0, 0x41, 0xA0, 0xFF, 0x12 };
	size_t n = 0;
	memcpy(buf, garbage, sizeof(garbage));
	n += sizeof(garbage);
	for (int k = 0; k < 12; k++) {
		uint8_t seq = (uint8_t)(250 + k); /* wraps after 255 */
		if (k == 9)
			continue;              /* lost packet: gap of 1 */
		packet(buf + n, seq, 1000 * k, -k, k * k);
		if (k == 6)
			buf[n + 32] = 0x55;    /* bad footer */
		n += FRAME;
	}
	return n;
}

static void test_split_every_boundary(void **state)
{
	(void)state;
	uint8_t buf[16 * FRAME];
	size_t n = build_stream(buf);
	dt_check_splits("openbci", NULL, buf, n);
}

static void test_garbage_corrupt_gap_counted(void **state)
{
	(void)state;
	uint8_t buf[16 * FRAME];
	size_t n = build_stream(buf);
	struct rec r;
	struct drv_stats st;
	dt_decode("openbci", NULL, buf, n, 0, 0, &r, &st);
	/* 12 packets, one lost, one with a bad footer: 10 delivered */
	assert_int_equal(st.frames_ok, 10);
	assert_int_equal(st.checksum_errors, 1);
	assert_int_equal(st.garbage_bytes, 7 + FRAME);
	assert_int_equal(st.gaps, 2);
	assert_int_equal(st.samples_missing, 2);
	assert_int_equal(r.ngaps, 2);
	/* running index: 12 sample slots in all, the last has index 11 */
	assert_int_equal(r.ch[0].n, 10);
	assert_int_equal(r.ch[0].idx[9], 11);
	/* ECG in mV: packet k carries 1000 k counts on channel 1 */
	double scale_mv = 4.5 / 24.0 / 8388607.0 * 1e3;
	assert_true(fabs(r.ch[0].v[9] - 11000 * scale_mv) < 1e-6);
	rec_free(&r);
}

static void test_corrupted_counter(void **state)
{
	(void)state;
	uint8_t buf[8 * FRAME];
	for (int k = 0; k < 8; k++)
		packet(buf + k * FRAME, (uint8_t)(40 + k), k, k, k);
	buf[4 * FRAME + 1] ^= 0x10; /* packet 44 says 60 */
	struct rec r;
	struct drv_stats st;
	dt_decode("openbci", NULL, buf, sizeof(buf), 0, 0, &r, &st);
	assert_int_equal(st.frames_ok, 7);
	assert_int_equal(st.checksum_errors, 1);
	assert_int_equal(st.samples_missing, 1);
	assert_int_equal(r.ch[1].idx[6], 7);
	rec_free(&r);
}

static void test_handshake(void **state)
{
	(void)state;
	struct rec r;
	memset(&r, 0, sizeof(r));
	struct drv_instance *d = dt_new("openbci", NULL, &r, NULL);
	assert_non_null(d);
	assert_int_equal(dt_nwr, 1);
	assert_int_equal(dt_wr[0], 'v');
	const char *id = "OpenBCI V3 8-16 channel\nFirmware: v3.1.2\n$$$";
	drv_instance_feed(d, (const uint8_t *)id, strlen(id));
	assert_int_equal(dt_nwr, 2);
	assert_int_equal(dt_wr[1], 'd');
	const char *def = "Updating channel settings to default$$$";
	drv_instance_feed(d, (const uint8_t *)def, 10);
	assert_int_equal(dt_nwr, 2);
	drv_instance_feed(d, (const uint8_t *)def + 10, strlen(def) - 10);
	assert_int_equal(dt_nwr, 3);
	assert_int_equal(dt_wr[2], 'b');
	assert_true(r.ninfo >= 2);
	assert_string_equal(r.info[0], "reply=OpenBCI V3 8-16 channel");
	drv_instance_destroy(&d);
	assert_int_equal(dt_nwr, 4);
	assert_int_equal(dt_wr[3], 's');
	rec_free(&r);

	/* no answer: the next command goes out after 3 s */
	d = dt_new("openbci", NULL, &r, NULL);
	drv_instance_tick(d, 1000000000LL);
	drv_instance_tick(d, 3500000000LL);
	assert_int_equal(dt_nwr, 1);
	drv_instance_tick(d, 4100000000LL);
	assert_int_equal(dt_nwr, 2);
	assert_int_equal(dt_wr[1], 'd');
	drv_instance_destroy(&d);
	rec_free(&r);
}

/* after a reconnect the driver marks no counter gap (the host marks the
 * time away) and the handshake starts again */
static void test_reconnect(void **state)
{
	(void)state;
	uint8_t buf[6 * FRAME];
	struct rec r;
	memset(&r, 0, sizeof(r));
	struct drv_instance *d = dt_new("openbci", NULL, &r, NULL);
	for (int k = 0; k < 6; k++)
		packet(buf + k * FRAME, (uint8_t)(10 + k), k, k, k);
	drv_instance_feed(d, buf, sizeof(buf));
	drv_instance_event(d, DRV_EV_DISCONNECT);
	dt_nwr = 0;
	drv_instance_event(d, DRV_EV_CONNECT);
	assert_int_equal(dt_nwr, 1);
	assert_int_equal(dt_wr[0], 'v');
	for (int k = 0; k < 6; k++)
		packet(buf + k * FRAME, (uint8_t)(200 + k), k, k, k);
	drv_instance_feed(d, buf, sizeof(buf));
	assert_int_equal(drv_instance_stats(d)->gaps, 0);
	assert_int_equal(drv_instance_stats(d)->frames_ok, 12);
	assert_int_equal(r.ngaps, 0);
	drv_instance_destroy(&d);
	rec_free(&r);
}

static void test_options(void **state)
{
	(void)state;
	struct rec r;
	memset(&r, 0, sizeof(r));
	int err = 0;
	struct drv_instance *d = dt_new("openbci", "ch1=ecg,ch2=emg:trapezius-left,ch4=emg:forearm",
					&r, &err);
	assert_non_null(d);
	assert_int_equal(drv_instance_channel_count(d), 3);
	assert_string_equal(drv_instance_channel(d, 1)->label, "EMG trapezius-left");
	assert_string_equal(drv_instance_channel(d, 0)->unit, "mV");
	assert_string_equal(drv_instance_channel(d, 2)->unit, "uV");
	assert_true(drv_instance_channel(d, 2)->rate_hz == 250.0);
	drv_instance_destroy(&d);
	assert_null(dt_new("openbci", "ch1=ekg", &r, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	assert_null(dt_new("openbci", "gain=0", &r, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	assert_null(dt_new("openbci", "ch1=off", &r, &err));
	assert_int_equal(err, VG_ERR_INVAL);
}

static void test_emulator_round_trip(void **state)
{
	(void)state;
	struct rt_result res;
	/* half an LSB: 0.0112 uV */
	rt_run("openbci", NULL, 20.0, NULL, 11, 250.0, 0, 1, 2, 1.2e-5, 0.012, &res);
	assert_int_equal(res.st.frames_ok, 5000);
	assert_int_equal(res.samples, 3 * 5000);
	assert_int_equal(res.mismatches, 0);
	assert_int_equal(res.st.gaps, 0);
	assert_int_equal(res.st.checksum_errors, 0);
}

static void test_emulator_faults(void **state)
{
	(void)state;
	struct emu_faults f = {
		.garbage_rate = 0.03, .drop_rate = 0.03, .corrupt_rate = 0.03, .seed = 5
	};
	struct rt_result res;
	rt_run("openbci", NULL, 40.0, &f, 12, 250.0, 0, 1, 2, 1.2e-5, 0.012, &res);
	/* every packet is either delivered or counted missing */
	assert_int_equal(res.st.frames_ok + res.st.samples_missing, res.frames);
	assert_true(res.st.samples_missing >= res.faults.dropped);
	assert_true(res.st.samples_missing <= res.faults.dropped + res.faults.corrupted +
		    res.faults.garbage_bytes / 2);
	assert_true(res.st.garbage_bytes >= res.faults.garbage_bytes);
	/* delivered samples sit at their true index: only packets whose
	 * channel bytes took the flipped bit differ (no checksum) */
	assert_true(res.mismatches <= res.faults.corrupted);
	assert_true(res.samples >= 3 * (res.frames - 2 * (res.faults.dropped + res.faults.corrupted +
							  res.faults.garbage_bytes)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_split_every_boundary),
		cmocka_unit_test(test_garbage_corrupt_gap_counted),
		cmocka_unit_test(test_corrupted_counter),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_emulator_round_trip),
		cmocka_unit_test(test_emulator_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
