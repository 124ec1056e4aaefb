/*
 * source.h - one data source of the daemon: a driver instance on a link,
 * its lifecycle (connect, stall, lost, retry with backoff) and its mapping
 * into the analysis pipeline.
 *
 * Problem: a therapist plugs a sensor in and out; the daemon must keep
 * running, retry, resume within 2 s of the device's return, mark the gap
 * in the data and say what happened.
 * Approach: the spec "DRIVER[:LINK][,key=value...]" names the driver, the
 * link target and the driver's options. The source opens the link (if any),
 * creates the driver instance, declares one pipeline input per channel
 * (ECG/EMG) or one beat input, and on every read error closes the link and
 * retries with backoff (100 ms doubling to 1 s). On reconnect the samples
 * that were missed while away are marked as a gap, so the sample clock stays
 * aligned with real time. No data for the stall timeout = stalled.
 * Limits: a replayed regular file ends the source at EOF (no retry).
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

struct source;
struct pipeline;
struct drv_channel;

enum source_state {
	SOURCE_STARTING = 0,
	SOURCE_RUNNING,
	SOURCE_STALLED,
	SOURCE_LOST,
	SOURCE_FINISHED,
	SOURCE_FAILED
};

struct source_host {
	void *ctx;
	/* kind: "source.connected", "source.lost", "source.stalled",
	 * "source.resumed", "source.finished", "source.gap" */
	void (*event)(void *ctx, const char *kind, const char *source,
		      const char *detail);
};

/* Parse spec and start the source at now_ns. extra_opts (may be NULL) are
 * appended to the spec's options (e.g. "speed=10,seed=3" from the command
 * line). NULL + *err on a bad spec or a driver that refuses to open. */
struct source *source_new(const char *spec, const char *extra_opts,
			  struct pipeline *pl, const struct source_host *host,
			  int64_t now_ns, int *err);
void source_destroy(struct source **s);
/* Periodic work (every ~10 ms): driver tick, stall detection, retries. */
void source_tick(struct source *s, int64_t now_ns);
struct loop_poller source_poller(struct source *s);
enum source_state source_state(const struct source *s);
const char *source_state_name(enum source_state st);
const char *source_name(const struct source *s);
/* 1 when the source is the built-in simulator (driver "sim"). */
int source_is_simulated(const struct source *s);
uint64_t source_samples_missing(const struct source *s);
/* The signal time of the source's newest sample: origin + samples of its
 * fastest channel / rate (gaps counted), so it runs at the simulator's
 * speed; while a device is away (lost, stalled) at least now_ns, the time
 * its gap will be filled to on return; INT64_MIN for a source without
 * sample channels (beat-only). */
int64_t source_signal_ns(const struct source *s, int64_t now_ns);
/* Append this source's status object (JSON) to buf at *len (bounded). */
void source_status_json(const struct source *s, int64_t now_ns, char *buf,
			size_t cap, size_t *len);
/* Raw-data tap (the session recorder): every channel's samples in
 * physical units and every gap, as they reach the pipeline. fn NULL = off. */
struct source_tap {
	void *ctx;
	void (*samples)(void *ctx, const struct source *s, unsigned ch,
			const float *v, size_t n);
	void (*gap)(void *ctx, const struct source *s, unsigned ch,
		    uint64_t n_missing);
};
void source_set_tap(struct source *s, const struct source_tap *tap);
/* Channels declared by the source's driver (see drv_channel). */
unsigned source_channel_count(const struct source *s);
const struct drv_channel *source_channel(const struct source *s, unsigned ch);

/* Set the time after which a silent source is declared stalled. */
void source_set_stall_timeout(struct source *s, int64_t ns);

#endif
