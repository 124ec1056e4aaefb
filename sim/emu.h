/*
 * emu.h - device emulators: the byte streams real sensors send, carrying
 * the simulator's physiology, for vagus-sim (pty or capture file) and tests.
 *
 * Problem: no sensor is attached on test machines, yet every driver must be
 * exercised end to end (handshake, framing, counters, faults, unplug).
 * Approach: one struct emu_ops per device (sim/emu_<name>.c, one line in
 * emu_registry.c). The core (emu.c) owns a struct sim at the rates the
 * emulator asks for, collects output frames through emu_frame(), and applies
 * fault injection per frame (drop, corrupt one bit, insert garbage).
 * Limits: emulates the documented protocol (../shared/docs/protocols.md),
 * not any one firmware's quirks beyond those documented there.
 */
#ifndef EMU_H
#define EMU_H

#include <stddef.h>
#include <stdint.h>

struct emu;
struct sim;

struct emu_ops {
	const char *name;     /* the driver's name: "openbci", "bitalino", ... */
	double ecg_fs_hz;     /* rate the emulator wants sim ECG at (0 = none) */
	double emg_fs_hz;     /* rate the emulator wants sim EMG at (0 = none) */
	size_t priv_size;     /* private state, allocated zeroed by the core */
	/* Optional: called once before anything else. 0 or VG_ERR_*. */
	int (*start)(struct emu *e);
	/* Optional: bytes the host wrote to the device (commands). */
	void (*rx)(struct emu *e, const uint8_t *buf, size_t n);
	/* Mandatory: produce everything due up to time t_s (session time, s)
	 * with emu_frame()/emu_text(). */
	void (*advance)(struct emu *e, double t_s);
	/* Optional: act as if the driver's start-up commands had been
	 * received (used with no host attached: capture files, tests,
	 * benchmarks). Devices that stream from power-up leave it NULL. */
	void (*autostart)(struct emu *e);
};

struct emu_faults {
	double garbage_rate;  /* probability per frame of inserting 1-16 random bytes before it */
	double drop_rate;     /* probability per frame of dropping it */
	double corrupt_rate;  /* probability per frame of flipping one bit */
	uint64_t seed;
};

/* Create an emulator for a driver name; NULL + *err if unknown. */
struct emu *emu_new(const char *name, uint64_t sim_seed,
		    const struct emu_faults *faults, int *err);
/* The same with simulator settings: base gives the seed, scenario, EMG
 * levels and noise (NULL = defaults); the sampling rates are the
 * emulator's (ecg_fs_hz, emg_fs_hz) and n_emg is at least 2. */
struct sim_config;
struct emu *emu_new_with(const char *name, const struct sim_config *base,
			 const struct emu_faults *faults, int *err);
void emu_destroy(struct emu **e);
/* Host -> device bytes. */
void emu_rx(struct emu *e, const uint8_t *buf, size_t n);
/* Advance to t_s; returns bytes now ready in *out (valid until the next
 * call) and their count. */
size_t emu_advance(struct emu *e, double t_s, const uint8_t **out);
/* NULL-terminated list of emulator names (the registry's order). */
const char *const *emu_names(void);
/* Behave as if the host had sent the driver's start-up commands (capture
 * files, tests, benchmarks); no effect for devices that need none. */
void emu_autostart(struct emu *e);

/* Faults injected so far (tests compare them with the driver's counters). */
struct emu_fault_stats {
	uint64_t frames;        /* frames offered by the emulator */
	uint64_t dropped;       /* frames not sent */
	uint64_t corrupted;     /* frames sent with one bit flipped */
	uint64_t garbage_bytes; /* random bytes inserted */
};
const struct emu_fault_stats *emu_fault_stats(const struct emu *e);

/* Registry (sim/emu_registry.c): NULL-terminated list; lookup by name. */
const struct emu_ops *const *emu_all(void);
const struct emu_ops *emu_find(const char *name);

/* For emulators: */
void *emu_priv(struct emu *e);
struct sim *emu_sim(struct emu *e);
/* Emit one frame (fault injection applies per frame). */
void emu_frame(struct emu *e, const uint8_t *buf, size_t n);
/* Emit bytes exempt from fault injection (handshake replies). */
void emu_text(struct emu *e, const char *s);
/* Emit raw bytes exempt from fault injection. */
void emu_bytes(struct emu *e, const uint8_t *buf, size_t n);

#endif
