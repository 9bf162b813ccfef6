/* sa_ctc: greedy CTC decoding. */
#include "sa_ctc.h"

#include "sa_err.h"

int64_t sa_ctc_greedy(const float *scores, int64_t t, int64_t v, int32_t blank, int32_t *tokens) {
  SA_ASSERT(t >= 0 && v >= 1);
  int64_t n = 0;
  int32_t prev = -1;
  for (int64_t i = 0; i < t; i++) {
    const float *row = scores + i * v;
    int32_t best = 0;
    for (int64_t j = 1; j < v; j++)
      if (row[j] > row[best]) best = (int32_t)j;
    if (best != prev && best != blank) tokens[n++] = best;
    prev = best;
  }
  return n;
}
