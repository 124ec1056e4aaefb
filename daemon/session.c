/*
 * session.c - sessions of the daemon: start/stop, marks, the session's
 * recording (EDF+ and JSON lines through record.c, fed by taps on the
 * sources and the publisher) and its summary (guide.c) as an event and a
 * Markdown report next to the recording.
 *
 * Problem: a session is what the therapist and the researcher keep: it
 * must be recorded unless recording was turned off on purpose, say so when
 * it cannot be, end properly however the daemon stops, and carry its
 * metadata (client, technique, profile, notes, date, simulated or not).
 * Approach: the recording directory is made usable at start
 * (vagusd_record_dir_ready: created 0700, checked writable); session.start
 * opens the recording first and refuses the session with the reason in
 * words when it cannot; session.stop (and vd_session_close() on signals
 * and teardown) stops the guide, publishes session.stop and
 * session.summary, writes <recording>.summary.md (an error reply when
 * that fails) and closes the recording. Every time is the signal clock
 * (vd_sample_now). A session of beat-only sources (ANT+ straps) records
 * one HR channel (4 Hz, from the beats) so the EDF+ file and its
 * annotations exist.
 * Limits: one session at a time.
 */
#include "vagusd_int.h"
#include "vg_err.h"
#include "vg_log.h"
#include "calm.h"
#include "loop.h"
#include "pipeline.h"
#include "publish.h"
#include "record.h"
#include "source.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HR_RATE_HZ 4.0 /* beat-only sessions: the recorded HR channel */

static int source_index(const struct vagusd *d, const struct source *s)
{
	for (int i = 0; i < d->nsrc; i++)
		if (d->src[i] == s)
			return i;
	return -1;
}

/* ---------------------------------------------------------------- directory */
int vagusd_default_record_dir(char *buf, size_t cap)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	int n;
	if (x && x[0] == '/')
		n = snprintf(buf, cap, "%s/vagus/sessions", x);
	else if (h && h[0])
		n = snprintf(buf, cap, "%s/.local/share/vagus/sessions", h);
	else
		return VG_ERR_NOTFOUND;
	return (n < 0 || (size_t)n >= cap) ? VG_ERR_TRUNC : VG_OK;
}

int vagusd_record_dir_ready(const char *dir, char *why, size_t cap)
{
	char path[1024];
	if (!dir || !dir[0] || strlen(dir) >= sizeof(path)) {
		snprintf(why, cap, "no usable recording directory given");
		return VG_ERR_INVAL;
	}
	snprintf(path, sizeof(path), "%s", dir);
	/* create what is missing, parents included, private */
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			snprintf(why, cap, "cannot create the recording directory %s: %s; give "
				 "another with --record-dir DIR, or turn recording off with "
				 "--no-record", path, strerror(e));
			return vg_err_from_errno(e);
		}
		*p = c;
		if (!c)
			break;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, cap, "the recording directory %s is not a directory; give "
			 "another with --record-dir DIR, or --no-record", dir);
		return VG_ERR_INVAL;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		int e = errno;
		snprintf(why, cap, "cannot write in the recording directory %s: %s; give "
			 "another with --record-dir DIR, or turn recording off with "
			 "--no-record", dir, strerror(e));
		return vg_err_from_errno(e);
	}
	return VG_OK;
}

/* ---------------------------------------------------------------- taps */
static void tap_samples(void *ctx, const struct source *s, unsigned ch,
			const float *v, size_t n)
{
	struct vagusd *d = ctx;
	int i = source_index(d, s);
	if (!d->rec || i < 0 || ch >= DRV_MAX_CHANNELS || d->rec_map[i][ch] < 0)
		return;
	vd_rec_problem(d, rec_samples(d->rec, d->rec_map[i][ch], v, n));
}

static void tap_gap(void *ctx, const struct source *s, unsigned ch, uint64_t n)
{
	struct vagusd *d = ctx;
	int i = source_index(d, s);
	if (!d->rec || i < 0 || ch >= DRV_MAX_CHANNELS || d->rec_map[i][ch] < 0)
		return;
	vd_rec_problem(d, rec_gap(d->rec, d->rec_map[i][ch], n));
}

static void tap_message(void *ctx, const char *json, size_t len)
{
	struct vagusd *d = ctx;
	if (d->rec)
		vd_rec_problem(d, rec_message(d->rec, json, len));
}

/* Open the session's recording: every channel of every source, or (no
 * sample channel: beat-only sources) one HR channel fed from the beats. */
