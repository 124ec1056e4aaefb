/*
 * test_ctl_hostile.c - issue 15's control-channel findings against a real
 * vagusd over ZeroMQ: every request gets exactly one reply, whatever its
 * shape (9 frames and a 100 KiB body got none before: the REQ client was
 * stuck), and the parser refuses what it used to run or republish
 * (trailing bytes, "ping\u0000x", a mark label that is not UTF-8). After
 * each refusal the same REQ socket still works (the daemon replied).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vgtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static char ctl_ep[64];
static pid_t daemon_pid;
static void *zctx, *req;

static void *new_req(void)
{
	void *s = zmq_socket(zctx, ZMQ_REQ);
	int linger = 0, tmo = 3000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &tmo, sizeof(tmo));
	zmq_connect(s, ctl_ep);
	return s;
}

/* Send the frames as one message; the reply text (static) or NULL. */
static const char *ask_frames(const char *const *frames, const size_t *lens, int n)
{
	static char reply[4096];
	for (int i = 0; i < n; i++)
		if (zmq_send(req, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0) < 0)
			return NULL;
	int r = zmq_recv(req, reply, sizeof(reply) - 1, 0);
	if (r < 0)
		return NULL;
	reply[r < (int)sizeof(reply) - 1 ? r : (int)sizeof(reply) - 1] = '\0';
	int more = 0;
	size_t ml = sizeof(more);
	zmq_getsockopt(req, ZMQ_RCVMORE, &more, &ml);
	return more ? "(multi-frame reply)" : reply;
}

static const char *ask_n(const char *text, size_t len)
{
	return ask_frames(&text, &len, 1);
}

static const char *ask(const char *text)
{
	return ask_n(text, strlen(text));
}

static void expect_error(const char *reply, const char *what, const char *case_name)
{
	if (!reply)
		fail_msg("%s: no reply", case_name);
	if (!strstr(reply, "\"ok\":false") || !strstr(reply, what))
		fail_msg("%s: '%s' lacks '%s'", case_name, reply, what);
	const char *pong = ask("{\"cmd\":\"ping\"}");
	if (!pong || !strstr(pong, "\"ok\":true"))
		fail_msg("%s: the socket no longer works (%s)", case_name,
			 pong ? pong : "no reply");
}

static void too_many_frames_get_a_reply(void **state)
{
	(void)state;
	const char *f[9];
	size_t l[9];
	for (int i = 0; i < 9; i++) {
		f[i] = "{\"cmd\":\"ping\"}";
		l[i] = 14;
	}
	expect_error(ask_frames(f, l, 9), "one JSON frame (got 9)", "9 frames");
	expect_error(ask_frames(f, l, 2), "one JSON frame (got 2)", "2 frames");
}

static void oversize_gets_a_reply(void **state)
{
	(void)state;
	size_t n = 100 * 1024;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"cmd\":\"ping\"}", 14);
	expect_error(ask_n(big, n), "larger than", "100 KiB");
	free(big);
}

static void parser_refusals(void **state)
{
	(void)state;
	expect_error(ask("{\"cmd\":\"ping\"}x"), "trailing bytes", "trailing");
	expect_error(ask("{\"cmd\":\"ping\\u0000x\"}"), "u0000", "ping\\u0000x");
	static const char nul[] = "{\"cmd\":\"ping\"}\0x";
	expect_error(ask_n(nul, sizeof(nul) - 1), "NUL", "raw NUL");
	expect_error(ask("{\"cmd\":\"mark\",\"label\":\"bad \xff\xfe label\"}"), "UTF-8",
		     "label not UTF-8");
}

static int setup(void **state)
{
	(void)state;
	char pub[64];
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl_ep, sizeof(ctl_ep), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", pub, "--ctl", ctl_ep,
			 "--log-level", "warn", NULL };
	daemon_pid = vgt_spawn(argv, vgt_log("ctl-hostile"));
	zctx = zmq_ctx_new();
	for (int i = 0; i < 10; i++) {
		req = new_req();
		const char *r = ask("{\"cmd\":\"ping\"}");
		if (r && strstr(r, "\"ok\":true"))
			return 0;
		zmq_close(req); /* a REQ that timed out is unusable */
	}
	return -1;
}

static int teardown(void **state)
{
	(void)state;
	zmq_close(req);
	zmq_ctx_term(zctx);
	return vgt_stop(daemon_pid, 3000) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(too_many_frames_get_a_reply),
		cmocka_unit_test(oversize_gets_a_reply),
		cmocka_unit_test(parser_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
