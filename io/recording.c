/*
 * recording.c - one interface over the WFDB and EDF readers (see
 * recording.h): an ops table per format, chosen by the path.
 */
#include "recording.h"
#include "edf.h"
#include "vg_err.h"
#include "wfdb.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rec_format_ops {
	const char *name;
	void *(*open)(const char *path, int *err);
	void (*close)(void *impl);
	int (*nsig)(const void *impl);
	double (*duration_s)(const void *impl);
	int (*start_ns)(const void *impl, int64_t *t_ns);
	double (*sig_fs)(const void *impl, int sig);
	int64_t (*sig_nsamp)(const void *impl, int sig);
	const char *(*sig_label)(const void *impl, int sig);
	const char *(*sig_units)(const void *impl, int sig);
	int (*read_phys)(void *impl, int sig, int64_t start, size_t n, float *out);
	int (*next_gap)(const void *impl, int sig, int64_t from, int64_t *start,
			int64_t *len);
};

struct recording {
	const struct rec_format_ops *ops;
	void *impl;
};

/* ---------------------------------------------------------------- WFDB */
static void *w_open(const char *path, int *err)
{
	size_t n = strlen(path);
	if (n > 4 && !strcasecmp(path + n - 4, ".hea")) {
		char *base = strdup(path);
		if (!base) {
			*err = VG_ERR_NOMEM;
			return NULL;
		}
		base[n - 4] = '\0';
		void *r = wfdb_open(base, err);
		free(base);
		return r;
	}
	return wfdb_open(path, err);
}

static void w_close(void *impl)
{
	struct wfdb_record *r = impl;
	wfdb_destroy(&r);
}

static int w_nsig(const void *impl)
{
	return wfdb_nsig(impl);
}

static double w_duration_s(const void *impl)
{
	double fs = wfdb_fs(impl);
	return fs > 0 ? (double)wfdb_nframes(impl) / fs : 0.0;
}

static int w_start_ns(const void *impl, int64_t *t_ns)
{
	return wfdb_base_time_ns(impl, t_ns);
}

static double w_sig_fs(const void *impl, int sig)
{
	return wfdb_sig_fs(impl, sig);
}

static int64_t w_sig_nsamp(const void *impl, int sig)
{
	return wfdb_sig_nsamp(impl, sig);
}

static const char *w_sig_label(const void *impl, int sig)
{
	return wfdb_sig_desc(impl, sig);
}

static const char *w_sig_units(const void *impl, int sig)
{
	return wfdb_sig_units(impl, sig);
}

static int w_read_phys(void *impl, int sig, int64_t start, size_t n, float *out)
{
	return wfdb_read_phys(impl, sig, start, n, out);
}

static int w_next_gap(const void *impl, int sig, int64_t from, int64_t *start,
		      int64_t *len)
{
	(void)impl, (void)sig, (void)from, (void)start, (void)len;
	return 0;
}

static const struct rec_format_ops wfdb_ops = {
	"wfdb", w_open, w_close, w_nsig, w_duration_s, w_start_ns, w_sig_fs,
	w_sig_nsamp, w_sig_label, w_sig_units, w_read_phys, w_next_gap
};

/* ---------------------------------------------------------------- EDF */
static void *e_open(const char *path, int *err)
{
	return edfr_open(path, err);
}

static void e_close(void *impl)
{
	struct edfr *f = impl;
	edfr_close(&f);
}

static int e_nsig(const void *impl)
{
	return edfr_nsig(impl);
}

static double e_duration_s(const void *impl)
{
	return edfr_duration_s(impl);
}

static int e_start_ns(const void *impl, int64_t *t_ns)
{
	*t_ns = edfr_start_ns(impl);
	return VG_OK;
}

static double e_sig_fs(const void *impl, int sig)
{
	return edfr_sig_fs(impl, sig);
}

static int64_t e_sig_nsamp(const void *impl, int sig)
{
	return edfr_sig_nsamp(impl, sig);
}

static const char *e_sig_label(const void *impl, int sig)
{
	return edfr_sig_label(impl, sig);
}

static const char *e_sig_units(const void *impl, int sig)
{
	return edfr_sig_units(impl, sig);
}

static int e_read_phys(void *impl, int sig, int64_t start, size_t n, float *out)
{
	return edfr_read_phys(impl, sig, start, n, out);
}

static int e_next_gap(const void *impl, int sig, int64_t from, int64_t *start,
		      int64_t *len)
{
	return edfr_next_gap(impl, sig, from, start, len);
}

static const struct rec_format_ops edf_ops = {
	"edf", e_open, e_close, e_nsig, e_duration_s, e_start_ns, e_sig_fs,
	e_sig_nsamp, e_sig_label, e_sig_units, e_read_phys, e_next_gap
};

/* ---------------------------------------------------------------- API */
static int is_edf_path(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (!strcasecmp(path + n - 4, ".edf") ||
			 !strcasecmp(path + n - 4, ".bdf"));
}

struct recording *recording_open(const char *path, int *err)
{
	int e = VG_ERR_INVAL;
	if (!path || !*path)
		goto fail;
	e = VG_ERR_NOMEM;
	struct recording *r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->ops = is_edf_path(path) ? &edf_ops : &wfdb_ops;
	r->impl = r->ops->open(path, &e);
	if (!r->impl) {
		free(r);
		goto fail;
	}
	return r;
fail:
	if (err)
		*err = e;
	return NULL;
}

void recording_close(struct recording **rp)
{
	if (!rp || !*rp)
		return;
	(*rp)->ops->close((*rp)->impl);
	free(*rp);
	*rp = NULL;
}

const char *recording_format(const struct recording *r)
{
	return r->ops->name;
}

int recording_nsig(const struct recording *r)
{
	return r->ops->nsig(r->impl);
}

double recording_duration_s(const struct recording *r)
{
	return r->ops->duration_s(r->impl);
}

int recording_start_ns(const struct recording *r, int64_t *t_ns)
{
	return r->ops->start_ns(r->impl, t_ns);
}

double recording_sig_fs(const struct recording *r, int sig)
{
	return r->ops->sig_fs(r->impl, sig);
}

int64_t recording_sig_nsamp(const struct recording *r, int sig)
{
	return r->ops->sig_nsamp(r->impl, sig);
}

const char *recording_sig_label(const struct recording *r, int sig)
{
	return r->ops->sig_label(r->impl, sig);
}

const char *recording_sig_units(const struct recording *r, int sig)
{
	return r->ops->sig_units(r->impl, sig);
}

int recording_read_phys(struct recording *r, int sig, int64_t start, size_t n,
			float *out)
{
	return r->ops->read_phys(r->impl, sig, start, n, out);
}

int recording_next_gap(const struct recording *r, int sig, int64_t from,
		       int64_t *start, int64_t *len)
{
	return r->ops->next_gap(r->impl, sig, from, start, len);
}

const char *recording_sig_transducer(const struct recording *r, int sig)
{
	return r->ops == &edf_ops ? edfr_sig_transducer(r->impl, sig) : "";
}