static int record_start(struct vagusd *d, const char *client, const char *technique,
			int64_t start_ns)
{
	struct rec_signal sig[REC_MAX_SIGNALS];
	int n = 0;
	d->rec_hr_sig = -1;
	for (int i = 0; i < d->nsrc; i++) {
		for (unsigned ch = 0; ch < DRV_MAX_CHANNELS; ch++)
			d->rec_map[i][ch] = -1;
		unsigned nch = source_channel_count(d->src[i]);
		for (unsigned ch = 0; ch < nch && n < REC_MAX_SIGNALS; ch++) {
			const struct drv_channel *c = source_channel(d->src[i], ch);
			sig[n] = (struct rec_signal){ c->label, c->unit, c->transducer,
						      c->prefilter, c->phys_min,
						      c->phys_max, c->rate_hz,
						      rec_type_of_kind(c->kind) };
			d->rec_map[i][ch] = n++;
		}
	}
	if (!n) {
		sig[0] = (struct rec_signal){ "HR", "bpm", "heart rate from beat intervals",
					      "held from beat to beat", 0.0, 250.0,
					      HR_RATE_HZ, "MISC" };
		d->rec_hr_sig = n++;
		d->rec_hr_next_ns = start_ns;
	}
	struct rec_config rc = { .dir = d->cfg.record_dir, .client = client,
				 .technique = technique, .start_ns = start_ns,
				 .signals = sig, .nsig = n,
				 .simulated = d->session.simulated };
	int e = VG_OK;
	d->rec = rec_open(&rc, &e);
	if (!d->rec)
		return e;
	d->rec_err_reported = 0;
	struct source_tap tap = { d, tap_samples, tap_gap };
	for (int i = 0; i < d->nsrc; i++)
		source_set_tap(d->src[i], &tap);
	pub_set_tap(d->pub, tap_message, d);
	return VG_OK;
}

/* 1 Hz: push the recording's buffered data to disk. */
static void rec_sync_timer(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	(void)now_ns;
	if (d->rec)
		vd_rec_problem(d, rec_sync(d->rec));
}

int vd_session_attach(struct vagusd *d)
{
	int e = loop_add_timer(d->loop, STATUS_NS, rec_sync_timer, d);
	return e < 0 ? e : VG_OK;
}

void vd_record_stop(struct vagusd *d)
{
	if (!d->rec)
		return;
	for (int i = 0; i < d->nsrc; i++)
		source_set_tap(d->src[i], NULL);
	pub_set_tap(d->pub, NULL, NULL);
	rec_close(&d->rec);
	d->rec_hr_sig = -1;
}

/* ---------------------------------------------------------------- sessions */
static void sanitize(const char *in, char *out, size_t cap)
{
	size_t k = 0;
	for (; *in && k + 1 < cap; in++) {
		char c = *in;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
		out[k++] = ok ? c : '_';
	}
	out[k] = '\0';
}

/* The session's Markdown report next to its recording: <base>.summary.md.
 * 0, or VG_ERR_* with the reason in why. */
static int write_summary(struct vagusd *d, const char *base, char *why, size_t cap)
{
	static char md[65536];
	if (guide_summary_markdown(&d->summary, md, sizeof(md)) < 0) {
		snprintf(why, cap, "the session summary did not fit its buffer");
		return VG_ERR_TRUNC;
	}
	char path[1100];
	snprintf(path, sizeof(path), "%s.summary.md", base);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); /* health data */
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(why, cap, "cannot write the session summary %s: %s", path, strerror(e));
		return vg_err_from_errno(e);
	}
	int ok = fputs(md, f) >= 0;
	int e = ok ? 0 : errno;
	if (fclose(f) != 0 && ok) { /* fclose() frees f even when it fails */
		ok = 0;
		e = errno;
	}
	if (!ok) {
		unlink(path); /* a cut report is worse than none: the JSON copy is in the .jsonl */
		snprintf(why, cap, "cannot write the session summary %s: %s (the summary is "
			 "in the session.summary event and the .jsonl file)", path,
			 strerror(e ? e : EIO));
		return vg_err_from_errno(e ? e : EIO);
	}
	vg_info("session summary in %s", path);
	return VG_OK;
}

static int any_simulated(const struct vagusd *d)
{
	int sim = 0;
	for (int i = 0; i < d->nsrc; i++)
		sim |= source_is_simulated(d->src[i]);
	return sim;
}

