/*
 * proto.h - the vagus wire schema: topics, fields, encoder and decoder.
 *
 * Problem: the daemon publishes and every tool reads the same messages;
 * field names, units and number formats must be defined once, checked by
 * tests against PROTOCOL.md, and encoded without allocation.
 * Approach: one table (schema.c) lists every topic with its fields: JSON
 * name, C type, offset in the C struct the analysis or daemon fills, number
 * of decimals, unit and a one-line description. proto_encode() writes a
 * message as one JSON object into a caller's buffer (no malloc; NAN and
 * infinities become null); proto_decode() reads one back into the struct
 * (cJSON). On ZeroMQ a message is two frames: the topic, then the JSON.
 * Every object starts with "topic", "v" (PROTO_VERSION), "seq" (per-topic
 * counter) and "t_ns" (event time, ns since the Unix epoch, sample clock),
 * plus "room" when the daemon has one configured.
 * Limits: flat objects; arrays only as pre-encoded JSON (PF_RAW) or flag
 * lists (PF_FLAGS).
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MSG_MAX 8192 /* largest encoded message, bytes */

enum proto_ftype {
	PF_I64,   /* int64_t */
	PF_U64,   /* uint64_t */
	PF_INT,   /* int */
	PF_DBL,   /* double; NAN -> null */
	PF_STR,   /* char[size], NUL-terminated */
	PF_BOOL,  /* int, 0/1 -> false/true */
	PF_ENUM,  /* int index into names[] -> string */
	PF_FLAGS, /* unsigned bit set -> array of names[bit] strings */
	PF_RAW,   /* char[size] holding a JSON value, copied verbatim ("" -> null) */
	PF_CSTR   /* const char * (may be NULL -> null); encode only */
};

struct proto_field {
	const char *name;      /* JSON key */
	enum proto_ftype type;
	size_t offset;         /* offsetof in the topic's struct */
	size_t size;           /* PF_STR / PF_RAW capacity */
	int decimals;          /* PF_DBL: digits after the point */
	const char *unit;      /* "ms", "bpm", "uV", "" */
	const char *const *names; /* PF_ENUM / PF_FLAGS names (NULL-terminated) */
	const char *doc;       /* one line for PROTOCOL.md */
};

struct proto_topic {
	const char *name;       /* ZeroMQ topic frame and "topic" value */
	size_t struct_size;     /* size of the C struct */
	size_t t_ns_offset;     /* offset of the int64_t event time in it */
	const struct proto_field *fields;
	size_t nfields;
	const char *doc;
};

/* The table. proto_topics() is NULL-terminated. */
const struct proto_topic *const *proto_topics(void);
const struct proto_topic *proto_topic_find(const char *name);

/* Encode msg (a struct of the topic's type) with header seq and optional
 * room (NULL = none). Returns the JSON length (< cap, NUL-terminated) or
 * VG_ERR_TRUNC / VG_ERR_INVAL. */
int proto_encode(const struct proto_topic *t, uint64_t seq, const char *room,
		 const void *msg, char *buf, size_t cap);

/* Copy s into out as the inside of a JSON string (escaped, no quotes),
 * truncating to fit; returns out. */
char *proto_json_escape(const char *s, char *out, size_t cap);

/* Header fields every message has. */
struct proto_header {
	char topic[32];
	int v;
	uint64_t seq;
	int64_t t_ns;
	char room[64];
};

/* Decode JSON (len bytes, need not be NUL-terminated) into *hdr and, when
 * msg is not NULL and the topic is known, into msg (struct of the topic,
 * zeroed first; absent or null doubles become NAN). *topic_out gets the
 * topic entry or NULL for an unknown topic (still 0 with the header filled).
 * Returns 0, VG_ERR_PARSE (not JSON / no header) or VG_ERR_INVAL (a field
 * has the wrong type). */
int proto_decode(const char *json, size_t len, struct proto_header *hdr,
		 const struct proto_topic **topic_out, void *msg, size_t msg_size);

/* ----------------------------------------------------------- messages the
 * daemon itself defines (analysis results are described in schema.c). */

/* `status`, 1 Hz. */
struct proto_status {
	int64_t t_ns;
	char version[16];       /* vagusd version */
	double uptime_s;
	char sources[4096];     /* JSON array of source objects (PF_RAW) */
	uint64_t dropped_samples;
	char pub_endpoint[128];
	char ctl_endpoint[128];
	int subscribers;        /* subscriptions seen on the PUB socket */
	char session[96];       /* current session id, "" = none */
	int recording;          /* 1 = the session is being recorded to disk */
	char record_path[512];  /* recording's base path (no extension), "" = none */
	int simulated;          /* 1 = some source is simulated (sim or emulator) */
	double session_elapsed_s; /* signal time since session.start, s (NAN = none) */
	char record_note[256];  /* plain words: where sessions are recorded, or why not */
};

/* `event`: something happened (session, marks, sources, recording). */
struct proto_event {
	int64_t t_ns;
	char kind[32];          /* e.g. "source.connected", "session.start" */
	char source[64];        /* source name, "" = n/a */
	char detail[1024];      /* human-readable text */
	char data[2048];        /* JSON object with details (PF_RAW), "" = none */
};

#endif
