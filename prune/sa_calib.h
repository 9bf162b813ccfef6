/* sa_calib: calibration statistics of a model's weight GEMMs, the data the accuracy-keeping
 * pruning strategies read (docs/pruning.md). Per manifest layer: the input Gram matrix
 * H = X^T X (K x K, float64 sums over every GEMM input row of every calibration utterance),
 * the input channel means and the row count. The WER engine (sim/asr, 'sasp calib') measures
 * them on a calibration set; the pruner only reads them, as data. The file is safetensors
 * (docs/formats.md "Calibration statistics"). */
#ifndef SA_CALIB_H
#define SA_CALIB_H

#include <stdint.h>

#include "sa_err.h"
#include "sa_manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SA_CALIB_KEY_MAX = 128 };

typedef struct sa_calib_layer {
  int64_t k;
  double *gram;    /* K x K row-major, symmetric: sum over rows x of x x^T */
  double *mean;    /* K: mean of x over the rows */
  int64_t rows;    /* input rows summed (M of the GEMM, over all utterances) */
} sa_calib_layer;

typedef struct sa_calib {
  int n;                        /* the manifest's layers, in its order */
  sa_calib_layer *layers;       /* owned */
  int64_t utts;                 /* calibration utterances measured */
  char key[SA_CALIB_KEY_MAX];   /* what was measured: "model:HEX calib:HEX" (sa_engine) */
} sa_calib;

/* Zeroed statistics for every layer of man (gram, mean allocated). Returns 0 or -1. */
int sa_calib_alloc(sa_calib *c, const sa_manifest *man, sa_err *e);
void sa_calib_free(sa_calib *c);

/* Writes the statistics atomically: per layer "<name>.gram" F64 [K, K], "<name>.mean" F64 [K],
 * "<name>.rows" I64 [1]; then "sasp.calib.utts" I64 [1] and "sasp.calib.key" U8 [len]. */
int sa_calib_write(const sa_calib *c, const sa_manifest *man, const char *path, sa_err *e);

/* Reads a statistics file for man: every manifest layer must be there with its K, values
 * finite, Gram diagonals >= 0, rows >= 1. A missing or unreadable file is an error naming
 * it. want_key: when non-NULL, the file's key must equal it (statistics of another model or
 * calibration set are refused). Returns 0 or -1 with "PATH: problem" in e. */
int sa_calib_read(const sa_manifest *man, const char *path, const char *want_key, sa_calib *c,
                  sa_err *e);

#ifdef __cplusplus
}
#endif

#endif
