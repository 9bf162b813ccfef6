/* sa_wer: word error rate — word-level alignment with NIST sclite's weights (substitution 4,
 * insertion 3, deletion 3, so counts equal sclite's), corpus WER and a bootstrap 95 %
 * confidence interval over utterances (GSL's MT19937, fixed seed: deterministic). */
#ifndef SA_WER_H
#define SA_WER_H

#include <stdint.h>

#include "sa_err.h"

/* Errors of one utterance (or a sum over utterances). */
typedef struct sa_wer_counts {
  int64_t words;        /* reference words */
  int64_t cor, sub, ins, del;
} sa_wer_counts;

/* Corpus result. wer, lo and hi are in percent: 100 * (sub + ins + del) / words and the
 * 2.5 % / 97.5 % quantiles of the bootstrap distribution. */
typedef struct sa_wer_result {
  int64_t words, cor, sub, ins, del;
  int64_t utts;         /* utterances scored */
  int64_t utts_wrong;   /* utterances with at least one error */
  int64_t n_boot;       /* bootstrap resamples behind lo/hi */
  double wer, lo, hi;
} sa_wer_result;

/* Aligns hyp against ref (words separated by blanks, compared byte for byte) by minimum
 * weighted edit distance (correct 0, substitution 4, insertion 3, deletion 3, sclite's
 * defaults) and counts the alignment's operations into *c (overwritten). Returns 0, or -1 with
 * e filled when out of memory. */
int sa_wer_align(const char *ref, const char *hyp, sa_wer_counts *c, sa_err *e);

/* Scores n utterances (refs[i] against hyps[i]) into *out, with n_boot bootstrap resamples
 * of the utterances (n_boot >= 1; with replacement, gsl_rng_mt19937 seeded with seed). A
 * resample that happens to hold no reference word is drawn again. Returns 0, or -1 with e
 * filled (n < 1, no reference word at all, out of memory). */
int sa_wer_score(const char *const *refs, const char *const *hyps, int64_t n, int64_t n_boot,
                 uint64_t seed, sa_wer_result *out, sa_err *e);

/* The same from per-utterance counts already computed (counts[i] for utterance i). */
int sa_wer_score_counts(const sa_wer_counts *counts, int64_t n, int64_t n_boot, uint64_t seed,
                        sa_wer_result *out, sa_err *e);

#endif
