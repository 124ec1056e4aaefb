/*
 * keys.h - CURVE key files shared by vagusd and every client tool.
 *
 * Format (what `vagusctl keygen` writes; '#' starts a comment):
 *     public = <40-character Z85 key>
 *     secret = <40-character Z85 key>
 * The daemon reads its own pair from [security] secret_key_file. A client
 * uses CURVE when VAGUS_SERVER_KEY (the daemon's public key, Z85) is set,
 * with its own pair from the file named by VAGUS_KEY_FILE.
 * Limits: keys are kept in memory as Z85 text; files should be 0600.
 */
#ifndef PROTO_KEYS_H
#define PROTO_KEYS_H

#include <stddef.h>

#define PROTO_KEY_Z85 41 /* 40 characters + NUL */

/* Load a key file; public_z85 may be derived from the secret when the file
 * has only "secret". 0, VG_ERR_NOTFOUND, VG_ERR_PARSE (with a reason in
 * err) or VG_ERR_NOTSUP (libzmq without CURVE). */
int proto_key_load(const char *path, char public_z85[PROTO_KEY_Z85],
		   char secret_z85[PROTO_KEY_Z85], char *err, size_t errcap);
/* 1 if s is a 40-character Z85 string. */
int proto_key_valid(const char *s);
/* Apply client-side CURVE options from the environment to a ZeroMQ socket
 * before connect. 0 (also when the environment asks for none) or a
 * negative VG_ERR_* with a message on stderr. */
int proto_key_client_setup(void *zsock);

#endif
