/*
 * link.c - the generic part of the links: target parsing, the one table of
 * transports, allocation of the transport's private block, dispatch.
 *
 * Problem: the daemon and tools name a byte source with one string and then
 * treat every transport alike (read, write, poll, close).
 * Approach: link_target_parse() splits "scheme:address?options"; the scheme
 * picks a struct link_ops from the table below (the only list of
 * transports); options are checked against the transport's accepted keys
 * before it opens anything; the core allocates priv_size bytes (zeroed) and
 * calls the transport's open. Transport open/close contract: close is
 * called after a failed open too, so open must first mark its resources as
 * absent (fd = -1) before anything can fail.
 * The accessors the transports call (link_priv, link_opt, link_target) are
 * in link_base.c, so the transports never call back into this file, which
 * reaches them through the table.
 * Limits: one thread per link; see link.h for the grammar.
 */
#include "link.h"
#include "link_impl.h"
#include "link_target.h"
#include "vg_err.h"
#include "vg_log.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct link_ops *const transports[] = {
	&link_fd_ops,
	&link_tcp_ops,
	&link_serial_ops,
	&link_usb_ops,
};


/* Copy src for a log message: control characters become '?', long
 * strings are cut. */
static void printable_copy(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[i] = '\0';
}

static const struct link_ops *find_transport(const char *scheme)
{
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (strcmp(transports[i]->scheme, scheme) == 0)
			return transports[i];
	return NULL;
}

/* Every option key of t must be in ops->options. */
static int check_options(const struct link_ops *ops, const struct link_target *t,
			 const char *target)
{
	for (int i = 0; i < t->nopt; i++) {
		int ok = 0;
		for (const char *const *k = ops->options; k && *k; k++)
			if (strcmp(*k, t->key[i]) == 0)
				ok = 1;
		if (!ok) {
			vg_warnx("%s: option '%s' not known to the %s link",
				 target, t->key[i], ops->scheme);
			return VG_ERR_INVAL;
		}
	}
	return VG_OK;
}

struct link *link_open(const char *target, int baud, int *err)
{
	int e = VG_ERR_INVAL;
	struct link *l = NULL;
	if (!target || baud < 0) {
		vg_warnx("no target or negative baud");
		goto fail;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		e = VG_ERR_NOMEM;
		goto fail;
	}
	e = link_target_parse(target, &l->t);
	if (e < 0) {
		char shown[LINK_TARGET_MAX];
		printable_copy(shown, sizeof(shown), target);
		vg_warnx("malformed link target '%s' (expected serial:PORT, "
			 "usb:VID:PID[:SERIAL], fd:PATH, /PATH or tcp:HOST:PORT)",
			 shown);
		goto fail;
	}
	strcpy(l->target, target); /* fits: checked by link_target_parse */
	l->ops = find_transport(l->t.scheme);
	if (!l->ops) {
		vg_warnx("%s: unknown link type '%s'", target, l->t.scheme);
		e = VG_ERR_INVAL;
		goto fail;
	}
	e = check_options(l->ops, &l->t, target);
	if (e < 0)
		goto fail;
	if (l->ops->priv_size) {
		l->priv = calloc(1, l->ops->priv_size);
		if (!l->priv) {
			e = VG_ERR_NOMEM;
			goto fail;
		}
	}
	e = l->ops->open(l, l->t.addr, baud);
	if (e < 0) {
		l->ops->close(l);
		goto fail;
	}
	return l;
fail:
	if (l) {
		free(l->priv);
		free(l);
	}
	if (err)
		*err = e;
	return NULL;
}

void link_close(struct link **lp)
{
	if (!lp || !*lp)
		return;
	struct link *l = *lp;
	l->ops->close(l);
	free(l->priv);
	free(l);
	*lp = NULL;
}

int link_read(struct link *l, uint8_t *buf, size_t cap)
{
	if (!l || !buf || cap == 0)
		return VG_ERR_INVAL;
	if (cap > INT_MAX)
		cap = INT_MAX;
	return l->ops->read(l, buf, cap);
}

int link_write(struct link *l, const uint8_t *buf, size_t n)
{
	if (!l || (!buf && n))
		return VG_ERR_INVAL;
	if (n == 0)
		return VG_OK;
	return l->ops->write(l, buf, n);
}

int link_pollfds(struct link *l, struct pollfd *fds, int max)
{
	if (!l || !fds || max <= 0)
		return 0;
	int n = l->ops->pollfds(l, fds, max);
	for (int i = 0; i < n; i++)
		fds[i].revents = 0;
	return n;
}

int link_handle(struct link *l)
{
	if (!l)
		return VG_ERR_INVAL;
	if (!l->ops->handle)
		return VG_OK;
	return l->ops->handle(l);
}
