/*
 * link_base.c - the accessors a transport calls on its own link: the target
 * as given, its private block, its options.
 *
 * Problem: link.c reaches every transport through its table; if the
 * transports called back into link.c the two would form one knot.
 * Approach: the link object (link_impl.h) and these three accessors sit
 * below both; link.c and every link_*.c call down into this file.
 * Limits: none; NULL links give "" / NULL.
 */
#include "link_impl.h"

const char *link_target(const struct link *l)
{
	return l ? l->target : "";
}

void *link_priv(struct link *l)
{
	return l ? l->priv : NULL;
}

const char *link_opt(const struct link *l, const char *key)
{
	return l ? link_target_opt(&l->t, key) : NULL;
}
