/*
 * test_security.c - health data stays private: CURVE with a ZAP allowlist
 * (a client without an allowed key gets nothing; an observer can watch but
 * not control; a console can do both), refusal of non-loopback endpoints
 * without keys unless --insecure, ipc socket files 0660, and configuration
 * errors that name the file, the line and the key.
 * Issue 15: an abstract-namespace ipc endpoint (ipc://@NAME, no file, no
 * mode) is refused without CURVE or --insecure, by vagusd (pub and ctl) and
 * vagus-hub; user nobody reaches it when the operator allows it and cannot
 * when CURVE guards it; refused handshakes log one line, then a count; a
 * config with a UTF-8 BOM keeps its [source] and endpoint values.
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

/* Exit code of argv run as user nobody (setpriv), or -1 when that is not
 * possible here. */
static int run_as_nobody(char *const *cmd)
{
	char *argv[16] = { "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
			   "--clear-groups" };
	int n = 4;
	for (int i = 0; cmd[i] && n < 15; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	char log[128];
	snprintf(log, sizeof(log), "%s/nobody.log", dir);
	pid_t p = vgt_spawn(argv, log);
	return p > 0 ? vgt_wait(p, 10000) : -1;
}

static int log_has(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return strstr(text, what) != NULL;
}

static int count_in_log(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

/* ping over ep as root, a few tries while the daemon starts: exit code */
static int ping_root(const char *ep)
{
	char *argv[] = { (char *)vgt_bin("vagusctl"), "--ctl", (char *)ep, "--timeout",
			 "1000", "ping", NULL };
	int rc = -1;
	for (int i = 0; i < 5 && rc != 0; i++) {
		pid_t p = vgt_spawn(argv, "/dev/null");
		rc = vgt_wait(p, 5000);
	}
	return rc;
}

static void abstract_ipc_is_not_private(void **state)
{
	(void)state;
	char actl[64], apub[64], tpub[64], tctl[64], log[128];
	snprintf(actl, sizeof(actl), "ipc://@vagus-test-%d-ctl", (int)getpid());
	snprintf(apub, sizeof(apub), "ipc://@vagus-test-%d-pub", (int)getpid());
	snprintf(tpub, sizeof(tpub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(tctl, sizeof(tctl), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(log, sizeof(log), "%s/abstract.log", dir);
	/* refused for ctl and for pub, naming the reason */
	char *a1[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", tpub, "--ctl", actl, NULL };
	assert_int_equal(vgt_wait(vgt_spawn(a1, log), 5000), 1);
	assert_true(log_has(log, "abstract ipc socket has no file permissions"));
	char *a2[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", apub, "--ctl", tctl, NULL };
	assert_int_equal(vgt_wait(vgt_spawn(a2, log), 5000), 1);
	assert_true(log_has(log, apub));
	/* and by vagus-hub */
	char *a3[] = { (char *)vgt_bin("vagus-hub"), "--sub", tpub, "--pub", apub, NULL };
	assert_int_equal(vgt_wait(vgt_spawn(a3, log), 5000), 1);
	assert_true(log_has(log, "abstract ipc"));

	if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
		print_message("not root or no setpriv: the other-uid part is skipped\n");
		return;
	}
	/* --insecure: the operator's choice, and nobody can indeed connect
	 * (the reason abstract ipc is not private) */
	char *a4[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--pub", tpub, "--ctl", actl,
		       "--insecure", NULL };
	pid_t p = vgt_spawn(a4, log);
	assert_int_equal(ping_root(actl), 0);
	char *ping[] = { (char *)vgt_bin("vagusctl"), "--ctl", actl, "--timeout", "1500",
			 "ping", NULL };
	int nobody_rc = run_as_nobody(ping);
	assert_int_equal(vgt_stop(p, 3000), 0);
	assert_true(log_has(log, "reachable from every local user"));
	if (nobody_rc != 0) {
		print_message("user nobody cannot run vagusctl here (rc %d): skipped\n",
			      nobody_rc);
		return;
	}
	/* with CURVE the abstract endpoint is allowed, and nobody (no key)
	 * is refused while the console key works */
	if (!zmq_has("curve"))
		return;
	struct pair srv, con;
	zmq_curve_keypair(srv.pub, srv.sec);
	zmq_curve_keypair(con.pub, con.sec);
	char keyf[128], conf[128], cfg[128], text[1024];
	snprintf(keyf, sizeof(keyf), "%s/abs-server.key", dir);
	snprintf(text, sizeof(text), "public = %s\nsecret = %s\n", srv.pub, srv.sec);
	write_file(keyf, text);
	snprintf(conf, sizeof(conf), "%s/abs-console.key", dir);
	snprintf(text, sizeof(text), "public = %s\nsecret = %s\n", con.pub, con.sec);
	write_file(conf, text);
	snprintf(cfg, sizeof(cfg), "%s/abs.conf", dir);
	snprintf(text, sizeof(text), "[security]\nsecret_key_file = %s\n[client t]\n"
		 "public_key = %s\nrole = console\n", keyf, con.pub);
	write_file(cfg, text);
	char *a5[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--config", cfg, "--pub", apub, "--ctl",
		       actl, NULL };
	p = vgt_spawn(a5, log);
	setenv("VAGUS_SERVER_KEY", srv.pub, 1);
	setenv("VAGUS_KEY_FILE", conf, 1);
	int root_rc = ping_root(actl);
	unsetenv("VAGUS_SERVER_KEY");
	unsetenv("VAGUS_KEY_FILE");
	nobody_rc = run_as_nobody(ping);
	assert_int_equal(vgt_stop(p, 3000), 0);
	assert_int_equal(root_rc, 0);
	assert_int_not_equal(nobody_rc, 0);
}

/* A client retrying with an unknown key makes one log line and a count,
 * not one line per handshake. */
static void refused_handshakes_are_summarised(void **state)
{
	(void)state;
	if (!zmq_has("curve"))
		skip();
	struct pair srv, stranger;
	zmq_curve_keypair(srv.pub, srv.sec);
	zmq_curve_keypair(stranger.pub, stranger.sec);
	char keyf[128], cfg[128], text[1024], log[128];
	snprintf(keyf, sizeof(keyf), "%s/flood-server.key", dir);
	snprintf(text, sizeof(text), "public = %s\nsecret = %s\n", srv.pub, srv.sec);
	write_file(keyf, text);
	snprintf(cfg, sizeof(cfg), "%s/flood.conf", dir);
	snprintf(text, sizeof(text), "[security]\nsecret_key_file = %s\n", keyf);
	write_file(cfg, text);
	snprintf(log, sizeof(log), "%s", vgt_log("flood"));
	char pub[64], ctl[64];
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--config", cfg,
			 "--pub", pub, "--ctl", ctl, NULL };
	pid_t p = vgt_spawn(argv, log);
	for (int i = 0; i < 100 && !log_has(log, "publishing on"); i++) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	assert_true(log_has(log, "publishing on"));
	/* 20 clients with an unknown key, each retrying its handshake */
	void *ctx = zmq_ctx_new();
	enum { NCLI = 20 };
	void *cli[NCLI];
	zmq_pollitem_t items[NCLI];
	for (int i = 0; i < NCLI; i++) {
		cli[i] = client(ctx, ZMQ_REQ, ctl, &stranger, srv.pub);
		assert_int_equal(zmq_send(cli[i], "{\"cmd\":\"ping\"}", 14, 0), 14);
		items[i] = (zmq_pollitem_t){ cli[i], 0, ZMQ_POLLIN, 0 };
	}
	int answered = zmq_poll(items, NCLI, 1000);
	for (int i = 0; i < NCLI; i++)
		zmq_close(cli[i]);
	zmq_ctx_term(ctx);
	assert_int_equal(vgt_stop(p, 3000), 0);
	assert_int_equal(answered, 0);
	int lines = count_in_log(log, "refused a");
	int summaries = count_in_log(log, "more client handshake(s)");
	if (lines != 1 || summaries != 1)
		fail_msg("%d refusal line(s), %d summaries for %d refused clients", lines,
			 summaries, NCLI);
	assert_true(log_has(log, "unknown key"));
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
		/* issue 15 item 8 */
		{ "[daemon]\nstall_timeout = 0x10\n",
		  ":2: [daemon] stall_timeout: not a number (decimal only)" },
		{ "[daemon]\nroom = a\n\n  [source]\nspec = sim\n", ":4: indented section header" },
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

/* issue 15 item 3: with a BOM before "[source]" on line 1 the spec went to
 * sources[-1], over the endpoint and insecure fields. Through the daemon:
 * the BOM file's [source] and [daemon] values are the ones in use. */
static void bom_config_keeps_its_values(void **state)
{
	(void)state;
	char cfg[128], text[512], ctl[64], pub[64], log[128];
	snprintf(pub, sizeof(pub), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(cfg, sizeof(cfg), "%s/bom.conf", dir);
	snprintf(text, sizeof(text), "\xEF\xBB\xBF[source]\nspec = sim,seed=7\n"
		 "[daemon]\npub = %s\nctl = %s\nroom = bom-room\n", pub, ctl);
	write_file(cfg, text);
	snprintf(log, sizeof(log), "%s/bom.log", dir);
	char *argv[] = { (char *)vgt_bin("vagusd"), "--config", cfg, NULL };
	pid_t p = vgt_spawn(argv, log);
	assert_int_equal(ping_root(ctl), 0);
	char out[128];
	snprintf(out, sizeof(out), "%s/bom-sources.txt", dir);
	char *q[] = { (char *)vgt_bin("vagusctl"), "--json", "--ctl", ctl, "config", NULL };
	assert_int_equal(vgt_wait(vgt_spawn(q, out), 5000), 0);
	assert_int_equal(vgt_stop(p, 3000), 0);
	if (!log_has(out, "\"sources\":[\"sim,seed=7\"]") || !log_has(out, "bom-room"))
		fail_msg("the BOM file's [source] or room was lost (see %s)", out);
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
		cmocka_unit_test(abstract_ipc_is_not_private),
		cmocka_unit_test(refused_handshakes_are_summarised),
		cmocka_unit_test(bom_config_keeps_its_values),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
