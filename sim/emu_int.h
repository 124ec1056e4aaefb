/*
 * emu_int.h - the emulator object's insides, shared by emu.c (life,
 * lookups) and emu_out.c (output and fault injection). Not for emulators:
 * they use emu.h.
 */
#ifndef EMU_INT_H
#define EMU_INT_H

#include "emu.h"

#include <stddef.h>
#include <stdint.h>

struct emu {
	const struct emu_ops *ops;
	struct sim *sim;
	struct emu_faults faults;
	uint64_t rng;     /* fault generator state (splitmix64) */
	void *priv;
	uint8_t *out;     /* bytes produced since the last emu_advance() */
	size_t len, cap;
	size_t given;     /* bytes returned by the last emu_advance() */
	int oom;          /* output lost for lack of memory (logged once) */
	struct emu_fault_stats fstats;
};


#endif
