/*
 * sim_model.c - deterministic physiological simulator (see sim_model.h for
 * the problem, the approach, the references and the limits).
 *
 * Determinism: every random stream (RR noise, ECG noise, each EMG channel)
 * has its own generator seeded from the seed and the stream number, so the
 * output does not depend on block sizes or on the order in which ECG, EMG
 * and beats are requested.
 * Waveform: beat k at time t_k with interval RR_k (s) contributes
 *   sum_i a_i * exp(-(t - t_k - c_i)^2 / (2 s_i^2))
 * for i in P, Q, R, S, T, with P and T offsets and widths scaled by
 * sqrt(RR) (Bazett), and the R amplitude modulated by breathing. The R wave
 * peaks within 0.2 ms of t_k, so t_k is the true R-peak time.
 */
#include "sim_model.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BEAT_RING 16384      /* beats kept for waveform and truth queries */
#define BEAT_AHEAD_S 2.0     /* beats generated this far past the last sample */
#define WAVE_BEFORE_S 0.45   /* a beat influences samples from t_k - this */
#define WAVE_AFTER_S 0.75    /* ... to t_k + this */
#define RR_NOISE_MS 3.0      /* SD of beat-to-beat noise */
#define LF_HZ 0.1            /* Mayer-wave frequency */
#define FIRST_BEAT_S 0.4

/* ------------------------------------------------------------ scenarios */
static const struct sim_key massage_keys[] = {
	{ 0, 66, 13, 35, 20, { 0.08, 0.05, 0.06, 0.05 }, "baseline" },
	{ 90, 66, 13, 35, 20, { 0.08, 0.05, 0.06, 0.05 }, "baseline" },
	{ 120, 78, 17, 15, 25, { 0.55, 0.30, 0.20, 0.10 }, "deep pressure" },
	{ 180, 82, 18, 12, 25, { 0.75, 0.35, 0.25, 0.10 }, "trigger-point hold" },
	{ 250, 80, 17, 14, 22, { 0.75, 0.35, 0.25, 0.10 }, "trigger-point hold" },
	{ 253, 76, 16, 20, 20, { 0.25, 0.20, 0.15, 0.08 }, "release" },
	{ 300, 70, 10, 35, 15, { 0.12, 0.10, 0.08, 0.06 }, "paced breathing" },
	{ 330, 64, 6, 55, 12, { 0.10, 0.08, 0.06, 0.05 }, "paced breathing" },
	{ 480, 60, 5.5, 65, 10, { 0.05, 0.05, 0.05, 0.04 }, "deep calm" },
	{ 600, 60, 5.5, 65, 10, { 0.05, 0.05, 0.05, 0.04 }, "deep calm" },
};
static const struct sim_key calm_keys[] = {
	{ 0, 64, 12, 40, 15, { 0.06, 0.05, 0.05, 0.05 }, "calm" },
};
static const struct sim_key surge_keys[] = {
	{ 0, 64, 12, 40, 15, { 0.06, 0.05, 0.05, 0.05 }, "calm" },
	{ 60, 64, 12, 40, 15, { 0.06, 0.05, 0.05, 0.05 }, "calm" },
	{ 64, 80, 18, 12, 25, { 0.70, 0.40, 0.10, 0.05 }, "surge" },
	{ 120, 80, 18, 12, 25, { 0.70, 0.40, 0.10, 0.05 }, "surge" },
};
static const struct sim_key release_keys[] = {
	{ 0, 70, 14, 25, 15, { 0.60, 0.10, 0.05, 0.05 }, "hold" },
	{ 60, 70, 14, 25, 15, { 0.60, 0.10, 0.05, 0.05 }, "hold" },
	{ 61, 68, 13, 30, 15, { 0.20, 0.10, 0.05, 0.05 }, "release" },
};
static const struct sim_key paced6_keys[] = {
	{ 0, 62, 6, 60, 10, { 0.05, 0.05, 0.05, 0.05 }, "paced 6/min" },
};
static const struct sim_key paced5_keys[] = {
	{ 0, 62, 5, 65, 10, { 0.05, 0.05, 0.05, 0.05 }, "paced 5/min" },
};

