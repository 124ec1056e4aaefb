/*
 * test_record.c - unit tests of the session recorder (daemon/record.c) and
 * rec_repair().
 *
 * What is checked, reading the files back with EDFlib itself:
 * - a session of 3 signals (500/1000/1000 Hz) fed in uneven chunks with the
 *   signals lagging each other: labels, units, transducer, prefilter, rates,
 *   start time (with sub-second), every sample within half an EDF step of
 *   what was fed, a gap filled and annotated with the right onset and
 *   duration, marks and the technique as EDF+ annotations, the JSON lines
 *   byte for byte;
 * - a rate that needs a record shorter than 1 s (62.5 Hz -> 0.992 s);
 * - a signal far ahead of another: records forced out, the late signal
 *   filled and annotated, its late samples counted lost;
 * - file names (UTC time, sanitised client, -2 when taken), bad
 *   configurations and a missing directory;
 * - a snapshot of open files (what a crash leaves) repaired: count, cut
 *   partial record, annotations back from the JSON lines;
 * - disk full (RLIMIT_FSIZE in a child process): VG_ERR_IO once per file,
 *   recording goes on counting losses, no crash, and the EDF+ file left
 *   behind opens in EDFlib with correct samples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vgtest.h"

#include "record.h"
#include "record_int.h"
#include "vg_err.h"
#include "vg_log.h"

#include <edflib.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];
/* 2026-11-21 08:00:00.25 UTC */
#define START_NS (1795248000LL * 1000000000LL + 250000000LL)

