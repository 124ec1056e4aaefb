/*
 * registry.c - the one list of device drivers (gpsd's driver table).
 * Adding a driver = one drv_<name>.c file and one line here.
 */
#include "driver.h"

#include <string.h>

extern const struct drv_ops drv_sim_ops;
extern const struct drv_ops drv_openbci_ops;
extern const struct drv_ops drv_bitalino_ops;
extern const struct drv_ops drv_p2_ops;
extern const struct drv_ops drv_ant_ops;
extern const struct drv_ops drv_pulse_ops;
extern const struct drv_ops drv_hrmi_ops;

static const struct drv_ops *const drivers[] = {
	&drv_sim_ops,
	&drv_openbci_ops,
	&drv_bitalino_ops,
	&drv_p2_ops,
	&drv_ant_ops,
	&drv_pulse_ops,
	&drv_hrmi_ops,
	NULL
};

const struct drv_ops *const *drv_all(void)
{
	return drivers;
}

const struct drv_ops *drv_find(const char *name)
{
	for (size_t i = 0; drivers[i]; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const struct drv_ops *drv_find_usb(uint16_t vid, uint16_t pid)
{
	for (size_t i = 0; drivers[i]; i++) {
		const struct drv_usb_id *u = drivers[i]->usb_ids;
		for (; u && (u->vid || u->pid); u++)
			if (u->vid == vid && u->pid == pid)
				return drivers[i];
	}
	return NULL;
}
