/*
 * test_control.c - the control channel against a running vagusd: sessions,
 * marks and their events, status and config replies, and hostile requests
 * (malformed, unknown, wrong types, oversize, garbage frames, a flood)
 * answered with errors while the daemon keeps publishing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client.h"
#include "proto.h"
#include "vg_err.h"
#include "vgtest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static char pub_ep[64], ctl_ep[64];
static pid_t daemon_pid;

static int setup(void **state)
{
	(void)state;
	snprintf(pub_ep, sizeof(pub_ep), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl_ep, sizeof(ctl_ep), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--speed", "5", "--pub", pub_ep,
			 "--ctl", ctl_ep, "--log-level", "warn", NULL };
	daemon_pid = vgt_spawn(argv, vgt_log("control"));
	/* wait until it answers */
	char reply[1024];
	for (int i = 0; i < 50; i++) {
		if (proto_ctl_request(ctl_ep, "{\"cmd\":\"ping\"}", reply, sizeof(reply),
				      200) > 0)
			return 0;
	}
	return -1;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_stop(daemon_pid, 3000) == 0 ? 0 : -1;
}

/* Send req; return the parsed reply (caller frees) and assert ok matches. */
static cJSON *ask(const char *req, int want_ok)
{
	static char reply[65536];
	int n = proto_ctl_request(ctl_ep, req, reply, sizeof(reply), 2000);
	if (n <= 0)
		fail_msg("no reply to %.80s: %s", req, vg_strerror(n));
	cJSON *r = cJSON_Parse(reply);
	assert_non_null(r);
	int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"));
	if (ok != want_ok)
		fail_msg("%.80s -> %s", req, reply);
	if (!ok)
		assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "error")));
	return r;
}

/* Wait for an event of kind on sub; returns 1 if seen. */
static int wait_event(struct proto_sub *sub, const char *kind, char *json_out,
		      size_t cap)
{
	static char json[PROTO_MSG_MAX + 1];
	char topic[32];
	double end = vgt_now() + 3.0;
	while (vgt_now() < end) {
		int n = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 100);
		if (n <= 0)
			continue;
		struct proto_header h;
		struct proto_event ev;
		if (proto_decode(json, (size_t)n, &h, NULL, &ev, sizeof(ev)) == 0 &&
		    !strcmp(ev.kind, kind)) {
			memcpy(json_out, json, (size_t)n + 1 < cap ? (size_t)n + 1 : cap);
			json_out[cap - 1] = '\0';
			return 1;
		}
	}
	return 0;
}

static void sessions_and_marks(void **state)
{
	(void)state;
	const char *topics[] = { "event" };
	struct proto_sub *sub = proto_sub_new(pub_ep, topics, 1, NULL);
	assert_non_null(sub);
	struct timespec ts = { 0, 300000000 };
	nanosleep(&ts, NULL); /* let the subscription reach the daemon */
	static char ev[PROTO_MSG_MAX + 2];

	cJSON_Delete(ask("{\"cmd\":\"session.stop\"}", 0)); /* none running */
	cJSON_Delete(ask("{\"cmd\":\"session.start\",\"client\":\"x\","
			 "\"profile\":\"gentle\"}", 0)); /* not a profile */
	cJSON *r = ask("{\"cmd\":\"session.start\",\"client\":\"Jo Smith/../x\","
		       "\"technique\":\"trigger_point\",\"profile\":\"sensitive\"}", 1);
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(r, "session");
	assert_true(cJSON_IsString(sid));
	assert_null(strchr(sid->valuestring, '/')); /* sanitised for file names */
	assert_non_null(strstr(sid->valuestring, "Jo_Smith"));
	assert_true(wait_event(sub, "session.start", ev, sizeof(ev)));
	assert_non_null(strstr(ev, "trigger_point"));
	assert_non_null(strstr(ev, "\"profile\":\"sensitive\""));
	assert_non_null(strstr(ev, "\"simulated\":true"));
	cJSON_Delete(r);
	cJSON_Delete(ask("{\"cmd\":\"session.start\",\"client\":\"x\"}", 0)); /* twice */

	cJSON_Delete(ask("{\"cmd\":\"mark\",\"label\":\"deep pressure\","
			 "\"region\":\"trapezius-left\",\"pressure\":\"deep\"}", 1));
	assert_true(wait_event(sub, "mark", ev, sizeof(ev)));
	assert_non_null(strstr(ev, "trapezius-left"));

	r = ask("{\"cmd\":\"status\"}", 1);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
	assert_non_null(st);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(st, "topic")->valuestring,
			    "status");
	assert_true(strlen(cJSON_GetObjectItemCaseSensitive(st, "session")->valuestring) > 0);
	cJSON_Delete(r);
	r = ask("{\"cmd\":\"config.get\"}", 1);
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(r, "config");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cfg, "pub")->valuestring,
			    pub_ep);
	cJSON_Delete(r);

	r = ask("{\"cmd\":\"session.stop\"}", 1);
	assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(r, "marks")->valuedouble, 1);
	cJSON_Delete(r);
	assert_true(wait_event(sub, "session.stop", ev, sizeof(ev)));
	/* the mark is answered at the stop (within 30 s: incomplete) */
	assert_true(wait_event(sub, "session.summary", ev, sizeof(ev)));
	assert_non_null(strstr(ev, "\"label\":\"deep pressure\""));
	assert_non_null(strstr(ev, "\"profile\":\"sensitive\""));
	proto_sub_destroy(&sub);
}

