/*
 * test_security.c - health data stays private: CURVE with a ZAP allowlist
 * (a client without an allowed key gets nothing; an observer can watch but
 * not control; a console can do both), refusal of non-loopback endpoints
 * without keys unless --insecure, ipc socket files 0660, and configuration
 * errors that name the file, the line and the key.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

struct pair {
	char pub[41], sec[41];
};

static char dir[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A socket of type with client CURVE keys (NULL = plain). */
static void *client(void *ctx, int type, const char *ep, const struct pair *me,
		    const char *server_pub)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0, tmo = 2500; /* > 2 status periods */
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &tmo, sizeof(tmo)); /* a refused REQ never sends */
	if (me) {
		zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, me->pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, me->sec, 40);
	}
	if (type == ZMQ_SUB)
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "status", 6);
	assert_int_equal(zmq_connect(s, ep), 0);
	return s;
}

/* 1 if a status message arrives within the receive timeout. */
static int gets_status(void *sub)
{
	char buf[8192];
	return zmq_recv(sub, buf, sizeof(buf), 0) > 0;
}

/* 1 if a ping is answered. */
static int can_control(void *req)
{
	char buf[512];
	if (zmq_send(req, "{\"cmd\":\"ping\"}", 14, 0) < 0)
		return 0;
	int n = zmq_recv(req, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "\"ok\":true") != NULL;
}

static void curve_allowlist_and_roles(void **state)
{
	(void)state;
	if (!zmq_has("curve"))
		skip();
	struct pair srv, obs, con, stranger;
	zmq_curve_keypair(srv.pub, srv.sec);
	zmq_curve_keypair(obs.pub, obs.sec);
	zmq_curve_keypair(con.pub, con.sec);
	zmq_curve_keypair(stranger.pub, stranger.sec);
	char path[128], keyf[128], text[2048];
	snprintf(keyf, sizeof(keyf), "%s/server.key", dir);
	snprintf(text, sizeof(text), "# test\npublic = %s\nsecret = %s\n", srv.pub, srv.sec);
	write_file(keyf, text);
	snprintf(path, sizeof(path), "%s/vagusd.conf", dir);
	snprintf(text, sizeof(text),
		 "[security]\nsecret_key_file = %s\n\n[client dashboard]\npublic_key = %s\n"
		 "role = observer\n\n[client therapist]\npublic_key = %s\nrole = console\n",
		 keyf, obs.pub, con.pub);
	write_file(path, text);
	char pub[64], ctl[64];
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--config", path, "--source", "sim",
			 "--pub", pub, "--ctl", ctl, "--speed", "5", NULL };
	pid_t pid = vgt_spawn(argv, vgt_log("security"));
	void *ctx = zmq_ctx_new();
	/* ready when the console can ping (a REQ socket that timed out is
	 * unusable, so a fresh one per try) */
	int ready = 0;
	for (int i = 0; i < 10 && !ready; i++) {
		void *probe = client(ctx, ZMQ_REQ, ctl, &con, srv.pub);
		ready = can_control(probe);
		zmq_close(probe);
	}
	assert_true(ready);

	void *plain = client(ctx, ZMQ_SUB, pub, NULL, NULL);
	void *strange = client(ctx, ZMQ_SUB, pub, &stranger, srv.pub);
	void *observer = client(ctx, ZMQ_SUB, pub, &obs, srv.pub);
	void *console = client(ctx, ZMQ_SUB, pub, &con, srv.pub);
	assert_true(gets_status(observer));
	assert_true(gets_status(console));
	assert_false(gets_status(plain));
	assert_false(gets_status(strange));

	void *obs_req = client(ctx, ZMQ_REQ, ctl, &obs, srv.pub);
	void *con_req = client(ctx, ZMQ_REQ, ctl, &con, srv.pub);
	void *plain_req = client(ctx, ZMQ_REQ, ctl, NULL, NULL);
	assert_true(can_control(con_req));
	assert_false(can_control(obs_req));
	assert_false(can_control(plain_req));
	void *socks[] = { plain, strange, observer, console, obs_req, con_req, plain_req };
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++)
		zmq_close(socks[i]);
	zmq_ctx_term(ctx);
	assert_int_equal(vgt_stop(pid, 3000), 0);
	/* the daemon logged the refusals */
	FILE *f = fopen(vgt_log("security"), "r");
	assert_non_null(f);
	char log[65536];
	size_t n = fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	log[n] = '\0';
	assert_non_null(strstr(log, "unknown key"));
	assert_non_null(strstr(log, "role may not use this endpoint"));
}

