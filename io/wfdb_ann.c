/*
 * wfdb_ann.c - MIT-format WFDB annotation reader (see wfdb_ann.h).
 *
 * Format (WFDB Programmer's Guide, "annot(5)"): a sequence of 16-bit
 * little-endian words; the top 6 bits are a code A, the low 10 bits a
 * number I. A = 0 and I = 0 ends the file. A = 59 (SKIP): the next 4 bytes
 * are a 32-bit signed time increment, high 16-bit word first, each word
 * little-endian (PDP-11 order). A = 60 (NUM), 61 (SUB), 62 (CHN): I sets
 * that field (NUM and CHN stay set for later annotations, SUB applies to
 * the current one). A = 63 (AUX): I bytes of text follow, padded to an
 * even length (skipped here). Any other A is an annotation with code A
 * whose time is the previous time plus I. SUB, CHN, NUM and AUX follow the
 * annotation they modify (as wfdb's putann writes them).
 * References: G. Moody, WFDB Applications Guide / annot(5), PhysioNet;
 * bemoody/wfdb lib/annot.c (studied, not copied).
 * Limits: reads the whole file into memory (bounded at 512 MiB); the aux
 * strings are not kept. The .hea parser only takes the sampling frequency.
 */
#include "wfdb_ann.h"
#include "vg_err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKIP 59
#define NUM 60
#define SUB 61
#define CHN 62
#define AUX 63
#define MAX_FILE_BYTES (512u * 1024u * 1024u)
#define MAX_TIME ((int64_t)1 << 53)

int wfdb_ann_parse(const uint8_t *buf, size_t len, struct wfdb_ann **out,
		   size_t *n)
{
	if (!out || !n || (!buf && len))
		return VG_ERR_INVAL;
	*out = NULL;
	*n = 0;
	/* each annotation needs at least one word */
	size_t cap = len / 2 + 1;
	struct wfdb_ann *a = malloc(cap * sizeof(*a));
	if (!a)
		return VG_ERR_NOMEM;
	size_t cnt = 0, p = 0;
	int64_t t = 0;
	int8_t num = 0;
	uint8_t chan = 0;
	int err = 0;
	while (p + 2 <= len) {
		unsigned w = (unsigned)buf[p] | ((unsigned)buf[p + 1] << 8);
		p += 2;
		unsigned code = w >> 10, iv = w & 0x3ffu;
		if (code == 0 && iv == 0)
			goto done;
		switch (code) {
		case SKIP: {
			if (p + 4 > len) {
				err = VG_ERR_TRUNC;
				goto done;
			}
			uint32_t hi = (uint32_t)buf[p] | ((uint32_t)buf[p + 1] << 8);
			uint32_t lo = (uint32_t)buf[p + 2] | ((uint32_t)buf[p + 3] << 8);
			p += 4;
			int32_t d = (int32_t)((hi << 16) | lo);
			t += d;
			if (t < 0 || t > MAX_TIME) {
				err = VG_ERR_PARSE;
				goto done;
			}
			break;
		}
		case NUM:
			num = (int8_t)iv;
			if (cnt)
				a[cnt - 1].num = num;
			break;
		case SUB:
			if (cnt)
				a[cnt - 1].subtyp = (int8_t)iv;
			break;
		case CHN:
			chan = (uint8_t)iv;
			if (cnt)
				a[cnt - 1].chan = chan;
			break;
		case AUX: {
			size_t skip = iv + (iv & 1u);
			if (p + skip > len) {
				err = VG_ERR_TRUNC;
				goto done;
			}
			p += skip;
			break;
		}
		default:
			t += iv;
			if (t > MAX_TIME) {
				err = VG_ERR_PARSE;
				goto done;
			}
			a[cnt].sample = t;
			a[cnt].code = (uint8_t)code;
			a[cnt].subtyp = 0;
			a[cnt].chan = chan;
			a[cnt].num = num;
			cnt++;
			break;
		}
	}
	if (p != len)
		err = VG_ERR_TRUNC; /* odd byte at the end */
done:
	if (err) {
		free(a);
		return err;
	}
	*out = a;
	*n = cnt;
	return 0;
}

int wfdb_ann_read(const char *path, struct wfdb_ann **out, size_t *n)
{
	if (!path || !out || !n)
		return VG_ERR_INVAL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? VG_ERR_NOTFOUND : vg_err_from_errno(errno);
	int err = 0;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > MAX_FILE_BYTES) {
				err = VG_ERR_RANGE;
				break;
			}
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				err = VG_ERR_NOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				err = VG_ERR_IO;
			break;
		}
	}
	fclose(f);
	if (!err)
		err = wfdb_ann_parse(buf, len, out, n);
	free(buf);
	return err;
}

int wfdb_ann_header_fs(const char *hea_path, double *fs_hz)
{
	if (!hea_path || !fs_hz)
		return VG_ERR_INVAL;
	FILE *f = fopen(hea_path, "r");
	if (!f)
		return errno == ENOENT ? VG_ERR_NOTFOUND : vg_err_from_errno(errno);
	char line[1024];
	int err = VG_ERR_PARSE;
	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\r' || *s == 0)
			continue;
		char name[256], nsig[64], fs[128];
		int k = sscanf(s, "%255s %63s %127s", name, nsig, fs);
		if (k < 2)
			break;
		if (k == 2) {
			*fs_hz = 250.0; /* WFDB default */
			err = 0;
			break;
		}
		char *end = NULL;
		double v = strtod(fs, &end);
		if (end == fs || !(v > 0.0) || v > 1e9)
			break;
		*fs_hz = v;
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

int wfdb_ann_load(const char *record, const char *ext, struct wfdb_ann **out,
		  size_t *n, double *fs_hz)
{
	if (!record || !ext || !fs_hz)
		return VG_ERR_INVAL;
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s.hea", record) >= sizeof(path))
		return VG_ERR_RANGE;
	int err = wfdb_ann_header_fs(path, fs_hz);
	if (err)
		return err;
	if ((size_t)snprintf(path, sizeof(path), "%s.%s", record, ext) >= sizeof(path))
		return VG_ERR_RANGE;
	return wfdb_ann_read(path, out, n);
}

int wfdb_ann_is_beat(unsigned code)
{
	/* ecgcodes.h: N L R a V F J A S E j / Q, B, r, e, n, f, ? (isqrs) */
	switch (code) {
	case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8:
	case 9: case 10: case 11: case 12: case 13: case 25: case 30:
	case 34: case 35: case 38: case 41:
		return 1;
	default:
		return 0;
	}
}

size_t wfdb_ann_nn(const struct wfdb_ann *a, size_t n, double fs_hz,
		   struct wfdb_nn *nn)
{
	size_t k = 0;
	int have_prev = 0, prev_normal = 0;
	int64_t prev = 0;
	if (!a || !nn || !(fs_hz > 0.0))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!wfdb_ann_is_beat(a[i].code))
			continue;
		int normal = a[i].code == WFDB_ANN_NORMAL;
		if (have_prev && prev_normal && normal && a[i].sample > prev) {
			nn[k].t_s = (double)a[i].sample / fs_hz;
			nn[k].nn_ms = 1000.0 * (double)(a[i].sample - prev) / fs_hz;
			k++;
		}
		have_prev = 1;
		prev_normal = normal;
		prev = a[i].sample;
	}
	return k;
}
