/*
 * source.c - source lifecycle and mapping into the pipeline (see source.h).
 */
#include "source.h"
#include "driver.h"
#include "link.h"
#include "pipeline.h"
#include "proto.h"
#include "vg_err.h"
#include "vg_log.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define RETRY_MIN_NS 100000000LL   /* 100 ms */
#define RETRY_MAX_NS 1000000000LL  /* 1 s: resume within 2 s of a return */
#define STALL_DEFAULT_NS 5000000000LL
#define READ_CHUNK 4096
#define READS_PER_WAKE 16

struct source {
	char name[48];
	char driver_name[32];
	char target[256];    /* link target, "" = none */
	char options[512];
	const struct drv_ops *ops;
	struct drv_instance *drv;
	struct link *link;
	struct pipeline *pl;
	struct source_host host;
	enum source_state state;
	int pl_id[DRV_MAX_CHANNELS]; /* pipeline input per channel, -1 = none */
	int pl_beats;                /* pipeline beat input, -1 = none */
	int64_t origin_ns;           /* wall time of sample index 0 (gaps, stalls) */
	int64_t sig_origin_ns;       /* signal time of sample index 0: origin_ns, or the
					simulator's epoch= (a course of sessions dated apart) */
	int64_t lost_at_ns;
	int64_t retry_at_ns, retry_delay_ns;
	int64_t stall_ns;
	int64_t last_seen_ns;        /* last time data arrived */
	int64_t seen_data_ns;        /* drv_stats.last_data_ns last looked at */
	uint64_t reconnect_gap;      /* samples marked missing across disconnects */
	int is_file;
	int reconnecting;            /* a gap now is the time away, not a counter gap */
	struct source_tap tap;
	uint8_t buf[READ_CHUNK];
};

static const char *const state_names[] = {
	"starting", "running", "stalled", "lost", "finished", "failed"
};

const char *source_state_name(enum source_state st)
{
	return (unsigned)st < sizeof(state_names) / sizeof(state_names[0])
		       ? state_names[st] : "unknown";
}

