/*
 * drv_util.c - channel map, accumulator, batching and reply-text helpers for
 * the framed drivers (see drv_util.h for the problem and approach).
 */
#include "drv_util.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

static int parse_spec(const struct drv_instance *d, unsigned dev_ch,
		      const char *spec, struct drvu_map *m)
{
	unsigned i = dev_ch - 1;
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *extra = colon ? colon + 1 : "";
	m->on[i] = 0;
	if (klen == 3 && strncmp(spec, "off", 3) == 0)
		return VG_OK;
	if (klen == 3 && strncmp(spec, "ecg", 3) == 0)
		m->kind[i] = DRV_SIG_ECG;
	else if (klen == 3 && strncmp(spec, "emg", 3) == 0)
		m->kind[i] = DRV_SIG_EMG;
	else {
		vg_warnx("%s: ch%u=%s: expected ecg, emg or off[:label]",
			 drv_instance_ops(d)->name, dev_ch, spec);
		return VG_ERR_INVAL;
	}
	m->on[i] = 1;
	snprintf(m->label[i], DRV_LABEL_MAX, "%s%s%s",
		 m->kind[i] == DRV_SIG_ECG ? "ECG" : "EMG", *extra ? " " : "",
		 extra);
	return VG_OK;
}

int drvu_map_parse(const struct drv_instance *d, unsigned n_dev,
		   const char *const *defaults, struct drvu_map *m)
{
	if (n_dev > DRVU_DEV_MAX)
		return VG_ERR_RANGE;
	memset(m, 0, sizeof(*m));
	m->n_dev = n_dev;
	int any = 0;
	char key[8];
	for (unsigned c = 1; c <= n_dev; c++) {
		snprintf(key, sizeof(key), "ch%u", c);
		if (drv_opt(d, key))
			any = 1;
	}
	for (unsigned c = 1; c <= n_dev; c++) {
		snprintf(key, sizeof(key), "ch%u", c);
		const char *spec = any ? drv_opt(d, key) : defaults[c - 1];
		m->out[c - 1] = -1;
		if (!spec)
			continue;
		int e = parse_spec(d, c, spec, m);
		if (e < 0)
			return e;
		m->n_on += (unsigned)m->on[c - 1];
	}
	if (m->n_on == 0) {
		vg_warnx("%s: no channel is mapped (use chN=ecg|emg)",
			 drv_instance_ops(d)->name);
		return VG_ERR_INVAL;
	}
	return VG_OK;
}

int drvu_map_declare(struct drv_instance *d, struct drvu_map *m,
		     double rate_hz, double phys_mv, double phys_uv,
		     const char *prefilter)
{
	for (unsigned i = 0; i < m->n_dev; i++) {
		if (!m->on[i])
			continue;
		struct drv_channel c = {
			.kind = m->kind[i],
			.rate_hz = rate_hz,
		};
		int ecg = m->kind[i] == DRV_SIG_ECG;
		memcpy(c.label, m->label[i], DRV_LABEL_MAX);
		strcpy(c.unit, ecg ? "mV" : "uV");
		c.phys_max = ecg ? phys_mv : phys_uv;
		c.phys_min = -c.phys_max;
		strcpy(c.transducer, "AgAgCl electrodes");
		if (prefilter)
			snprintf(c.prefilter, DRV_LABEL_MAX, "%s", prefilter);
		int k = drv_add_channel(d, &c);
		if (k < 0)
			return k;
		m->out[i] = k;
	}
	return VG_OK;
}

void drvu_batch_flush(struct drv_instance *d, struct drvu_batch *b)
{
	if (b->n == 0)
		return;
	for (unsigned c = 0; c < b->nch; c++)
		drv_samples(d, c, b->v[c], b->n);
	b->n = 0;
}

void drvu_gap(struct drv_instance *d, struct drvu_batch *b, uint64_t n_missing)
{
	drvu_batch_flush(d, b);
	drv_gap(d, n_missing);
}

void drvu_feed(struct drv_instance *d, struct drvu_acc *a,
	       struct drvu_batch *b, drvu_parse_fn parse, const uint8_t *buf,
	       size_t len)
{
	while (len > 0) {
		size_t k = DRVU_ACC_CAP - a->len;
		if (k > len)
			k = len;
		memcpy(a->buf + a->len, buf, k);
		a->len += k;
		buf += k;
		len -= k;
		size_t used = parse(d, a->buf, a->len);
		if (used > a->len)
			used = a->len;
		if (used == 0 && a->len == DRVU_ACC_CAP) {
			/* a parser that cannot decide on a full buffer is a
			 * bug; skip a byte rather than spin */
			drv_stat_garbage(d, 1);
			used = 1;
		}
		a->len -= used;
		if (a->len)
			memmove(a->buf, a->buf + used, a->len);
	}
	drvu_batch_flush(d, b);
}

int drvu_text_byte(struct drvu_text *t, uint8_t c)
{
	if (c == '\r' || c == '\n') {
		if (t->len == 0)
			return 0;
		t->line[t->len] = '\0';
		t->len = 0;
		return 1;
	}
	if (c < 0x20 || c > 0x7e) {
		t->len = 0; /* not text: forget the partial line */
		return 0;
	}
	if (t->len < sizeof(t->line) - 1)
		t->line[t->len++] = (char)c;
	if (t->len >= 3 && memcmp(t->line + t->len - 3, "$$$", 3) == 0) {
		t->len -= 3;
		t->line[t->len] = '\0';
		t->len = 0;
		return 2;
	}
	return 0;
}
