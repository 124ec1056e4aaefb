/*
 * test_drv_p2.c - the OpenEEG P2 / Olimex SHIELD-EKG-EMG driver
 * (drivers/drv_p2.c): the documented packets, counter wrap and gaps, a
 * damaged packet, a corrupted counter, CR LF after packets, reads split at
 * every byte boundary, per-channel gain/baseline options, the run-time
 * baseline estimate, and the emulator round trip.
 * Truth: ../shared/docs/protocols.md section 4 and the simulator.
 */
#include "drva_test.h"

#define FRAME 17

static const uint8_t doc0[FRAME] = { 0xA5, 0x5A, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02,
				     0x00, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x01 };
static const uint8_t docff[FRAME] = { 0xA5, 0x5A, 0x02, 0xFF, 0x02, 0x58, 0x02, 0x00, 0x03,
				      0xFF, 0x00, 0x00, 0x01, 0x2C, 0x02, 0x00, 0x01 };

static void packet(uint8_t *p, uint8_t seq, const unsigned *a)
{
	p[0] = 0xA5;
	p[1] = 0x5A;
	p[2] = 0x02;
	p[3] = seq;
	for (int k = 0; k < 6; k++) {
		p[4 + 2 * k] = (uint8_t)(a[k] >> 8);
		p[5 + 2 * k] = (uint8_t)a[k];
	}
	p[16] = 0x01;
}

static const char *all_emg = "ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg,baseline=512";

static void test_doc_packets(void **state)
{
	(void)state;
	uint8_t buf[3 * FRAME];
	memcpy(buf, docff, FRAME);
	memcpy(buf + FRAME, doc0, FRAME); /* counter wraps FF -> 00 */
	static const unsigned a1[6] = { 430, 512, 512, 512, 512, 512 };
	packet(buf + 2 * FRAME, 1, a1);
	struct rec r;
	struct drv_stats st;
	dt_decode("p2", all_emg, buf, sizeof(buf), 0, 0, &r, &st);
	assert_int_equal(st.frames_ok, 3);
	assert_int_equal(st.gaps, 0);
	/* 600 -> +150.9 uV at 5 V, G = 2848, baseline 512 */
	assert_true(fabs(r.ch[0].v[0] - 150.9) < 0.05);
	assert_true(fabs(r.ch[1].v[0]) < 1e-9);
	double upc = 5.0 / 1024 / 2848 * 1e6;
	assert_true(fabs(r.ch[2].v[0] - 511 * upc) < 1e-3);
	assert_true(fabs(r.ch[3].v[0] + 512 * upc) < 1e-3);
	assert_true(fabs(r.ch[4].v[0] + 212 * upc) < 1e-3);
	assert_true(fabs(r.ch[0].v[1]) < 1e-9);
	assert_true(fabs(r.ch[0].v[2] + 82 * upc) < 1e-3);
	rec_free(&r);
}

/* garbage (with A5 and 5A in it), 30 packets wrapping, one damaged high
 * byte, one lost, one corrupted counter, CR LF after some */
static size_t build_stream(uint8_t *buf)
{
	static const uint8_t garbage[] = { 0x5A, 0xA5, 0x00, 0xA5, 0x5A, 0x07, 0xFF, 0x0D, 0x0A };
	size_t n = 0;
	memcpy(buf, garbage, sizeof(garbage));
	n += sizeof(garbage);
	for (unsigned k = 0; k < 30; k++) {
		if (k == 12)
			continue;                       /* lost */
		unsigned a[6] = { 200 + k, 512 - k, 512, 0, 1023, 300 };
		packet(buf + n, (uint8_t)(240 + k), a);
		if (k == 5)
			buf[n + 8] = 0x07;              /* high byte > 03 */
		if (k == 20)
			buf[n + 3] ^= 0x40;             /* counter says otherwise */
		n += FRAME;
		if (k % 7 == 3) {
			buf[n++] = 0x0D;
			buf[n++] = 0x0A;
		}
	}
	return n;
}

static void test_split_every_boundary(void **state)
{
	(void)state;
	uint8_t buf[40 * FRAME];
	size_t n = build_stream(buf);
	dt_check_splits("p2", "baseline1=200,baseline2=512", buf, n);
	dt_check_splits("p2", NULL, buf, n); /* estimated baselines */
}

