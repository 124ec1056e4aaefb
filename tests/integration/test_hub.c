/*
 * test_hub.c - vagus-hub aggregates rooms: two vagusd (simulator, --room a
 * and --room b), one hub connected to both, one subscriber on the hub.
 *
 * Checks: the subscriber receives `status` from both daemons through the
 * hub, each with its own `room` (decoded by proto_decode) and with
 * contiguous per-room seq; a subscription for `status` only brings no
 * other topic (subscriptions travel upstream through the proxy); the hub
 * stops cleanly (exit 0) on SIGTERM; a non-loopback --pub without
 * --insecure is refused at start (exit 1) and allowed with --insecure;
 * with --config (CURVE, one allowlisted observer key) the allowlisted
 * subscriber gets the rooms' messages and an unknown key gets nothing.
 * Runs in about 10 s.
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

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_PER_ROOM 3 /* status is 1 Hz */

static pid_t start_daemon(const char *room, char *pub, size_t cap)
{
	char ctl[64];
	snprintf(pub, cap, "tcp://127.0.0.1:%d", vgt_free_port());
	snprintf(ctl, sizeof(ctl), "tcp://127.0.0.1:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagusd"), "--source", "sim", "--speed", "5",
			 "--room", (char *)room, "--pub", pub, "--ctl", ctl,
			 "--log-level", "warn", NULL };
	return vgt_spawn(argv, NULL);
}

static void hub_merges_rooms(void **state)
{
	(void)state;
	char pa[64], pb[64], hub_ep[64];
	pid_t a = start_daemon("a", pa, sizeof(pa));
	pid_t b = start_daemon("b", pb, sizeof(pb));
	assert_true(a > 0 && b > 0);
	snprintf(hub_ep, sizeof(hub_ep), "tcp://127.0.0.1:%d", vgt_free_port());
	char *hargv[] = { (char *)vgt_bin("vagus-hub"), "--sub", pa, "--sub", pb,
			  "--pub", hub_ep, "--log-level", "warn", NULL };
	pid_t h = vgt_spawn(hargv, NULL);
	assert_true(h > 0);

	const char *topics[] = { "status" };
	int err = 0;
	struct proto_sub *sub = proto_sub_new(hub_ep, topics, 1, &err);
	assert_non_null(sub);
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	int got[2] = { 0, 0 }, others = 0, bad_room = 0;
	uint64_t last_seq[2] = { 0, 0 };
	int seq_gaps = 0;
	double end = vgt_now() + 10.0;
	while (vgt_now() < end && (got[0] < STATUS_PER_ROOM || got[1] < STATUS_PER_ROOM)) {
		int n = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 200);
		if (n <= 0)
			continue;
		struct proto_header hd;
		const struct proto_topic *t;
		assert_int_equal(proto_decode(json, (size_t)n, &hd, &t, NULL, 0), VG_OK);
		if (strcmp(hd.topic, "status") != 0) {
			others++;
			continue;
		}
		int r = !strcmp(hd.room, "a") ? 0 : !strcmp(hd.room, "b") ? 1 : -1;
		if (r < 0) {
			bad_room++;
			continue;
		}
		if (got[r] && hd.seq != last_seq[r] + 1)
			seq_gaps++;
		last_seq[r] = hd.seq;
		got[r]++;
	}
	proto_sub_destroy(&sub);
	printf("status via hub: room a %d, room b %d, other topics %d, "
	       "unknown room %d, seq gaps %d\n", got[0], got[1], others, bad_room,
	       seq_gaps);
	int hub_status = vgt_stop(h, 3000);
	vgt_stop(a, 3000);
	vgt_stop(b, 3000);
	assert_true(got[0] >= STATUS_PER_ROOM);
	assert_true(got[1] >= STATUS_PER_ROOM);
	assert_int_equal(others, 0);
	assert_int_equal(bad_room, 0);
	assert_int_equal(seq_gaps, 0);
	assert_true(WIFEXITED(hub_status));
	assert_int_equal(WEXITSTATUS(hub_status), 0);
}

static void hub_refuses_open_bind(void **state)
{
	(void)state;
	char ep[64];
	snprintf(ep, sizeof(ep), "tcp://0.0.0.0:%d", vgt_free_port());
	char *argv[] = { (char *)vgt_bin("vagus-hub"), "--sub", "tcp://127.0.0.1:9",
			 "--pub", ep, "--log-level", "err", NULL };
	pid_t h = vgt_spawn(argv, "/dev/null");
	assert_true(h > 0);
	assert_int_equal(vgt_wait(h, 3000), 1);

	/* --insecure: starts (and keeps running until stopped) */
	char *argv2[] = { (char *)vgt_bin("vagus-hub"), "--sub", "tcp://127.0.0.1:9",
			  "--pub", ep, "--insecure", "--log-level", "err", NULL };
	h = vgt_spawn(argv2, "/dev/null");
	assert_true(h > 0);
	assert_int_equal(vgt_wait(h, 500), -2); /* still running: killed */
}