/* The guidance and EMG commands reach their engines: the `guide` topic
 * follows the pacer and profile; holds and calibration name real channels. */
static void guidance_commands(void **state)
{
	(void)state;
	const char *topics[] = { "guide" };
	struct proto_sub *sub = proto_sub_new(pub_ep, topics, 1, NULL);
	struct timespec ts = { 0, 300000000 };
	nanosleep(&ts, NULL);
	cJSON_Delete(ask("{\"cmd\":\"pacer.set\",\"pattern\":\"custom\",\"inhale_s\":4,"
			 "\"hold_in_s\":2,\"exhale_s\":6}", 1));
	cJSON_Delete(ask("{\"cmd\":\"profile.set\",\"profile\":\"flare\"}", 1));
	cJSON_Delete(ask("{\"cmd\":\"hold.start\",\"technique\":\"myofascial\","
			 "\"region\":\"trapezius-left\"}", 1));
	cJSON_Delete(ask("{\"cmd\":\"hold.start\",\"technique\":\"x\",\"region\":\"elbow\"}", 0));
	cJSON_Delete(ask("{\"cmd\":\"calibrate\",\"channel\":0,\"kind\":\"rest\",\"seconds\":3}", 1));
	cJSON_Delete(ask("{\"cmd\":\"calibrate\",\"channel\":9,\"kind\":\"rest\"}", 0));
	cJSON_Delete(ask("{\"cmd\":\"baseline.start\",\"seconds\":60}", 1));
	static char json[PROTO_MSG_MAX + 1];
	char topic[32];
	int seen = 0;
	double end = vgt_now() + 3;
	while (!seen && vgt_now() < end)
		if (proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 100) > 0)
			seen = strstr(json, "\"pattern\":\"custom\"") &&
			       strstr(json, "\"profile\":\"flare\"") &&
			       strstr(json, "\"holding\":true") &&
			       strstr(json, "\"advice\":\"deepen-ok\"") == NULL;
	proto_sub_destroy(&sub);
	assert_true(seen);
	cJSON_Delete(ask("{\"cmd\":\"hold.stop\"}", 1));
	cJSON_Delete(ask("{\"cmd\":\"pacer.set\",\"pattern\":\"off\"}", 1));
}

static void hostile_requests(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "not json", "{\"cmd\":\"format c:\"}", "{\"cmd\":[]}",
		"{\"cmd\":\"mark\"}", "{\"cmd\":\"calibrate\",\"channel\":\"x\",\"kind\":\"rest\"}",
		"{\"cmd\":\"baseline.start\",\"seconds\":-5}", "\x01\x02\x03\xff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cJSON_Delete(ask(bad[i], 0));
	/* oversize (but under the transport limit): an error reply */
	char *big = malloc(20001);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	cJSON *r = ask(big, 0);
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring,
			       "larger"));
	cJSON_Delete(r);
	free(big);

	/* raw frames from a DEALER with no delimiter, many frames, floods */
	void *ctx = zmq_ctx_new();
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_connect(s, ctl_ep), 0);
	for (int i = 0; i < 20; i++)
		zmq_send(s, "x", 1, ZMQ_SNDMORE);
	zmq_send(s, "{}", 2, 0);
	for (int i = 0; i < 2000; i++)
		zmq_send(s, "{\"cmd\":\"ping\"}", 14, 0);
	zmq_close(s);
	zmq_ctx_term(ctx);

	/* still alive, still publishing */
	r = ask("{\"cmd\":\"ping\"}", 1);
	cJSON_Delete(r);
	const char *topics[] = { "status" };
	struct proto_sub *sub = proto_sub_new(pub_ep, topics, 1, NULL);
	char topic[32], json[PROTO_MSG_MAX + 1];
	int got = 0;
	double end = vgt_now() + 3;
	while (!got && vgt_now() < end)
		got = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 200) > 0;
	proto_sub_destroy(&sub);
	assert_true(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sessions_and_marks),
		cmocka_unit_test(guidance_commands),
		cmocka_unit_test(hostile_requests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
