/*
 * driver.h - the one interface between device protocols and the rest of vagus.
 *
 * Problem: every sensor speaks its own byte protocol (framing, checksums,
 * counters, scaling), yet the analysis wants plain samples in physical units
 * and beats with RR intervals, and the daemon wants to treat all devices alike
 * (open, feed, stall, unplug, replug).
 * Approach (gpsd's driver table, libusb's field contracts, chrony's opaque
 * instance): a driver is a const struct drv_ops with a documented contract per
 * field. The core allocates the driver's private state (priv_size bytes,
 * zeroed) and owns the link. Bytes read from the link are handed to feed();
 * the driver emits samples, beats and gaps through drv_* calls, which the core
 * forwards to the host's struct drv_sink (daemon, vagus-decode, a test).
 * Because feed() takes bytes, one code path serves live devices, replayed
 * captures and fuzzing. Drivers never see ZeroMQ, poll() or the clock of the
 * host except through drv_now_ns().
 * Units: ECG channels in mV, EMG channels in uV, PPG in ADC counts (unit
 * string says so), RESP in arbitrary units; times in ns since the Unix epoch.
 * Limits: one instance per device; all calls from one thread.
 */
#ifndef DRV_DRIVER_H
#define DRV_DRIVER_H

#include <stddef.h>
#include <stdint.h>

struct link;
struct drv_instance;

enum drv_signal_kind {
	DRV_SIG_ECG = 0,  /* mV */
	DRV_SIG_EMG = 1,  /* uV */
	DRV_SIG_PPG = 2,  /* device units */
	DRV_SIG_RESP = 3, /* arbitrary units */
	DRV_SIG_AUX = 4   /* anything else (accelerometer, switches) */
};

/* What a driver can deliver (drv_ops.provides). */
#define DRV_PROVIDES_ECG 0x01u   /* raw ECG samples */
#define DRV_PROVIDES_EMG 0x02u   /* raw EMG samples */
#define DRV_PROVIDES_BEATS 0x04u /* beat times / RR intervals without raw ECG */
#define DRV_PROVIDES_HR 0x08u    /* heart rate only (no RR) */

#define DRV_LABEL_MAX 40

/* One sampled channel, declared by the driver in open() with drv_add_channel. */
struct drv_channel {
	char label[DRV_LABEL_MAX];      /* mandatory: e.g. "ECG", "EMG trapezius-left" */
	enum drv_signal_kind kind;      /* mandatory */
	double rate_hz;                 /* mandatory: samples per second, > 0 */
	char unit[8];                   /* mandatory: physical unit, "mV", "uV" */
	double phys_min, phys_max;      /* mandatory: physical range of the ADC */
	char transducer[DRV_LABEL_MAX]; /* optional: e.g. "AgAgCl electrodes" */
	char prefilter[DRV_LABEL_MAX];  /* optional: e.g. "HP:0.5Hz LP:150Hz" */
};

/* A beat reported by a beat-only source (ANT+ strap, PulseSensor). */
struct drv_beat {
	int64_t t_ns;   /* time of the beat, ns since the Unix epoch */
	double rr_ms;   /* interval since the previous beat; 0 when unknown */
	double hr_bpm;  /* heart rate the device computed; 0 when none */
	unsigned flags; /* DRV_BEAT_* */
};
#define DRV_BEAT_AFTER_GAP 0x01u /* beats were lost before this one */

/* Events the core delivers to drv_ops.event. */
enum drv_event {
	DRV_EV_CONNECT = 0,    /* link (re)opened; open() has already run once */
	DRV_EV_DISCONNECT = 1, /* link lost (unplug, EOF); the core will retry */
	DRV_EV_STALL = 2       /* no bytes for the stall timeout */
};

struct drv_usb_id {
	uint16_t vid, pid; /* {0, 0} terminates a list */
};

/*
 * A driver. All fields are mandatory unless marked optional. No callback may
 * block; none may allocate after open() returned (use priv_size).
 */
struct drv_ops {
	const char *name;        /* short name used in --source, e.g. "openbci" */
	const char *description; /* one line for --help and `sources` */
	unsigned provides;       /* DRV_PROVIDES_* bits */
	const struct drv_usb_id *usb_ids; /* optional: list for --source auto */
	int baud;                /* serial speed for serial links; 0 = not serial */
	size_t priv_size;        /* bytes of private state the core allocates, zeroed */

	/* Called once when the instance is created, before any feed(). Declare
	 * channels (drv_add_channel), read options (drv_opt_*), send start-up
	 * commands (drv_write). Returns 0 or a negative VG_ERR_* (the source is
	 * then not started, e.g. VG_ERR_SECURITY without an ANT+ key). */
	int (*open)(struct drv_instance *d);

	/* Consume len bytes that arrived from the link (any split, any garbage).
	 * Emit samples/beats with drv_samples()/drv_beat(); count garbage and
	 * checksum failures with drv_stat_*; mark lost samples with drv_gap().
	 * Resynchronise on bad bytes. Never blocks. Returns 0; a negative
	 * VG_ERR_* only when the device reports a fatal condition. */
	int (*feed)(struct drv_instance *d, const uint8_t *buf, size_t len);

