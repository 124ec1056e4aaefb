/*
 * web_hub.c - vagus-web's fan-out (tools/vagus-web/hub.c, included here so
 * the test links exactly that file): a stalled browser costs no memory and
 * loses only what it could not take (counted), a fast one gets every frame
 * in order, a new one first gets the latest frame of each key, and shutdown
 * wakes blocked readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../tools/vagus-web/hub.c"

#include <pthread.h>
#include <stdio.h>

static void frame_of(uint64_t i, char *buf, size_t cap, size_t len)
{
	snprintf(buf, cap, "data: {\"i\": %llu}", (unsigned long long)i);
	size_t n = strlen(buf);
	while (n < len - 2)
		buf[n++] = ' ';
	buf[n++] = '\n';
	buf[n++] = '\n';
}

static uint64_t frame_index(const char *p)
{
	return strtoull(p + strlen("data: {\"i\": "), NULL, 10);
}

/* Read everything available; checks the frames come in order; returns the
 * number read and the last index. */
static uint64_t drain(struct web_hub *h, struct hub_cursor *c, int64_t *last)
{
	static char buf[64 * 1024];
	uint64_t n = 0;
	for (;;) {
		ssize_t r = web_hub_read(h, c, buf, sizeof(buf), 0);
		assert_true(r >= 0);
		if (r == 0)
			return n;
		for (const char *p = buf; p < buf + r;) {
			const char *e = strstr(p, "\n\n");
			assert_non_null(e);
			if (!strncmp(p, "data: {\"i\"", 10)) {
				int64_t i = (int64_t)frame_index(p);
				assert_true(i > *last);
				*last = i;
				n++;
			}
			p = e + 2;
		}
	}
}

static void test_stalled_reader_is_bounded_and_counted(void **state)
{
	(void)state;
	int err = 0;
	struct web_hub *h = web_hub_new(&err);
	assert_non_null(h);
	struct hub_cursor fast = { 0 }, stalled = { 0 };
	web_hub_join(h, &fast);
	web_hub_join(h, &stalled);
	char f[600];
	const uint64_t total = 20000; /* 12 MB through a 2 MiB ring */
	int64_t last_fast = -1;
	uint64_t got_fast = 0;
	for (uint64_t i = 0; i < total; i++) {
		frame_of(i, f, sizeof(f), sizeof(f));
		assert_int_equal(web_hub_put(h, NULL, f, sizeof(f)), 0);
		if (i % 100 == 99)
			got_fast += drain(h, &fast, &last_fast);
	}
	got_fast += drain(h, &fast, &last_fast);
	assert_int_equal(got_fast, total);  /* a reader that keeps up loses nothing */
	assert_int_equal(fast.dropped, 0);
	int64_t last_stalled = -1;
	uint64_t got_stalled = drain(h, &stalled, &last_stalled);
	assert_true(got_stalled < HUB_RING_BYTES / sizeof(f) + 1);
	assert_true(got_stalled > HUB_RING_BYTES / sizeof(f) / 2);
	assert_int_equal(last_stalled, (int64_t)total - 1); /* ends at the newest */
	assert_int_equal(stalled.dropped + got_stalled, total);
	struct hub_stats st;
	web_hub_stats(h, &st);
	assert_int_equal(st.dropped, stalled.dropped);
	assert_int_equal(st.lagged, 1);
	assert_int_equal(st.clients, 2);
	web_hub_leave(h, &fast);
	web_hub_leave(h, &stalled);
	web_hub_stats(h, &st);
	assert_int_equal(st.clients, 0);
	web_hub_destroy(&h);
	assert_null(h);
}

static void test_latest_per_key_first(void **state)
{
	(void)state;
	struct web_hub *h = web_hub_new(NULL);
	assert_non_null(h);
	static const char a1[] = "data: {\"topic\":\"status\",\"n\":1}\n\n";
	static const char a2[] = "data: {\"topic\":\"status\",\"n\":2}\n\n";
	static const char b1[] = "data: {\"topic\":\"hrv\",\"w\":60}\n\n";
	web_hub_put(h, "status", a1, strlen(a1));
	web_hub_put(h, "hrv/60", b1, strlen(b1));
	web_hub_put(h, "status", a2, strlen(a2));
	web_hub_put(h, NULL, "event: web\ndata: {}\n\n", 21);
	struct hub_cursor c = { 0 };
	web_hub_join(h, &c);
	char buf[HUB_FRAME_MAX];
	ssize_t r = web_hub_read(h, &c, buf, sizeof(buf), 0);
	assert_int_equal(r, (ssize_t)(strlen(a2) + strlen(b1)));
	assert_memory_equal(buf, a2, strlen(a2));       /* the newest status only */
	assert_memory_equal(buf + strlen(a2), b1, strlen(b1));
	assert_int_equal(web_hub_read(h, &c, buf, sizeof(buf), 0), 0); /* nothing old */
	web_hub_put(h, NULL, "data: {}\n\n", 10);
	assert_int_equal(web_hub_read(h, &c, buf, sizeof(buf), 0), 10);
	assert_int_equal(web_hub_put(h, NULL, buf, HUB_FRAME_MAX + 1), VG_ERR_RANGE);
	web_hub_destroy(&h);
}

static void *reader(void *arg)
{
	struct web_hub *h = arg;
	struct hub_cursor c = { 0 };
	web_hub_join(h, &c);
	char buf[HUB_FRAME_MAX];
	ssize_t r;
	do
		r = web_hub_read(h, &c, buf, sizeof(buf), 200);
	while (r >= 0);
	web_hub_leave(h, &c);
	return (void *)(intptr_t)r;
}

static void test_stop_wakes_readers(void **state)
{
	(void)state;
	struct web_hub *h = web_hub_new(NULL);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, h), 0);
	struct timespec ts = { 0, 100 * 1000000L };
	nanosleep(&ts, NULL);
	web_hub_stop(h);
	for (int i = 0; i < 4; i++) {
		void *rv;
		pthread_join(t[i], &rv);
		assert_int_equal((intptr_t)rv, VG_ERR_EOF);
	}
	web_hub_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stalled_reader_is_bounded_and_counted),
		cmocka_unit_test(test_latest_per_key_first),
		cmocka_unit_test(test_stop_wakes_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
