/* sa_testset: a test set of docs/asr.md — feats.bin (log-mel features with a CRC-32: version 1
 * int16 values, version 2 a per-utterance int16 base plus int8 offsets)
 * and transcripts.tsv (one "id<TAB>words" line per utterance, same order). */
#ifndef SA_TESTSET_H
#define SA_TESTSET_H

#include <stddef.h>
#include <stdint.h>

#include "sa_err.h"

/* Bounds a reader accepts (anything larger is rejected as corrupt, never allocated). */
enum {
  SA_TESTSET_MAX_MELS = 1024,
  SA_TESTSET_MAX_LINE = 65536, /* bytes per transcripts.tsv line */
};
#define SA_TESTSET_MAX_FILE ((size_t)1 << 31) /* bytes of feats.bin or transcripts.tsv */

typedef struct sa_testset {
  int64_t n_utts;
  int64_t n_mels;
  float scale;           /* value = round(logmel * scale) (v2: base + offset) */
  int64_t *n_frames;     /* owned: per utterance */
  int64_t *offset;       /* owned: per utterance, index of its first int16 in data */
  int16_t *data;         /* owned: all frames' values, frame-major, n_mels per frame */
  char **ids;            /* owned: per utterance (NULL when no transcripts were read) */
  char **refs;           /* owned: per utterance, the reference words separated by ' ' */
} sa_testset;

/* Parses a feats.bin image (docs/asr.md): checks magic, version 1 or 2, n_mels in
 * 1..SA_TESTSET_MAX_MELS, a finite positive scale, every size against the buffer length (a
 * truncated or over-long file is an error), each v2 base in range, and the trailing CRC-32.
 * name is used in messages. On success fills ts (ids/refs NULL; free with sa_testset_free)
 * and returns 0; otherwise returns -1 with "NAME: problem" in e and ts emptied. */
int sa_testset_parse_feats(const uint8_t *buf, size_t len, const char *name, sa_testset *ts,
                           sa_err *e);

/* Reads feats.bin from path (at most SA_TESTSET_MAX_FILE bytes) as sa_testset_parse_feats. */
int sa_testset_read_feats(const char *path, sa_testset *ts, sa_err *e);

/* Reads transcripts.tsv into ts->ids/refs; there must be exactly ts->n_utts non-empty lines,
 * each "id<TAB>words" with a non-empty id (words may be empty: a silent utterance). Words
 * are re-joined with single spaces. Errors name "PATH:LINE". */
int sa_testset_read_transcripts(const char *path, sa_testset *ts, sa_err *e);

/* Loads DIR/feats.bin and DIR/transcripts.tsv. */
int sa_testset_load(const char *dir, sa_testset *ts, sa_err *e);

/* Utterance i's log-mel features as floats (n_frames[i] x n_mels, value / scale) into out. */
void sa_testset_feats(const sa_testset *ts, int64_t i, float *out);

/* Writes a version-1 feats.bin atomically from n utterances of int16 features (frames[i] x
 * n_mels each, frame-major) with the given scale. Returns 0 or -1. */
int sa_testset_write_feats(const char *path, int64_t n, int64_t n_mels, float scale,
                           const int16_t *const *utts, const int64_t *frames, sa_err *e);

/* Frees everything ts owns and empties it (safe on an empty or zeroed ts). */
void sa_testset_free(sa_testset *ts);

/* The rule that calibration data are never test data (docs/pruning.md): fails with a message
 * naming both when calib_dir is testset (if non-empty) or any directory in
 * manifest_dir/testsets/, by path or by an identical feats.bin (a copy). Directories that do
 * not exist are skipped; calib_dir itself must hold a readable feats.bin. Returns 0 or -1. */
int sa_testset_check_calib(const char *calib_dir, const char *manifest_dir, const char *testset,
                           sa_err *e);

#endif
