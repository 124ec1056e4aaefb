/*
 * security.h - who may connect to vagusd (this is health data).
 *
 * Problem: HRV, EMG and session notes are health data; the daemon must not
 * expose them beyond the machine by accident, and must let an observer
 * (dashboard) watch without letting it steer a session.
 * Approach: endpoints that are not loopback or ipc require ZeroMQ CURVE
 * (libzmq with libsodium) unless the operator says --insecure. With a
 * secret key configured, both sockets are CURVE servers with ZAP domains
 * "pub" and "ctl"; a ZAP handler (RFC 27) admits only allowlisted client
 * public keys: role observer on "pub", role console on both. ipc socket
 * files get mode 0660 (group access for the console's user); abstract
 * ipc sockets (no file) count as non-local. Refused handshakes are logged
 * once, then summarised at most once a minute.
 * Limits: the allowlist is fixed at start; no key revocation at run time.
 */
#ifndef SECURITY_H
#define SECURITY_H

#include "config.h"
#include "loop.h"

struct sec;

/* The one "is this endpoint private" rule (pub, ctl, vagus-hub): 1 for
 * ipc:///PATH (a socket file, mode 0660), inproc://, and tcp:// on
 * 127.0.0.0/8, localhost, [::1]; 0 otherwise. An abstract-namespace
 * ipc://@NAME is not private: it has no file permissions, so any local user
 * can connect; it needs CURVE or --insecure like a network endpoint. */
int sec_endpoint_is_local(const char *endpoint);
int sec_endpoint_is_abstract(const char *endpoint);
/* Check the endpoints against the policy: VG_ERR_SECURITY (logged) when a
 * non-local endpoint has no CURVE key and insecure is 0. */
int sec_check_policy(const char *const *endpoints, int n, int have_key,
		     int insecure);
/* Load the daemon key and start the ZAP handler on zctx. */
struct sec *sec_new(void *zctx, const char *secret_key_file,
		    const struct config_client *clients, int nclients, int *err);
void sec_destroy(struct sec **s);
/* Make sock a CURVE server in ZAP domain (before bind). sec may be NULL
 * (no security: does nothing). */
int sec_apply(const struct sec *s, void *sock, const char *domain);
/* After bind: chmod ipc socket files to 0660. */
void sec_after_bind(const char *endpoint);
struct loop_poller sec_poller(struct sec *s);
const char *sec_public_key(const struct sec *s);
uint64_t sec_denied(const struct sec *s);

#endif
