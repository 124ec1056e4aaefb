/*
 * control.h - the control channel's request schema and parser.
 *
 * Problem: the control channel takes JSON from the network (consoles,
 * vagusctl, scripts); requests may be malformed, oversize, of unknown kind
 * or carry wrong types, and each must get a precise error while the daemon
 * carries on.
 * Approach: one table of commands, each with its arguments (JSON name, type,
 * required or not, range); ctl_parse() validates a request against it into
 * a flat struct ctl_request and writes a human-readable error otherwise.
 * Requests look like {"cmd": "mark", "label": "deep pressure", ...};
 * replies are {"ok": true, ...} or {"ok": false, "error": "..."}.
 * Limits: CTL_REQ_MAX bytes per request; flat arguments only.
 */
#ifndef PROTO_CONTROL_H
#define PROTO_CONTROL_H

#include <stddef.h>

#define CTL_REQ_MAX 4096

enum ctl_cmd {
	CTL_PING = 0,
	CTL_STATUS,
	CTL_SOURCES,
	CTL_SESSION_START,
	CTL_SESSION_STOP,
	CTL_MARK,
	CTL_BASELINE_START,
	CTL_CALIBRATE,
	CTL_PACER_SET,
	CTL_CONFIG_GET,
	CTL_HOLD_START,
	CTL_HOLD_STOP,
	CTL_PROFILE_SET,
	CTL_NCMDS
};

struct ctl_request {
	enum ctl_cmd cmd;
	char client[64];      /* session.start: client name or pseudonym */
	char technique[64];   /* session.start, hold.start: e.g. trigger_point */
	char notes[512];      /* session.start */
	char label[128];      /* mark: what the therapist did */
	char region[64];      /* mark, hold.start: body region / muscle */
	char pressure[32];    /* mark: light|medium|deep or a number 0..10 */
	double seconds;       /* baseline.start, calibrate: duration, s */
	int channel;          /* calibrate: EMG channel */
	char kind[16];        /* calibrate: rest|reference */
	char pattern[32];     /* pacer.set: 4-2-6, resonance, custom, follow, adaptive, off */
	double inhale_s, hold_in_s, exhale_s, hold_out_s; /* pacer.set custom */
	double target_bpm;    /* pacer.set follow: target breaths/min */
	char profile[32];     /* profile.set, session.start: standard|sensitive|flare */
};

/* Name of a command ("session.start"), or NULL. */
const char *ctl_cmd_name(enum ctl_cmd c);

/* Parse and validate one request (len bytes, need not be NUL-terminated).
 * Returns 0 and fills *req (absent numbers are NAN, absent strings "", absent
 * channel -1), or VG_ERR_PARSE / VG_ERR_INVAL / VG_ERR_TRUNC /
 * VG_ERR_NOTFOUND with a one-line explanation in err. */
int ctl_parse(const char *json, size_t len, struct ctl_request *req, char *err,
	      size_t errcap);

/* A usage line per command for vagusctl --help and PROTOCOL.md. */
const char *ctl_cmd_usage(enum ctl_cmd c);

#endif