	/* Optional. Called periodically (about every 10 ms) with the current
	 * time: generators (sim) produce data here, request/response devices
	 * (HRMI) poll here. Returns 0 or a negative VG_ERR_* (VG_ERR_EOF: the
	 * source has finished, e.g. a replay). */
	int (*tick)(struct drv_instance *d, int64_t now_ns);

	/* Optional. Connect/disconnect/stall notifications; may drv_write()
	 * start-up commands again after DRV_EV_CONNECT. */
	void (*event)(struct drv_instance *d, enum drv_event ev);

	/* Optional. Send stop commands (drv_write) before the link closes. */
	void (*close)(struct drv_instance *d);
};

/*
 * The host's side: where an instance's output goes. All callbacks optional
 * (NULL = ignore). Called synchronously from within feed()/tick().
 */
struct drv_sink {
	void *ctx;
	/* n samples of channel ch in physical units; first_index is the
	 * channel's running sample index of v[0] (gaps included). */
	void (*samples)(void *ctx, unsigned ch, const float *v, size_t n,
			uint64_t first_index);
	void (*beat)(void *ctx, const struct drv_beat *b);
	/* missing samples on every channel (counter gap), already added to
	 * the sample index; n_missing in samples of the fastest channel. */
	void (*gap)(void *ctx, uint64_t n_missing);
	/* device identification text, firmware version and the like */
	void (*info)(void *ctx, const char *key, const char *value);
};

/* Per-instance counters the core keeps (for `status`). */
struct drv_stats {
	uint64_t bytes_in;
	uint64_t frames_ok;
	uint64_t garbage_bytes;   /* bytes skipped while resynchronising */
	uint64_t checksum_errors; /* frames dropped for bad CRC/checksum */
	uint64_t gaps;            /* counter gaps seen */
	uint64_t samples_missing; /* samples lost in those gaps */
	uint64_t beats;
	int64_t last_data_ns;     /* time of the last good frame, 0 = never */
};

/* ---------------------------------------------------------------- core API
 * For hosts: create an instance bound to a driver and a sink. options is a
 * comma-separated "key=value,..." string (may be NULL). link may be NULL
 * (sim, decode from a file). Returns NULL and sets *err on failure. */
struct drv_instance *drv_instance_new(const struct drv_ops *ops,
				      const struct drv_sink *sink,
				      const char *options, struct link *link,
				      int *err);
/* Calls ops->close (if the instance was opened) and frees it; NULLs *d. */
void drv_instance_destroy(struct drv_instance **d);
/* Hand bytes to the driver (wraps ops->feed and the byte counter). */
int drv_instance_feed(struct drv_instance *d, const uint8_t *buf, size_t len);
int drv_instance_tick(struct drv_instance *d, int64_t now_ns);
void drv_instance_event(struct drv_instance *d, enum drv_event ev);
/* Set the clock used by drv_now_ns() (the host calls it before feed). */
void drv_instance_set_now(struct drv_instance *d, int64_t now_ns);
void drv_instance_set_link(struct drv_instance *d, struct link *link);
const struct drv_ops *drv_instance_ops(const struct drv_instance *d);
unsigned drv_instance_channel_count(const struct drv_instance *d);
const struct drv_channel *drv_instance_channel(const struct drv_instance *d,
					       unsigned ch);
const struct drv_stats *drv_instance_stats(const struct drv_instance *d);
/* Running sample index (gaps included) of channel ch. */
uint64_t drv_instance_sample_index(const struct drv_instance *d, unsigned ch);

/* For drivers: */
void *drv_priv(struct drv_instance *d);
/* Declare a channel; returns its index (>= 0) or VG_ERR_RANGE (too many). */
int drv_add_channel(struct drv_instance *d, const struct drv_channel *c);
void drv_samples(struct drv_instance *d, unsigned ch, const float *v, size_t n);
void drv_beat(struct drv_instance *d, const struct drv_beat *b);
void drv_gap(struct drv_instance *d, uint64_t n_missing);
void drv_info(struct drv_instance *d, const char *key, const char *value);
void drv_stat_frame_ok(struct drv_instance *d);
void drv_stat_garbage(struct drv_instance *d, size_t n);
void drv_stat_checksum_error(struct drv_instance *d);
/* Write bytes to the device; VG_ERR_NODEV when there is no link. */
int drv_write(struct drv_instance *d, const void *buf, size_t n);
int64_t drv_now_ns(const struct drv_instance *d);
/* Options: returns the value or NULL / the default when absent. The _double
 * and _long forms return VG_ERR_INVAL on a malformed value (and log it). */
const char *drv_opt(const struct drv_instance *d, const char *key);
int drv_opt_double(const struct drv_instance *d, const char *key, double def,
		   double *out);
int drv_opt_long(const struct drv_instance *d, const char *key, long def,
		 long *out);

/* ---------------------------------------------------------------- registry
 * The one list of drivers (drivers/registry.c). */
const struct drv_ops *drv_find(const char *name);
/* NULL-terminated array of all drivers. */
const struct drv_ops *const *drv_all(void);
/* Driver for a USB VID/PID, or NULL. */
const struct drv_ops *drv_find_usb(uint16_t vid, uint16_t pid);

#define DRV_MAX_CHANNELS 16

#endif
