/*
 * sim_model.h - deterministic physiological simulator (the truth for tests).
 *
 * Problem: the daemon, the device emulators and the tests need realistic
 * ECG and EMG whose true beat times, RR, breathing rate and muscle tension
 * are known exactly, reproducibly for a seed, at any sampling rate.
 * Approach: a scenario (keyframes of heart rate, breathing rate, RSA and LF
 * amplitude, tension per muscle, linearly interpolated) drives a beat
 * generator (RR = 60/HR + RSA at the breathing phase + LF oscillation +
 * small noise) and a McSharry-style ECG: the sum of Gaussian P, Q, R, S, T
 * waves placed relative to each beat with widths scaled by sqrt(RR), plus
 * respiratory baseline wander, respiratory R-amplitude modulation and noise.
 * EMG is white noise band-limited to 20-450 Hz (4th-order Butterworth),
 * normalised to unit RMS and scaled by rest + (max - rest) * tension(t).
 * References: McSharry et al., IEEE TBME 50(3):289-294, 2003 (ECGSYN);
 * Task Force 1996 for RSA/LF bands.
 * Limits: no ectopy or arrhythmia; pure C, no I/O, no allocation after new.
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_EMG 4

/* One keyframe of a scenario; values between keyframes are interpolated. */
struct sim_key {
	double t_s;               /* time from session start, s */
	double hr_bpm;            /* mean heart rate */
	double resp_bpm;          /* breathing rate, breaths/min */
	double rsa_ms;            /* RSA amplitude (peak), ms */
	double lf_ms;             /* 0.1 Hz oscillation amplitude (peak), ms */
	double tension[SIM_MAX_EMG]; /* 0 (rest) .. 1 (strong contraction) */
	const char *label;        /* phase name, e.g. "baseline" (may be NULL) */
};

struct sim_scenario {
	const char *name;
	const struct sim_key *keys; /* sorted by t_s; after the last, held */
	size_t nkeys;
};

struct sim_config {
	uint64_t seed;         /* same seed, same data */
	double ecg_fs_hz;      /* default 500 */
	double emg_fs_hz;      /* default 1000 */
	unsigned n_emg;        /* EMG channels, 0..SIM_MAX_EMG (default 2) */
	double emg_rest_uv;    /* RMS at tension 0 (default 5 uV) */
	double emg_max_uv;     /* RMS at tension 1 (default 200 uV) */
	double ecg_noise_mv;   /* white noise SD (default 0.01 mV) */
	double emg_xtalk_uv;   /* ECG crosstalk in every EMG channel: the QRS
				* (Q, R, S waves of the ECG) with its R peak at
				* this many uV (default 0 = none; 10-50 on the
				* upper trapezius and trunk) */
	const struct sim_scenario *scenario; /* NULL = sim_default_scenario() */
};

struct sim_beat {
	double t_s;   /* R-peak time from session start, s */
	double rr_ms; /* interval since the previous beat, ms (0 for the first) */
};

struct sim_truth {
	double hr_bpm, resp_bpm, rsa_ms, lf_ms;
	double tension[SIM_MAX_EMG];
	double emg_rms_uv[SIM_MAX_EMG]; /* true RMS of the EMG at t */
	const char *label;
};

struct sim;

/* cfg may be NULL for defaults; fields left 0 take their defaults. */
struct sim *sim_new(const struct sim_config *cfg, int *err);
void sim_destroy(struct sim **s);
const struct sim_scenario *sim_default_scenario(void);
/* Find a built-in scenario by name ("massage", "calm", "surge", "release",
 * "paced6", "paced5"); NULL if none. */
const struct sim_scenario *sim_scenario_find(const char *name);

/* Next n ECG samples (mV) at ecg_fs_hz, continuing from the last call. */
void sim_ecg(struct sim *s, float *out_mv, size_t n);
/* Next n EMG samples (uV) of channel ch at emg_fs_hz. */
void sim_emg(struct sim *s, unsigned ch, float *out_uv, size_t n);
/* True beats with R peak in [t0_s, t1_s); returns the count written
 * (at most cap). Beats are generated as far as needed. */
size_t sim_beats(struct sim *s, double t0_s, double t1_s, struct sim_beat *out,
		 size_t cap);
/* Scenario values at time t_s. */
void sim_truth_at(const struct sim *s, double t_s, struct sim_truth *out);
double sim_ecg_fs(const struct sim *s);
double sim_emg_fs(const struct sim *s);
unsigned sim_n_emg(const struct sim *s);

#endif
