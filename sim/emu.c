/*
 * emu.c - the emulator core (see emu.h): one emulated device = one
 * struct emu_ops from the registry, a simulator that carries the physiology,
 * an output buffer, and fault injection applied frame by frame. This file
 * holds the life of an emulator and the lookups; what emulators call while
 * they run (emu_frame, emu_text, ...) is in emu_out.c, below the registry,
 * so no file here calls back into one that calls it.
 *
 * Problem: every device emulator needs the same plumbing (owning a sim at the
 * right rates, collecting its output bytes, damaging frames reproducibly for
 * the resync tests) and none should repeat it.
 * Approach: emulators call emu_frame() once per protocol frame; the core
 * decides per frame, from its own seeded generator (splitmix64, independent
 * of the sim's), whether to drop it, flip one bit of it, or put 1-16 random
 * bytes before it. Handshake replies go through emu_text() and are never
 * damaged, so a faulty stream still gets past the start-up exchange. The
 * output buffer grows as needed; what one emu_advance() returned is
 * dropped at the next call (replies produced in between are kept).
 * Limits: faults are per frame, not per byte, so a fault never lands in the
 * gap between frames; memory grows with the bytes produced by one
 * emu_advance() call (advance in small steps).
 */
#include "emu.h"
#include "emu_int.h"
#include "sim_model.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdlib.h>
#include <string.h>

#define EMU_NAMES_MAX 32

struct emu *emu_new(const char *name, uint64_t sim_seed,
		    const struct emu_faults *faults, int *err)
{
	struct sim_config cfg = { .seed = sim_seed };
	return emu_new_with(name, &cfg, faults, err);
}

struct emu *emu_new_with(const char *name, const struct sim_config *base,
			 const struct emu_faults *faults, int *err)
{
	int e_ = VG_ERR_NOTFOUND;
	const struct emu_ops *ops = name ? emu_find(name) : NULL;
	struct emu *e = NULL;
	if (!ops || !ops->advance)
		goto fail;
	if (faults && (faults->garbage_rate < 0 || faults->garbage_rate > 1 ||
		       faults->drop_rate < 0 || faults->drop_rate > 1 ||
		       faults->corrupt_rate < 0 || faults->corrupt_rate > 1)) {
		e_ = VG_ERR_RANGE;
		goto fail;
	}
	e_ = VG_ERR_NOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto fail;
	e->ops = ops;
	if (faults)
		e->faults = *faults;
	e->rng = e->faults.seed ^ 0x5eed5eed5eed5eedull;
	if (ops->priv_size) {
		e->priv = calloc(1, ops->priv_size);
		if (!e->priv)
			goto fail;
	}
	struct sim_config cfg = { 0 };
	if (base)
		cfg = *base;
	cfg.ecg_fs_hz = ops->ecg_fs_hz;
	cfg.emg_fs_hz = ops->emg_fs_hz;
	if (cfg.n_emg < 2)
		cfg.n_emg = 2;
	e->sim = sim_new(&cfg, &e_);
	if (!e->sim)
		goto fail;
	if (ops->start) {
		e_ = ops->start(e);
		if (e_ < 0)
			goto fail;
	}
	return e;
fail:
	if (e) {
		sim_destroy(&e->sim);
		free(e->priv);
		free(e);
	}
	if (err)
		*err = e_;
	return NULL;
}

void emu_destroy(struct emu **ep)
{
	if (!ep || !*ep)
		return;
	struct emu *e = *ep;
	sim_destroy(&e->sim);
	free(e->priv);
	free(e->out);
	free(e);
	*ep = NULL;
}

void emu_rx(struct emu *e, const uint8_t *buf, size_t n)
{
	if (e->ops->rx && n)
		e->ops->rx(e, buf, n);
}

void emu_autostart(struct emu *e)
{
	if (e->ops->autostart)
		e->ops->autostart(e);
}

size_t emu_advance(struct emu *e, double t_s, const uint8_t **out)
{
	/* forget what the last call returned; keep bytes produced since
	 * (replies to emu_rx) */
	if (e->given) {
		memmove(e->out, e->out + e->given, e->len - e->given);
		e->len -= e->given;
		e->given = 0;
	}
	e->ops->advance(e, t_s);
	*out = e->out;
	e->given = e->len;
	return e->len;
}

const char *const *emu_names(void)
{
	/* filled once from the registry; the registry is constant */
	static const char *names[EMU_NAMES_MAX + 1];
	if (!names[0]) {
		const struct emu_ops *const *all = emu_all();
		size_t n = 0;
		for (; all[n] && n < EMU_NAMES_MAX; n++)
			names[n] = all[n]->name;
		names[n] = NULL;
	}
	return names;
}

const struct emu_ops *emu_find(const char *name)
{
	const struct emu_ops *const *all = emu_all();
	for (size_t i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

