/*
 * vagusctl - command-line client of vagusd's control channel.
 *
 * usage: vagusctl [--ctl ENDPOINT] [--timeout MS] COMMAND [ARG] [--FIELD VALUE]...
 *   ping | status | sources | config
 *   session start --client C [--technique T] [--notes N] | session stop
 *   mark "LABEL" [--region R] [--pressure light|medium|deep|0..10]
 *   baseline [--seconds S]
 *   calibrate --channel N --kind rest|reference [--seconds S]
 *   pacer PATTERN [--inhale_s S --hold_in_s S --exhale_s S --hold_out_s S] [--target_bpm B]
 *   hold start --technique T [--region R] | hold stop
 *   profile standard|sensitive|flare
 *   raw JSON                      send a request as is
 *   keygen                        print a new CURVE key pair (key file format)
 *   repair FILE.edf...            make recordings left by a crash open again
 * Prints the daemon's JSON reply. Exit status: 0 ok, 1 the daemon refused
 * (reply has "error"), 2 usage, 3 daemon unreachable or no reply in time.
 * --FIELD names are the request's JSON fields (PROTOCOL.md, "Control").
 */
#include "client.h"
#include "control.h"
#include "record.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static const struct {
	const char *word, *sub; /* "session", "start" */
	const char *cmd;        /* request name */
	const char *positional; /* field for the one positional argument */
} verbs[] = {
	{ "ping", NULL, "ping", NULL },
	{ "status", NULL, "status", NULL },
	{ "sources", NULL, "sources", NULL },
	{ "config", NULL, "config.get", NULL },
	{ "session", "start", "session.start", NULL },
	{ "session", "stop", "session.stop", NULL },
	{ "mark", NULL, "mark", "label" },
	{ "baseline", NULL, "baseline.start", NULL },
	{ "calibrate", NULL, "calibrate", NULL },
	{ "pacer", NULL, "pacer.set", "pattern" },
	{ "hold", "start", "hold.start", NULL },
	{ "hold", "stop", "hold.stop", NULL },
	{ "profile", NULL, "profile.set", "profile" },
};

static const char *const numeric[] = { "seconds", "channel", "inhale_s", "hold_in_s",
				       "exhale_s", "hold_out_s", "target_bpm", NULL };

static int usage(FILE *f)
{
	fprintf(f,
		"usage: vagusctl [--ctl ENDPOINT] [--timeout MS] COMMAND [ARG] [--FIELD VALUE]...\n"
		"  ping | status | sources | config\n"
		"  session start --client C [--technique T] [--notes N] | session stop\n"
		"  mark \"LABEL\" [--region R] [--pressure light|medium|deep|0..10]\n"
		"  baseline [--seconds S]\n"
		"  calibrate --channel N --kind rest|reference [--seconds S]\n"
		"  pacer 4-2-6|resonance|custom|follow|adaptive|off [--inhale_s S ...] [--target_bpm B]\n"
		"  hold start --technique T [--region R] | hold stop\n"
		"  profile standard|sensitive|flare\n"
		"  raw JSON\n"
		"  keygen                 print a new CURVE key pair (save it 0600)\n"
		"  repair FILE.edf...     make recordings left by a crash (kill -9, power) open again\n"
		"CURVE: set VAGUS_SERVER_KEY (the daemon's public key) and VAGUS_KEY_FILE.\n");
	return f == stdout ? 0 : 2;
}

static int is_numeric(const char *field)
{
	for (int i = 0; numeric[i]; i++)
		if (!strcmp(numeric[i], field))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *ep = "tcp://127.0.0.1:5561";
	int timeout_ms = 3000, i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--help"))
			return usage(stdout);
		if (i + 1 >= argc)
			return usage(stderr);
		if (!strcmp(argv[i], "--ctl"))
			ep = argv[i + 1];
		else if (!strcmp(argv[i], "--timeout"))
			timeout_ms = atoi(argv[i + 1]);
		else
			return usage(stderr);
	}
	if (i >= argc)
		return usage(stderr);
	char *text = NULL;
	if (!strcmp(argv[i], "keygen")) {
		char pub[41], sec[41];
		if (zmq_curve_keypair(pub, sec) != 0) {
			fprintf(stderr, "vagusctl: libzmq has no CURVE support\n");
			return 1;
		}
		printf("# vagus CURVE key pair: give 'public' to the other side, keep "
		       "this file private (chmod 600)\npublic = %s\nsecret = %s\n", pub, sec);
		return 0;
	}
	if (!strcmp(argv[i], "repair")) {
		if (i + 1 >= argc)
			return usage(stderr);
		int rc = 0;
		for (int k = i + 1; k < argc; k++) {
			int changed = 0, e = rec_repair(argv[k], &changed);
			if (e < 0) {
				printf("%s: %s\n", argv[k], vg_strerror(e));
				rc = 1;
			} else {
				printf("%s: %s\n", argv[k], changed ? "repaired" : "whole");
			}
		}
		return rc;
	}
	if (!strcmp(argv[i], "raw")) {
		if (i + 1 >= argc)
			return usage(stderr);
		text = strdup(argv[i + 1]);
	} else {
		int v = -1;
		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]) && v < 0; k++) {
			if (strcmp(verbs[k].word, argv[i]))
				continue;
			if (verbs[k].sub && (i + 1 >= argc || strcmp(verbs[k].sub, argv[i + 1])))
				continue;
			v = (int)k;
		}
		if (v < 0) {
			fprintf(stderr, "vagusctl: unknown command '%s'\n", argv[i]);
			return usage(stderr);
		}
		i += verbs[v].sub ? 2 : 1;
		cJSON *req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "cmd", verbs[v].cmd);
		if (verbs[v].positional && i < argc && strncmp(argv[i], "--", 2))
			cJSON_AddStringToObject(req, verbs[v].positional, argv[i++]);
		for (; i < argc; i += 2) {
			if (strncmp(argv[i], "--", 2) || i + 1 >= argc) {
				cJSON_Delete(req);
				return usage(stderr);
			}
			const char *field = argv[i] + 2;
			if (is_numeric(field)) {
				char *end;
				double x = strtod(argv[i + 1], &end);
				if (*end) {
					fprintf(stderr, "vagusctl: --%s wants a number\n", field);
					cJSON_Delete(req);
					return 2;
				}
				cJSON_AddNumberToObject(req, field, x);
			} else {
				cJSON_AddStringToObject(req, field, argv[i + 1]);
			}
		}
		text = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
	}
	if (!text)
		return 2;
	static char reply[65536];
	int n = proto_ctl_request(ep, text, reply, sizeof(reply), timeout_ms);
	free(text);
	if (n < 0) {
		fprintf(stderr, "vagusctl: %s: %s\n", ep, vg_strerror(n));
		return 3;
	}
	puts(reply);
	int ok = 0;
	proto_ctl_reply_parse(reply, (size_t)n, &ok, NULL, 0);
	return ok ? 0 : 1;
}
