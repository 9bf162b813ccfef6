/* sa_engine_eval: a test set through the engine — utterances in parallel on worker threads
 * (each independent, so results do not depend on the thread count), WER scoring, and the
 * activation statistics of pruning: channel norms (act_aware) and calibration Gram matrices. */
#include "sa_engine.h"
#include "sa_engine_int.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_file.h"
#include "sa_hash.h"
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
  sa_calib *cal;         /* calib: sums, added in utterance order */
  int64_t committed;     /* calib: utterances added so far (under lock) */
  pthread_cond_t turn;
  int64_t max_frames;
} job;

/* Largest GEMM input (M x K floats) of an utterance of t frames. */
static int64_t max_gemm_input(const sa_engine *g, int64_t t) {
  int64_t t1 = (t - CONV_KH) / CONV_STRIDE + 1, t2 = (t1 - CONV_KH) / CONV_STRIDE + 1;
  int64_t v[] = {t1 * g->F1 * CONV_KH * CONV_KW, t2 * g->F2 * g->C * CONV_KH * CONV_KW,
                 t2 * g->C * g->F2, t2 * g->d, t2 * g->dff};
  int64_t mx = 1;
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (v[i] > mx) mx = v[i];
  return mx;
}

static void calib_stats_free(sa_engine_stats *a, int nl) {
  for (int l = 0; l < nl; l++) {
    if (a->gram) free(a->gram[l]);
    if (a->sum) free(a->sum[l]);
  }
  free(a->gram);
  free(a->sum);
  free(a->rows);
  free(a->xd);
  memset(a, 0, sizeof *a);
}

static int calib_stats_alloc(sa_engine_stats *a, const sa_engine *g, int64_t max_frames,
                             sa_err *e) {
  int nl = g->man->n_layers;
  memset(a, 0, sizeof *a);
  a->gram = sa_calloc((size_t)nl, sizeof *a->gram, e);
  a->sum = a->gram ? sa_calloc((size_t)nl, sizeof *a->sum, e) : NULL;
  a->rows = a->sum ? sa_calloc((size_t)nl, sizeof *a->rows, e) : NULL;
  a->xd = a->rows ? sa_malloc((size_t)max_gemm_input(g, max_frames) * sizeof *a->xd, e) : NULL;
  int rc = a->xd ? 0 : -1;
  for (int l = 0; l < nl && !rc; l++) {
    int64_t k = g->man->layers[l].k;
    a->gram[l] = sa_calloc((size_t)(k * k), sizeof **a->gram, e);
    a->sum[l] = sa_calloc((size_t)k, sizeof **a->sum, e);
    if (!a->gram[l] || !a->sum[l]) rc = -1;
  }
  if (rc) calib_stats_free(a, nl);
  return rc;
}

/* Adds the utterance's statistics into the job's sums (in utterance order) and clears them. */
static void calib_commit(job *j, int64_t i, sa_engine_stats *a, int ok) {
  int nl = j->g->man->n_layers;
  pthread_mutex_lock(&j->lock);
  while (j->committed != i) pthread_cond_wait(&j->turn, &j->lock);
  for (int l = 0; ok && l < nl; l++) {
    sa_calib_layer *c = &j->cal->layers[l];
    int64_t k = c->k;
    for (int64_t r = 0; r < k; r++)
      for (int64_t q = 0; q <= r; q++) c->gram[r * k + q] += a->gram[l][r * k + q];
    for (int64_t r = 0; r < k; r++) c->mean[r] += a->sum[l][r];
    c->rows += a->rows[l];
  }
  j->committed++;
  pthread_cond_broadcast(&j->turn);
  pthread_mutex_unlock(&j->lock);
  for (int l = 0; a->gram && l < nl; l++) {
    int64_t k = j->g->man->layers[l].k;
    memset(a->gram[l], 0, (size_t)(k * k) * sizeof **a->gram);
    memset(a->sum[l], 0, (size_t)k * sizeof **a->sum);
    a->rows[l] = 0;
  }
}

static void *work(void *arg) {
  job *j = arg;
  float *feats = NULL;
  sa_err e;
  sa_engine_stats cal = {0};
  feats = sa_malloc((size_t)(j->max_frames * j->ts->n_mels) * sizeof *feats, &e);
  if (feats && j->cal && calib_stats_alloc(&cal, j->g, j->max_frames, &e)) {
    free(feats);
    feats = NULL;
  }
  for (;;) {
    int64_t i = atomic_fetch_add(&j->next, 1);
    if (i >= j->n) break;
    int rc = -1;
    int32_t *tok = NULL;
    int64_t nt = 0;
    if (feats) {
      sa_testset_feats(j->ts, i, feats);
      sa_engine_stats *st = j->cal ? &cal : j->stats ? &j->stats[i] : NULL;
      rc = sa_engine_forward(j->g, feats, j->ts->n_frames[i], st, &tok, &nt, &e);
      if (rc == 0 && j->hyps) {
        j->hyps[i] = sa_engine_words(j->g, tok, nt, &e);
        if (!j->hyps[i]) rc = -1;
      }
      free(tok);
    }
    if (j->cal) calib_commit(j, i, &cal, rc == 0);
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
  if (j->cal) calib_stats_free(&cal, j->g->man->n_layers);
  return NULL;
}

static int n_threads(int want, int64_t n) {
  long cpus = want > 0 ? want : sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1) cpus = 1;
  if (cpus > SA_ENGINE_MAX_THREADS) cpus = SA_ENGINE_MAX_THREADS;
  if (cpus > n) cpus = (long)n;
  return (int)(cpus < 1 ? 1 : cpus);
}

