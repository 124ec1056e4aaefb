/*
 * test_drv_bitalino.c - the BITalino (r)evolution driver
 * (drivers/drv_bitalino.c): the documented frames (1, 2, 3 and 6 channels)
 * decode to the documented values, lock only after 3 good frames in a row,
 * a flipped bit fails the CRC (counted, resync, gap), sequence wrap and
 * gaps, reads split at every byte boundary, leading garbage and the version
 * reply, the start/stop commands, and the emulator round trip.
 * Truth: ../shared/docs/protocols.md section 3 and the simulator.
 */
#include "drva_test.h"

static const uint8_t crc_tab[16] = { 0, 3, 6, 5, 12, 15, 10, 9, 11, 8, 13, 14, 7, 4, 1, 2 };

/* Independent encoder of the layout table (for frames around the
 * documented ones). */
static size_t frame(uint8_t *f, unsigned seq, const unsigned *a, unsigned n,
		    unsigned digital)
{
	size_t N = n + 2 + (n >= 3 && n <= 5 ? 1 : 0);
	memset(f, 0, N);
	uint8_t *q = f + N;
	for (unsigned k = 0; k < n; k++) {
		unsigned v = a[k];
		if (k == 0) { q[-2] |= (uint8_t)(v >> 6); q[-3] |= (uint8_t)((v & 63) << 2); }
		if (k == 1) { q[-3] |= (uint8_t)(v >> 8); q[-4] = (uint8_t)v; }
		if (k == 2) { q[-5] = (uint8_t)(v >> 2); q[-6] |= (uint8_t)((v & 3) << 6); }
		if (k == 3) { q[-6] |= (uint8_t)(v >> 4); q[-7] |= (uint8_t)((v & 15) << 4); }
		if (k == 4) { q[-7] |= (uint8_t)(v >> 2); q[-8] |= (uint8_t)((v & 3) << 6); }
		if (k == 5) q[-8] |= (uint8_t)v;
	}
	q[-2] |= (uint8_t)(digital << 4);
	q[-1] = (uint8_t)(seq << 4);
	unsigned crc = 0;
	for (size_t i = 0; i < N; i++) {
		crc = crc_tab[crc] ^ (f[i] >> 4);
		crc = crc_tab[crc] ^ (i + 1 < N ? (f[i] & 15u) : 0u);
	}
	q[-1] |= (uint8_t)crc;
	return N;
}

static void test_encoder_matches_doc(void **state)
{
	(void)state;
	uint8_t f[8];
	static const unsigned a6[6] = { 512, 600, 1023, 0, 33, 63 };
	static const uint8_t d6[8] = { 0x7F, 0x08, 0xC0, 0xFF, 0x58, 0x02, 0xA8, 0x53 };
	assert_int_equal(frame(f, 5, a6, 6, 0xA), 8);
	assert_memory_equal(f, d6, 8);
	static const unsigned a2[2] = { 700, 300 };
	static const uint8_t d2[4] = { 0x2C, 0xF1, 0x0A, 0xF8 };
	frame(f, 15, a2, 2, 0);
	assert_memory_equal(f, d2, 4);
	static const unsigned a3[3] = { 1, 2, 3 };
	static const uint8_t d3[6] = { 0xC0, 0x00, 0x02, 0x04, 0xF0, 0x36 };
	frame(f, 3, a3, 3, 0xF);
	assert_memory_equal(f, d3, 6);
}

/* Two lead-in frames, then the documented one: the third row must decode
 * to the documented values. */
