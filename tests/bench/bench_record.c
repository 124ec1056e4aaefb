/*
 * bench_record.c - cost of session recording (daemon/record.c).
 *
 * What is measured: one hour of signal (ECG 500 Hz + 4 EMG at 1000 Hz, the
 * target configuration) fed as the daemon feeds it, 10 ms per signal at a
 * time, with 60 JSON messages of 300 bytes per second and rec_sync() every
 * second, into a temporary directory. Prints CPU time per second of signal
 * (process CPU, so EDFlib's and the kernel's write cost count), the share
 * of one core that is, bytes per second for each file, and the time of a
 * rec_repair() of the hour (count fix plus the annotations put back), and
 * the time rec_close() takes to write the annotations: with GAPS_PER_S > 0
 * that many 1-sample gaps per second (a source dropping frames, round-robin
 * over the signals) make the file grow annotation signals at close.
 * Usage: bench_record [SECONDS [GAPS_PER_S]] (default 3600 0).
 */
#include "record.h"
#include "vg_err.h"
#include "vg_log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static double wall_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 3600;
	if (seconds < 1)
		seconds = 3600;
	int gaps_per_s = argc > 2 ? atoi(argv[2]) : 0;
	if (gaps_per_s < 0 || gaps_per_s > 100)
		gaps_per_s = 0;
	vg_log_set_level(VG_LOG_WARN);
	char dir[] = "/tmp/vg_bench_record_XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	const struct rec_signal sig[5] = {
		{ "ECG", "mV", "AgAgCl", "HP:0.5Hz", -5, 5, 500, NULL },
		{ "EMG1", "uV", "sEMG", "HP:20Hz", -5000, 5000, 1000, NULL },
		{ "EMG2", "uV", "sEMG", "HP:20Hz", -5000, 5000, 1000, NULL },
		{ "EMG3", "uV", "sEMG", "HP:20Hz", -5000, 5000, 1000, NULL },
		{ "EMG4", "uV", "sEMG", "HP:20Hz", -5000, 5000, 1000, NULL },
	};
	struct rec_config cfg = { dir, "bench", "none", 1795248000LL * 1000000000LL, sig, 5,
				  0, 0, NULL };
	int err = 0;
	float buf[5][10];
	char msg[300];
	memset(msg, 'x', sizeof(msg));
	memcpy(msg, "{\"topic\":\"emg\",\"pad\":\"", 22);
	memcpy(msg + sizeof(msg) - 2, "\"}", 2);
	double c0 = cpu_s(), w0 = wall_s();
	struct rec *r = rec_open(&cfg, &err);
	if (!r) {
		fprintf(stderr, "bench_record: %s\n", vg_strerror(err));
		return 1;
	}
	char edf[512];
	snprintf(edf, sizeof(edf), "%s", rec_edf_path(r));
	for (long tick = 0; tick < seconds * 100L; tick++) {
		for (int s = 0; s < 5; s++) {
			int n = (int)(sig[s].rate_hz / 100);
			for (int k = 0; k < n; k++)
				buf[s][k] = (float)(0.5 * sig[s].phys_max *
						    sin(0.01 * (double)(tick * n + k) * (s + 1)));
			if (gaps_per_s && tick % 100 < gaps_per_s && (tick / 100 + tick) % 5 == s) {
				rec_gap(r, s, 1); /* the first sample of this 10 ms lost */
				rec_samples(r, s, buf[s] + 1, (size_t)n - 1);
				continue;
			}
			rec_samples(r, s, buf[s], (size_t)n);
		}
		if (tick % 100 < 60)
			rec_message(r, msg, sizeof(msg));
		if (tick % 3000 == 0)
			rec_annotation(r, cfg.start_ns + tick * 10000000LL, 1.0, "mark");
		if (tick % 100 == 99)
			rec_sync(r);
	}
	struct rec_stats st = *rec_stats(r);
	double k0 = wall_s();
	rec_close(&r);
	double c1 = cpu_s(), w1 = wall_s();
	/* a crashed copy: header count reset, so repair has to rewrite */
	char copy[512], copyj[512], cmd[20000];
	snprintf(copy, sizeof(copy), "%s/crashed.edf", dir);
	snprintf(copyj, sizeof(copyj), "%s/crashed.jsonl", dir);
	size_t n = strlen(edf);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%.*s.jsonl' '%s' && "
		 "printf -- '-1      ' | dd of='%s' bs=1 seek=236 conv=notrunc 2>/dev/null",
		 edf, copy, (int)(n - 4), edf, copyj, copy);
	int sys = system(cmd);
	double r0 = wall_s();
	int changed = 0;
	int e = sys == 0 ? rec_repair(copy, &changed) : VG_ERR_IO;
	double r1 = wall_s();
	double cpu = c1 - c0;
	printf("record %d s of ECG 500 Hz + 4 x EMG 1000 Hz, 60 messages/s:\n", seconds);
	printf("  CPU %.1f us per second of signal (%.4f %% of one core), wall %.2f s\n",
	       cpu / seconds * 1e6, cpu / seconds * 100, w1 - w0);
	printf("  EDF+ %.0f bytes/s (%llu records), JSON lines %.0f bytes/s, %llu "
	       "annotations\n", (double)st.bytes_edf / seconds,
	       (unsigned long long)st.records, (double)st.bytes_jsonl / seconds,
	       (unsigned long long)st.annotations);
	printf("  rec_close (annotations into the EDF+ file): %.3f s\n", w1 - k0);
	printf("  repair of the whole recording (crashed copy, annotations back): "
	       "%.3f s (%s, %s)\n", r1 - r0, vg_strerror(e), changed ? "rewritten" : "unchanged");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return e == 0 && st.edf_err == 0 && st.jsonl_err == 0 ? 0 : 1;
}
