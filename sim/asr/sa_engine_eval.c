/* sa_engine_eval: a test set through the engine — utterances in parallel on worker threads
 * (each independent, so results do not depend on the thread count), WER scoring, and the
 * activation norms of act_aware pruning. */
#include "sa_engine.h"
#include "sa_engine_fwd.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_testset.h"
#include "sa_wer.h"

typedef struct job {
  const sa_engine *g;
  const sa_testset *ts;
  int64_t n;
  atomic_llong next;
  atomic_int failed;
  pthread_mutex_t lock;
  int64_t err_utt;       /* lowest failing utterance */
  sa_err err;
  char **hyps;           /* eval: per utterance */
  sa_engine_stats *stats;      /* norms: per utterance */
  int64_t max_frames;
} job;

static void *work(void *arg) {
  job *j = arg;
  float *feats = NULL;
  sa_err e;
  feats = sa_malloc((size_t)(j->max_frames * j->ts->n_mels) * sizeof *feats, &e);
  for (;;) {
    int64_t i = atomic_fetch_add(&j->next, 1);
    if (i >= j->n) break;
    int rc = -1;
    int32_t *tok = NULL;
    int64_t nt = 0;
    if (feats) {
      sa_testset_feats(j->ts, i, feats);
      rc = sa_engine_forward(j->g, feats, j->ts->n_frames[i], j->stats ? &j->stats[i] : NULL, &tok, &nt,
                   &e);
      if (rc == 0 && j->hyps) {
        j->hyps[i] = sa_engine_words(j->g, tok, nt, &e);
        if (!j->hyps[i]) rc = -1;
      }
      free(tok);
    }
    if (rc) {
      pthread_mutex_lock(&j->lock);
      if (!atomic_load(&j->failed) || i < j->err_utt) {
        j->err_utt = i;
        j->err = e;
      }
      atomic_store(&j->failed, 1);
      pthread_mutex_unlock(&j->lock);
    }
  }
  free(feats);
  return NULL;
}

static int n_threads(int want, int64_t n) {
  long cpus = want > 0 ? want : sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1) cpus = 1;
  if (cpus > SA_ENGINE_MAX_THREADS) cpus = SA_ENGINE_MAX_THREADS;
  if (cpus > n) cpus = (long)n;
  return (int)(cpus < 1 ? 1 : cpus);
}

/* Runs utterances 0..n-1 of ts on threads. stats: NULL, or one sa_engine_stats per utterance. */
static int run_all(const sa_engine *g, const sa_testset *ts, int64_t n, int threads,
                   char **hyps, sa_engine_stats *stats, sa_err *e) {
  job j = {.g = g, .ts = ts, .n = n, .hyps = hyps, .stats = stats};
  atomic_init(&j.next, 0);
  atomic_init(&j.failed, 0);
  pthread_mutex_init(&j.lock, NULL);
  for (int64_t i = 0; i < n; i++)
    if (ts->n_frames[i] > j.max_frames) j.max_frames = ts->n_frames[i];
  pthread_t tid[SA_ENGINE_MAX_THREADS];
  int started = 0;
  for (int i = 0; i < threads - 1; i++) { /* the last worker runs on this thread */
    if (pthread_create(&tid[i], NULL, work, &j)) break;
    started++;
  }
  work(&j);
  for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
  pthread_mutex_destroy(&j.lock);
  if (atomic_load(&j.failed)) {
    *e = j.err;
    return sa_err_prefix(e, "utterance %lld (%s)", (long long)j.err_utt + 1,
                         ts->ids ? ts->ids[j.err_utt] : "feats.bin");
  }
  return 0;
}

void sa_engine_free_hyps(char **h, int64_t n) {
  if (!h) return;
  for (int64_t i = 0; i < n; i++) free(h[i]);
  free(h);
}

static int load_set(const sa_manifest *man, const char *dir, int64_t max_utts, sa_testset *ts,
                    int64_t *n, sa_err *e) {
  if (sa_testset_load(dir, ts, e)) return -1;
  if (ts->n_mels != man->arch.n_mels) {
    sa_err_set(e, "%s: test set has %lld mel bins, the model %s expects %lld", dir,
               (long long)ts->n_mels, man->path, (long long)man->arch.n_mels);
    sa_testset_free(ts);
    return -1;
  }
  *n = max_utts > 0 && max_utts < ts->n_utts ? max_utts : ts->n_utts;
  if (*n < 1) {
    sa_testset_free(ts);
    return sa_err_set(e, "%s: the test set holds no utterances", dir);
  }
  return 0;
}

