/*
 * emu_registry.c - the one list of device emulators (see emu.h).
 * Adding an emulator = one sim/emu_<name>.c file and one line here; the
 * name must be the driver's name so vagus-sim, the round-trip tests and the
 * benchmarks can pair each emulator with its driver.
 */
#include "emu.h"

#include <stddef.h>

extern const struct emu_ops emu_openbci_ops;
extern const struct emu_ops emu_bitalino_ops;
extern const struct emu_ops emu_p2_ops;
extern const struct emu_ops emu_ant_ops;
extern const struct emu_ops emu_pulse_ops;
extern const struct emu_ops emu_hrmi_ops;

static const struct emu_ops *const emulators[] = {
	&emu_openbci_ops,
	&emu_bitalino_ops,
	&emu_p2_ops,
	&emu_ant_ops,
	&emu_pulse_ops,
	&emu_hrmi_ops,
	NULL
};

const struct emu_ops *const *emu_all(void)
{
	return emulators;
}
