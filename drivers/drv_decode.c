/*
 * drv_decode.c - a JSON-lines sink for drivers (see drv_decode.h).
 * Samples are held per channel and printed in time order (index / rate,
 * then channel) as soon as every channel has passed that time, so the
 * output does not depend on how reads were split or how the driver batched
 * its calls. Gap, beat and info lines first print everything pending.
 */
#include "drv_decode.h"
#include "vg_err.h"
#include "vg_log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Samples received but not printed yet, per channel (contiguous indices). */
struct pend {
	float *v;
	uint64_t first; /* sample index of v[0] */
	size_t n, cap;
};

struct dec {
	FILE *out;
	const struct drv_instance *d;
	struct pend p[DRV_MAX_CHANNELS];
	int oom;
};

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *kind_name(enum drv_signal_kind k)
{
	switch (k) {
	case DRV_SIG_ECG: return "ecg";
	case DRV_SIG_EMG: return "emg";
	case DRV_SIG_PPG: return "ppg";
	case DRV_SIG_RESP: return "resp";
	default: return "aux";
	}
}

static void print_sample(struct dec *x, unsigned ch, uint64_t index, float v)
{
	const struct drv_channel *c = drv_instance_channel(x->d, ch);
	int prec = c->unit[0] == 'm' && c->unit[1] == 'V' ? 6 : 4;
	fprintf(x->out, "{\"topic\":\"sample\",\"ch\":%u,\"label\":", ch);
	put_str(x->out, c->label);
	fprintf(x->out, ",\"index\":%" PRIu64 ",\"value\":%.*f}\n", index, prec,
		(double)v);
}

static double t_of(const struct dec *x, unsigned ch, uint64_t index)
{
	return (double)index / drv_instance_channel(x->d, ch)->rate_hz;
}

/* Print pending samples in time order up to t_max seconds (all when
 * t_max < 0). */
static void flush_until(struct dec *x, double t_max)
{
	if (!x->d)
		return;
	unsigned nch = drv_instance_channel_count(x->d);
	size_t pos[DRV_MAX_CHANNELS] = { 0 };
	for (;;) {
		int best = -1;
		double tb = 0;
		for (unsigned ch = 0; ch < nch; ch++) {
			if (pos[ch] >= x->p[ch].n)
				continue;
			double t = t_of(x, ch, x->p[ch].first + pos[ch]);
			if (best < 0 || t < tb) {
				best = (int)ch;
				tb = t;
			}
		}
		if (best < 0 || (t_max >= 0 && tb > t_max))
			break;
		struct pend *q = &x->p[best];
		print_sample(x, (unsigned)best, q->first + pos[best], q->v[pos[best]]);
		pos[best]++;
	}
	for (unsigned ch = 0; ch < nch; ch++) {
		struct pend *q = &x->p[ch];
		if (pos[ch] == 0)
			continue;
		memmove(q->v, q->v + pos[ch], (q->n - pos[ch]) * sizeof(float));
		q->n -= pos[ch];
		q->first += pos[ch];
	}
}

static void flush_all(struct dec *x)
{
	flush_until(x, -1.0);
}

static void on_samples(void *ctx, unsigned ch, const float *v, size_t n,
		       uint64_t first)
{
	struct dec *x = ctx;
	struct pend *q = &x->p[ch];
	if (!x->d)
		return;
	if (q->n == 0)
		q->first = first;
	if (q->n + n > q->cap) {
		size_t cap = q->cap ? q->cap : 1024;
		while (cap < q->n + n)
			cap *= 2;
		float *nv = realloc(q->v, cap * sizeof(float));
		if (!nv) {
			if (!x->oom)
				vg_warnx("out of memory: samples not printed");
			x->oom = 1;
			return;
		}
		q->v = nv;
		q->cap = cap;
	}
	memcpy(q->v + q->n, v, n * sizeof(float));
	q->n += n;
	/* everything up to the earliest "newest sample" of all channels is
	 * final: print it */
	unsigned nch = drv_instance_channel_count(x->d);
	double t_max = -1.0;
	for (unsigned c = 0; c < nch; c++) {
		if (x->p[c].n == 0)
			return;
		double t = t_of(x, c, x->p[c].first + x->p[c].n - 1);
		if (t_max < 0 || t < t_max)
			t_max = t;
	}
	flush_until(x, t_max);
}

static void on_beat(void *ctx, const struct drv_beat *b)
{
	struct dec *x = ctx;
	flush_all(x);
	fprintf(x->out, "{\"topic\":\"beat\",\"t_ns\":%" PRId64
		",\"rr_ms\":%.3f,\"hr_bpm\":%.1f,\"flags\":%u}\n",
		b->t_ns, b->rr_ms, b->hr_bpm, b->flags);
}

