/*
 * record.h - crash-safe session recording: raw signals to EDF+ (EDFlib) and
 * every published message to a JSON-lines file.
 *
 * Problem: a session must leave two files a researcher can re-analyse: an
 * EDF+ file with the raw signals at their native rates in physical units
 * (labels, transducer, prefilter) plus annotations (marks, technique
 * changes, gaps, artifacts), and a JSON-lines file of every message the
 * daemon published. After `kill -9` both files must hold everything up to
 * at most 1 s before the kill and the EDF+ file must open in EDFlib (after
 * rec_repair()); a full disk or an unwritable directory must never stop the
 * analysis, the publishing or crash the daemon.
 * Approach (details in record.c): EDFlib writes the EDF+ file with data
 * records of at most 1 s and flushes each completed record to the kernel;
 * EDFlib keeps the record count ("-1") and all annotations until
 * edfclose_file(), so every annotation is also written at once as a
 * "rec.annotation" line to the JSON-lines file, which rec_sync() flushes
 * every second. rec_repair() makes a killed recording whole again: record
 * count from the file size, partial last record cut, annotations put back
 * from the JSON-lines file (the file is rewritten through EDFlib).
 * Annotations are kept here (and in the JSON lines at once) and written
 * into the EDF+ annotation signals at close by record_annot.c, packed and
 * with as many annotation signals as they need (up to 64), so none is lost
 * (EDFlib alone keeps one per record and annotation signal).
 * Files: <dir>/<YYYYmmdd-HHMMSS>_<code>.edf, .jsonl (and .summary.md by
 * rec_write_summary), created 0600 whatever the umask, the time being the
 * session start in UTC. <code> is a pseudonym of the client ("C" and 8 hex
 * digits of a hash of the name, or rec_config.client_code); the EDF+
 * patient field holds the same code, never the name; the name is kept only
 * in the JSON-lines header. rec_config.identify = 1 restores the name in
 * both (reduced to [A-Za-z0-9._-]).
 * Labels carry the EDF+ type prefix ("ECG ", "EMG ", "Resp "...; MNE and
 * EDFbrowser read the channel type from it).
 * Limits: EDF (16-bit) quantisation: (phys_max - phys_min) / 65535 per step;
 * EDF labels are cut to 16 characters, units to 8, transducer and prefilter
 * to 80, annotation texts to 40 (EDFlib; control characters and invalid
 * UTF-8 replaced); at most REC_MAX_SIGNALS signals,
 * all starting at start_ns; rates that no record duration of at most 1 s
 * turns into whole samples (e.g. 0.3 Hz) are rounded; the start time is
 * kept to 100 ns, annotation onsets and durations to 100 ns; annotations
 * after the end of the data are moved to its end in the EDF+ file (the
 * JSON lines keep the time). The pseudonym is a plain hash: whoever has a
 * list of names can find one (use client_code for a random one).
 * Single-threaded; EDFlib allows 64 open files per process.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdint.h>

#define REC_MAX_SIGNALS 32
#define REC_RING_RECORDS 4 /* records buffered per signal (lag allowed between signals) */

struct rec;

/* One recorded signal. Strings are copied at rec_open(). */
struct rec_signal {
	const char *label;      /* mandatory, e.g. "ECG" (EDF: 16 chars) */
	const char *unit;       /* mandatory, e.g. "mV", "uV" ("µV" is written "uV") */
	const char *transducer; /* optional (NULL = "") */
	const char *prefilter;  /* optional (NULL = "") */
	double phys_min;        /* physical range of the ADC, in unit; min < max */
	double phys_max;
	double rate_hz;         /* samples per second, > 0 */
	const char *type;       /* EDF+ signal type put before the label: "ECG", "EMG",
				   "Resp", "Pleth", "MISC" (rec_type_of_kind); NULL:
				   the label's first word if it is one, else none */
};

/* The EDF+ type prefix of a driver's signal kind (enum drv_signal_kind:
 * ECG, EMG, PPG, RESP, AUX): "ECG", "EMG", "Pleth", "Resp", "MISC". */
const char *rec_type_of_kind(int drv_signal_kind);

struct rec_config {
	const char *dir;        /* existing directory for the files */
	const char *client;     /* client name (sanitised); NULL or "" = "anonymous" */
	const char *technique;  /* optional: first annotation "technique NAME" */
	int64_t start_ns;       /* time of sample 0 of every signal, ns since the epoch
				   (UTC; years 1985-2084) */
	const struct rec_signal *signals;
	int nsig;               /* 1 .. REC_MAX_SIGNALS */
	int simulated;          /* 1: the data come from the simulator: said in the EDF+
				   recording field and the JSON-lines header */
	int identify;           /* 1: the client's name in the file names and the EDF+
				   patient field (old behaviour); 0: a pseudonym */
	const char *client_code;/* optional pseudonym ([A-Za-z0-9._-], <= 40 chars);
				   NULL or "": "C" + 8 hex digits of a hash of client */
};

/* Counters and sticky errors (for `status` and the `event` the daemon
 * publishes). */