/* Runs utterances 0..n-1 of ts on threads. stats: NULL, or one sa_engine_stats per utterance;
 * cal: NULL, or calibration sums to add to. */
static int run_all(const sa_engine *g, const sa_testset *ts, int64_t n, int threads,
                   char **hyps, sa_engine_stats *stats, sa_calib *cal, sa_err *e) {
  job j = {.g = g, .ts = ts, .n = n, .hyps = hyps, .stats = stats, .cal = cal};
  atomic_init(&j.next, 0);
  atomic_init(&j.failed, 0);
  pthread_mutex_init(&j.lock, NULL);
  pthread_cond_init(&j.turn, NULL);
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
  pthread_cond_destroy(&j.turn);
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
  if (rc == 0) rc = run_all(g, &ts, n, n_threads(o->threads, n), hyps, NULL, NULL, e);
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
  if (rc == 0) rc = run_all(g, &ts, n, nt, NULL, st, NULL, e);
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

int sa_engine_calib(const sa_manifest *man, const sa_model *model, const char *calib_dir,
                    int64_t max_utts, int threads, sa_calib *out, sa_err *e) {
  memset(out, 0, sizeof *out);
  sa_testset ts;
  int64_t n;
  if (load_set(man, calib_dir, max_utts, &ts, &n, e)) return -1;
  openblas_set_num_threads(1); /* the engine's threads run one BLAS call each */
  sa_engine *g = NULL;
  sa_calib c;
  int rc = sa_engine_create(man, model, NULL, SA_ENGINE_FP32, &g, e);
  if (!rc) rc = sa_calib_alloc(&c, man, e);
  if (!rc) {
    rc = run_all(g, &ts, n, n_threads(threads, n), NULL, NULL, &c, e);
    if (rc) sa_calib_free(&c);
  }
  sa_engine_free(g);
  sa_testset_free(&ts);
  if (rc) return sa_err_prefix(e, "calibration set %s", calib_dir);
  for (int l = 0; l < c.n; l++) { /* mirror the lower triangle; sums to means */
    sa_calib_layer *cl = &c.layers[l];
    for (int64_t r = 0; r < cl->k; r++)
      for (int64_t q = r + 1; q < cl->k; q++) cl->gram[r * cl->k + q] = cl->gram[q * cl->k + r];
    for (int64_t r = 0; r < cl->k; r++) cl->mean[r] /= (double)(cl->rows ? cl->rows : 1);
  }
  c.utts = n;
  *out = c;
  return 0;
}

static int file_hash(const char *path, uint64_t *h, sa_err *e) {
  size_t len;
  uint8_t *buf = sa_file_read(path, SA_TESTSET_MAX_FILE, &len, e);
  if (!buf) return -1;
  *h = sa_hash_fnv1a(buf, len);
  free(buf);
  return 0;
}

int sa_engine_calib_key(const sa_manifest *man, const char *calib_dir, int64_t max_utts,
                        char *key, sa_err *e) {
  char p[1200];
  uint8_t *buf;
  size_t len;
  uint64_t hm;
  if (file_hash(man->weights, &hm, e)) return -1;
  snprintf(p, sizeof p, "%s/feats.bin", calib_dir);
  if (!(buf = sa_file_read(p, SA_TESTSET_MAX_FILE, &len, e))) return -1;
  uint64_t hc = sa_hash_fnv1a(buf, len);
  free(buf);
  snprintf(key, SA_CALIB_KEY_MAX, "model:%016llx calib:%016llx utts:%lld",
           (unsigned long long)hm, (unsigned long long)hc,
           (long long)(max_utts > 0 ? max_utts : 0));
  return 0;
}

int sa_engine_calib_obtain(const sa_manifest *man, const sa_model *model, const char *stats_path,
                           const char *calib_dir, const char *testset, const char *cache_path,
                           int threads, sa_calib *out, char *from, int *measured, sa_err *e) {
  memset(out, 0, sizeof *out);
  *measured = 0;
  size_t cap = SA_CALIB_KEY_MAX + 1024;
  if (stats_path && stats_path[0]) {
    uint64_t hm = 0;
    char want[64];
    if (sa_calib_read(man, stats_path, NULL, out, e)) return -1;
    if (!man->synthetic && file_hash(man->weights, &hm, e)) {
      sa_calib_free(out);
      return -1;
    }
    snprintf(want, sizeof want, "model:%016llx ", (unsigned long long)hm);
    if (!man->synthetic && strncmp(out->key, want, strlen(want))) {
      sa_err_set(e, "%s: statistics of another weights file ('%s'; %s is '%.22s'): rerun "
                 "'sasp calib'", stats_path, out->key, man->weights, want);
      sa_calib_free(out);
      return -1;
    }
    snprintf(from, cap, "%s", stats_path);
    return 0;
  }
  if (!calib_dir || !calib_dir[0])
    return sa_err_set(e, "no calibration statistics: give a calibration set (prune.calibration, "
                         "e.g. workloads/asr/calib) or a statistics file (prune.statistics)");
  char key[SA_CALIB_KEY_MAX];
  if (sa_testset_check_calib(calib_dir, man->dir, testset, e) ||
      sa_engine_calib_key(man, calib_dir, 0, key, e))
    return -1;
  if (cache_path && sa_calib_read(man, cache_path, key, out, e) == 0) {
    snprintf(from, cap, "%s", cache_path);
    return 0;
  }
  if (sa_engine_calib(man, model, calib_dir, 0, threads, out, e)) return -1;
  snprintf(out->key, sizeof out->key, "%s", key);
  snprintf(from, cap, "%s", calib_dir);
  *measured = 1;
  return 0;
}