static void hub_usage_errors(void **state)
{
	(void)state;
	char *none[] = { (char *)vgt_bin("vagus-hub"), NULL };
	pid_t h = vgt_spawn(none, "/dev/null");
	assert_true(h > 0);
	assert_int_equal(vgt_wait(h, 3000), 2);
	char *bad[] = { (char *)vgt_bin("vagus-hub"), "--sub", "nonsense://x",
			"--log-level", "err", NULL };
	h = vgt_spawn(bad, "/dev/null");
	assert_true(h > 0);
	assert_int_equal(vgt_wait(h, 3000), 1);
}

/* Write a key pair with `vagusctl keygen`; public key (Z85) into pub. */
static void keygen(const char *path, char pub[64])
{
	char *argv[] = { (char *)vgt_bin("vagusctl"), "keygen", NULL };
	pid_t p = vgt_spawn(argv, path);
	assert_true(p > 0);
	assert_int_equal(vgt_wait(p, 5000), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256];
	pub[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "public = %63s", pub) == 1)
			break;
	fclose(f);
	assert_int_equal(strlen(pub), 40);
}

/* Count status messages received within seconds with the given client key. */
static int status_with_key(const char *ep, const char *server_pub,
			   const char *key_file, double seconds)
{
	setenv("VAGUS_SERVER_KEY", server_pub, 1);
	setenv("VAGUS_KEY_FILE", key_file, 1);
	const char *topics[] = { "status" };
	int err = 0, got = 0;
	struct proto_sub *sub = proto_sub_new(ep, topics, 1, &err);
	unsetenv("VAGUS_SERVER_KEY");
	unsetenv("VAGUS_KEY_FILE");
	assert_non_null(sub);
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	double end = vgt_now() + seconds;
	while (vgt_now() < end && got < 2)
		if (proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 100) > 0 &&
		    strstr(json, "\"room\":\"c\""))
			got++;
	proto_sub_destroy(&sub);
	return got;
}

static void hub_curve_allowlist(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_hub_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char hub_key[96], dash_key[96], other_key[96], conf[96];
	char hub_pub[64], dash_pub[64], other_pub[64];
	snprintf(hub_key, sizeof(hub_key), "%s/hub.key", dir);
	snprintf(dash_key, sizeof(dash_key), "%s/dash.key", dir);
	snprintf(other_key, sizeof(other_key), "%s/other.key", dir);
	snprintf(conf, sizeof(conf), "%s/hub.conf", dir);
	keygen(hub_key, hub_pub);
	keygen(dash_key, dash_pub);
	keygen(other_key, other_pub);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[security]\nsecret_key_file = %s\n[client dash]\npublic_key = %s\n"
		"role = observer\n", hub_key, dash_pub);
	fclose(f);

	char pd[64], hub_ep[64];
	pid_t d = start_daemon("c", pd, sizeof(pd));
	assert_true(d > 0);
	snprintf(hub_ep, sizeof(hub_ep), "tcp://127.0.0.1:%d", vgt_free_port());
	char *hargv[] = { (char *)vgt_bin("vagus-hub"), "--sub", pd, "--pub", hub_ep,
			  "--config", conf, "--log-level", "err", NULL };
	pid_t h = vgt_spawn(hargv, NULL);
	assert_true(h > 0);
	int allowed = status_with_key(hub_ep, hub_pub, dash_key, 5.0);
	int refused = status_with_key(hub_ep, hub_pub, other_key, 2.5);
	printf("CURVE hub: allowlisted key got %d status, unknown key got %d\n",
	       allowed, refused);
	int hub_status = vgt_stop(h, 3000);
	vgt_stop(d, 3000);
	const char *files[] = { hub_key, dash_key, other_key, conf };
	for (int i = 0; i < 4; i++)
		unlink(files[i]);
	rmdir(dir);
	assert_true(allowed >= 1);
	assert_int_equal(refused, 0);
	assert_true(WIFEXITED(hub_status) && WEXITSTATUS(hub_status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hub_merges_rooms),
		cmocka_unit_test(hub_refuses_open_bind),
		cmocka_unit_test(hub_usage_errors),
		cmocka_unit_test(hub_curve_allowlist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
