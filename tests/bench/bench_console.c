/*
 * bench_console.c - how fast vagus-console's model digests the daemon's
 * messages: messages per second through con_model_feed() for a realistic
 * mix (per second of signal: 8 EMG channels at 20 Hz, 1.2 beats, two HRV
 * windows per beat, the guide at 20 Hz, one status), and the share of one
 * core the console needs to keep up with that stream in real time.
 * For scale: the console redraws at 10 Hz; a daemon with 8 EMG channels
 * publishes about 185 messages per second.
 */
#include "../../tools/vagus-console/model.c"

#include <stdlib.h>

#define NCH 8
#define SECONDS 2000 /* seconds of signal fed */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t feed(struct con_model *m, const char *buf, double t)
{
	con_model_feed(m, buf, strlen(buf), t);
	return 1;
}

int main(void)
{
	static struct con_model m;
	con_model_init(&m);
	char buf[2048];
	size_t n = 0;
	long long t0_ns = 1790000000000000000LL;
	double t0 = now_s();
	for (int s = 0; s < SECONDS; s++) {
		for (int k = 0; k < 20; k++) {
			long long t = t0_ns + (long long)s * 1000000000LL + k * 50000000LL;
			for (int c = 0; c < NCH; c++) {
				snprintf(buf, sizeof(buf),
					 "{\"topic\":\"emg\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,"
					 "\"channel\":%d,\"name\":\"region-%d\",\"sample\":%d,"
					 "\"rms_uv\":%.2f,\"level_pct\":%.1f,\"mdf_hz\":120.0,"
					 "\"mnf_hz\":130.0,\"state\":\"tense\",\"quality\":[\"uncalibrated\"]}",
					 (s * 20 + k) * NCH + c, t, c, c, s * 1000 + k * 50,
					 20.0 + c + k * 0.1, 40.0 + k);
				n += feed(&m, buf, s + k * 0.05);
			}
			snprintf(buf, sizeof(buf),
				 "{\"topic\":\"guide\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,\"pattern\":"
				 "\"4-2-6\",\"phase\":\"inhale\",\"progress\":%.3f,\"breath_progress\":"
				 "0.100,\"rate_bpm\":5.00,\"phase_s\":4.000,\"phase_start_ns\":1,"
				 "\"breath\":3,\"following\":0.50,\"resp_bpm\":5.5,\"advice\":\"hold\","
				 "\"confidence\":0.70,\"reasons\":\"HR steady (64 bpm); EMG within "
				 "+10 %% for 25 s\",\"profile\":\"standard\",\"holding\":false,"
				 "\"technique\":\"\",\"region\":\"\",\"hold_s\":null,"
				 "\"span_min_s\":null,\"span_max_s\":null}", s * 20 + k, t, k / 20.0);
			n += feed(&m, buf, s + k * 0.05);
		}
		long long t = t0_ns + (long long)s * 1000000000LL;
		for (int b = 0; b < (s % 5 == 0 ? 2 : 1); b++) { /* 1.2 beats/s */
			snprintf(buf, sizeof(buf),
				 "{\"topic\":\"beat\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,\"sample\":%d,"
				 "\"rr_ms\":833.000,\"hr_bpm\":72.00,\"source\":\"ECG\",\"quality\":0.950}",
				 s, t, s * 500);
			n += feed(&m, buf, s);
			for (int w = 0; w < 2; w++) {
				snprintf(buf, sizeof(buf),
					 "{\"topic\":\"hrv\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,"
					 "\"window_s\":%s,\"n\":71,\"mean_nn_ms\":846.01,\"sdnn_ms\":61.35,"
					 "\"rmssd_ms\":24.93,\"pnn50\":2.86,\"sd1_ms\":17.69,\"sd2_ms\":84.94,"
					 "\"hr_bpm\":70.92,\"artifacts_pct\":0.00,\"vlf_ms2\":null,"
					 "\"lf_ms2\":null,\"hf_ms2\":413.71,\"lf_hf\":null,\"lf_nu\":null,"
					 "\"hf_nu\":null,\"hf_peak_hz\":0.2338,\"rsa_ms2\":413.71,"
					 "\"slow_breathing\":false,\"pns_index\":%.2f,\"calm\":null,"
					 "\"calm_trend\":null}", s * 2 + w, t, w ? "300.0" : "60.0",
					 -1.0 + (s % 100) * 0.01);
				n += feed(&m, buf, s);
			}
		}
		snprintf(buf, sizeof(buf),
			 "{\"topic\":\"status\",\"v\":1,\"seq\":%d,\"t_ns\":%lld,\"version\":\"0.1.0\","
			 "\"uptime_s\":%d.0,\"sources\":[{\"name\":\"sim\",\"driver\":\"sim\",\"link\":"
			 "\"\",\"state\":\"running\",\"bytes\":0,\"frames\":598,\"last_data_age_s\":0.0,"
			 "\"channels\":[{\"label\":\"ECG\",\"kind\":\"ecg\",\"rate_hz\":500.00},"
			 "{\"label\":\"t\",\"kind\":\"emg\",\"rate_hz\":1000.00}]}],"
			 "\"dropped_samples\":0,\"session\":\"\"}", s, t, s);
		n += feed(&m, buf, s);
	}
	double dt = now_s() - t0;
	double per_s = (double)n / SECONDS;
	printf("console model: %zu messages (%.0f per second of signal, %d EMG channels) "
	       "in %.3f s (formatting included)\n", n, per_s, NCH, dt);
	printf("console model: %.0f messages/s, %.2f us/message; real-time load %.3f %% "
	       "of one core\n", n / dt, dt / n * 1e6, 100.0 * dt / SECONDS);
	printf("console model: gauge %.1f, trend %.2f/min, %d regions (sanity)\n",
	       m.gauge, m.gauge_trend, m.nreg);
	return m.nreg == NCH && isfinite(m.gauge) ? 0 : 1;
}