struct rec_stats {
	int edf_err;               /* 0 or the first VG_ERR_* of the EDF+ file */
	int jsonl_err;             /* 0 or the first VG_ERR_* of the JSON-lines file */
	uint64_t records;          /* EDF data records written */
	uint64_t bytes_edf;        /* bytes of the EDF+ file written */
	uint64_t bytes_jsonl;      /* bytes of the JSON-lines file written */
	uint64_t samples_lost;     /* samples not recorded (write failure, too late) */
	uint64_t samples_filled;   /* filler samples written for gaps */
	uint64_t messages;         /* JSON lines written */
	uint64_t messages_lost;    /* JSON lines dropped (write failure, too long) */
	uint64_t annotations;      /* annotations made */
	uint64_t annotations_edf;  /* of them in the EDF+ file (known after close) */
	uint64_t annotations_merged; /* gaps merged into a neighbour (past 64 signals) */
};

/* Create both files and write the JSON-lines header ("rec.start"). The EDF+
 * header goes out with the first data record. Returns NULL and *err:
 * VG_ERR_INVAL (bad config), VG_ERR_RANGE (start time outside 1985-2084),
 * VG_ERR_NOTFOUND/VG_ERR_ACCESS/VG_ERR_NOSPACE/VG_ERR_ROFS/VG_ERR_IO
 * (directory missing, not writable, full, file exists), VG_ERR_NOMEM.
 * Nothing is left behind on failure. A directory that group or others can
 * enter gets a warning naming the fix (chmod 700). */
struct rec *rec_open(const struct rec_config *cfg, int *err);

/* Append n samples (physical units) of signal sig. NaN becomes filler and
 * values are clamped to the physical range. Completed records are written
 * (EDFlib flushes each to the kernel). No allocation. Returns 0,
 * VG_ERR_INVAL (bad sig), or once, when a write first fails, what failed:
 * VG_ERR_NOSPACE (disk full), VG_ERR_FBIG (file-size limit), VG_ERR_ROFS,
 * VG_ERR_IO (the EDF+ file is then given up: later samples are counted in
 * samples_lost and 0 is returned). */
int rec_samples(struct rec *r, int sig, const float *v, size_t n);

/* n_missing samples of signal sig were lost: written as filler (0 clamped
 * into the physical range) and annotated "gap LABEL" (LABEL as in the EDF+
 * header) over exactly the filler's span, when the gap ends (adjacent gaps
 * are merged). Same returns as rec_samples(). */
int rec_gap(struct rec *r, int sig, uint64_t n_missing);

/* An annotation at t_ns (ns since the epoch; before start_ns is clamped to
 * the start) lasting duration_s (< 0: none). Goes to the EDF+ file at
 * close and at once to the JSON-lines file ("rec.annotation"), so
 * rec_repair() can put it back after a crash. Returns 0, VG_ERR_INVAL or
 * VG_ERR_IO once (JSON-lines file failed). */
int rec_annotation(struct rec *r, int64_t t_ns, double duration_s, const char *text);

/* One published message (len bytes of JSON without newline) as one line.
 * Buffered; written by rec_sync() or when the buffer fills. Returns 0,
 * VG_ERR_INVAL (contains a newline: dropped), VG_ERR_IO once. */
int rec_message(struct rec *r, const char *json, size_t len);

/* Call about once per second: writes the buffered JSON lines and checks
 * that the EDF+ file has every completed record on disk, so at most the
 * current (<= 1 s) record and one second of messages are at risk. Returns
 * 0 or VG_ERR_IO once per file. */
int rec_sync(struct rec *r);

const struct rec_stats *rec_stats(const struct rec *r);
/* The stats and the file paths as one JSON object (for an `event`'s data
 * or `status`), written into buf (NUL-terminated). Returns the length or
 * VG_ERR_TRUNC. */
int rec_stats_json(const struct rec *r, char *buf, size_t cap);
/* The EDF+ and JSON-lines paths. */
const char *rec_edf_path(const struct rec *r);
const char *rec_jsonl_path(const struct rec *r);

/* Write the session's Markdown summary next to the recording
 * (<dir>/<same name>.summary.md, 0600, replaced if it exists). Returns 0 or
 * the VG_ERR_* of the failure (VG_ERR_NOSPACE...), logged once. */
int rec_write_summary(const struct rec *r, const char *markdown);

/* Make dir (and missing parents) private: created 0700; an existing one
 * that group or others can enter gets a warning with the fix. Returns 0,
 * VG_ERR_NOTFOUND/ACCESS/ROFS/NOSPACE/IO (not a directory or cannot be
 * made). */
int rec_dir_prepare(const char *dir);

/* Write what is buffered (the last, partial record is padded with filler,
 * not annotated: the end of the data is in "rec.end"), close the EDF+ file,
 * write every annotation into it (record_annot.c), write "rec.end" and
 * close the JSON lines, and free; NULLs *r. After a write failure the
 * record count is repaired first. */
void rec_close(struct rec **r);

/* Make a recording that was not closed (kill -9, power loss, disk full)
 * open in EDFlib again: the record count is set from the file size, a
 * partial last record is cut off, and when the JSON-lines file next to it
 * (same name, .jsonl) holds more annotations than the EDF+ file, the file
 * is rewritten through EDFlib with them. A whole file is left alone.
 * Returns 0 (repaired or nothing to do), VG_ERR_NOTFOUND, VG_ERR_PARSE
 * (not an EDF/EDF+ file of 16-bit samples), VG_ERR_TRUNC (no complete data
 * record), VG_ERR_IO. *changed (may be NULL) tells whether it wrote. */
int rec_repair(const char *edf_path, int *changed);

/* rec_repair() every *.edf in dir whose header has no record count (-1),
 * as the daemon should at start. Returns the number repaired or a negative
 * VG_ERR_*. */
int rec_repair_dir(const char *dir);

#endif