static void emit(struct source *s, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void emit(struct source *s, const char *kind, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	vg_info("%s: %s: %s", s->name, kind, detail);
	if (s->host.event)
		s->host.event(s->host.ctx, kind, s->name, detail);
}

/* ---------------------------------------------------------------- sink */
static void on_samples(void *ctx, unsigned ch, const float *v, size_t n,
		       uint64_t first_index)
{
	struct source *s = ctx;
	(void)first_index;
	if (ch < DRV_MAX_CHANNELS && s->pl_id[ch] >= 0)
		pl_feed(s->pl, s->pl_id[ch], v, n);
	if (s->tap.samples)
		s->tap.samples(s->tap.ctx, s, ch, v, n);
}

static void on_beat(void *ctx, const struct drv_beat *b)
{
	struct source *s = ctx;
	if (s->pl_beats >= 0)
		pl_feed_beat(s->pl, s->pl_beats, b->t_ns, b->rr_ms,
			     (b->flags & DRV_BEAT_AFTER_GAP) ? PL_BEAT_AFTER_GAP : 0);
}

/* n_missing counts samples of the fastest channel */
static void mark_gap(struct source *s, uint64_t n_missing_fastest, double fmax)
{
	unsigned nch = drv_instance_channel_count(s->drv);
	for (unsigned ch = 0; ch < nch; ch++) {
		const struct drv_channel *c = drv_instance_channel(s->drv, ch);
		uint64_t n = (uint64_t)llround((double)n_missing_fastest * c->rate_hz / fmax);
		if (s->pl_id[ch] >= 0)
			pl_gap(s->pl, s->pl_id[ch], n);
		if (s->tap.gap)
			s->tap.gap(s->tap.ctx, s, ch, n);
	}
}

static double fastest_rate(const struct source *s)
{
	double fmax = 0.0;
	unsigned nch = drv_instance_channel_count(s->drv);
	for (unsigned ch = 0; ch < nch; ch++) {
		const struct drv_channel *c = drv_instance_channel(s->drv, ch);
		if (c->rate_hz > fmax)
			fmax = c->rate_hz;
	}
	return fmax;
}

static void on_gap(void *ctx, uint64_t n_missing)
{
	struct source *s = ctx;
	double fmax = fastest_rate(s);
	if (fmax > 0)
		mark_gap(s, n_missing, fmax);
	emit(s, "source.gap", "%llu samples lost (%s)", (unsigned long long)n_missing,
	     s->reconnecting ? "while disconnected" : "counter gap");
}

static void on_info(void *ctx, const char *key, const char *value)
{
	struct source *s = ctx;
	vg_info("%s: %s = %s", s->name, key, value);
}

/* ---------------------------------------------------------------- spec */
static int parse_spec(struct source *s, const char *spec, const char *extra)
{
	const char *comma = strchr(spec, ',');
	size_t head = comma ? (size_t)(comma - spec) : strlen(spec);
	char headbuf[300];
	if (head == 0 || head >= sizeof(headbuf))
		return VG_ERR_INVAL;
	memcpy(headbuf, spec, head);
	headbuf[head] = '\0';
	char *colon = strchr(headbuf, ':');
	if (colon) {
		*colon = '\0';
		snprintf(s->target, sizeof(s->target), "%s", colon + 1);
	}
	if (strlen(headbuf) >= sizeof(s->driver_name))
		return VG_ERR_INVAL;
	strcpy(s->driver_name, headbuf);
	int n = snprintf(s->options, sizeof(s->options), "%s%s%s",
			 comma ? comma + 1 : "",
			 (comma && extra && *extra) ? "," : "",
			 extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(s->options))
		return VG_ERR_RANGE;
	return VG_OK;
}

static int open_link(struct source *s)
{
	int err = VG_OK;
	s->link = link_open(s->target, s->ops->baud, &err);
	return s->link ? VG_OK : err;
}

static int declare_inputs(struct source *s)
{
	unsigned nch = drv_instance_channel_count(s->drv);
	for (int i = 0; i < DRV_MAX_CHANNELS; i++)
		s->pl_id[i] = -1;
	s->pl_beats = -1;
	for (unsigned ch = 0; ch < nch; ch++) {
		const struct drv_channel *c = drv_instance_channel(s->drv, ch);
		enum pl_input_kind kind;
		if (c->kind == DRV_SIG_ECG)
			kind = PL_IN_ECG;
		else if (c->kind == DRV_SIG_EMG)
			kind = PL_IN_EMG;
		else
			continue;
		/* an EMG input is named by its muscle/region: drivers label
		 * EMG channels "EMG REGION" (or just "EMG") */
		char name[DRV_LABEL_MAX + 8];
		if (kind == PL_IN_EMG && !strncmp(c->label, "EMG ", 4) && c->label[4])
			snprintf(name, sizeof(name), "%s", c->label + 4);
		else if (kind == PL_IN_EMG && !strcmp(c->label, "EMG"))
			snprintf(name, sizeof(name), "EMG %u", ch + 1);
		else
			snprintf(name, sizeof(name), "%s", c->label);
		int id = pl_add_input(s->pl, kind, c->rate_hz, name, s->sig_origin_ns);
		if (id < 0)
			return id;
		s->pl_id[ch] = id;
	}
	if (s->ops->provides & DRV_PROVIDES_BEATS) {
		int id = pl_add_input(s->pl, PL_IN_BEATS, 0, s->name, s->sig_origin_ns);
		if (id < 0)
			return id;
		s->pl_beats = id;
	}
	return VG_OK;
}

struct source *source_new(const char *spec, const char *extra_opts,
			  struct pipeline *pl, const struct source_host *host,
			  int64_t now_ns, int *err)
{
	int e = VG_ERR_NOMEM;
	struct source *s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->pl = pl;
	if (host)
		s->host = *host;
	e = parse_spec(s, spec, extra_opts);
	if (e < 0) {
		vg_warnx("bad source spec '%s' (want DRIVER[:LINK][,key=value...])",
			 spec);
		goto fail;
	}
	s->ops = drv_find(s->driver_name);
	if (!s->ops) {
		char names[512] = "";
		size_t len = 0;
		for (const struct drv_ops *const *d = drv_all(); *d && len < sizeof(names); d++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", (*d)->name);
		vg_warnx("no driver '%s'; --source takes one of: %s, or auto", s->driver_name,
			 names);
		e = VG_ERR_NOTFOUND;
		goto fail;
	}
	snprintf(s->name, sizeof(s->name), "%s", s->driver_name);
	s->stall_ns = STALL_DEFAULT_NS;
	s->origin_ns = now_ns;
	s->last_seen_ns = now_ns;
	s->retry_delay_ns = RETRY_MIN_NS;
	if (s->target[0]) {
		struct stat st;
		const char *path = strncmp(s->target, "fd:", 3) == 0 ? s->target + 3
								     : s->target;
		s->is_file = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		if (open_link(s) < 0) {
			s->state = SOURCE_LOST;
			s->lost_at_ns = now_ns;
			s->retry_at_ns = now_ns + s->retry_delay_ns;
		}
	} else if (s->ops->baud || (s->ops->provides & DRV_PROVIDES_BEATS &&
				     !s->ops->tick)) {
		vg_warnx("driver '%s' needs a link: %s:PATH", s->driver_name,
			 s->driver_name);
		e = VG_ERR_INVAL;
		goto fail;
	}
	struct drv_sink sink = { s, on_samples, on_beat, on_gap, on_info };
	s->drv = drv_instance_new(s->ops, &sink, s->options, s->link, &e);
	if (!s->drv) {
		vg_warnx("source '%s' could not start: %s", spec, vg_strerror(e));
		goto fail;
	}
	drv_instance_set_now(s->drv, now_ns);
	s->sig_origin_ns = now_ns;
	if (source_is_simulated(s) && drv_opt(s->drv, "epoch")) {
		/* sim,epoch=UNIX_S: the simulated signal starts at that date (a
		 * course of weekly sessions made in one afternoon); real devices
		 * always run on the host's clock */
		char *end = NULL;
		const char *ep = drv_opt(s->drv, "epoch");
		errno = 0;
		long long sec = strtoll(ep, &end, 10);
		if (errno || end == ep || *end || sec < 0 || sec > 9000000000LL) {
			vg_warnx("sim: epoch=%s is not a date in seconds since 1970 "
				 "(e.g. epoch=1796000000)", ep);
			e = VG_ERR_INVAL;
			goto fail;
		}
		s->sig_origin_ns = (int64_t)sec * 1000000000LL;
	}
	e = declare_inputs(s);
	if (e < 0)
		goto fail;
	/* a driver that makes its own samples (the simulator) starts its clock
	 * now, at the source's origin: sample 0 is stamped origin_ns, so its
	 * first tick must not come later (the start-up of the daemon would
	 * otherwise make every sample look that much older than it is) */
	if (!s->target[0] && s->ops->tick)
		drv_instance_tick(s->drv, now_ns);
	if (s->state != SOURCE_LOST) {
		s->state = SOURCE_RUNNING;
		emit(s, "source.connected", "%s%s%s", s->driver_name,
		     s->target[0] ? " on " : "", s->target);
	} else {
		emit(s, "source.lost", "%s: cannot open %s; retrying",
		     s->driver_name, s->target);
	}
	return s;
fail:
	source_destroy(&s);
	if (err)
		*err = e;
	return NULL;
}

void source_destroy(struct source **sp)
{
	if (!sp || !*sp)
		return;
	struct source *s = *sp;
	drv_instance_destroy(&s->drv);
	link_close(&s->link);
	free(s);
	*sp = NULL;
}

static void lose_link(struct source *s, int why, int64_t now_ns)
{
	link_close(&s->link);
	drv_instance_set_link(s->drv, NULL);
	drv_instance_event(s->drv, DRV_EV_DISCONNECT);
	if (why == VG_ERR_EOF && s->is_file) {
		s->state = SOURCE_FINISHED;
		emit(s, "source.finished", "end of %s", s->target);
		return;
	}
	s->state = SOURCE_LOST;
	s->lost_at_ns = now_ns;
	s->retry_delay_ns = RETRY_MIN_NS;
	s->retry_at_ns = now_ns + s->retry_delay_ns;
	emit(s, "source.lost", "%s: %s; retrying", s->target, vg_strerror(why));
}

static void try_reconnect(struct source *s, int64_t now_ns)
{
	if (now_ns < s->retry_at_ns)
		return;
	if (open_link(s) < 0) {
		s->retry_delay_ns *= 2;
		if (s->retry_delay_ns > RETRY_MAX_NS)
			s->retry_delay_ns = RETRY_MAX_NS;
		s->retry_at_ns = now_ns + s->retry_delay_ns;
		return;
	}
	drv_instance_set_link(s->drv, s->link);
	drv_instance_set_now(s->drv, now_ns);
	/* keep the sample clock aligned with real time: what was not received
	 * while the device was away is a gap */
	double fmax = fastest_rate(s);
	uint64_t missing = 0;
	if (fmax > 0) {
		unsigned nch = drv_instance_channel_count(s->drv);
		uint64_t have = 0;
		for (unsigned ch = 0; ch < nch; ch++) {
			const struct drv_channel *c = drv_instance_channel(s->drv, ch);
			if (c->rate_hz == fmax)
				have = drv_instance_sample_index(s->drv, ch);
		}
		double expect = (double)(now_ns - s->origin_ns) * 1e-9 * fmax;
		if (expect > (double)have) {
			missing = (uint64_t)(expect - (double)have);
			s->reconnecting = 1;
			drv_gap(s->drv, missing); /* counts, advances, calls on_gap */
			s->reconnecting = 0;
			s->reconnect_gap += missing;
		}
	}
	s->state = SOURCE_RUNNING;
	s->last_seen_ns = now_ns;
	drv_instance_event(s->drv, DRV_EV_CONNECT);
	emit(s, "source.connected", "%s back after %.1f s (%llu samples marked missing)",
	     s->target, (double)(now_ns - s->lost_at_ns) * 1e-9,
	     (unsigned long long)missing);
}

static void check_stall(struct source *s, int64_t now_ns)
{
	/* valid data only: the driver's last sample, beat or good frame
	 * (drv_stats.last_data_ns). Gaps also advance the sample index, so a
	 * device sending pure noise (every line a gap) looked alive (issue 15:
	 * pulse and hrmi stayed "running" with 0 frames decoded). */
	const struct drv_stats *st = drv_instance_stats(s->drv);
	if (st->last_data_ns != s->seen_data_ns) {
		s->seen_data_ns = st->last_data_ns;
		s->last_seen_ns = now_ns;
		if (s->state == SOURCE_STALLED) {
			s->state = SOURCE_RUNNING;
			emit(s, "source.resumed", "data again");
		}
		return;
	}
	if (s->state == SOURCE_RUNNING && now_ns - s->last_seen_ns > s->stall_ns) {
		s->state = SOURCE_STALLED;
		drv_instance_event(s->drv, DRV_EV_STALL);
		emit(s, "source.stalled", "no valid data for %.1f s (%llu bytes, %llu "
		     "frames decoded)", (double)(now_ns - s->last_seen_ns) * 1e-9,
		     (unsigned long long)st->bytes_in, (unsigned long long)st->frames_ok);
	}
}

void source_tick(struct source *s, int64_t now_ns)
{
	if (s->state == SOURCE_FINISHED || s->state == SOURCE_FAILED)
		return;
	if (s->state == SOURCE_LOST) {
		try_reconnect(s, now_ns);
		return;
	}
	int rc = drv_instance_tick(s->drv, now_ns);
	if (rc == VG_ERR_EOF) {
		s->state = SOURCE_FINISHED;
		emit(s, "source.finished", "generator finished");
		return;
	}
	check_stall(s, now_ns);
}

static int src_fill(void *ctx, zmq_pollitem_t *items, int max)
{
	struct source *s = ctx;
	if (!s->link || (s->state != SOURCE_RUNNING && s->state != SOURCE_STALLED))
		return 0;
	struct pollfd pf[8];
	int n = link_pollfds(s->link, pf, max < 8 ? max : 8);
	for (int i = 0; i < n; i++) {
		items[i].socket = NULL;
		items[i].fd = pf[i].fd;
		items[i].events = (short)((pf[i].events & POLLIN ? ZMQ_POLLIN : 0) |
					  (pf[i].events & POLLOUT ? ZMQ_POLLOUT : 0));
	}
	return n < 0 ? 0 : n;
}

static void src_ready(void *ctx, zmq_pollitem_t *items, int n)
{
	struct source *s = ctx;
	(void)items;
	(void)n;
	if (!s->link)
		return;
	int64_t now = 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	drv_instance_set_now(s->drv, now);
	link_handle(s->link);
	for (int i = 0; i < READS_PER_WAKE && s->link; i++) {
		int r = link_read(s->link, s->buf, sizeof(s->buf));
		if (r == VG_ERR_AGAIN)
			break;
		if (r < 0) {
			lose_link(s, r, now);
			break;
		}
		drv_instance_feed(s->drv, s->buf, (size_t)r);
	}
}

struct loop_poller source_poller(struct source *s)
{
	struct loop_poller p = { s, src_fill, src_ready };
	return p;
}

enum source_state source_state(const struct source *s)
{
	return s->state;
}

int source_is_simulated(const struct source *s)
{
	return s && strcmp(s->driver_name, "sim") == 0;
}

const char *source_name(const struct source *s)
{
	return s->name;
}

uint64_t source_samples_missing(const struct source *s)
{
	return drv_instance_stats(s->drv)->samples_missing;
}

int64_t source_signal_ns(const struct source *s, int64_t now_ns)
{
	double fmax = 0.0;
	uint64_t idx = 0;
	unsigned nch = drv_instance_channel_count(s->drv);
	for (unsigned ch = 0; ch < nch; ch++) {
		const struct drv_channel *c = drv_instance_channel(s->drv, ch);
		if (c->rate_hz > fmax) {
			fmax = c->rate_hz;
			idx = drv_instance_sample_index(s->drv, ch);
		}
	}
	if (!(fmax > 0.0))
		return INT64_MIN;
	int64_t t = s->sig_origin_ns + (int64_t)llround((double)idx * 1e9 / fmax);
	if ((s->state == SOURCE_LOST || s->state == SOURCE_STALLED) &&
	    !source_is_simulated(s) && now_ns > t)
		t = now_ns;
	return t;
}

void source_set_stall_timeout(struct source *s, int64_t ns)
{
	s->stall_ns = ns;
}

static const char *kind_name(enum drv_signal_kind k)
{
	static const char *const names[] = { "ecg", "emg", "ppg", "resp", "aux" };
	return (unsigned)k < 5 ? names[k] : "aux";
}

#define APPEND(...)                                                          \
	do {                                                                 \
		if (*len < cap) {                                            \
			int n_ = snprintf(buf + *len, cap - *len, __VA_ARGS__); \
			if (n_ > 0)                                          \
				*len += (size_t)n_;                          \
			if (*len >= cap)                                     \
				*len = cap - 1;                              \
		}                                                            \
	} while (0)

void source_status_json(const struct source *s, int64_t now_ns, char *buf,
			size_t cap, size_t *len)
{
	const struct drv_stats *st = drv_instance_stats(s->drv);
	char target[512], label[DRV_LABEL_MAX * 6];
	proto_json_escape(s->target, target, sizeof(target));
	APPEND("{\"name\":\"%s\",\"driver\":\"%s\",\"link\":\"%s\",\"state\":\"%s\","
	       "\"bytes\":%llu,\"frames\":%llu,\"garbage_bytes\":%llu,"
	       "\"checksum_errors\":%llu,\"gaps\":%llu,\"samples_missing\":%llu,"
	       "\"beats\":%llu,\"last_data_age_s\":%.1f,\"channels\":[",
	       s->name, s->driver_name, target, source_state_name(s->state),
	       (unsigned long long)st->bytes_in, (unsigned long long)st->frames_ok,
	       (unsigned long long)st->garbage_bytes,
	       (unsigned long long)st->checksum_errors,
	       (unsigned long long)st->gaps,
	       (unsigned long long)st->samples_missing,
	       (unsigned long long)st->beats,
	       (double)(now_ns - s->last_seen_ns) * 1e-9);
	unsigned nch = drv_instance_channel_count(s->drv);
	for (unsigned ch = 0; ch < nch; ch++) {
		const struct drv_channel *c = drv_instance_channel(s->drv, ch);
		APPEND("%s{\"label\":\"%s\",\"kind\":\"%s\",\"rate_hz\":%.2f,"
		       "\"unit\":\"%s\",\"samples\":%llu}",
		       ch ? "," : "", proto_json_escape(c->label, label, sizeof(label)),
		       kind_name(c->kind), c->rate_hz,
		       c->unit,
		       (unsigned long long)drv_instance_sample_index(s->drv, ch));
	}
	APPEND("]}");
}

void source_set_tap(struct source *s, const struct source_tap *tap)
{
	if (tap)
		s->tap = *tap;
	else
		memset(&s->tap, 0, sizeof(s->tap));
}

unsigned source_channel_count(const struct source *s)
{
	return drv_instance_channel_count(s->drv);
}

const struct drv_channel *source_channel(const struct source *s, unsigned ch)
{
	return drv_instance_channel(s->drv, ch);
}