int sa_engine_eval_opts(const sa_manifest *man, const sa_model *model, const sa_maskset *masks,
                        const char *testset_dir, const sa_engine_opts *o, sa_wer_result *out,
                        char ***hyps_out, sa_err *e) {
  memset(out, 0, sizeof *out);
  if (hyps_out) *hyps_out = NULL;
  sa_testset ts;
  int64_t n;
  if (load_set(man, testset_dir, o->max_utts, &ts, &n, e)) return -1;
  sa_engine *g = NULL;
  char **hyps = NULL;
  int rc = sa_engine_create(man, model, masks, o->mode, &g, e);
  if (rc == 0) rc = (hyps = sa_calloc((size_t)n, sizeof *hyps, e)) ? 0 : -1;
  if (rc == 0) rc = run_all(g, &ts, n, n_threads(o->threads, n), hyps, NULL, e);
  if (rc == 0)
    rc = sa_wer_score((const char *const *)ts.refs, (const char *const *)hyps, n, o->n_boot,
                      o->seed, out, e);
  sa_engine_free(g);
  sa_testset_free(&ts);
  if (rc == 0 && hyps_out)
    *hyps_out = hyps;
  else
    sa_engine_free_hyps(hyps, n);
  return rc;
}

int sa_engine_eval(const sa_manifest *man, const sa_model *model, const sa_maskset *masks,
                   const char *testset_dir, int64_t max_utts, int mode, uint64_t seed,
                   sa_wer_result *out, char ***hyps_out, sa_err *e) {
  sa_engine_opts o = {.mode = mode, .max_utts = max_utts, .seed = seed, .n_boot = SA_ENGINE_BOOT};
  return sa_engine_eval_opts(man, model, masks, testset_dir, &o, out, hyps_out, e);
}

void sa_engine_free_norms(float **norms, int n) {
  if (!norms) return;
  for (int i = 0; i < n; i++) free(norms[i]);
  free(norms);
}

int sa_engine_act_norms(const sa_manifest *man, const sa_model *model, const char *testset_dir,
                        int64_t max_utts, int threads, float ***norms, sa_err *e) {
  *norms = NULL;
  sa_testset ts;
  int64_t n;
  if (load_set(man, testset_dir, max_utts, &ts, &n, e)) return -1;
  sa_engine *g = NULL;
  int nt = n_threads(threads, n), nl = man->n_layers, rc;
  sa_engine_stats *st = NULL;
  float **res = NULL;
  rc = sa_engine_create(man, model, NULL, SA_ENGINE_FP32, &g, e);
  if (rc == 0) rc = (st = sa_calloc((size_t)n, sizeof *st, e)) ? 0 : -1;
  for (int64_t i = 0; rc == 0 && i < n; i++) {
    st[i].sumsq = sa_calloc((size_t)nl, sizeof *st[i].sumsq, e);
    for (int l = 0; st[i].sumsq && l < nl && rc == 0; l++)
      if (!(st[i].sumsq[l] = sa_calloc((size_t)man->layers[l].k, sizeof(double), e))) rc = -1;
    if (!st[i].sumsq) rc = -1;
  }
  if (rc == 0) rc = run_all(g, &ts, n, nt, NULL, st, e);
  if (rc == 0) rc = (res = sa_calloc((size_t)nl, sizeof *res, e)) ? 0 : -1;
  for (int l = 0; rc == 0 && l < nl; l++) {
    int64_t k = man->layers[l].k;
    if (!(res[l] = sa_malloc((size_t)k * sizeof **res, e))) {
      rc = -1;
      break;
    }
    for (int64_t c = 0; c < k; c++) {
      double sum = 0; /* reduced in utterance order: independent of the threads */
      for (int64_t i = 0; i < n; i++) sum += st[i].sumsq[l][c];
      res[l][c] = (float)sqrt(sum);
    }
  }
  for (int64_t i = 0; st && i < n; i++) {
    for (int l = 0; st[i].sumsq && l < nl; l++) free(st[i].sumsq[l]);
    free(st[i].sumsq);
  }
  free(st);
  sa_engine_free(g);
  sa_testset_free(&ts);
  if (rc) {
    sa_engine_free_norms(res, nl);
    return -1;
  }
  *norms = res;
  return 0;
}
