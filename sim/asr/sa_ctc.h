/* sa_ctc: greedy CTC decoding (docs/asr.md): argmax per frame, collapse repeats, drop blanks. */
#ifndef SA_CTC_H
#define SA_CTC_H

#include <stdint.h>

/* Decodes t frames of v scores (row-major t x v; logits or log-probabilities, the argmax is
 * the same) with blank token `blank`. Ties go to the lowest token index (as numpy.argmax).
 * Writes at most t token ids to tokens and returns how many. t >= 0, v >= 1. Never fails. */
int64_t sa_ctc_greedy(const float *scores, int64_t t, int64_t v, int32_t blank, int32_t *tokens);

#endif
