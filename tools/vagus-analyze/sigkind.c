/*
 * sigkind.c - which signal of a recording is ECG and which is EMG, and the
 * record names vagus-analyze accepts.
 *
 * Problem: the daemon's EDF+ recordings name EMG channels after the body
 * region ("trapezius-left", or "EMG trapezius-left" with the EDF+ type
 * prefix), PhysioNet records describe signals as "MLII", "V5", "EMG";
 * region names must never be guessed at. A WFDB record may be named with
 * its header file ("100.hea") or without ("100").
 * Approach: the kind of a signal comes, in this order, from the EDF+ type
 * prefix (the label's first word is ECG/EKG or EMG, EDF+ spec section 2.1.3.1
 * "standard texts"), from an ECG lead name as the whole label (MLII, V1..V6,
 * I, II, III, aVR, aVL, aVF), or from the word ECG/EKG/EMG anywhere in the
 * label or the transducer text (the daemon writes "simulated surface EMG",
 * PhysioNet headers "EMG"). A ".hea" suffix is dropped from record names
 * before any reader sees them.
 * References: EDF+ specification, https://www.edfplus.info/specs/edfplus.html
 * Limits: a channel whose label and transducer say nothing of its kind is
 * not found by kind; name it with --signal / --ecg / --emg.
 */
#include "va.h"

#include "recording.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* 1 when text contains word (case-insensitive) between non-alphanumerics. */
static int has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, word, n))
			continue;
		int before = p == text || !isalnum((unsigned char)p[-1]);
		int after = !isalnum((unsigned char)p[n]);
		if (before && after)
			return 1;
	}
	return 0;
}

static int kind_of_words(const char *text)
{
	if (has_word(text, "EMG"))
		return VA_KIND_EMG;
	if (has_word(text, "ECG") || has_word(text, "EKG"))
		return VA_KIND_ECG;
	return VA_KIND_NONE;
}

int va_sig_kind(const char *label, const char *transducer)
{
	static const char *const leads[] = { "MLII", "ML2", "V1", "V2", "V3", "V4", "V5",
					     "V6", "I", "II", "III", "aVR", "aVL", "aVF",
					     NULL };
	label = label ? label : "";
	transducer = transducer ? transducer : "";
	/* the EDF+ type prefix: the label's first word */
	size_t w = strcspn(label, " ");
	if (w == 3 && !strncasecmp(label, "EMG", 3))
		return VA_KIND_EMG;
	if (w == 3 && (!strncasecmp(label, "ECG", 3) || !strncasecmp(label, "EKG", 3)))
		return VA_KIND_ECG;
	for (int i = 0; leads[i]; i++)
		if (!strcasecmp(label, leads[i]))
			return VA_KIND_ECG;
	int k = kind_of_words(label);
	return k != VA_KIND_NONE ? k : kind_of_words(transducer);
}

int va_find_kind(const struct recording *r, int kind, int after)
{
	for (int s = after + 1; s < recording_nsig(r); s++)
		if (va_sig_kind(recording_sig_label(r, s), recording_sig_transducer(r, s)) == kind)
			return s;
	return -1;
}

const char *va_record_name(const char *path, char *buf, size_t cap)
{
	size_t n = strlen(path);
	if (n > 4 && !strcasecmp(path + n - 4, ".hea") && n - 4 < cap) {
		memcpy(buf, path, n - 4);
		buf[n - 4] = '\0';
		return buf;
	}
	return path;
}

float va_unit_scale(const char *units, int kind)
{
	int uv = !strcasecmp(units, "uV") || !strcmp(units, "\xc2\xb5V") ||
		 !strcasecmp(units, "microvolt");
	if (uv)
		return kind == VA_KIND_EMG ? 1.0f : 0.001f;
	if (!strcasecmp(units, "V"))
		return kind == VA_KIND_EMG ? 1e6f : 1000.0f;
	return kind == VA_KIND_EMG ? 1000.0f : 1.0f; /* mV, the WFDB default */
}
