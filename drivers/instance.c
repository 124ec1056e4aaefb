/*
 * instance.c - the core side of the driver interface (see driver.h).
 *
 * Problem: drivers must not allocate, keep statics, or know where their
 * samples go; hosts (daemon, vagus-decode, tests) must treat every driver
 * alike and see the same counters.
 * Approach: one struct drv_instance per device holds the driver's private
 * block (priv_size, zeroed), the declared channels with their running sample
 * indices, the options string, the link and the statistics, and forwards
 * every emission to the host's struct drv_sink.
 * Limits: at most DRV_MAX_CHANNELS channels; options string up to 512 bytes.
 */
#include "driver.h"
#include "link.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OPT_MAX 512
#define OPT_N 32

struct drv_instance {
	const struct drv_ops *ops;
	struct drv_sink sink;
	struct link *link;
	char options[OPT_MAX];   /* "k=v,k2" split in place into key/value */
	const char *opt_key[OPT_N];
	const char *opt_val[OPT_N];
	unsigned nopt;
	struct drv_channel ch[DRV_MAX_CHANNELS];
	uint64_t index[DRV_MAX_CHANNELS]; /* running sample index per channel */
	unsigned nch;
	struct drv_stats stats;
	int64_t now_ns;
	int opened;
	void *priv;
};

