/*
 * emu_out.c - what an emulator calls while it runs (see emu.h): its private
 * block and simulator, and its output - one protocol frame at a time, with
 * the fault injection the resync tests rely on.
 *
 * Problem: every emulator writes frames the same way, and faults must be
 * applied per frame from a seeded generator so runs are reproducible.
 * Approach: emu_frame() decides per frame, from the emulator's own
 * splitmix64 generator (independent of the sim's), whether to drop it, flip
 * one bit of it, or put 1-16 random bytes before it; emu_text() and
 * emu_bytes() append undamaged bytes (handshake replies). The output buffer
 * doubles as needed.
 * Limits: memory grows with the bytes produced by one emu_advance() call;
 * an allocation failure drops output (logged once).
 */
#include "emu_int.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdlib.h>
#include <string.h>

#define EMU_GARBAGE_MAX 16 /* bytes of garbage inserted per fault */

static uint64_t next_u64(struct emu *e)
{
	uint64_t z = (e->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double next_unit(struct emu *e)
{
	return (double)(next_u64(e) >> 11) * (1.0 / 9007199254740992.0);
}

static int reserve(struct emu *e, size_t n)
{
	if (e->len + n <= e->cap)
		return 0;
	size_t cap = e->cap ? e->cap : 4096;
	while (cap < e->len + n)
		cap *= 2;
	uint8_t *p = realloc(e->out, cap);
	if (!p) {
		if (!e->oom)
			vg_warnx("%s: out of memory, output dropped", e->ops->name);
		e->oom = 1;
		return VG_ERR_NOMEM;
	}
	e->out = p;
	e->cap = cap;
	return 0;
}

static void put(struct emu *e, const uint8_t *buf, size_t n)
{
	if (n == 0 || reserve(e, n) < 0)
		return;
	memcpy(e->out + e->len, buf, n);
	e->len += n;
}

const struct emu_fault_stats *emu_fault_stats(const struct emu *e)
{
	return &e->fstats;
}

void *emu_priv(struct emu *e)
{
	return e->priv;
}

struct sim *emu_sim(struct emu *e)
{
	return e->sim;
}

void emu_frame(struct emu *e, const uint8_t *buf, size_t n)
{
	const struct emu_faults *f = &e->faults;
	e->fstats.frames++;
	if (f->drop_rate > 0 && next_unit(e) < f->drop_rate) {
		e->fstats.dropped++;
		return;
	}
	if (f->garbage_rate > 0 && next_unit(e) < f->garbage_rate) {
		uint8_t g[EMU_GARBAGE_MAX];
		size_t k = 1 + (size_t)(next_u64(e) % EMU_GARBAGE_MAX);
		for (size_t i = 0; i < k; i++)
			g[i] = (uint8_t)next_u64(e);
		put(e, g, k);
		e->fstats.garbage_bytes += k;
	}
	size_t at = e->len;
	put(e, buf, n);
	if (n && e->len == at + n && f->corrupt_rate > 0 &&
	    next_unit(e) < f->corrupt_rate) {
		uint64_t r = next_u64(e);
		e->out[at + (size_t)(r % n)] ^= (uint8_t)(1u << ((r >> 32) & 7));
		e->fstats.corrupted++;
	}
}

void emu_text(struct emu *e, const char *s)
{
	put(e, (const uint8_t *)s, strlen(s));
}

void emu_bytes(struct emu *e, const uint8_t *buf, size_t n)
{
	put(e, buf, n);
}
