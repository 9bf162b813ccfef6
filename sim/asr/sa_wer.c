/* sa_wer: word alignment (sclite's weights), corpus WER and bootstrap confidence interval. */
#include "sa_wer.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

/* sclite's default DP weights (sctk: correct 0, substitution 4, insertion 3, deletion 3) */
enum { W_SUB = 4, W_INS = 3, W_DEL = 3 };
#define CI_LO 0.025
#define CI_HI 0.975

typedef struct word {
  const char *s;
  size_t n;
} word;

/* Splits s on blanks into *w (malloc'd). Returns the count or -1. */
static int64_t split(const char *s, word **w, sa_err *e) {
  int64_t n = 0;
  for (const char *p = s; *p;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    n++;
    while (*p && *p != ' ' && *p != '\t') p++;
  }
  *w = sa_calloc(n ? (size_t)n : 1, sizeof **w, e);
  if (!*w) return -1;
  int64_t k = 0;
  for (const char *p = s; *p;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    const char *b = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    (*w)[k].s = b;
    (*w)[k++].n = (size_t)(p - b);
  }
  return n;
}

static int same(const word *a, const word *b) { return a->n == b->n && !memcmp(a->s, b->s, a->n); }

int sa_wer_align(const char *ref, const char *hyp, sa_wer_counts *c, sa_err *e) {
  memset(c, 0, sizeof *c);
  word *r = NULL, *h = NULL;
  int64_t nr = split(ref, &r, e), nh = nr < 0 ? -1 : split(hyp, &h, e);
  int32_t *d = NULL;
  if (nh >= 0) d = sa_calloc((size_t)(nr + 1) * (size_t)(nh + 1), sizeof *d, e);
  if (!d) {
    free(r);
    free(h);
    return -1;
  }
  int64_t w = nh + 1;
  /* d[i][j]: cost of aligning ref[0..i) with hyp[0..j) */
  for (int64_t i = 0; i <= nr; i++) d[i * w] = (int32_t)(i * W_DEL);
  for (int64_t j = 0; j <= nh; j++) d[j] = (int32_t)(j * W_INS);
  for (int64_t i = 1; i <= nr; i++)
    for (int64_t j = 1; j <= nh; j++) {
      int32_t diag = d[(i - 1) * w + j - 1] + (same(&r[i - 1], &h[j - 1]) ? 0 : W_SUB);
      int32_t del = d[(i - 1) * w + j] + W_DEL, ins = d[i * w + j - 1] + W_INS;
      int32_t best = diag < del ? diag : del;
      d[i * w + j] = best < ins ? best : ins;
    }
  /* Backtrace from the end, among equal-cost predecessors preferring the diagonal
   * (correct/substitution), then insertion, then deletion: the order that reproduces sclite's
   * choice between equal-cost alignments (checked by tests/wer/test_sclite.c). */
  int64_t i = nr, j = nh;
  while (i > 0 || j > 0) {
    int32_t cur = d[i * w + j];
    if (i > 0 && j > 0) {
      int eq = same(&r[i - 1], &h[j - 1]);
      if (cur == d[(i - 1) * w + j - 1] + (eq ? 0 : W_SUB)) {
        if (eq)
          c->cor++;
        else
          c->sub++;
        i--, j--;
        continue;
      }
    }
    if (j > 0 && cur == d[i * w + j - 1] + W_INS) {
      c->ins++;
      j--;
      continue;
    }
    SA_ASSERT(i > 0 && cur == d[(i - 1) * w + j] + W_DEL);
    c->del++;
    i--;
  }
  c->words = nr;
  free(d);
  free(r);
  free(h);
  return 0;
}

int sa_wer_score_counts(const sa_wer_counts *counts, int64_t n, int64_t n_boot, uint64_t seed,
                        sa_wer_result *out, sa_err *e) {
  memset(out, 0, sizeof *out);
  if (n < 1) return sa_err_set(e, "no utterances to score");
  if (n_boot < 1) return sa_err_set(e, "bootstrap needs at least one resample (got %lld)",
                                    (long long)n_boot);
  for (int64_t i = 0; i < n; i++) {
    const sa_wer_counts *c = &counts[i];
    out->words += c->words;
    out->cor += c->cor;
    out->sub += c->sub;
    out->ins += c->ins;
    out->del += c->del;
    out->utts_wrong += (c->sub + c->ins + c->del) > 0;
  }
  out->utts = n;
  if (out->words == 0) return sa_err_set(e, "the references hold no words: WER is undefined");
  out->wer = 100.0 * (double)(out->sub + out->ins + out->del) / (double)out->words;
  double *b = sa_malloc((size_t)n_boot * sizeof *b, e);
  gsl_rng *rng = b ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
  if (!rng) {
    free(b);
    return b ? sa_err_set(e, "out of memory (GSL random generator)") : -1;
  }
  gsl_rng_set(rng, (unsigned long)seed);
  for (int64_t k = 0; k < n_boot; k++) {
    int64_t words = 0, errs = 0;
    while (words == 0) { /* redraw a resample without reference words (needs empty refs) */
      errs = 0;
      for (int64_t i = 0; i < n; i++) {
        const sa_wer_counts *c = &counts[gsl_rng_uniform_int(rng, (unsigned long)n)];
        words += c->words;
        errs += c->sub + c->ins + c->del;
      }
    }
    b[k] = 100.0 * (double)errs / (double)words;
  }
  gsl_sort(b, 1, (size_t)n_boot);
  out->lo = gsl_stats_quantile_from_sorted_data(b, 1, (size_t)n_boot, CI_LO);
  out->hi = gsl_stats_quantile_from_sorted_data(b, 1, (size_t)n_boot, CI_HI);
  out->n_boot = n_boot;
  gsl_rng_free(rng);
  free(b);
  return 0;
}

int sa_wer_score(const char *const *refs, const char *const *hyps, int64_t n, int64_t n_boot,
                 uint64_t seed, sa_wer_result *out, sa_err *e) {
  memset(out, 0, sizeof *out);
  if (n < 1) return sa_err_set(e, "no utterances to score");
  sa_wer_counts *c = sa_calloc((size_t)n, sizeof *c, e);
  if (!c) return -1;
  for (int64_t i = 0; i < n; i++)
    if (sa_wer_align(refs[i], hyps[i], &c[i], e)) {
      free(c);
      return -1;
    }
  int rc = sa_wer_score_counts(c, n, n_boot, seed, out, e);
  free(c);
  return rc;
}
