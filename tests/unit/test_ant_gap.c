/*
 * test_ant_gap.c - an ANT+ link lost and found again, or 61 s without the
 * strap, reports the beats missed as one gap (issue 15: an ANT+ disconnect
 * made no source.gap, since the beat count is forgotten on disconnect and
 * the counter gap then never shows). The estimate is the silent time over
 * the last RR; the next beat carries DRV_BEAT_AFTER_GAP.
 */
#include "drvtest.h"

#include "ant_msg.h"

extern const struct drv_ops drv_ant_ops;

#define KEYOPT "network_key=00 11 22 33 44 55 66 77"
#define T0_NS 1700000000000000000LL
#define MS 1000000LL

static struct dt_rec rec;

static void feed_page(struct drv_instance *d, uint16_t t, uint8_t count)
{
	uint8_t pl[9] = {0, 0, 0, 0xFF, 0xFF, (uint8_t)t, (uint8_t)(t >> 8), count, 75};
	uint8_t m[ANT_MSG_MAX];
	size_t n = ant_msg_build(m, ANT_ID_BROADCAST, pl, sizeof(pl));
	assert_int_equal(drv_instance_feed(d, m, n), 0);
}

/* beats every 781.25 ms (800 ticks), from count c for n beats */
static int64_t beats(struct drv_instance *d, int64_t t_ns, uint16_t *ticks,
		     uint8_t *count, int n)
{
	for (int i = 0; i < n; i++) {
		drv_instance_set_now(d, t_ns);
		feed_page(d, *ticks, *count);
		*ticks = (uint16_t)(*ticks + 800);
		(*count)++;
		t_ns += 781250000LL;
	}
	return t_ns;
}

static void disconnect_makes_a_gap(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, NULL, &err);
	assert_non_null(d);
	uint16_t ticks = 0x1000;
	uint8_t count = 10;
	int64_t t = beats(d, T0_NS, &ticks, &count, 5);
	assert_int_equal(rec.nbeats, 4);
	assert_int_equal(rec.gap_events, 0);
	int64_t last = t - 781250000LL;
	drv_instance_event(d, DRV_EV_DISCONNECT);
	/* 10 s later the stick is back and the strap heard again */
	t = last + 10000 * MS;
	drv_instance_event(d, DRV_EV_CONNECT);
	ticks = (uint16_t)(ticks + 12 * 800);
	count = (uint8_t)(count + 12);
	beats(d, t, &ticks, &count, 3);
	assert_int_equal(rec.gap_events, 1);
	/* 10 s / 781.25 ms = 12.8 beats */
	assert_int_equal(rec.gap_total, 12);
	assert_int_equal(rec.nbeats, 6);
	assert_true(rec.beats[4].flags & DRV_BEAT_AFTER_GAP);
	assert_false(rec.beats[5].flags & DRV_BEAT_AFTER_GAP);
	drv_instance_destroy(&d);
}

static void long_silence_makes_a_gap(void **state)
{
	(void)state;
	int err = 0;
	struct drv_instance *d = dt_new(&drv_ant_ops, &rec, KEYOPT, NULL, &err);
	assert_non_null(d);
	uint16_t ticks = 0x1000;
	uint8_t count = 10;
	int64_t t = beats(d, T0_NS, &ticks, &count, 3);
	int64_t last = t - 781250000LL;
	beats(d, last + 61000 * MS, &ticks, &count, 2);
	assert_int_equal(rec.gap_events, 1);
	assert_int_equal(rec.gap_total, 78); /* 61 s / 781.25 ms */
	drv_instance_destroy(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disconnect_makes_a_gap),
		cmocka_unit_test(long_silence_makes_a_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