static void test_counted(void **state)
{
	(void)state;
	uint8_t buf[40 * FRAME];
	size_t n = build_stream(buf);
	struct rec r;
	struct drv_stats st;
	dt_decode("p2", "baseline1=200,baseline2=512", buf, n, 0, 0, &r, &st);
	/* 30 packets: 1 lost, 1 damaged, 1 with a corrupted counter */
	assert_int_equal(st.frames_ok, 27);
	assert_int_equal(st.checksum_errors, 2);
	assert_int_equal(st.samples_missing, 3);
	assert_int_equal(st.garbage_bytes, 9 + FRAME);
	assert_int_equal(r.ch[0].n, 27);
	assert_int_equal(r.ch[0].idx[26], 29);
	double upc_mv = 5.0 / 1024 / 2848 * 1e3;
	assert_true(fabs(r.ch[0].v[26] - 29 * upc_mv) < 1e-7);
	rec_free(&r);
}

static void test_options_and_baseline(void **state)
{
	(void)state;
	struct rec r;
	struct drv_stats st;
	int err;
	memset(&r, 0, sizeof(r));
	assert_null(dt_new("p2", "gain=-1", &r, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	assert_null(dt_new("p2", "vref=abc", &r, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	assert_null(dt_new("p2", "baseline3=2000", &r, &err));
	assert_int_equal(err, VG_ERR_RANGE);

	/* per-channel gain at 3.3 V */
	uint8_t buf[2 * FRAME];
	unsigned a[6] = { 612, 412, 512, 512, 512, 512 };
	packet(buf, 0, a);
	packet(buf + FRAME, 1, a);
	dt_decode("p2", "ch1=emg,ch2=emg,vref=3.3,baseline=512,gain2=1000", buf, sizeof(buf),
		  0, 0, &r, &st);
	assert_true(fabs(r.ch[0].v[0] - 100 * 3.3 / 1024 / 2848 * 1e6) < 1e-3);
	assert_true(fabs(r.ch[1].v[0] + 100 * 3.3 / 1024 / 1000 * 1e6) < 1e-3);
	rec_free(&r);

	/* run-time baseline: a 10 Hz square wave of +-40 counts around 330;
	 * after 10 s the output is centred (mean of the last second ~ 0) */
	size_t nf = 256 * 12;
	uint8_t *big = malloc(nf * FRAME);
	assert_non_null(big);
	for (size_t k = 0; k < nf; k++) {
		unsigned v[6] = { (k / 13) % 2 ? 370 : 290, 512, 512, 512, 512, 512 };
		packet(big + k * FRAME, (uint8_t)k, v);
	}
	dt_decode("p2", NULL, big, nf * FRAME, 0, 0, &r, &st);
	assert_int_equal(r.ch[0].n, nf);
	double mean = 0;
	for (size_t k = nf - 256; k < nf; k++)
		mean += r.ch[0].v[k];
	mean /= 256;
	double amp_mv = 40 * 5.0 / 1024 / 2848 * 1e3;
	assert_true(fabs(mean) < 0.05 * amp_mv);
	free(big);
	rec_free(&r);
}

static void test_emulator_round_trip(void **state)
{
	(void)state;
	struct rt_result res;
	double upc = 5.0 / 1024 / 2848 * 1e6;
	rt_run("p2", "baseline1=200,baseline2=512", 20.0, NULL, 31, 256.0, 0, 1, -1,
	       0.51 * upc / 1000, 0.51 * upc, &res);
	assert_int_equal(res.st.frames_ok, 20 * 256);
	assert_int_equal(res.samples, 2 * 20 * 256);
	/* only samples beyond the ADC range (EMG peaks above 877 uV) differ */
	assert_true(res.mismatches <= res.samples / 1000);
}

static void test_emulator_faults(void **state)
{
	(void)state;
	struct emu_faults f = {
		.garbage_rate = 0.03, .drop_rate = 0.03, .corrupt_rate = 0.03, .seed = 3
	};
	double upc = 5.0 / 1024 / 2848 * 1e6;
	struct rt_result res;
	rt_run("p2", "baseline1=200,baseline2=512", 40.0, &f, 32, 256.0, 0, 1, -1,
	       0.51 * upc / 1000, 0.51 * upc, &res);
	assert_int_equal(res.st.frames_ok + res.st.samples_missing, res.frames);
	assert_true(res.st.samples_missing >= res.faults.dropped);
	/* flips in low data bytes go unseen (no checksum) */
	assert_true(res.mismatches <= res.faults.corrupted + res.samples / 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_packets),
		cmocka_unit_test(test_split_every_boundary),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_options_and_baseline),
		cmocka_unit_test(test_emulator_round_trip),
		cmocka_unit_test(test_emulator_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
