/*
 * keys.c - CURVE key files and client setup (see keys.h).
 */
#include "keys.h"
#include "vg_err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int proto_key_valid(const char *s)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				  "OPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	if (!s || strlen(s) != 40)
		return 0;
	for (; *s; s++)
		if (!strchr(z85, *s))
			return 0;
	return 1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

int proto_key_load(const char *path, char public_z85[PROTO_KEY_Z85],
		   char secret_z85[PROTO_KEY_Z85], char *err, size_t errcap)
{
	public_z85[0] = secret_z85[0] = '\0';
	if (!zmq_has("curve")) {
		snprintf(err, errcap, "libzmq was built without CURVE");
		return VG_ERR_NOTSUP;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return VG_ERR_NOTFOUND;
	}
	char line[256];
	int n = 0, rc = VG_OK;
	while (rc == VG_OK && fgets(line, sizeof(line), f)) {
		n++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errcap, "%s:%d: want 'public = KEY' or 'secret = KEY'",
				 path, n);
			rc = VG_ERR_PARSE;
			break;
		}
		*eq = '\0';
		char *k = trim(s), *v = trim(eq + 1);
		char *dst = !strcmp(k, "public") ? public_z85
			    : !strcmp(k, "secret") ? secret_z85 : NULL;
		if (!dst || !proto_key_valid(v)) {
			snprintf(err, errcap, "%s:%d: %s", path, n,
				 dst ? "not a 40-character Z85 key" : "unknown key name");
			rc = VG_ERR_PARSE;
			break;
		}
		strcpy(dst, v);
	}
	fclose(f);
	if (rc == VG_OK && !secret_z85[0]) {
		snprintf(err, errcap, "%s: no 'secret = KEY' line", path);
		rc = VG_ERR_PARSE;
	}
	if (rc == VG_OK && !public_z85[0] && zmq_curve_public(public_z85, secret_z85)) {
		snprintf(err, errcap, "%s: cannot derive the public key", path);
		rc = VG_ERR_PARSE;
	}
	return rc;
}

int proto_key_client_setup(void *zsock)
{
	const char *server = getenv("VAGUS_SERVER_KEY");
	if (!server || !*server)
		return VG_OK;
	if (!proto_key_valid(server)) {
		fprintf(stderr, "VAGUS_SERVER_KEY is not a 40-character Z85 key\n");
		return VG_ERR_INVAL;
	}
	const char *file = getenv("VAGUS_KEY_FILE");
	if (!file || !*file) {
		fprintf(stderr, "VAGUS_SERVER_KEY is set but VAGUS_KEY_FILE is not\n");
		return VG_ERR_INVAL;
	}
	char pub[PROTO_KEY_Z85], sec[PROTO_KEY_Z85], err[256];
	int rc = proto_key_load(file, pub, sec, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return rc;
	}
	if (zmq_setsockopt(zsock, ZMQ_CURVE_SERVERKEY, server, 40) ||
	    zmq_setsockopt(zsock, ZMQ_CURVE_PUBLICKEY, pub, 40) ||
	    zmq_setsockopt(zsock, ZMQ_CURVE_SECRETKEY, sec, 40))
		return VG_ERR_INVAL;
	return VG_OK;
}