static void on_gap(void *ctx, uint64_t n)
{
	struct dec *x = ctx;
	flush_all(x);
	fprintf(x->out, "{\"topic\":\"gap\",\"missing\":%" PRIu64 "}\n", n);
}

static void on_info(void *ctx, const char *key, const char *value)
{
	struct dec *x = ctx;
	flush_all(x);
	fputs("{\"topic\":\"info\",\"key\":", x->out);
	put_str(x->out, key);
	fputs(",\"value\":", x->out);
	put_str(x->out, value);
	fputs("}\n", x->out);
}

static struct drv_instance *start(const struct drv_ops *ops,
				  const char *options, struct dec *x,
				  FILE *out, int *err)
{
	struct drv_sink sink = {
		.ctx = x,
		.samples = on_samples,
		.beat = on_beat,
		.gap = on_gap,
		.info = on_info,
	};
	memset(x, 0, sizeof(*x));
	x->out = out;
	/* the sink may be called from open(); channels exist only after it */
	struct drv_instance *d = drv_instance_new(ops, &sink, options, NULL, err);
	if (!d)
		return NULL;
	x->d = d;
	drv_decode_print_channels(d, out);
	return d;
}

void drv_decode_print_channels(const struct drv_instance *d, FILE *out)
{
	for (unsigned ch = 0; ch < drv_instance_channel_count(d); ch++) {
		const struct drv_channel *c = drv_instance_channel(d, ch);
		fprintf(out, "{\"topic\":\"channel\",\"ch\":%u,\"label\":", ch);
		put_str(out, c->label);
		fprintf(out, ",\"kind\":\"%s\",\"rate_hz\":%.3f,\"unit\":",
			kind_name(c->kind), c->rate_hz);
		put_str(out, c->unit);
		fputs("}\n", out);
	}
}

void drv_decode_print_str(FILE *out, const char *s)
{
	put_str(out, s);
}

void drv_decode_print_stats(const struct drv_instance *d, FILE *out)
{
	const struct drv_stats *s = drv_instance_stats(d);
	fprintf(out, "{\"topic\":\"stats\",\"bytes_in\":%" PRIu64
		",\"frames_ok\":%" PRIu64 ",\"garbage_bytes\":%" PRIu64
		",\"checksum_errors\":%" PRIu64 ",\"gaps\":%" PRIu64
		",\"samples_missing\":%" PRIu64 ",\"beats\":%" PRIu64 "}\n",
		s->bytes_in, s->frames_ok, s->garbage_bytes, s->checksum_errors,
		s->gaps, s->samples_missing, s->beats);
}

static void finish(struct dec *x, struct drv_instance **d, FILE *out)
{
	flush_all(x);
	for (unsigned ch = 0; ch < DRV_MAX_CHANNELS; ch++)
		free(x->p[ch].v);
	drv_decode_print_stats(*d, out);
	drv_instance_destroy(d);
}

int drv_decode_buffer(const struct drv_ops *ops, const char *options,
		      const uint8_t *buf, size_t len, size_t chunk, FILE *out)
{
	struct dec x;
	int err = VG_ERR_INVAL;
	struct drv_instance *d = start(ops, options, &x, out, &err);
	if (!d)
		return err;
	if (chunk == 0)
		chunk = DRV_DECODE_CHUNK;
	int rc = VG_OK;
	for (size_t off = 0; off < len && rc == VG_OK; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;
		rc = drv_instance_feed(d, buf + off, k);
	}
	finish(&x, &d, out);
	return rc;
}

int drv_decode_stream(const struct drv_ops *ops, const char *options,
		      FILE *in, size_t chunk, FILE *out)
{
	struct dec x;
	int err = VG_ERR_INVAL;
	struct drv_instance *d = start(ops, options, &x, out, &err);
	if (!d)
		return err;
	if (chunk == 0 || chunk > DRV_DECODE_CHUNK)
		chunk = DRV_DECODE_CHUNK;
	uint8_t buf[DRV_DECODE_CHUNK];
	int rc = VG_OK;
	size_t n;
	while (rc == VG_OK && (n = fread(buf, 1, chunk, in)) > 0)
		rc = drv_instance_feed(d, buf, n);
	if (ferror(in)) {
		vg_warn("read error");
		rc = VG_ERR_IO;
	}
	finish(&x, &d, out);
	return rc;
}
