/*
 * record_int.h - what record.c and record_repair.c share (not for other
 * modules: they use record.h). Both call down into record_text.c; repair
 * never calls the live recorder.
 */
#ifndef RECORD_INT_H
#define RECORD_INT_H

#define EDF_ANNOT_TEXT 40 /* EDFlib's limit for written annotation texts */

/* Copy src into dst (>= EDF_ANNOT_TEXT + 1 bytes), cut to EDFlib's 40
 * bytes on a UTF-8 character boundary (EDFlib would cut anywhere). */
void rec_cut_utf8(char *dst, const char *src); /* record_text.c */

#endif