static void test_doc_frames(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t n = 0;
	static const unsigned any[6] = { 1, 2, 3, 4, 5, 6 };
	static const uint8_t d6[8] = { 0x7F, 0x08, 0xC0, 0xFF, 0x58, 0x02, 0xA8, 0x53 };
	n += frame(buf + n, 3, any, 6, 0);
	n += frame(buf + n, 4, any, 6, 0);
	memcpy(buf + n, d6, 8);
	n += 8;
	struct rec r;
	struct drv_stats st;
	dt_decode("bitalino", "ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg", buf, n, 0, 0,
		  &r, &st);
	assert_int_equal(st.frames_ok, 3);
	/* EMG: A1 = 0.000 mV, A2 = 0.2811 mV, A3 = 1.6321 mV (uV here) */
	assert_true(fabs(r.ch[0].v[2] - 0.0) < 0.05);
	assert_true(fabs(r.ch[1].v[2] - 281.1) < 0.05);
	assert_true(fabs(r.ch[2].v[2] - 1632.1) < 0.05);
	/* A5 = 33 of 64, A6 = 63 of 64 (6-bit positions) */
	double a5 = (33.0 / 64 - 0.5) * 3.3 / 1009 * 1e6;
	assert_true(fabs(r.ch[4].v[2] - a5) < 0.01);
	rec_free(&r);

	/* 2 channels: A1 = 700 -> ECG 0.5508 mV; as EMG 0.6005 mV */
	static const uint8_t d2[4] = { 0x2C, 0xF1, 0x0A, 0xF8 };
	static const unsigned a2[2] = { 100, 200 };
	n = frame(buf, 13, a2, 2, 0);
	n += frame(buf + n, 14, a2, 2, 0);
	memcpy(buf + n, d2, 4);
	n += 4;
	dt_decode("bitalino", NULL, buf, n, 0, 0, &r, &st);
	assert_true(fabs(r.ch[0].v[2] - 0.5508) < 0.0001);
	rec_free(&r);
	dt_decode("bitalino", "ch1=emg,ch2=emg", buf, n, 0, 0, &r, &st);
	assert_true(fabs(r.ch[0].v[2] - 600.5) < 0.05);
	rec_free(&r);

	/* 1 channel: 00 08 0E is A1 = 512 -> 0 mV */
	static const uint8_t d1[3] = { 0x00, 0x08, 0x0E };
	static const unsigned a1[1] = { 0 };
	n = frame(buf, 14, a1, 1, 0);
	n += frame(buf + n, 15, a1, 1, 0);
	memcpy(buf + n, d1, 3);
	n += 3;
	dt_decode("bitalino", "ch1=ecg", buf, n, 0, 0, &r, &st);
	assert_int_equal(r.ch[0].n, 3);
	assert_true(fabs(r.ch[0].v[2]) < 1e-9);
	assert_true(r.ch[0].v[0] < -1.49);
	rec_free(&r);
}

static void test_lock_needs_three(void **state)
{
	(void)state;
	uint8_t buf[16];
	static const unsigned a[2] = { 512, 512 };
	size_t n = frame(buf, 0, a, 2, 0);
	n += frame(buf + n, 1, a, 2, 0);
	struct rec r;
	memset(&r, 0, sizeof(r));
	struct drv_instance *d = dt_new("bitalino", NULL, &r, NULL);
	drv_instance_feed(d, buf, n);
	assert_int_equal(r.ch[0].n, 0);
	n = frame(buf, 2, a, 2, 0);
	drv_instance_feed(d, buf, n);
	assert_int_equal(r.ch[0].n, 3);
	/* three frames with a broken sequence do not lock */
	drv_instance_destroy(&d);
	rec_free(&r);
	d = dt_new("bitalino", NULL, &r, NULL);
	n = frame(buf, 0, a, 2, 0);
	n += frame(buf + n, 1, a, 2, 0);
	n += frame(buf + n, 3, a, 2, 0);
	drv_instance_feed(d, buf, n);
	assert_int_equal(r.ch[0].n, 0);
	drv_instance_destroy(&d);
	rec_free(&r);
}

/* version reply, garbage, 40 frames (seq wraps twice), one with a flipped
 * bit (byte 3, bit 4 of the 6-channel layout), five lost */
static size_t build_stream(uint8_t *buf)
{
	static const char ver[] = "BITalino_v5.2\n";
	static const uint8_t garbage[] = { 0x00, 0xFF, 0x13, 0x37, 0xF0, 0x0F, 0x55 };
	size_t n = 0;
	memcpy(buf, ver, strlen(ver));
	n += strlen(ver);
	memcpy(buf + n, garbage, sizeof(garbage));
	n += sizeof(garbage);
	for (unsigned k = 0; k < 40; k++) {
		if (k >= 20 && k < 25)
			continue;
		unsigned a[6] = { 10 * k, 1023 - k, 512, k, k & 63, 63 - (k & 63) };
		size_t m = frame(buf + n, k & 15, a, 6, 0);
		if (k == 10)
			buf[n + 3] ^= 0x10;
		n += m;
	}
	return n;
}

static const char *six = "ch1=ecg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg";

static void test_split_every_boundary(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t n = build_stream(buf);
	dt_check_splits("bitalino", six, buf, n);
}