#define SCEN(n, k) { n, k, sizeof(k) / sizeof(k[0]) }
static const struct sim_scenario scenarios[] = {
	SCEN("massage", massage_keys), SCEN("calm", calm_keys),
	SCEN("surge", surge_keys),     SCEN("release", release_keys),
	SCEN("paced6", paced6_keys),   SCEN("paced5", paced5_keys),
};

const struct sim_scenario *sim_default_scenario(void)
{
	return &scenarios[0];
}

const struct sim_scenario *sim_scenario_find(const char *name)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

/* ------------------------------------------------------------ random */
struct rng {
	uint64_t s;
	int have_spare;
	double spare;
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed * 0x2545F4914F6CDD1Dull + stream;
	r->s = splitmix(&x) | 1u;
	r->have_spare = 0;
}

static double rng_uniform(struct rng *r) /* (0, 1) */
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	uint64_t v = r->s * 0x2545F4914F6CDD1Dull;
	return ((double)(v >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double rng_gauss(struct rng *r)
{
	if (r->have_spare) {
		r->have_spare = 0;
		return r->spare;
	}
	double u = rng_uniform(r), v = rng_uniform(r);
	double m = sqrt(-2.0 * log(u));
	r->spare = m * sin(2.0 * M_PI * v);
	r->have_spare = 1;
	return m * cos(2.0 * M_PI * v);
}

/* ------------------------------------------------------------ biquad */
struct biquad {
	double b0, b1, b2, a1, a2;
	double z1, z2;
};

static void bq_design(struct biquad *q, int highpass, double fc, double fs,
		      double qf)
{
	double w = 2.0 * M_PI * fc / fs, c = cos(w), al = sin(w) / (2.0 * qf);
	double a0 = 1.0 + al;
	if (highpass) {
		q->b0 = (1.0 + c) / 2.0 / a0;
		q->b1 = -(1.0 + c) / a0;
	} else {
		q->b0 = (1.0 - c) / 2.0 / a0;
		q->b1 = (1.0 - c) / a0;
	}
	q->b2 = q->b0;
	q->a1 = -2.0 * c / a0;
	q->a2 = (1.0 - al) / a0;
	q->z1 = q->z2 = 0.0;
}

static double bq_run(struct biquad *q, double x)
{
	double y = q->b0 * x + q->z1;
	q->z1 = q->b1 * x - q->a1 * y + q->z2;
	q->z2 = q->b2 * x - q->a2 * y;
	return y;
}

#define EMG_STAGES 4 /* 4th-order HP + 4th-order LP Butterworth */

struct emg_chan {
	struct rng rng;
	struct biquad bq[EMG_STAGES];
	double gain; /* 1 / RMS of the filtered unit noise */
	uint64_t n;  /* samples produced */
	uint64_t first_beat; /* crosstalk: lowest beat index that may matter */
};

/* ------------------------------------------------------------ state */
struct sim {
	struct sim_config cfg;
	const struct sim_scenario *sc;
	struct rng rr_rng, ecg_rng;
	double lf_phase0;
	/* beats */
	struct sim_beat beats[BEAT_RING];
	uint64_t nbeats;       /* beats generated in total */
	double next_beat_s;    /* time of the next beat to generate */
	double last_beat_s;    /* time of the last generated beat, < 0 if none */
	/* ecg */
	uint64_t ecg_n;
	uint64_t ecg_first_beat; /* lowest beat index that may still matter */
	struct emg_chan emg[SIM_MAX_EMG];
};

static double lerp(double a, double b, double f)
{
	return a + (b - a) * f;
}

void sim_truth_at(const struct sim *s, double t_s, struct sim_truth *out)
{
	const struct sim_key *k = s->sc->keys;
	size_t n = s->sc->nkeys, i = 0;
	memset(out, 0, sizeof(*out));
	while (i + 1 < n && k[i + 1].t_s <= t_s)
		i++;
	const struct sim_key *a = &k[i], *b = (i + 1 < n) ? &k[i + 1] : a;
	double f = 0.0;
	if (b != a && t_s > a->t_s)
		f = (t_s - a->t_s) / (b->t_s - a->t_s);
	if (t_s < a->t_s)
		f = 0.0;
	out->hr_bpm = lerp(a->hr_bpm, b->hr_bpm, f);
	out->resp_bpm = lerp(a->resp_bpm, b->resp_bpm, f);
	out->rsa_ms = lerp(a->rsa_ms, b->rsa_ms, f);
	out->lf_ms = lerp(a->lf_ms, b->lf_ms, f);
	for (int c = 0; c < SIM_MAX_EMG; c++) {
		out->tension[c] = lerp(a->tension[c], b->tension[c], f);
		out->emg_rms_uv[c] = s->cfg.emg_rest_uv +
			(s->cfg.emg_max_uv - s->cfg.emg_rest_uv) * out->tension[c];
	}
	out->label = f < 0.5 ? a->label : b->label;
}

/* Breathing phase (radians) at t: 2*pi * integral of resp_bpm/60, exact for
 * the piecewise-linear rate. */
static double resp_phase(const struct sim *s, double t_s)
{
	const struct sim_key *k = s->sc->keys;
	size_t n = s->sc->nkeys;
	double breaths = 0.0, t = 0.0;
	if (t_s <= 0.0)
		return 0.0;
	/* before the first key (t_s < k[0].t_s): constant rate of k[0] */
	for (size_t i = 0; i < n && t < t_s; i++) {
		double seg_end = (i + 1 < n) ? k[i + 1].t_s : t_s;
		if (seg_end > t_s)
			seg_end = t_s;
		if (seg_end <= t)
			continue;
		double r0, r1;
		if (i + 1 < n && k[i + 1].t_s > k[i].t_s) {
			double span = k[i + 1].t_s - k[i].t_s;
			r0 = lerp(k[i].resp_bpm, k[i + 1].resp_bpm,
				  (t - k[i].t_s) / span);
			r1 = lerp(k[i].resp_bpm, k[i + 1].resp_bpm,
				  (seg_end - k[i].t_s) / span);
		} else {
			r0 = r1 = k[i].resp_bpm;
		}
		breaths += 0.5 * (r0 + r1) / 60.0 * (seg_end - t);
		t = seg_end;
	}
	if (t < t_s) /* after the last key: held */
		breaths += k[n - 1].resp_bpm / 60.0 * (t_s - t);
	return 2.0 * M_PI * breaths;
}

static const struct sim_beat *beat_at(const struct sim *s, uint64_t i)
{
	return &s->beats[i % BEAT_RING];
}

static void gen_beats_until(struct sim *s, double t_s)
{
	while (s->next_beat_s <= t_s) {
		double t = s->next_beat_s;
		struct sim_truth tr;
		sim_truth_at(s, t, &tr);
		struct sim_beat *b = &s->beats[s->nbeats % BEAT_RING];
		b->t_s = t;
		b->rr_ms = s->last_beat_s < 0 ? 0.0 : (t - s->last_beat_s) * 1000.0;
		s->nbeats++;
		s->last_beat_s = t;
		/* interval to the next beat: RSA lengthens RR on exhalation */
		double rr = 60000.0 / tr.hr_bpm +
			    tr.rsa_ms * sin(resp_phase(s, t)) +
			    tr.lf_ms * sin(2.0 * M_PI * LF_HZ * t + s->lf_phase0) +
			    RR_NOISE_MS * rng_gauss(&s->rr_rng);
		if (rr < 300.0)
			rr = 300.0;
		s->next_beat_s = t + rr / 1000.0;
	}
}

static void emg_chan_init(struct sim *s, unsigned c)
{
	struct emg_chan *e = &s->emg[c];
	double fs = s->cfg.emg_fs_hz;
	double hp = 20.0, lp = fs * 0.45 < 450.0 ? fs * 0.45 : 450.0;
	static const double q4[2] = { 0.54119610, 1.30656296 };
	bq_design(&e->bq[0], 1, hp, fs, q4[0]);
	bq_design(&e->bq[1], 1, hp, fs, q4[1]);
	bq_design(&e->bq[2], 0, lp, fs, q4[0]);
	bq_design(&e->bq[3], 0, lp, fs, q4[1]);
	/* noise gain = sqrt(sum of squared impulse response), 2 s long */
	double energy = 0.0;
	size_t len = (size_t)(2.0 * fs);
	for (size_t i = 0; i < len; i++) {
		double y = i == 0 ? 1.0 : 0.0;
		for (int k = 0; k < EMG_STAGES; k++)
			y = bq_run(&e->bq[k], y);
		energy += y * y;
	}
	for (int k = 0; k < EMG_STAGES; k++)
		e->bq[k].z1 = e->bq[k].z2 = 0.0;
	e->gain = 1.0 / sqrt(energy);
	rng_seed(&e->rng, s->cfg.seed, 100 + c);
	/* settle the filters so the first samples have full RMS */
	for (size_t i = 0; i < (size_t)(0.5 * fs); i++) {
		double y = rng_gauss(&e->rng);
		for (int k = 0; k < EMG_STAGES; k++)
			y = bq_run(&e->bq[k], y);
	}
}

struct sim *sim_new(const struct sim_config *cfg, int *err)
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s) {
		if (err)
			*err = VG_ERR_NOMEM;
		return NULL;
	}
	if (cfg)
		s->cfg = *cfg;
	else
		s->cfg.n_emg = 2;
	if (s->cfg.ecg_fs_hz <= 0)
		s->cfg.ecg_fs_hz = 500;
	if (s->cfg.emg_fs_hz <= 0)
		s->cfg.emg_fs_hz = 1000;
	if (s->cfg.emg_rest_uv <= 0)
		s->cfg.emg_rest_uv = 5;
	if (s->cfg.emg_max_uv <= 0)
		s->cfg.emg_max_uv = 200;
	if (s->cfg.ecg_noise_mv <= 0)
		s->cfg.ecg_noise_mv = 0.01;
	if (s->cfg.n_emg > SIM_MAX_EMG || s->cfg.ecg_fs_hz < 50 ||
	    s->cfg.ecg_fs_hz > 10000 || s->cfg.emg_fs_hz < 50 ||
	    s->cfg.emg_fs_hz > 20000) {
		free(s);
		if (err)
			*err = VG_ERR_INVAL;
		return NULL;
	}
	s->sc = s->cfg.scenario ? s->cfg.scenario : sim_default_scenario();
	rng_seed(&s->rr_rng, s->cfg.seed, 1);
	rng_seed(&s->ecg_rng, s->cfg.seed, 2);
	s->lf_phase0 = 2.0 * M_PI * rng_uniform(&s->rr_rng);
	s->next_beat_s = FIRST_BEAT_S;
	s->last_beat_s = -1.0;
	for (unsigned c = 0; c < s->cfg.n_emg; c++)
		emg_chan_init(s, c);
	return s;
}