static int setup(void **state)
{
	(void)state;
	if (!vgt_mkdtemp(tmpdir, sizeof(tmpdir), "vg_test_record"))
		return -1;
	vg_log_set_level(VG_LOG_ERR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(tmpdir);
}

/* the test signal: a few sines within the physical range */
static float value(int sig, uint64_t i, double fs, double amp)
{
	double t = (double)i / fs;
	return (float)(amp * (0.6 * sin(2 * M_PI * (1.3 + sig) * t) +
			      0.3 * sin(2 * M_PI * 17.0 * t + sig)));
}

static const struct rec_signal three[] = {
	{ "ECG", "mV", "AgAgCl electrodes", "HP:0.5Hz LP:150Hz", -5.0, 5.0, 500.0, NULL },
	{ "EMG1", "uV", "surface EMG", "HP:20Hz LP:450Hz", -2000.0, 2000.0, 1000.0, "EMG" },
	{ "EMG2", "µV", "surface EMG", "HP:20Hz", -2000.0, 2000.0, 1000.0, "EMG" },
};
/* the EDF+ labels: type prefix (from the label's own word or the type) */
static const char *const label3[] = { "ECG ECG", "EMG EMG1", "EMG EMG2" };
static const double amp3[] = { 4.0, 1500.0, 1800.0 };

static struct edf_hdr_struct hdr;

/* EDFlib returns transducer and prefilter with the header's padding */
static char *rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static int open_edf(const char *path)
{
	memset(&hdr, 0, sizeof(hdr));
	int rc = edfopen_file_readonly(path, &hdr, EDFLIB_READ_ALL_ANNOTATIONS);
	if (rc < 0)
		print_error("edfopen_file_readonly(%s): %d\n", path, hdr.filetype);
	return rc;
}

static int find_annot(int handle, const char *text, double *onset_s, double *dur_s)
{
	for (long long k = 0; k < hdr.annotations_in_file; k++) {
		struct edf_annotation_struct a;
		if (edf_get_annotation(handle, (int)k, &a) == 0 &&
		    !strcmp(a.annotation, text)) {
			*onset_s = (double)a.onset / EDFLIB_TIME_DIMENSION;
			*dur_s = a.duration_l < 0 ? -1.0
						  : (double)a.duration_l / EDFLIB_TIME_DIMENSION;
			return 1;
		}
	}
	return 0;
}

/* Compare signal sig over [from, to) with value(); gap [g0, g1) must be
 * filler (physical 0 within a step). Returns the largest error. */
static double check_samples(int handle, int sig, double fs, double amp, int64_t from,
			    int64_t to, int64_t g0, int64_t g1)
{
	double step = (hdr.signalparam[sig].phys_max - hdr.signalparam[sig].phys_min) /
		      65535.0;
	double worst = 0;
	double *buf = malloc((size_t)(to - from) * sizeof(double));
	assert_non_null(buf);
	edfseek(handle, sig, from, EDFSEEK_SET);
	assert_int_equal(edfread_physical_samples(handle, sig, (int)(to - from), buf),
			 (int)(to - from));
	for (int64_t i = from; i < to; i++) {
		double want = (i >= g0 && i < g1) ? 0.0 : value(sig, (uint64_t)i, fs, amp);
		double err = fabs(buf[i - from] - want);
		if (err > worst)
			worst = err;
		if (err > step * 0.5 + 1e-9)
			fail_msg("signal %d sample %lld: %.6f, want %.6f (step %.6f)", sig,
				 (long long)i, buf[i - from], want, step);
	}
	free(buf);
	return worst;
}

static void feed(struct rec *r, int sig, uint64_t *pos, uint64_t upto, double fs,
		 double amp)
{
	float buf[997];
	while (*pos < upto) {
		size_t n = upto - *pos < 997 ? (size_t)(upto - *pos) : 997;
		for (size_t k = 0; k < n; k++)
			buf[k] = value(sig, *pos + k, fs, amp);
		assert_int_equal(rec_samples(r, sig, buf, n), 0);
		*pos += n;
	}
}

static size_t count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[16384];
	size_t n = 0;
	while (fgets(line, sizeof(line), f))
		if (!needle || strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* ---------------------------------------------------------------- tests */
static void test_roundtrip(void **state)
{
	(void)state;
	struct rec_config cfg = { tmpdir, "Jane Doe", "slow-breathing", START_NS, three, 3,
				  1, 0, NULL };
	int err = 0;
	mode_t old_mask = umask(022); /* as a login shell has it */
	struct rec *r = rec_open(&cfg, &err);
	umask(old_mask);
	assert_non_null(r);
	char edf[4096], jsonl[4096];
	snprintf(edf, sizeof(edf), "%s", rec_edf_path(r));
	snprintf(jsonl, sizeof(jsonl), "%s", rec_jsonl_path(r));
	/* 10.5 s: signals advance in 0.1 s steps, EMG2 lags by 1.7 s until the
	 * end; EMG1 has a 250-sample gap at 4.0 s */
	uint64_t pos[3] = { 0 }, msgs = 0;
	const double fs[3] = { 500, 1000, 1000 };
	const uint64_t gap0 = 4000, gapn = 250;
	for (int step = 1; step <= 105; step++) {
		double t = step * 0.1;
		feed(r, 0, &pos[0], (uint64_t)llround(t * fs[0]), fs[0], amp3[0]);
		uint64_t to1 = (uint64_t)llround(t * fs[1]);
		if (pos[1] < gap0 && to1 >= gap0) {
			feed(r, 1, &pos[1], gap0, fs[1], amp3[1]);
			assert_int_equal(rec_gap(r, 1, gapn), 0);
			pos[1] += gapn;
		}
		feed(r, 1, &pos[1], to1, fs[1], amp3[1]);
		double t2 = t - 1.7 > 0 ? t - 1.7 : 0;
		feed(r, 2, &pos[2], (uint64_t)llround(t2 * fs[2]), fs[2], amp3[2]);
		char json[128];
		int n = snprintf(json, sizeof(json),
				 "{\"topic\":\"beat\",\"v\":1,\"seq\":%llu,\"t_ns\":%lld}",
				 (unsigned long long)msgs, (long long)(START_NS + step * 100000000LL));
		assert_int_equal(rec_message(r, json, (size_t)n), 0);
		msgs++;
		if (step == 32)
			assert_int_equal(rec_annotation(r, START_NS + 3200000000LL, 2.0,
							"mark calm"), 0);
		if (step % 10 == 0)
			assert_int_equal(rec_sync(r), 0);
	}
	feed(r, 2, &pos[2], 10500, fs[2], amp3[2]);
	assert_int_equal(rec_message(r, "{\"bad\":\n1}", 10), VG_ERR_INVAL);
	struct rec_stats st = *rec_stats(r);
	assert_int_equal(st.edf_err, 0);
	assert_int_equal(st.jsonl_err, 0);
	assert_int_equal(st.samples_lost, 0);
	assert_int_equal(st.messages_lost, 1);
	char js[8192];
	assert_true(rec_stats_json(r, js, sizeof(js)) > 0);
	assert_non_null(strstr(js, "\"edf_error\":null,\"jsonl_error\":null,\"records\":10,"));
	rec_close(&r);
	assert_null(r);

	/* file name: UTC start time and a pseudonym of the client, never the
	 * name; files 0600 under umask 022 */
	assert_null(strstr(edf, "Jane"));
	assert_non_null(strstr(edf, "/20261121-080000_C"));
	assert_int_equal(strlen(strrchr(edf, '/')), strlen("/20261121-080000_C12345678.edf"));
	char code[16];
	snprintf(code, sizeof(code), "%.9s", strrchr(edf, '_') + 1);
	struct stat sb;
	assert_int_equal(stat(edf, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(jsonl, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	assert_int_equal(open_edf(edf), 0);
	int h = hdr.handle;
	assert_int_equal(hdr.filetype, EDFLIB_FILETYPE_EDFPLUS);
	assert_int_equal(hdr.edfsignals, 3);
	assert_int_equal(hdr.datarecords_in_file, 11); /* 10.5 s padded to 11 */
	assert_int_equal(hdr.datarecord_duration, EDFLIB_TIME_DIMENSION);
	assert_int_equal(hdr.startdate_year, 2026);
	assert_int_equal(hdr.startdate_month, 11);
	assert_int_equal(hdr.startdate_day, 21);
	assert_int_equal(hdr.starttime_hour, 8);
	assert_int_equal(hdr.starttime_minute, 0);
	assert_int_equal(hdr.starttime_second, 0);
	assert_int_equal(hdr.starttime_subsecond, 2500000);
	assert_string_equal(hdr.patientcode, code); /* de-identified */
	assert_null(strstr(hdr.patient_name, "Jane"));
	assert_non_null(strstr(hdr.recording_additional, "SIMULATED"));
	const char *units[3] = { "mV", "uV", "uV" };
	for (int s = 0; s < 3; s++) {
		assert_string_equal(rstrip(hdr.signalparam[s].label), label3[s]);
		assert_string_equal(rstrip(hdr.signalparam[s].physdimension), units[s]);
		assert_string_equal(rstrip(hdr.signalparam[s].transducer), three[s].transducer);
		assert_string_equal(rstrip(hdr.signalparam[s].prefilter), three[s].prefilter);
		assert_int_equal(hdr.signalparam[s].smp_in_datarecord, (int)fs[s]);
		assert_true(fabs(hdr.signalparam[s].phys_min - three[s].phys_min) < 1e-9);
		assert_true(fabs(hdr.signalparam[s].phys_max - three[s].phys_max) < 1e-9);
	}
	double e0 = check_samples(h, 0, fs[0], amp3[0], 0, 5250, -1, -1);
	double e1 = check_samples(h, 1, fs[1], amp3[1], 0, 10500, (int64_t)gap0,
				  (int64_t)(gap0 + gapn));
	double e2 = check_samples(h, 2, fs[2], amp3[2], 0, 10500, -1, -1);
	print_message("largest errors: ECG %.6f mV, EMG1 %.4f uV, EMG2 %.4f uV "
		      "(half steps %.6f, %.4f)\n", e0, e1, e2, 10.0 / 65535 / 2,
		      4000.0 / 65535 / 2);
	double on, du;
	assert_true(find_annot(h, "technique slow-breathing", &on, &du));
	assert_true(fabs(on) < 1e-6);
	assert_true(find_annot(h, "mark calm", &on, &du));
	assert_true(fabs(on - 3.2) < 1e-4 && fabs(du - 2.0) < 1e-4);
	assert_true(find_annot(h, "gap EMG EMG1", &on, &du)); /* the whole label */
	assert_true(fabs(on - 4.0) < 1e-6 && fabs(du - 0.25) < 1e-6);

	/* the padding of the last record is not a gap: no annotation for it */
	assert_false(find_annot(h, "gap ECG ECG", &on, &du));
	assert_int_equal(hdr.annotations_in_file, 3);
	edfclose_file(h);

	/* JSON lines: start (with the client's name, its code, simulated), 105
	 * messages byte for byte in order, the 3 annotations, end */
	assert_int_equal(count_lines(jsonl, "\"topic\":\"rec.start\""), 1);
	assert_int_equal(count_lines(jsonl, "\"client\":\"Jane Doe\""), 1);
	char want_code[64];
	snprintf(want_code, sizeof(want_code), "\"client_code\":\"%s\"", code);
	assert_int_equal(count_lines(jsonl, want_code), 1);
	assert_int_equal(count_lines(jsonl, "\"simulated\":true"), 1);
	assert_int_equal(count_lines(jsonl, "\"topic\":\"rec.annotation\""), 3);
	assert_int_equal(count_lines(jsonl, "\"topic\":\"rec.end\""), 1);
	assert_int_equal(count_lines(jsonl, "\"annotations_edf\":3,"), 1);
	assert_int_equal(count_lines(jsonl, NULL), 1 + 105 + 3 + 1);
	FILE *f = fopen(jsonl, "r");
	assert_non_null(f);
	char line[16384];
	uint64_t seen = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "\"topic\":\"beat\""))
			continue;
		char want[160];
		snprintf(want, sizeof(want),
			 "{\"topic\":\"beat\",\"v\":1,\"seq\":%llu,\"t_ns\":%lld}\n",
			 (unsigned long long)seen,
			 (long long)(START_NS + (int64_t)(seen + 1) * 100000000LL));
		assert_string_equal(line, want);
		seen++;
	}
	fclose(f);
	assert_int_equal(seen, 105);
}

static void test_fractional_rate(void **state)
{
	(void)state;
	const struct rec_signal sig[] = {
		{ "RESP", "au", NULL, NULL, -100.0, 100.0, 62.5, "Resp" },
		{ "ECG", "mV", NULL, NULL, -5.0, 5.0, 1000.0, "ECG" },
	};
	struct rec_config cfg = { tmpdir, "frac", NULL, START_NS, sig, 2, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	assert_non_null(r);
	char edf[4096];
	snprintf(edf, sizeof(edf), "%s", rec_edf_path(r));
	uint64_t p0 = 0, p1 = 0;
	for (int t = 1; t <= 10; t++) { /* 10 s, one second at a time */
		feed(r, 0, &p0, (uint64_t)(62.5 * t), 62.5, 80.0);
		feed(r, 1, &p1, (uint64_t)(1000 * t), 1000.0, 4.0);
	}
	rec_close(&r);
	assert_int_equal(open_edf(edf), 0);
	/* longest record <= 1 s with whole samples: 0.992 s = 62 and 992 */
	assert_int_equal(hdr.datarecord_duration, 9920000);
	assert_int_equal(hdr.signalparam[0].smp_in_datarecord, 62);
	assert_int_equal(hdr.signalparam[1].smp_in_datarecord, 992);
	assert_int_equal(hdr.datarecords_in_file, 11);
	check_samples(hdr.handle, 0, 62.5, 80.0, 0, 625, -1, -1);
	check_samples(hdr.handle, 1, 1000.0, 4.0, 0, 10000, -1, -1);
	edfclose_file(hdr.handle);
}

/* one signal runs far ahead while the other sends nothing (a source lost):
 * records are forced out with filler, the late samples are lost */
static void test_lagging_signal(void **state)
{
	(void)state;
	struct rec_config cfg = { tmpdir, "lag", NULL, START_NS, three, 2, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	assert_non_null(r);
	char edf[4096];
	snprintf(edf, sizeof(edf), "%s", rec_edf_path(r));
	uint64_t p0 = 0, p1 = 0;
	feed(r, 1, &p1, 1000, 1000.0, amp3[1]);  /* both have 1 s */
	feed(r, 0, &p0, 500, 500.0, amp3[0]);
	feed(r, 1, &p1, 9000, 1000.0, amp3[1]);  /* EMG1 8 s ahead */
	struct rec_stats st = *rec_stats(r);
	assert_true(st.records >= 9 - REC_RING_RECORDS);
	/* ECG comes back late: what has been written as filler is lost */
	feed(r, 0, &p0, 4500, 500.0, amp3[0]);
	st = *rec_stats(r);
	uint64_t forced = (9 - REC_RING_RECORDS) - 1; /* seconds of ECG forced out */
	assert_int_equal(st.samples_lost, forced * 500);
	rec_close(&r);
	assert_int_equal(open_edf(edf), 0);
	assert_int_equal(hdr.datarecords_in_file, 9);
	double on, du;
	assert_true(find_annot(hdr.handle, "gap ECG ECG", &on, &du));
	assert_true(fabs(on - 1.0) < 1e-4);
	assert_true(fabs(du - (double)forced) < 1e-4);
	check_samples(hdr.handle, 0, 500.0, amp3[0], 0, 500, -1, -1);
	check_samples(hdr.handle, 0, 500.0, amp3[0], (int64_t)(1 + forced) * 500, 4500, -1, -1);
	check_samples(hdr.handle, 1, 1000.0, amp3[1], 0, 9000, -1, -1);
	edfclose_file(hdr.handle);
}

static void test_names_and_config(void **state)
{
	(void)state;
	struct rec_config cfg = { tmpdir, "a b/../ü", NULL, START_NS + 3600000000000LL,
				  three, 1, 0, 1, NULL }; /* identify: the name as before */
	int err = 0;
	struct rec *a = rec_open(&cfg, &err);
	struct rec *b = rec_open(&cfg, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(strstr(rec_edf_path(a), "/20261121-090000_a_b_..___.edf"));
	assert_non_null(strstr(rec_edf_path(b), "/20261121-090000_a_b_..___-2.edf"));
	assert_non_null(strstr(rec_jsonl_path(b), "/20261121-090000_a_b_..___-2.jsonl"));
	rec_close(&a);
	rec_close(&b);
	cfg.client = NULL;
	a = rec_open(&cfg, &err);
	assert_non_null(a);
	assert_non_null(strstr(rec_edf_path(a), "_anonymous.edf"));
	rec_close(&a);
	cfg.client = "Jane Doe"; /* a code given by the caller */
	cfg.identify = 0;
	cfg.client_code = "K-0042";
	a = rec_open(&cfg, &err);
	assert_non_null(a);
	assert_non_null(strstr(rec_edf_path(a), "/20261121-090000_K-0042.edf"));
	rec_close(&a);

	struct rec_signal bad = three[0];
	struct rec_config c2 = { tmpdir, "x", NULL, START_NS, &bad, 1, 0, 0, NULL };
	bad.phys_min = bad.phys_max;
	assert_null(rec_open(&c2, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	bad = three[0];
	bad.rate_hz = 0;
	assert_null(rec_open(&c2, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	c2.signals = three;
	c2.nsig = 0;
	assert_null(rec_open(&c2, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	c2.nsig = 1;
	c2.start_ns = 0; /* 1970: EDF+ cannot hold it */
	assert_null(rec_open(&c2, &err));
	assert_int_equal(err, VG_ERR_RANGE);
	c2.start_ns = START_NS;
	char missing[512];
	snprintf(missing, sizeof(missing), "%s/no/such/dir", tmpdir);
	c2.dir = missing;
	assert_null(rec_open(&c2, &err));
	assert_int_equal(err, VG_ERR_NOTFOUND);
	c2.dir = "/proc/self"; /* exists, not writable */
	assert_null(rec_open(&c2, &err));
	assert_true(err < 0);
	assert_int_equal(rec_samples(NULL, 0, NULL, 0), VG_ERR_INVAL);
	rec_close(NULL);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[9000];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* The files of a recording still open are what a crash leaves: copy them,
 * repair the copy, read it back. */
static void test_repair_snapshot(void **state)
{
	(void)state;
	struct rec_config cfg = { tmpdir, "snap", "resonance", START_NS, three, 3, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	assert_non_null(r);
	uint64_t pos[3] = { 0 };
	const double fs[3] = { 500, 1000, 1000 };
	for (int k = 1; k <= 11; k++)
		for (int s = 0; s < 3; s++)
			feed(r, s, &pos[s], (uint64_t)(0.5 * k * fs[s]), fs[s], amp3[s]);
	assert_int_equal(rec_annotation(r, START_NS + 1500000000LL, -1, "mark start"), 0);
	assert_int_equal(rec_annotation(r, START_NS + 4000000000LL, 0.5, "artifact ECG"), 0);
	/* 38 ASCII bytes then a 3-byte character: cut before it, not inside */
	assert_int_equal(rec_annotation(r, START_NS + 4500000000LL, -1,
					"technique change to box breathing 4-4-\xe2\x80\x94x"), 0);
	assert_int_equal(rec_sync(r), 0);
	char snap[4200], snapj[4200];
	snprintf(snap, sizeof(snap), "%s/snap.edf", tmpdir);
	snprintf(snapj, sizeof(snapj), "%s/snap.jsonl", tmpdir);
	copy_file(rec_edf_path(r), snap);
	copy_file(rec_jsonl_path(r), snapj);
	/* a partial record at the end, as a kill during a write leaves */
	FILE *f = fopen(snap, "ab");
	assert_non_null(f);
	fputs("partial", f);
	fclose(f);
	rec_close(&r);

	memset(&hdr, 0, sizeof(hdr));
	assert_true(edfopen_file_readonly(snap, &hdr, EDFLIB_READ_ALL_ANNOTATIONS) < 0);
	int changed = 0;
	assert_int_equal(rec_repair(snap, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(open_edf(snap), 0);
	assert_int_equal(hdr.datarecords_in_file, 5);
	assert_int_equal(hdr.starttime_subsecond, 2500000);
	assert_string_equal(rstrip(hdr.signalparam[1].transducer), three[1].transducer);
	for (int s = 0; s < 3; s++)
		check_samples(hdr.handle, s, fs[s], amp3[s], 0, (int64_t)(5 * fs[s]), -1, -1);
	double on, du;
	assert_int_equal(hdr.annotations_in_file, 4);
	assert_true(find_annot(hdr.handle, "technique change to box breathing 4-4-", &on, &du));
	assert_true(find_annot(hdr.handle, "technique resonance", &on, &du));
	assert_true(find_annot(hdr.handle, "mark start", &on, &du));
	assert_true(fabs(on - 1.5) < 1e-4 && du < 0);
	assert_true(find_annot(hdr.handle, "artifact ECG", &on, &du));
	assert_true(fabs(on - 4.0) < 1e-4 && fabs(du - 0.5) < 1e-4);
	edfclose_file(hdr.handle);
	/* a second repair has nothing to do */
	assert_int_equal(rec_repair(snap, &changed), 0);
	assert_int_equal(changed, 0);

	/* hostile input */
	char junk[4200];
	snprintf(junk, sizeof(junk), "%s/junk.edf", tmpdir);
	f = fopen(junk, "wb");
	assert_non_null(f);
	fputs("0       this is not an EDF header at all", f);
	fclose(f);
	assert_int_equal(rec_repair(junk, NULL), VG_ERR_TRUNC);
	f = fopen(junk, "wb");
	for (int i = 0; i < 600; i++)
		fputc("0       xyz"[i % 11], f);
	fclose(f);
	assert_int_equal(rec_repair(junk, NULL), VG_ERR_PARSE);
	snprintf(junk, sizeof(junk), "%s/none.edf", tmpdir);
	assert_int_equal(rec_repair(junk, NULL), VG_ERR_NOTFOUND);
	/* the directory scan finds the (now whole) files and leaves them */
	assert_int_equal(rec_repair_dir(tmpdir), 0);
}

/* Disk full, simulated with RLIMIT_FSIZE in a child: writes past the limit
 * fail (EFBIG). The child reports through its exit code. */
static int disk_full_child(const char *dir, char *edf_out, size_t cap)
{
	struct rec_config cfg = { dir, "full", NULL, START_NS, three, 3, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	if (!r)
		return 10;
	snprintf(edf_out, cap, "%s", rec_edf_path(r));
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = { 60000, 60000 }; /* ~5 records of 5114 bytes... */
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 11;
	int io_samples = 0, io_msgs = 0, other = 0;
	float buf[100];
	const double fs[3] = { 500, 1000, 1000 };
	for (int step = 0; step < 200; step++) { /* 20 s in 0.1 s steps */
		for (int s = 0; s < 3; s++) {
			int n = (int)(fs[s] / 10);
			for (int k = 0; k < n; k++)
				buf[k] = value(s, (uint64_t)(step * n + k), fs[s], amp3[s]);
			int e = rec_samples(r, s, buf, (size_t)n);
			if (e == VG_ERR_FBIG) /* the cause, not "input/output error" */
				io_samples++;
			else if (e)
				other++;
		}
		char msg[2048];
		memset(msg, 'x', sizeof(msg));
		memcpy(msg, "{\"pad\":\"", 8);
		memcpy(msg + sizeof(msg) - 2, "\"}", 2);
		int e = rec_message(r, msg, sizeof(msg));
		if (e == VG_ERR_FBIG)
			io_msgs++;
		else if (e)
			other++;
		if (step % 10 == 9) {
			e = rec_sync(r);
			if (e == VG_ERR_FBIG)
				io_msgs++;
			else if (e)
				other++;
		}
	}
	const struct rec_stats *st = rec_stats(r);
	char js[8192];
	int code = 0;
	if (rec_stats_json(r, js, sizeof(js)) <= 0 ||
	    !strstr(js, "\"edf_error\":\"file too large (size limit)\"") ||
	    rec_stats_json(r, js, 10) != VG_ERR_TRUNC)
		code |= 16;
	if (io_samples != 1)
		code |= 1;
	if (io_msgs != 1)
		code |= 2;
	if (other)
		code |= 4;
	if (st->samples_lost == 0 || st->messages_lost == 0 || !st->edf_err ||
	    !st->jsonl_err)
		code |= 8;
	fprintf(stderr, "disk full: %llu records written, %llu samples and %llu "
		"messages lost\n", (unsigned long long)st->records,
		(unsigned long long)st->samples_lost, (unsigned long long)st->messages_lost);
	rec_close(&r);
	return code;
}

static void test_disk_full(void **state)
{
	(void)state;
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/full", tmpdir);
	assert_int_equal(mkdir(sub, 0755), 0);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char edf[4096] = "";
		close(fds[0]);
		int code = disk_full_child(sub, edf, sizeof(edf));
		if (write(fds[1], edf, strlen(edf) + 1) < 0)
			code |= 32;
		_exit(code);
	}
	close(fds[1]);
	char edf[4096] = "";
	ssize_t got = read(fds[0], edf, sizeof(edf) - 1);
	close(fds[0]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(got > 0);
	/* what is there opens in EDFlib (repaired at close) and is right */
	assert_int_equal(open_edf(edf), 0);
	assert_true(hdr.datarecords_in_file >= 5);
	assert_true(hdr.datarecords_in_file < 20);
	print_message("disk full: %lld records kept\n", hdr.datarecords_in_file);
	for (int s = 0; s < 3; s++) {
		double fs = hdr.signalparam[s].smp_in_datarecord;
		check_samples(hdr.handle, s, fs, amp3[s], 0,
			      (int64_t)(fs * (double)hdr.datarecords_in_file), -1, -1);
	}
	edfclose_file(hdr.handle);
}

/* Feed 3 signals for secs seconds with ngaps gaps of 1..maxlen samples on
 * random channels (never adjacent: at least one sample between), and
 * nmarks marks; returns the path of the EDF+ file. Gap spans in *g. */
struct gap_span { int sig; int64_t start, len; };
static void record_gaps(const char *client, int secs, int ngaps, int maxlen, int nmarks,
			struct gap_span *g, char *edf, size_t cap, struct rec_stats *st_out)
{
	struct rec_config cfg = { tmpdir, client, "gaps", START_NS, three, 3, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	assert_non_null(r);
	snprintf(edf, cap, "%s", rec_edf_path(r));
	const double fs[3] = { 500, 1000, 1000 };
	/* gap k on signal k % 3 at an even spacing (+ jitter) */
	uint64_t seed = 12345;
	for (int k = 0; k < ngaps; k++) {
		int s = k % 3;
		int64_t n = (int64_t)(secs * fs[s]);
		int per_sig = (ngaps + 2 - s) / 3;
		int64_t slot = n / per_sig, idx = k / 3;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		int64_t len = 1 + (int64_t)((seed >> 33) % (uint64_t)maxlen);
		if (len > slot - 2)
			len = slot - 2;
		assert_true(len >= 1);
		g[k] = (struct gap_span){ s, idx * slot + 1, len };
	}
	/* the signals advance together, 0.1 s at a time (as sources do) */
	float buf[1000];
	int64_t pos[3] = { 0 };
	int next[3] = { 0, 1, 2 };
	for (int step = 1; step <= secs * 10; step++) {
		for (int s = 0; s < 3; s++) {
			int64_t to = (int64_t)(step * fs[s] / 10);
			while (pos[s] < to) {
				int k = next[s];
				if (k < ngaps && g[k].start == pos[s]) {
					assert_int_equal(rec_gap(r, s, (uint64_t)g[k].len), 0);
					pos[s] += g[k].len;
					next[s] += 3;
					continue;
				}
				int64_t end = k < ngaps && g[k].start < to ? g[k].start : to;
				size_t c = end - pos[s] > 1000 ? 1000 : (size_t)(end - pos[s]);
				for (size_t j = 0; j < c; j++)
					buf[j] = value(s, (uint64_t)pos[s] + j, fs[s], amp3[s]);
				assert_int_equal(rec_samples(r, s, buf, c), 0);
				pos[s] += (int64_t)c;
			}
		}
	}
	for (int m = 0; m < nmarks; m++) {
		char text[32];
		snprintf(text, sizeof(text), "mark %d", m);
		assert_int_equal(rec_annotation(r, START_NS + (int64_t)m * secs * 1000000000LL /
							      nmarks, -1, text), 0);
	}
	*st_out = *rec_stats(r);
	char jsonl[4200];
	snprintf(jsonl, sizeof(jsonl), "%s", rec_jsonl_path(r));
	rec_close(&r);
	/* what went into the EDF+ file is known after close: "rec.end" */
	FILE *f = fopen(jsonl, "r");
	assert_non_null(f);
	char line[16384];
	unsigned long long edf_n = 0, merged = 0;
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "\"annotations_edf\":");
		const char *q = strstr(line, "\"annotations_merged\":");
		if (strstr(line, "\"topic\":\"rec.end\"") && p && q) {
			edf_n = strtoull(p + 18, NULL, 10);
			merged = strtoull(q + 21, NULL, 10);
			found = 1;
		}
	}
	fclose(f);
	assert_true(found);
	st_out->annotations_edf = edf_n;
	st_out->annotations_merged = merged;
}

/* 1,000 gaps (2 % of frames dropped, as a BITalino did) and 100 marks in
 * a 60 s session: every one is in the EDF+ file over its exact span (the
 * old recorder kept 2 per record: 120 of 1,101) */
static void test_many_gaps(void **state)
{
	(void)state;
	enum { NG = 1000, NM = 100, SECS = 60 };
	static struct gap_span g[NG];
	char edf[4096];
	struct rec_stats st;
	record_gaps("gaps", SECS, NG, 20, NM, g, edf, sizeof(edf), &st);
	assert_int_equal(st.annotations, 1 + NG + NM);
	assert_int_equal(st.annotations_edf, 1 + NG + NM);
	assert_int_equal(st.annotations_merged, 0);
	assert_int_equal(open_edf(edf), 0);
	print_message("gaps: %d made, %lld read back (EDFlib); %d marks\n", NG,
		      hdr.annotations_in_file - 1 - NM, NM);
	assert_int_equal(hdr.annotations_in_file, 1 + NG + NM);
	assert_int_equal(hdr.datarecords_in_file, SECS);
	/* each gap: "gap LABEL" at its exact onset and duration (100 ns) */
	static char seen[NG];
	memset(seen, 0, sizeof(seen));
	const double fs[3] = { 500, 1000, 1000 };
	int marks = 0;
	for (long long k = 0; k < hdr.annotations_in_file; k++) {
		struct edf_annotation_struct a;
		assert_int_equal(edf_get_annotation(hdr.handle, (int)k, &a), 0);
		if (!strncmp(a.annotation, "mark ", 5)) {
			int m = atoi(a.annotation + 5);
			assert_int_equal(a.onset, (long long)m * SECS * 10000000LL / NM);
			marks++;
			continue;
		}
		if (strncmp(a.annotation, "gap ", 4))
			continue;
		int s = -1;
		for (int i = 0; i < 3; i++)
			if (!strcmp(a.annotation + 4, label3[i]))
				s = i;
		assert_true(s >= 0);
		int64_t st100 = llround((double)a.onset * fs[s] / 1e7);
		int64_t n = llround((double)a.duration_l * fs[s] / 1e7);
		int hit = 0;
		for (int i = s; i < NG; i += 3)
			if (g[i].start == st100 && g[i].len == n) {
				assert_int_equal(seen[i], 0);
				seen[i] = 1;
				hit = 1;
				assert_true(llabs(a.onset - llround(g[i].start * 1e7 / fs[s])) <= 1);
			}
		assert_true(hit);
	}
	assert_int_equal(marks, NM);
	for (int i = 0; i < NG; i++)
		assert_int_equal(seen[i], 1);
	/* the filler is filler */
	check_samples(hdr.handle, 1, fs[1], amp3[1], g[1].start - 1, g[1].start + g[1].len + 1,
		      g[1].start, g[1].start + g[1].len);
	edfclose_file(hdr.handle);
}

/* Past the hard limit (64 annotation signals): 1,800 gaps in 4 s. Nothing
 * is dropped: consecutive gaps of a channel are merged into spanning
 * annotations, counted, and every lost sample is still inside a gap. */
static void test_gap_limit(void **state)
{
	(void)state;
	enum { NG = 1800, SECS = 4 };
	static struct gap_span g[NG];
	char edf[4096];
	struct rec_stats st;
	record_gaps("limit", SECS, NG, 3, 0, g, edf, sizeof(edf), &st);
	assert_int_equal(st.annotations, 1 + NG);
	assert_true(st.annotations_merged > 0);
	assert_int_equal(st.annotations_edf + st.annotations_merged, 1 + NG);
	assert_int_equal(open_edf(edf), 0);
	print_message("gap limit: %d made, %llu merged, %lld in the file\n", NG,
		      (unsigned long long)st.annotations_merged, hdr.annotations_in_file);
	assert_int_equal(hdr.annotations_in_file, (long long)st.annotations_edf);
	const double fs[3] = { 500, 1000, 1000 };
	static int64_t span[NG][3]; /* sig, start, end in samples */
	int ns = 0;
	for (long long k = 0; k < hdr.annotations_in_file; k++) {
		struct edf_annotation_struct a;
		assert_int_equal(edf_get_annotation(hdr.handle, (int)k, &a), 0);
		for (int s = 0; s < 3; s++)
			if (!strncmp(a.annotation, "gap ", 4) && !strcmp(a.annotation + 4, label3[s])) {
				span[ns][0] = s;
				span[ns][1] = llround((double)a.onset * fs[s] / 1e7);
				span[ns][2] = span[ns][1] + llround((double)a.duration_l * fs[s] / 1e7);
				ns++;
			}
	}
	for (int i = 0; i < NG; i++) {
		int in = 0;
		for (int k = 0; k < ns && !in; k++)
			in = span[k][0] == g[i].sig && span[k][1] <= g[i].start &&
			     span[k][2] >= g[i].start + g[i].len;
		if (!in)
			fail_msg("gap %d (signal %d, %lld+%lld) in no annotation", i, g[i].sig,
				 (long long)g[i].start, (long long)g[i].len);
	}
	edfclose_file(hdr.handle);
}

/* the error table says what happened */
static void test_error_words(void **state)
{
	(void)state;
	assert_string_equal(vg_strerror(vg_err_from_errno(ENOSPC)), "disk full");
	assert_string_equal(vg_strerror(vg_err_from_errno(EROFS)), "read-only file system");
	assert_string_equal(vg_strerror(vg_err_from_errno(EFBIG)), "file too large (size limit)");
	assert_int_equal(vg_err_from_errno(EDQUOT), VG_ERR_NOSPACE);
}

/* record directories made 0700 and summaries 0600 whatever the umask */
static void test_private_modes(void **state)
{
	(void)state;
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/priv/sessions", tmpdir);
	mode_t old = umask(022);
	assert_int_equal(rec_dir_prepare(dir), 0);
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	struct rec_config cfg = { dir, "Jane Doe", NULL, START_NS, three, 1, 0, 0, NULL };
	int err = 0;
	struct rec *r = rec_open(&cfg, &err);
	assert_non_null(r);
	assert_int_equal(rec_write_summary(r, "# Session\n"), 0);
	char md[4200];
	snprintf(md, sizeof(md), "%.*s.summary.md", (int)strlen(rec_edf_path(r)) - 4,
		 rec_edf_path(r));
	rec_close(&r);
	umask(old);
	assert_int_equal(stat(md, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_null(strstr(md, "Jane"));
	/* a file where the directory should be */
	char file[4300];
	snprintf(file, sizeof(file), "%s/x", md);
	assert_true(rec_dir_prepare(file) < 0);
}

/* EDF+ copies of annotation texts: what MNE can decode */
static void test_text(void **state)
{
	(void)state;
	char out[EDF_ANNOT_TEXT + 1];
	rec_cut_utf8(out, "mark \xff\xfe bad\ttab\x14 ");
	assert_string_equal(out, "mark ?? bad tab");
	rec_cut_utf8(out, "hold end  ");
	assert_string_equal(out, "hold end");
	rec_cut_utf8(out, "\xe2\x80"); /* a character cut short */
	assert_string_equal(out, "??");
	rec_cut_utf8(out, "mark caf\xc3\xa9 \xed\xa0\x80"); /* é kept, a surrogate not */
	assert_string_equal(out, "mark caf\xc3\xa9 ???");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_fractional_rate),
		cmocka_unit_test(test_lagging_signal),
		cmocka_unit_test(test_names_and_config),
		cmocka_unit_test(test_repair_snapshot),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_many_gaps),
		cmocka_unit_test(test_gap_limit),
		cmocka_unit_test(test_error_words),
		cmocka_unit_test(test_private_modes),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
