/* sa_engine_fwd: one utterance through the engine, for the evaluation loops of
 * sa_engine_eval.c. Internal to sim/asr; other code uses sa_engine.h. */
#ifndef SA_ENGINE_FWD_H
#define SA_ENGINE_FWD_H

#include <stdint.h>

#include "sa_engine.h"
#include "sa_err.h"

/* Activation statistics of one utterance (fp32 mode, for sa_engine_act_norms). */
typedef struct sa_engine_stats {
  double **sumsq; /* per layer, K sums of squares of the GEMM inputs */
} sa_engine_stats;

/* Runs t frames of feats (t x n_mels) through g: the greedy CTC tokens into a malloc'd
 * *tokens (*ntok of them); st, if not NULL, accumulates input-channel sums of squares.
 * Returns 0, or -1 with e filled. */
int sa_engine_forward(const sa_engine *g, const float *feats, int64_t t, sa_engine_stats *st,
                      int32_t **tokens, int64_t *ntok, sa_err *e);

/* The words of tokens tok[0..n) joined by single spaces (malloc'd), or NULL with e filled. */
char *sa_engine_words(const sa_engine *g, const int32_t *tok, int64_t n, sa_err *e);

#endif