static void non_loopback_needs_keys(void **state)
{
	(void)state;
	char pub[64], ctl[64];
	snprintf(pub, sizeof(pub), "tcp://0.0.0.0:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	char *a1[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", pub, "--ctl",
		       ctl, NULL };
	pid_t p = vgt_spawn(a1, vgt_log("insecure"));
	assert_int_equal(vgt_wait(p, 3000), 1);
	char *a2[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", pub, "--ctl",
		       ctl, "--insecure", NULL };
	p = vgt_spawn(a2, vgt_log("insecure"));
	struct timespec ts = { 0, 300000000 };
	nanosleep(&ts, NULL);
	assert_int_equal(vgt_stop(p, 3000), 0); /* ran until told to stop */
}

static void ipc_socket_mode(void **state)
{
	(void)state;
	char pub[256], ctl[256], path[128];
	snprintf(path, sizeof(path), "%s/pub.sock", dir);
	snprintf(pub, sizeof(pub), "ipc://%s", path);
	snprintf(ctl, sizeof(ctl), "ipc://%s/ctl.sock", dir);
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", pub, "--ctl",
			 ctl, NULL };
	pid_t p = vgt_spawn(argv, "/dev/null");
	struct stat st;
	int found = 0;
	for (int i = 0; i < 50 && !found; i++) {
		struct timespec ts = { 0, 20000000 };
		nanosleep(&ts, NULL);
		found = stat(path, &st) == 0 && (st.st_mode & 0777) == 0660;
	}
	assert_int_equal(vgt_stop(p, 3000), 0);
	assert_true(found);
}

static void config_errors_name_file_line_key(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[daemon]\npub = tcp://127.0.0.1:1\nstall_timeout = soon\n",
		  ":3: [daemon] stall_timeout: not a number" },
		{ "[daemon]\n\n\nstal_timeout = 3\n", ":4: [daemon] stal_timeout: unknown key" },
		{ "[hrv]\nwindows = 60, 99999\n", ":2: [hrv] windows: 99999 is out of range" },
		{ "[source]\noptions = x=1\n", ":2: [source] options: options before spec" },
		{ "[client bob]\npublic_key = short\n", ":2: [client bob] public_key: want a 40" },
		{ "[telemetry]\nurl = x\n", ":2: [telemetry] url: unknown section" },
		{ "[daemon\nx\n", ":1: syntax error" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], log[128];
		snprintf(path, sizeof(path), "%s/bad%zu.conf", dir, i);
		snprintf(log, sizeof(log), "%s/bad%zu.log", dir, i);
		write_file(path, cases[i].text);
		char *argv[] = { (char *)vgt_bin("vagusd"), "--config", path, NULL };
		pid_t p = vgt_spawn(argv, log);
		assert_int_equal(vgt_wait(p, 3000), 1);
		FILE *f = fopen(log, "r");
		char out[2048] = "";
		size_t n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		fclose(f);
		if (!strstr(out, cases[i].want) || !strstr(out, path))
			fail_msg("case %zu: '%s' lacks '%s'", i, out, cases[i].want);
	}
}

static int setup(void **state)
{
	(void)state;
	return vgt_mkdtemp(dir, sizeof(dir), "vagus-sec") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(curve_allowlist_and_roles),
		cmocka_unit_test(non_loopback_needs_keys),
		cmocka_unit_test(ipc_socket_mode),
		cmocka_unit_test(config_errors_name_file_line_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