static void test_counted(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t n = build_stream(buf);
	struct rec r;
	struct drv_stats st;
	dt_decode("bitalino", six, buf, n, 0, 0, &r, &st);
	assert_int_equal(st.frames_ok, 34);
	assert_int_equal(st.checksum_errors, 1);
	assert_int_equal(st.gaps, 2);
	assert_int_equal(st.samples_missing, 6);
	assert_int_equal(st.garbage_bytes, 14 + 7 + 8);
	assert_int_equal(r.ch[0].idx[r.ch[0].n - 1], 39);
	assert_int_equal(r.ninfo, 1);
	assert_string_equal(r.info[0], "version=BITalino_v5.2");
	/* frame 39: A1 = 390 as ECG */
	double want = (390.0 / 1024 - 0.5) * 3.3 / 1100 * 1000;
	assert_true(fabs(r.ch[0].v[r.ch[0].n - 1] - want) < 1e-6);
	rec_free(&r);
}

static void test_commands(void **state)
{
	(void)state;
	struct rec r;
	memset(&r, 0, sizeof(r));
	struct drv_instance *d = dt_new("bitalino", NULL, &r, NULL);
	assert_non_null(d);
	static const uint8_t start[4] = { 0xFF, 0x07, 0xC3, 0x0D };
	assert_int_equal(dt_nwr, 4);
	assert_memory_equal(dt_wr, start, 4);
	drv_instance_destroy(&d);
	assert_int_equal(dt_nwr, 5);
	assert_int_equal(dt_wr[4], 0x00);
	int err;
	d = dt_new("bitalino", "ch1=emg,ch3=ecg:chest,rate=100", &r, &err);
	assert_non_null(d);
	assert_int_equal(dt_wr[2], 0x83);
	assert_int_equal(dt_wr[3], 0x15);
	assert_true(drv_instance_channel(d, 1)->rate_hz == 100.0);
	assert_string_equal(drv_instance_channel(d, 1)->label, "ECG chest");
	drv_instance_destroy(&d);
	assert_null(dt_new("bitalino", "rate=500", &r, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	assert_null(dt_new("bitalino", "ch7=ecg,ch1=foo", &r, &err));
	assert_int_equal(err, VG_ERR_INVAL);
}

static void test_emulator_round_trip(void **state)
{
	(void)state;
	struct rt_result res;
	/* half an LSB: ECG 3.3/1100/1024 mV, EMG 3.3/1009/1024 mV */
	double lsb_mv = 3.3 / 1100 / 1024 * 1000, lsb_uv = 3.3 / 1009 / 1024 * 1e6;
	rt_run("bitalino", NULL, 10.0, NULL, 21, 1000.0, 0, 1, -1, 0.51 * lsb_mv,
	       0.51 * lsb_uv, &res);
	assert_int_equal(res.st.frames_ok, 10000);
	assert_int_equal(res.samples, 2 * 10000);
	assert_int_equal(res.mismatches, 0);
	assert_int_equal(res.st.gaps, 0);
}

static void test_emulator_faults(void **state)
{
	(void)state;
	struct emu_faults f = {
		.garbage_rate = 0.01, .drop_rate = 0.01, .corrupt_rate = 0.01, .seed = 9
	};
	double lsb_mv = 3.3 / 1100 / 1024 * 1000, lsb_uv = 3.3 / 1009 / 1024 * 1e6;
	struct rt_result res;
	rt_run("bitalino", NULL, 20.0, &f, 22, 1000.0, 0, 1, -1, 0.51 * lsb_mv,
	       0.51 * lsb_uv, &res);
	/* every corrupted frame is caught (CRC4 sees every single-bit error) */
	assert_true(res.st.checksum_errors >= res.faults.corrupted);
	/* only a garbage burst that passes CRC4 and the sequence check by
	 * chance (1 in 256) can put a sample at a wrong index */
	assert_true(res.mismatches <= 2 * 8);
	/* the 4-bit counter aliases only long losses: indices stay within a
	 * few wraps of the truth */
	uint64_t accounted = res.st.frames_ok + res.st.samples_missing;
	assert_true(accounted + 64 >= res.frames && accounted <= res.frames + 64);
	assert_true(res.samples >= 2 * (res.frames * 9 / 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoder_matches_doc),
		cmocka_unit_test(test_doc_frames),
		cmocka_unit_test(test_lock_needs_three),
		cmocka_unit_test(test_split_every_boundary),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_emulator_round_trip),
		cmocka_unit_test(test_emulator_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