/* Split d->options ("k=v,flag,k2=v2") in place. */
static int split_options(struct drv_instance *d)
{
	char *p = d->options;
	while (*p) {
		char *end = strchr(p, ',');
		if (end)
			*end = '\0';
		if (*p) {
			if (d->nopt >= OPT_N) {
				vg_warnx("%s: too many options", d->ops->name);
				return VG_ERR_RANGE;
			}
			char *eq = strchr(p, '=');
			if (eq)
				*eq = '\0';
			d->opt_key[d->nopt] = p;
			d->opt_val[d->nopt] = eq ? eq + 1 : "";
			d->nopt++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return VG_OK;
}

struct drv_instance *drv_instance_new(const struct drv_ops *ops,
				      const struct drv_sink *sink,
				      const char *options, struct link *link,
				      int *err)
{
	int e = VG_ERR_INVAL;
	struct drv_instance *d = NULL;
	if (!ops || !ops->open || !ops->feed || !ops->name)
		goto fail;
	if (options && strlen(options) >= OPT_MAX) {
		vg_warnx("options for %s too long", ops->name);
		goto fail;
	}
	e = VG_ERR_NOMEM;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	d->ops = ops;
	if (sink)
		d->sink = *sink;
	d->link = link;
	if (options) {
		strcpy(d->options, options);
		e = split_options(d);
		if (e < 0)
			goto fail;
	}
	if (ops->priv_size) {
		d->priv = calloc(1, ops->priv_size);
		if (!d->priv)
			goto fail;
	}
	e = ops->open(d);
	if (e < 0)
		goto fail;
	d->opened = 1;
	return d;
fail:
	if (d) {
		free(d->priv);
		free(d);
	}
	if (err)
		*err = e;
	return NULL;
}

void drv_instance_destroy(struct drv_instance **dp)
{
	if (!dp || !*dp)
		return;
	struct drv_instance *d = *dp;
	if (d->opened && d->ops->close)
		d->ops->close(d);
	free(d->priv);
	free(d);
	*dp = NULL;
}

int drv_instance_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	d->stats.bytes_in += len;
	return d->ops->feed(d, buf, len);
}

int drv_instance_tick(struct drv_instance *d, int64_t now_ns)
{
	d->now_ns = now_ns;
	return d->ops->tick ? d->ops->tick(d, now_ns) : VG_OK;
}

void drv_instance_event(struct drv_instance *d, enum drv_event ev)
{
	if (d->ops->event)
		d->ops->event(d, ev);
}

void drv_instance_set_now(struct drv_instance *d, int64_t now_ns)
{
	d->now_ns = now_ns;
}

void drv_instance_set_link(struct drv_instance *d, struct link *link)
{
	d->link = link;
}

const struct drv_ops *drv_instance_ops(const struct drv_instance *d)
{
	return d->ops;
}

unsigned drv_instance_channel_count(const struct drv_instance *d)
{
	return d->nch;
}

const struct drv_channel *drv_instance_channel(const struct drv_instance *d,
					       unsigned ch)
{
	return ch < d->nch ? &d->ch[ch] : NULL;
}

const struct drv_stats *drv_instance_stats(const struct drv_instance *d)
{
	return &d->stats;
}

uint64_t drv_instance_sample_index(const struct drv_instance *d, unsigned ch)
{
	return ch < d->nch ? d->index[ch] : 0;
}

void *drv_priv(struct drv_instance *d)
{
	return d->priv;
}

int drv_add_channel(struct drv_instance *d, const struct drv_channel *c)
{
	if (d->nch >= DRV_MAX_CHANNELS)
		return VG_ERR_RANGE;
	if (!c || !(c->rate_hz > 0.0) || !c->label[0])
		return VG_ERR_INVAL;
	d->ch[d->nch] = *c;
	d->ch[d->nch].label[DRV_LABEL_MAX - 1] = '\0';
	return (int)d->nch++;
}

void drv_samples(struct drv_instance *d, unsigned ch, const float *v, size_t n)
{
	if (ch >= d->nch || n == 0)
		return;
	uint64_t first = d->index[ch];
	d->index[ch] += n;
	d->stats.last_data_ns = d->now_ns;
	if (d->sink.samples)
		d->sink.samples(d->sink.ctx, ch, v, n, first);
}

void drv_beat(struct drv_instance *d, const struct drv_beat *b)
{
	d->stats.beats++;
	d->stats.last_data_ns = d->now_ns;
	if (d->sink.beat)
		d->sink.beat(d->sink.ctx, b);
}

void drv_gap(struct drv_instance *d, uint64_t n_missing)
{
	if (n_missing == 0)
		return;
	d->stats.gaps++;
	d->stats.samples_missing += n_missing;
	/* n_missing counts samples of the fastest channel; slower channels
	 * skip proportionally */
	double fmax = 0.0;
	for (unsigned i = 0; i < d->nch; i++)
		if (d->ch[i].rate_hz > fmax)
			fmax = d->ch[i].rate_hz;
	for (unsigned i = 0; i < d->nch; i++)
		d->index[i] += (uint64_t)llround((double)n_missing *
						 d->ch[i].rate_hz / fmax);
	if (d->sink.gap)
		d->sink.gap(d->sink.ctx, n_missing);
}

void drv_info(struct drv_instance *d, const char *key, const char *value)
{
	if (d->sink.info)
		d->sink.info(d->sink.ctx, key, value);
}

void drv_stat_frame_ok(struct drv_instance *d)
{
	d->stats.frames_ok++;
	d->stats.last_data_ns = d->now_ns;
}

void drv_stat_garbage(struct drv_instance *d, size_t n)
{
	d->stats.garbage_bytes += n;
}

void drv_stat_checksum_error(struct drv_instance *d)
{
	d->stats.checksum_errors++;
}

int drv_write(struct drv_instance *d, const void *buf, size_t n)
{
	if (!d->link)
		return VG_ERR_NODEV;
	return link_write(d->link, buf, n);
}

int64_t drv_now_ns(const struct drv_instance *d)
{
	return d->now_ns;
}

const char *drv_opt(const struct drv_instance *d, const char *key)
{
	for (unsigned i = 0; i < d->nopt; i++)
		if (strcmp(d->opt_key[i], key) == 0)
			return d->opt_val[i];
	return NULL;
}

int drv_opt_double(const struct drv_instance *d, const char *key, double def,
		   double *out)
{
	const char *buf = drv_opt(d, key);
	*out = def;
	if (!buf)
		return VG_OK;
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || end == buf || *end || !isfinite(v)) {
		vg_warnx("%s: option %s=%s is not a number", d->ops->name, key, buf);
		return VG_ERR_INVAL;
	}
	*out = v;
	return VG_OK;
}

int drv_opt_long(const struct drv_instance *d, const char *key, long def,
		 long *out)
{
	const char *buf = drv_opt(d, key);
	*out = def;
	if (!buf)
		return VG_OK;
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 0);
	if (errno || end == buf || *end) {
		vg_warnx("%s: option %s=%s is not an integer", d->ops->name, key, buf);
		return VG_ERR_INVAL;
	}
	*out = v;
	return VG_OK;
}
