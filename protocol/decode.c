/*
 * decode.c - JSON message decoder for tools (see proto.h).
 *
 * Problem: tools (console, tests, hub) receive messages from the network and
 * must read them into the same structs the daemon encoded, tolerating
 * unknown fields (newer daemons) and rejecting malformed input cleanly.
 * Approach: cJSON parses; the topic's field table maps keys into the struct.
 * Unknown keys are ignored; absent or null doubles become NAN; a known key
 * with the wrong JSON type is VG_ERR_INVAL. Input is copied into a bounded
 * buffer so it need not be NUL-terminated.
 * Limits: PROTO_MSG_MAX bytes per message; allocates (cJSON), so it is for
 * tools, not the daemon's per-sample path.
 */
#include "proto.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON number as an integer, range-checked before the conversion (a
 * double outside the target type is undefined behaviour in C: t_ns = 1e89
 * from the network, issue 15). 0, or VG_ERR_RANGE. */
static int dbl_to_i64(double d, int64_t *out)
{
	if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
		return VG_ERR_RANGE; /* also NaN */
	*out = (int64_t)d;
	return VG_OK;
}

static int dbl_to_u64(double d, uint64_t *out)
{
	if (!(d < 18446744073709551616.0))
		return VG_ERR_RANGE;
	*out = d > 0 ? (uint64_t)d : 0;
	return VG_OK;
}

static int decode_field(const struct proto_field *f, const cJSON *j, char *base)
{
	void *p = base + f->offset;
	if (!j || cJSON_IsNull(j)) {
		if (f->type == PF_DBL) {
			double nan = NAN;
			memcpy(p, &nan, sizeof(nan));
		}
		return VG_OK;
	}
	switch (f->type) {
	case PF_I64: case PF_U64: case PF_INT: {
		if (!cJSON_IsNumber(j))
			return VG_ERR_INVAL;
		double d = j->valuedouble;
		if (f->type == PF_I64) {
			int64_t v;
			if (dbl_to_i64(d, &v))
				return VG_ERR_INVAL;
			memcpy(p, &v, sizeof(v));
		} else if (f->type == PF_U64) {
			uint64_t v;
			if (dbl_to_u64(d, &v))
				return VG_ERR_INVAL;
			memcpy(p, &v, sizeof(v));
		} else {
			int v = j->valueint;
			memcpy(p, &v, sizeof(v));
		}
		return VG_OK;
	}
	case PF_DBL: {
		if (!cJSON_IsNumber(j))
			return VG_ERR_INVAL;
		double v = j->valuedouble;
		memcpy(p, &v, sizeof(v));
		return VG_OK;
	}
	case PF_BOOL: {
		if (!cJSON_IsBool(j))
			return VG_ERR_INVAL;
		int v = cJSON_IsTrue(j);
		memcpy(p, &v, sizeof(v));
		return VG_OK;
	}
	case PF_STR:
		if (!cJSON_IsString(j))
			return VG_ERR_INVAL;
		snprintf((char *)p, f->size, "%s", j->valuestring);
		return VG_OK;
	case PF_CSTR:
		return VG_OK; /* encode only */
	case PF_RAW: {
		char *s = cJSON_PrintUnformatted(j);
		if (!s)
			return VG_ERR_NOMEM;
		snprintf((char *)p, f->size, "%s", s);
		cJSON_free(s);
		return VG_OK;
	}
	case PF_ENUM: {
		if (!cJSON_IsString(j))
			return VG_ERR_INVAL;
		for (int i = 0; f->names[i]; i++) {
			if (strcmp(f->names[i], j->valuestring) == 0) {
				memcpy(p, &i, sizeof(i));
				return VG_OK;
			}
		}
		return VG_ERR_INVAL;
	}
	case PF_FLAGS: {
		if (!cJSON_IsArray(j))
			return VG_ERR_INVAL;
		unsigned v = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, j) {
			if (!cJSON_IsString(it))
				return VG_ERR_INVAL;
			for (unsigned b = 0; f->names[b] && b < 32; b++)
				if (strcmp(f->names[b], it->valuestring) == 0)
					v |= 1u << b;
		}
		memcpy(p, &v, sizeof(v));
		return VG_OK;
	}
	}
	return VG_ERR_INVAL;
}

/* The exact integer after "key": in the raw text (cJSON keeps numbers as
 * doubles, which cannot hold nanoseconds since the epoch). */
static int raw_int64(const char *json, size_t len, const char *key, int64_t *out)
{
	char pat[40];
	int n = snprintf(pat, sizeof(pat), "\"%s\":", key);
	if (n <= 0 || (size_t)n >= sizeof(pat))
		return 0;
	const char *end = json + len;
	for (const char *p = json; p + n < end; p++) {
		if (memcmp(p, pat, (size_t)n) != 0)
			continue;
		p += n;
		char num[24];
		size_t k = 0;
		while (p < end && k + 1 < sizeof(num) &&
		       (*p == '-' || (*p >= '0' && *p <= '9')))
			num[k++] = *p++;
		num[k] = '\0';
		if (!k)
			return 0;
		*out = strtoll(num, NULL, 10);
		return 1;
	}
	return 0;
}

int proto_decode(const char *json, size_t len, struct proto_header *hdr,
		 const struct proto_topic **topic_out, void *msg, size_t msg_size)
{
	if (topic_out)
		*topic_out = NULL;
	if (!json || !hdr || len == 0 || len > PROTO_MSG_MAX)
		return VG_ERR_PARSE;
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root)
		return VG_ERR_PARSE;
	int rc = VG_ERR_PARSE;
	memset(hdr, 0, sizeof(*hdr));
	const cJSON *topic = cJSON_GetObjectItemCaseSensitive(root, "topic");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "v");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(root, "seq");
	const cJSON *t_ns = cJSON_GetObjectItemCaseSensitive(root, "t_ns");
	const cJSON *room = cJSON_GetObjectItemCaseSensitive(root, "room");
	if (!cJSON_IsObject(root) || !cJSON_IsString(topic) || !cJSON_IsNumber(v) ||
	    !cJSON_IsNumber(seq) || !cJSON_IsNumber(t_ns))
		goto out;
	snprintf(hdr->topic, sizeof(hdr->topic), "%s", topic->valuestring);
	hdr->v = v->valueint; /* cJSON saturates valueint */
	if (dbl_to_u64(seq->valuedouble, &hdr->seq) ||
	    dbl_to_i64(t_ns->valuedouble, &hdr->t_ns))
		goto out;
	int64_t exact;
	if (raw_int64(json, len, "t_ns", &exact))
		hdr->t_ns = exact;
	if (raw_int64(json, len, "seq", &exact) && exact >= 0)
		hdr->seq = (uint64_t)exact;
	if (cJSON_IsString(room))
		snprintf(hdr->room, sizeof(hdr->room), "%s", room->valuestring);
	const struct proto_topic *t = proto_topic_find(hdr->topic);
	if (topic_out)
		*topic_out = t;
	rc = VG_OK;
	if (!t || !msg)
		goto out;
	if (msg_size < t->struct_size) {
		rc = VG_ERR_INVAL;
		goto out;
	}
	memset(msg, 0, t->struct_size);
	memcpy((char *)msg + t->t_ns_offset, &hdr->t_ns, sizeof(hdr->t_ns));
	for (size_t i = 0; i < t->nfields && rc == VG_OK; i++) {
		const struct proto_field *f = &t->fields[i];
		rc = decode_field(f, cJSON_GetObjectItemCaseSensitive(root, f->name),
				  msg);
	}
out:
	cJSON_Delete(root);
	return rc;
}