void sim_destroy(struct sim **sp)
{
	if (sp && *sp) {
		free(*sp);
		*sp = NULL;
	}
}

double sim_ecg_fs(const struct sim *s)
{
	return s->cfg.ecg_fs_hz;
}

double sim_emg_fs(const struct sim *s)
{
	return s->cfg.emg_fs_hz;
}

unsigned sim_n_emg(const struct sim *s)
{
	return s->cfg.n_emg;
}

/* P, Q, R, S, T: offset (s), width (s), amplitude (mV), scaled by sqrt(RR)? */
static const struct {
	double c, w, a;
	int scaled;
} waves[5] = {
	{ -0.20, 0.025, 0.15, 1 },
	{ -0.030, 0.010, -0.12, 0 },
	{ 0.0, 0.011, 1.20, 0 },
	{ 0.030, 0.011, -0.25, 0 },
	{ 0.30, 0.060, 0.30, 1 },
};

static double beat_wave(double dt, double rr_s, double resp_mod)
{
	double sq = sqrt(rr_s);
	double v = 0.0;
	for (int i = 0; i < 5; i++) {
		double c = waves[i].scaled ? waves[i].c * sq : waves[i].c;
		double w = waves[i].scaled ? waves[i].w * sq : waves[i].w;
		double a = waves[i].a * (i == 2 ? resp_mod : 1.0);
		double z = (dt - c) / w;
		if (z > -6.0 && z < 6.0)
			v += a * exp(-0.5 * z * z);
	}
	return v;
}