int vd_session_start(struct vagusd *d, const struct ctl_request *req,
			 cJSON *reply, char *err, size_t cap)
{
	struct session *s = &d->session;
	if (s->active)
		return vd_err_msg(err, cap, VG_ERR_STATE, "a session is already running");
	if (req->profile[0] && guide_profile_set(d->guide, req->profile) < 0)
		return vd_err_msg(err, cap, VG_ERR_INVAL,
				  "unknown profile: say standard, sensitive or flare");
	int64_t now = vd_sample_now(d);
	time_t secs = (time_t)(now / 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char stamp[32], client[64];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	sanitize(req->client, client, sizeof(client));
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s_%s", stamp, client);
	strftime(s->date, sizeof(s->date), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(s->client, sizeof(s->client), "%s", req->client);
	snprintf(s->technique, sizeof(s->technique), "%s", req->technique);
	snprintf(s->notes, sizeof(s->notes), "%s", req->notes);
	s->start_ns = now;
	s->simulated = any_simulated(d);
	if (d->cfg.record_dir && d->cfg.record_dir[0]) {
		char why[1024], dirwhy[768];
		int rc = vagusd_record_dir_ready(d->cfg.record_dir, dirwhy, sizeof(dirwhy));
		if (rc < 0) {
			snprintf(why, sizeof(why), "cannot record the session: %s; the session "
				 "was not started", dirwhy);
		} else if ((rc = record_start(d, s->client, s->technique, now)) < 0) {
			snprintf(why, sizeof(why), "cannot record the session in %s: %s; the "
				 "session was not started (free the directory, or start vagusd "
				 "with --no-record)", d->cfg.record_dir, vg_strerror(rc));
		}
		if (rc < 0) {
			vg_warnx("%s", why);
			snprintf(d->rec_note, sizeof(d->rec_note), "%.250s", why);
			d->rec_failed = 1;
			vd_publish_event(d, "record.error", NULL, why, NULL);
			return vd_err_msg(err, cap, rc, why);
		}
		snprintf(d->rec_note, sizeof(d->rec_note), "recording to %s",
			 rec_edf_path(d->rec));
		d->rec_failed = 0;
	}
	s->active = 1;
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "session", s->id);
	cJSON_AddStringToObject(data, "client", s->client);
	cJSON_AddStringToObject(data, "technique", s->technique);
	cJSON_AddStringToObject(data, "profile", guide_profile_name(guide_profile_get(d->guide)));
	cJSON_AddStringToObject(data, "notes", s->notes);
	cJSON_AddStringToObject(data, "date", s->date);
	cJSON_AddBoolToObject(data, "simulated", s->simulated);
	cJSON_AddBoolToObject(data, "recording", d->rec != NULL);
	cJSON_AddBoolToObject(reply, "recording", d->rec != NULL);
	cJSON_AddBoolToObject(reply, "simulated", s->simulated);
	if (d->rec) {
		cJSON_AddStringToObject(data, "edf", rec_edf_path(d->rec));
		cJSON_AddStringToObject(data, "jsonl", rec_jsonl_path(d->rec));
		cJSON_AddStringToObject(reply, "edf", rec_edf_path(d->rec));
		cJSON_AddStringToObject(reply, "jsonl", rec_jsonl_path(d->rec));
	}
	guide_session_start(d->guide, s->id, now);
	pl_reset_baseline(d->pl); /* calm is relative to this client's session */
	char *txt = cJSON_PrintUnformatted(data);
	vd_publish_event(d, "session.start", NULL, s->id, txt);
	cJSON_free(txt);
	cJSON_Delete(data);
	char note[160];
	snprintf(note, sizeof(note), "session start%s%.60s", s->simulated ? " SIMULATED " : " ",
		 s->technique);
	vd_annotate_at(d, now, -1, note);
	cJSON_AddStringToObject(reply, "session", s->id);
	char t[32];
	snprintf(t, sizeof(t), "%" PRId64, now);
	cJSON_AddRawToObject(reply, "t_ns", t);
	return VG_OK;
}

/* Stop the running session; the summary's write error (if any) in why. */
static int session_end(struct vagusd *d, double *dur_s, char *why, size_t cap)
{
	struct session *s = &d->session;
	int64_t now = vd_sample_now(d);
	double dur = (double)(now - s->start_ns) * 1e-9;
	*dur_s = dur;
	char data[256];
	snprintf(data, sizeof(data), "{\"session\":\"%s\",\"duration_s\":%.1f,\"marks\":%d}",
		 s->id, dur, s->marks);
	vd_annotate_at(d, now, -1, "session stop");
	vd_publish_event(d, "session.stop", NULL, s->id, data);
	int rc = VG_OK;
	why[0] = '\0';
	char base[1024] = "";
	if (guide_session_stop(d->guide, now, &d->summary) == VG_OK) {
		struct guide_summary *g = &d->summary;
		snprintf(g->date, sizeof(g->date), "%s", s->date);
		snprintf(g->client, sizeof(g->client), "%s", s->client);
		snprintf(g->technique, sizeof(g->technique), "%s", s->technique);
		snprintf(g->notes, sizeof(g->notes), "%s", s->notes);
		g->simulated = s->simulated;
		static char sj[sizeof(((struct proto_event *)0)->data)];
		if (guide_summary_json(g, sj, sizeof(sj)) >= 0)
			vd_publish_event(d, "session.summary", NULL, s->id, sj);
		if (d->rec) {
			const char *edf = rec_edf_path(d->rec);
			size_t n = strlen(edf);
			if (n > 4 && !strcmp(edf + n - 4, ".edf"))
				n -= 4;
			snprintf(base, sizeof(base), "%.*s", (int)n, edf);
			rc = write_summary(d, base, why, cap);
			if (rc < 0) {
				vg_warnx("%s", why);
				vd_publish_event(d, "record.error", NULL, why, NULL);
			}
		}
	}
	vd_record_stop(d);
	if (base[0])
		vd_session_report(d, base); /* on the closed files */
	s->active = 0;
	return rc;
}

int vd_session_stop(struct vagusd *d, cJSON *reply, char *err, size_t cap)
{
	struct session *s = &d->session;
	if (!s->active)
		return vd_err_msg(err, cap, VG_ERR_STATE, "no session is running");
	double dur;
	char why[1400];
	int rc = session_end(d, &dur, why, sizeof(why));
	if (rc < 0)
		return vd_err_msg(err, cap, rc, why);
	cJSON_AddStringToObject(reply, "session", s->id);
	cJSON_AddNumberToObject(reply, "duration_s", dur);
	cJSON_AddNumberToObject(reply, "marks", s->marks);
	return VG_OK;
}

void vd_session_close(struct vagusd *d)
{
	if (!d->session.active)
		return;
	double dur;
	char why[1400];
	vg_info("closing session %s", d->session.id);
	session_end(d, &dur, why, sizeof(why));
}

/* "light", "medium", "deep" on the 0..10 scale (PROTOCOL.md), or a number. */
static double pressure_value(const char *p)
{
	if (!p[0])
		return NAN;
	if (!strcmp(p, "light"))
		return 3.0;
	if (!strcmp(p, "medium"))
		return 5.0;
	if (!strcmp(p, "deep"))
		return 8.0;
	char *end;
	double v = strtod(p, &end);
	return (*end || !isfinite(v)) ? NAN : v;
}

int vd_mark(struct vagusd *d, const struct ctl_request *req, cJSON *reply,
	    char *err, size_t cap)
{
	int64_t now = vd_sample_now(d);
	int rc = guide_mark(d->guide, req->label, req->region, pressure_value(req->pressure),
			    now);
	if (rc == VG_ERR_RANGE)
		return vd_err_msg(err, cap, rc, "too many marks are waiting for their "
				  "response (64); wait 30 s");
	if (rc < 0)
		return vd_err_msg(err, cap, rc, "a mark needs a label");
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "label", req->label);
	cJSON_AddStringToObject(data, "region", req->region);
	cJSON_AddStringToObject(data, "pressure", req->pressure);
	cJSON_AddStringToObject(data, "session", d->session.active ? d->session.id : "");
	char *txt = cJSON_PrintUnformatted(data);
	vd_publish_event(d, "mark", NULL, req->label, txt);
	char note[256];
	snprintf(note, sizeof(note), "mark %.100s%s%.60s%s%.20s", req->label,
		 req->region[0] ? " @" : "", req->region, req->pressure[0] ? " " : "",
		 req->pressure);
	vd_annotate_at(d, now, -1, note);
	cJSON_free(txt);
	cJSON_Delete(data);
	if (d->session.active)
		d->session.marks++;
	char t[32];
	snprintf(t, sizeof(t), "%" PRId64, now);
	cJSON_AddRawToObject(reply, "t_ns", t); /* exact: a double cannot hold it */
	cJSON_AddNumberToObject(reply, "response_in_s", GUIDE_RESPONSE_S);
	return VG_OK;
}
