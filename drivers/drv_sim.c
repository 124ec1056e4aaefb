/*
 * drv_sim.c - the built-in simulator as a device driver ("--source sim").
 *
 * Problem: the daemon, the live view and the tests need a source that works
 * with no hardware, in real time or faster, deterministic for a seed.
 * Approach: a driver with no link whose tick() asks the physiological model
 * (sim_model.c) for every sample due since the first tick, scaled by the
 * speed option: one ECG channel and n EMG channels.
 * Options (comma-separated): seed=N (default 1), speed=X (default 1, up to
 * 1000), scenario=NAME (massage, calm, surge, release, paced6, paced5),
 * ecg_hz=F (default 500), emg_hz=F (default 1000), emg=N channels (0..4,
 * default 2), emg1=NAME .. emg4=NAME (muscle names; defaults
 * trapezius-left, trapezius-right, erector-spinae-left, erector-spinae-right),
 * xtalk=UV (ECG crosstalk in the EMG channels, R peak in uV; default 0).
 * Limits: at most MAX_CATCHUP_S of signal per tick, so a stalled loop
 * catches up over several ticks instead of blocking.
 */
#include "driver.h"
#include "sim_model.h"
#include "vg_err.h"
#include "vg_log.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define BLOCK 256
#define MAX_CATCHUP_S 1.0

static const char *const default_names[SIM_MAX_EMG] = {
	"trapezius-left", "trapezius-right", "erector-spinae-left",
	"erector-spinae-right"
};

struct sim_priv {
	struct sim *sim;
	double speed;
	int64_t t0_ns;    /* wall time of the first tick, 0 = not yet */
	uint64_t ecg_done, emg_done; /* samples produced */
	double ecg_fs, emg_fs;
	unsigned n_emg;
	float buf[BLOCK];
};

static int sim_open(struct drv_instance *d)
{
	struct sim_priv *p = drv_priv(d);
	double speed, ecg_hz, emg_hz, xtalk_uv;
	long seed, n_emg;
	if (drv_opt_double(d, "speed", 1.0, &speed) < 0 ||
	    drv_opt_double(d, "ecg_hz", 500.0, &ecg_hz) < 0 ||
	    drv_opt_double(d, "emg_hz", 1000.0, &emg_hz) < 0 ||
	    drv_opt_double(d, "xtalk", 0.0, &xtalk_uv) < 0 ||
	    drv_opt_long(d, "seed", 1, &seed) < 0 ||
	    drv_opt_long(d, "emg", 2, &n_emg) < 0)
		return VG_ERR_INVAL;
	if (!(speed > 0.0 && speed <= 1000.0) || n_emg < 0 || n_emg > SIM_MAX_EMG ||
	    !(xtalk_uv >= 0.0 && xtalk_uv <= 5000.0)) {
		vg_warnx("sim: speed must be in (0, 1000], emg in 0..%d and xtalk in "
			 "0..5000 uV", SIM_MAX_EMG);
		return VG_ERR_RANGE;
	}
	struct sim_config cfg = {
		.seed = (uint64_t)seed, .ecg_fs_hz = ecg_hz, .emg_fs_hz = emg_hz,
		.n_emg = (unsigned)n_emg, .emg_xtalk_uv = xtalk_uv,
	};
	const char *scen = drv_opt(d, "scenario");
	if (scen) {
		cfg.scenario = sim_scenario_find(scen);
		if (!cfg.scenario) {
			vg_warnx("sim: unknown scenario '%s'", scen);
			return VG_ERR_NOTFOUND;
		}
	}
	int err = VG_OK;
	p->sim = sim_new(&cfg, &err);
	if (!p->sim)
		return err;
	p->speed = speed;
	p->ecg_fs = ecg_hz;
	p->emg_fs = emg_hz;
	p->n_emg = (unsigned)n_emg;

	struct drv_channel c = { .label = "ECG", .kind = DRV_SIG_ECG,
				 .rate_hz = ecg_hz, .unit = "mV",
				 .phys_min = -5.0, .phys_max = 5.0,
				 .transducer = "simulated ECG lead II",
				 .prefilter = "none" };
	int rc = drv_add_channel(d, &c);
	for (unsigned i = 0; rc >= 0 && i < p->n_emg; i++) {
		char key[16];
		snprintf(key, sizeof(key), "emg%u", i + 1);
		const char *name = drv_opt(d, key);
		struct drv_channel e = { .kind = DRV_SIG_EMG, .rate_hz = emg_hz,
					 .unit = "uV", .phys_min = -5000.0,
					 .phys_max = 5000.0,
					 .transducer = "simulated surface EMG",
					 .prefilter = "BP:20-450Hz" };
		snprintf(e.label, sizeof(e.label), "%s",
			 name && *name ? name : default_names[i]);
		rc = drv_add_channel(d, &e);
	}
	if (rc < 0) {
		sim_destroy(&p->sim);
		return rc;
	}
	drv_info(d, "model", "vagus physiological simulator");
	return VG_OK;
}

static int sim_feed(struct drv_instance *d, const uint8_t *buf, size_t len)
{
	(void)buf;
	drv_stat_garbage(d, len); /* nothing should arrive */
	return VG_OK;
}

static int sim_tick(struct drv_instance *d, int64_t now_ns)
{
	struct sim_priv *p = drv_priv(d);
	if (!p->t0_ns)
		p->t0_ns = now_ns;
	double t_s = (double)(now_ns - p->t0_ns) * 1e-9 * p->speed;
	uint64_t ecg_due = (uint64_t)floor(t_s * p->ecg_fs);
	uint64_t emg_due = (uint64_t)floor(t_s * p->emg_fs);
	uint64_t ecg_max = p->ecg_done + (uint64_t)(MAX_CATCHUP_S * p->ecg_fs);
	uint64_t emg_max = p->emg_done + (uint64_t)(MAX_CATCHUP_S * p->emg_fs);
	if (ecg_due > ecg_max)
		ecg_due = ecg_max;
	if (emg_due > emg_max)
		emg_due = emg_max;
	while (p->ecg_done < ecg_due) {
		size_t n = (size_t)(ecg_due - p->ecg_done);
		if (n > BLOCK)
			n = BLOCK;
		sim_ecg(p->sim, p->buf, n);
		drv_samples(d, 0, p->buf, n);
		p->ecg_done += n;
	}
	while (p->emg_done < emg_due) {
		size_t n = (size_t)(emg_due - p->emg_done);
		if (n > BLOCK)
			n = BLOCK;
		for (unsigned c = 0; c < p->n_emg; c++) {
			sim_emg(p->sim, c, p->buf, n);
			drv_samples(d, 1 + c, p->buf, n);
		}
		p->emg_done += n;
	}
	drv_stat_frame_ok(d);
	return VG_OK;
}

static void sim_close(struct drv_instance *d)
{
	struct sim_priv *p = drv_priv(d);
	sim_destroy(&p->sim);
}

const struct drv_ops drv_sim_ops = {
	.name = "sim",
	.description = "built-in physiological simulator (ECG + EMG)",
	.provides = DRV_PROVIDES_ECG | DRV_PROVIDES_EMG,
	.usb_ids = NULL,
	.baud = 0,
	.priv_size = sizeof(struct sim_priv),
	.open = sim_open,
	.feed = sim_feed,
	.tick = sim_tick,
	.event = NULL,
	.close = sim_close,
};