void sim_ecg(struct sim *s, float *out_mv, size_t n)
{
	double fs = s->cfg.ecg_fs_hz;
	for (size_t i = 0; i < n; i++) {
		double t = (double)s->ecg_n / fs;
		gen_beats_until(s, t + BEAT_AHEAD_S);
		/* drop beats that no longer reach t */
		while (s->ecg_first_beat + 1 < s->nbeats &&
		       (s->nbeats - s->ecg_first_beat > BEAT_RING - 64 ||
			beat_at(s, s->ecg_first_beat)->t_s + WAVE_AFTER_S < t))
			s->ecg_first_beat++;
		double ph = resp_phase(s, t);
		double v = 0.05 * sin(ph) + s->cfg.ecg_noise_mv * rng_gauss(&s->ecg_rng);
		for (uint64_t k = s->ecg_first_beat; k < s->nbeats; k++) {
			const struct sim_beat *b = beat_at(s, k);
			if (b->t_s - WAVE_BEFORE_S > t)
				break;
			/* the interval that ends at this beat scales its waves;
			 * the first beat uses the mean */
			double rr_s = b->rr_ms > 0 ? b->rr_ms / 1000.0 : 0.9;
			double mod = 1.0 + 0.10 * sin(resp_phase(s, b->t_s));
			v += beat_wave(t - b->t_s, rr_s, mod);
		}
		out_mv[i] = (float)v;
		s->ecg_n++;
	}
}

