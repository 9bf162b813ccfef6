/* sa_engine_int: the engine's internals shared by sa_engine.c (one utterance) and
 * sa_engine_eval.c (test sets, statistics). Internal to sim/asr; other code uses sa_engine.h. */
#ifndef SA_ENGINE_INT_H
#define SA_ENGINE_INT_H

#include <stdint.h>

#include "sa_engine.h"
#include "sa_err.h"
#include "sa_func.h"

enum { CONV_KH = 3, CONV_KW = 3, CONV_STRIDE = 2, LAYER_GEMMS = 6, BLANK = 0 };

typedef struct glayer {
  const sa_layer *l;
  int64_t k, n;
  float *w;              /* fp32 mode: K x N with pruned tiles zeroed */
  sa_func_weights *pw;   /* int8 mode: packed quantised weights */
  float *sw;             /* int8 mode: per-output-channel weight scales */
  const float *bias;     /* N or NULL */
} glayer;

struct sa_engine {
  int mode;
  const sa_manifest *man;
  int64_t n_mels, C, d, H, dff, L, V, F1, F2;
  int n_gemm;
  glayer *g;             /* one per manifest layer */
  const float **ln;      /* per encoder layer: ln1 w, ln1 b, ln2 w, ln2 b; then final w, b */
  char **vocab;
  char *vocab_buf;
};

/* Activation statistics collected in fp32 mode: sums of squares for sa_engine_act_norms, or
 * Gram matrices (lower triangle), sums and rows for sa_engine_calib. */
typedef struct sa_engine_stats {
  double **sumsq;        /* per layer, K sums of squares, or NULL */
  double **gram;         /* per layer, K x K (lower triangle accumulated), or NULL */
  double **sum;          /* per layer, K sums */
  int64_t *rows;         /* per layer */
  double *xd;            /* scratch: the GEMM input as double (largest M x K) */
} sa_engine_stats;

/* Runs t frames of feats (t x n_mels) through g: the greedy CTC tokens into a malloc'd
 * *tokens (*ntok of them); st, if not NULL, accumulates the statistics it has room for.
 * Returns 0, or -1 with e filled. */
int sa_engine_forward(const sa_engine *g, const float *feats, int64_t t, sa_engine_stats *st,
                      int32_t **tokens, int64_t *ntok, sa_err *e);

/* The words of tokens tok[0..n) joined by single spaces (malloc'd), or NULL with e filled. */
char *sa_engine_words(const sa_engine *g, const int32_t *tok, int64_t n, sa_err *e);

#endif