/* The QRS (Q, R, S waves, R = 1) of the beats around t, for crosstalk. */
static double xtalk_at(struct sim *s, struct emg_chan *e, double t)
{
	gen_beats_until(s, t + BEAT_AHEAD_S);
	uint64_t oldest = s->nbeats > BEAT_RING - 64 ? s->nbeats - (BEAT_RING - 64) : 0;
	if (e->first_beat < oldest)
		e->first_beat = oldest;
	while (e->first_beat + 1 < s->nbeats && beat_at(s, e->first_beat)->t_s + 0.1 < t)
		e->first_beat++;
	double v = 0.0;
	for (uint64_t k = e->first_beat; k < s->nbeats; k++) {
		const struct sim_beat *b = beat_at(s, k);
		if (b->t_s - 0.1 > t)
			break;
		for (int w = 1; w <= 3; w++) {
			double z = (t - b->t_s - waves[w].c) / waves[w].w;
			v += waves[w].a / waves[2].a * exp(-0.5 * z * z);
		}
	}
	return v;
}

void sim_emg(struct sim *s, unsigned ch, float *out_uv, size_t n)
{
	if (ch >= s->cfg.n_emg)
		return;
	struct emg_chan *e = &s->emg[ch];
	double fs = s->cfg.emg_fs_hz;
	for (size_t i = 0; i < n; i++) {
		double t = (double)e->n / fs;
		struct sim_truth tr;
		sim_truth_at(s, t, &tr);
		double y = rng_gauss(&e->rng);
		for (int k = 0; k < EMG_STAGES; k++)
			y = bq_run(&e->bq[k], y);
		double v = y * e->gain * tr.emg_rms_uv[ch];
		if (s->cfg.emg_xtalk_uv > 0.0)
			v += s->cfg.emg_xtalk_uv * xtalk_at(s, e, t);
		out_uv[i] = (float)v;
		e->n++;
	}
}

size_t sim_beats(struct sim *s, double t0_s, double t1_s, struct sim_beat *out,
		 size_t cap)
{
	gen_beats_until(s, t1_s);
	uint64_t first = s->nbeats > BEAT_RING ? s->nbeats - BEAT_RING : 0;
	size_t k = 0;
	for (uint64_t i = first; i < s->nbeats && k < cap; i++) {
		const struct sim_beat *b = beat_at(s, i);
		if (b->t_s >= t0_s && b->t_s < t1_s)
			out[k++] = *b;
	}
	return k;
}
