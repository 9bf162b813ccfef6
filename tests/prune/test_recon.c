/* Reconstruction and calibration-statistics tests (docs/pruning.md): LSQ against an
 * independent least-squares solution (GSL QR on the calibration rows themselves), nothing
 * pruned -> unchanged, masks never change, compensated outputs closer to the dense ones per
 * layer, the OBS score equal to the exact error of removing one tile with reconstruction,
 * the error formula against explicit outputs, sensitivity allocation, sa_calib I/O. */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_calib.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_prune.h"
#include "sa_recon.h"
#include "sa_test.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) { /* xorshift64*, uniform in [-1, 1) */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-52 - 1.0;
}

/* Random calibration rows X (m x k) with correlated channels and a non-zero mean, and the
 * statistics of them. */
static double *make_rows(int64_t m, int64_t k) {
  double *x = malloc((size_t)(m * k) * sizeof *x);
  for (int64_t r = 0; r < m; r++) {
    double common = urand();
    for (int64_t c = 0; c < k; c++) x[r * k + c] = 0.3 + urand() + 0.5 * common;
  }
  return x;
}

static void stats_of(const double *x, int64_t m, int64_t k, sa_calib_layer *h) {
  h->k = k;
  h->rows = m;
  for (int64_t i = 0; i < k; i++) {
    h->mean[i] = 0;
    for (int64_t j = 0; j < k; j++) h->gram[i * k + j] = 0;
  }
  for (int64_t r = 0; r < m; r++)
    for (int64_t i = 0; i < k; i++) {
      h->mean[i] += x[r * k + i] / (double)m;
      for (int64_t j = 0; j < k; j++) h->gram[i * k + j] += x[r * k + i] * x[r * k + j];
    }
}

static sa_calib_layer layer_alloc(int64_t k) {
  sa_calib_layer h = {k, calloc((size_t)(k * k), sizeof(double)), calloc((size_t)k, sizeof(double)), 0};
  return h;
}

/* sum over rows of ||x (w - w2) - db||^2 computed from the rows themselves */
static double explicit_err(const double *x, int64_t m, int64_t k, int64_t n, const float *w,
                           const float *w2, const float *db) {
  double s = 0;
  for (int64_t r = 0; r < m; r++)
    for (int64_t j = 0; j < n; j++) {
      double y = 0;
      for (int64_t i = 0; i < k; i++) y += x[r * k + i] * ((double)w[i * n + j] - w2[i * n + j]);
      if (db) y -= db[j];
      s += y * y;
    }
  return s;
}

static void test_lsq_exact(void) {
  int64_t m = 80, k = 12, n = 7, R = 3, C = 2;
  double *x = make_rows(m, k);
  sa_calib_layer h = layer_alloc(k);
  stats_of(x, m, k, &h);
  float w[12 * 7], out[12 * 7];
  for (int i = 0; i < k * n; i++) w[i] = (float)urand();
  sa_tilemask mk;
  sa_err e;
  CHECK(sa_tilemask_init(&mk, "l", k, n, R, C, &e) == 0);
  mk.keep[0 * mk.nt + 0] = 0; /* rows 0-2 of columns 0-1 */
  mk.keep[2 * mk.nt + 0] = 0; /* rows 6-8 of columns 0-1 */
  mk.keep[3 * mk.nt + 3] = 0; /* rows 9-11 of column 6 (edge tile) */
  uint8_t keep0[64];
  memcpy(keep0, mk.keep, (size_t)(mk.kt * mk.nt));
  double damp_used = -1;
  CHECK(sa_recon_lsq(&h, w, n, &mk, 0.0, out, &damp_used, &e) == 0);
  CHECK(damp_used == 0.0);
  CHECK(!memcmp(keep0, mk.keep, (size_t)(mk.kt * mk.nt))); /* masks never change */
  /* the independent solution: per column, least squares of X[:, S] v = X w_j by QR (GSL) */
  double maxdiff = 0;
  for (int64_t j = 0; j < n; j++) {
    int64_t s = 0, idx[12];
    for (int64_t i = 0; i < k; i++)
      if (mk.keep[(i / R) * mk.nt + j / C]) idx[s++] = i;
    gsl_matrix *a = gsl_matrix_alloc((size_t)m, (size_t)s);
    gsl_vector *b = gsl_vector_alloc((size_t)m), *tau = gsl_vector_alloc((size_t)s);
    gsl_vector *v = gsl_vector_alloc((size_t)s), *res = gsl_vector_alloc((size_t)m);
    for (int64_t r = 0; r < m; r++) {
      double y = 0;
      for (int64_t i = 0; i < k; i++) y += x[r * k + i] * w[i * n + j];
      gsl_vector_set(b, (size_t)r, y);
      for (int64_t q = 0; q < s; q++) gsl_matrix_set(a, (size_t)r, (size_t)q, x[r * k + idx[q]]);
    }
    gsl_linalg_QR_decomp(a, tau);
    gsl_linalg_QR_lssolve(a, tau, b, v, res);
    for (int64_t i = 0, q = 0; i < k; i++) {
      double want = q < s && idx[q] == i ? gsl_vector_get(v, (size_t)q++) : 0.0;
      double d = fabs(want - out[i * n + j]) / (1.0 + fabs(want));
      if (d > maxdiff) maxdiff = d;
    }
    gsl_matrix_free(a);
    gsl_vector_free(b);
    gsl_vector_free(tau);
    gsl_vector_free(v);
    gsl_vector_free(res);
  }
  if (maxdiff >= 1e-6) fprintf(stderr, "lsq vs QR: max relative difference %g\n", maxdiff);
  CHECK(maxdiff < 1e-6);
  /* pruned weights are 0, columns without pruned tiles keep their weights exactly */
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < n; j++) {
      int kept = mk.keep[(i / R) * mk.nt + j / C];
      if (!kept) CHECK(out[i * n + j] == 0.0f);
      if (j / C == 1 || j / C == 2) CHECK(out[i * n + j] == w[i * n + j]);
    }
  /* closer to the dense outputs than zeroing; the H-based error equals the explicit one */
  float wz[12 * 7];
  for (int64_t i = 0; i < k * n; i++)
    wz[i] = mk.keep[(i / n / R) * mk.nt + (i % n) / C] ? w[i] : 0.0f;
  double ez, el, dense = explicit_err(x, m, k, n, w, (float[84]){0}, NULL);
  CHECK(sa_recon_rel_error(&h, w, wz, NULL, n, &ez, &e) == 0);
  CHECK(sa_recon_rel_error(&h, w, out, NULL, n, &el, &e) == 0);
  CHECK(el < ez);
  CHECK(fabs(ez - explicit_err(x, m, k, n, w, wz, NULL) / dense) < 1e-9);
  CHECK(fabs(el - explicit_err(x, m, k, n, w, out, NULL) / dense) < 1e-9);
  /* bias compensation: the pruned weights times the mean; error formula with a bias */
  float db[7];
  sa_recon_bias(&h, w, n, &mk, db);
  for (int64_t j = 0; j < n; j++) {
    double want = 0;
    for (int64_t i = 0; i < k; i++)
      if (!mk.keep[(i / R) * mk.nt + j / C]) want += w[i * n + j] * h.mean[i];
    CHECK(fabs(want - db[j]) < 1e-5);
  }
  double eb;
  CHECK(sa_recon_rel_error(&h, w, wz, db, n, &eb, &e) == 0);
  CHECK(fabs(eb - explicit_err(x, m, k, n, w, wz, db) / dense) < 1e-6);
  CHECK(eb < ez); /* removing the mean error can only help the squared error here */
  /* nothing pruned: unchanged, bit for bit, whatever the damping */
  sa_tilemask all;
  CHECK(sa_tilemask_init(&all, "l", k, n, R, C, &e) == 0);
  CHECK(sa_recon_lsq(&h, w, n, &all, 0.01, out, NULL, &e) == 0);
  CHECK(!memcmp(out, w, sizeof w));
  /* OBS score of one tile = exact least-squares error of removing only it, relative */
  double *sc = malloc((size_t)(mk.kt * mk.nt) * sizeof *sc);
  CHECK(sa_recon_obs_scores(&h, w, n, R, C, 0.0, sc, NULL, &e) == 0);
  for (int64_t t = 0; t < all.kt * all.nt; t++) {
    all.keep[t] = 0;
    double ex;
    CHECK(sa_recon_lsq(&h, w, n, &all, 0.0, out, NULL, &e) == 0);
    CHECK(sa_recon_rel_error(&h, w, out, NULL, n, &ex, &e) == 0);
    if (fabs(ex - sc[t]) > 1e-8 * (1 + ex)) {
      fprintf(stderr, "tile %lld: obs %g, exact %g\n", (long long)t, sc[t], ex);
      CHECK(0);
    }
    all.keep[t] = 1;
  }
  free(sc);
  /* the predicted curve equals the exact LSQ error of the same pruned sets */
  int64_t order[16] = {5, 0, 11, 3, 7, 14, 1, 9, 2, 13, 4, 6, 8, 10, 12, 15};
  int64_t counts[3] = {2, 6, 11};
  double curve[3];
  CHECK(all.kt * all.nt == 16);
  CHECK(sa_recon_curve(&h, w, n, R, C, order, counts, 3, 0.0, curve, &e) == 0);
  for (int g = 0, done = 0; g < 3; g++) {
    for (; done < counts[g]; done++) all.keep[order[done]] = 0;
    double ex;
    CHECK(sa_recon_lsq(&h, w, n, &all, 0.0, out, NULL, &e) == 0);
    CHECK(sa_recon_rel_error(&h, w, out, NULL, n, &ex, &e) == 0);
    if (fabs(ex - curve[g]) > 1e-8 * (1 + ex)) {
      fprintf(stderr, "curve point %d: predicted %g, exact %g\n", g, curve[g], ex);
      CHECK(0);
    }
  }
  sa_tilemask_free(&all);
  sa_tilemask_free(&mk);
  free(x);
  free(h.gram);
  free(h.mean);
}

/* A singular Gram matrix (a channel that is always 0, two equal channels): damping makes the
 * solve work, and a damping of 0 is raised and reported. */
static void test_singular(void) {
  int64_t m = 40, k = 6, n = 4;
  double *x = make_rows(m, k);
  for (int64_t r = 0; r < m; r++) x[r * k + 2] = 0, x[r * k + 4] = x[r * k + 3];
  sa_calib_layer h = layer_alloc(k);
  stats_of(x, m, k, &h);
  float w[24], out[24];
  for (int i = 0; i < 24; i++) w[i] = (float)urand();
  sa_tilemask mk;
  sa_err e;
  CHECK(sa_tilemask_init(&mk, "l", k, n, 1, 2, &e) == 0);
  mk.keep[0] = 0;
  double du = -1;
  CHECK(sa_recon_lsq(&h, w, n, &mk, 0.0, out, &du, &e) == 0);
  CHECK(du > 0); /* raised */
  for (int i = 0; i < 24; i++) CHECK(isfinite(out[i]));
  CHECK(sa_recon_lsq(&h, w, n, &mk, 0.01, out, &du, &e) == 0);
  CHECK(du == 0.01);
  double *sc = malloc(12 * sizeof *sc);
  CHECK(sa_recon_obs_scores(&h, w, n, 1, 2, 0.0, sc, &du, &e) == 0);
  CHECK(du > 0);
  free(sc);
  sa_tilemask_free(&mk);
  free(x);
  free(h.gram);
  free(h.mean);
}

/* Statistics for every layer of the tiny model from random rows. */
static double **tiny_stats(const sa_manifest *man, sa_calib *c) {
  sa_err e;
  CHECK(sa_calib_alloc(c, man, &e) == 0);
  double **xs = calloc((size_t)man->n_layers, sizeof *xs);
  for (int i = 0; i < man->n_layers; i++) {
    xs[i] = make_rows(60, man->layers[i].k);
    stats_of(xs[i], 60, man->layers[i].k, &c->layers[i]);
  }
  c->utts = 3;
  snprintf(c->key, sizeof c->key, "model:test calib:test utts:0");
  return xs;
}

static void test_compensate_model(void) {
  sa_manifest *man = NULL;
  sa_model *dense = NULL, *m = NULL;
  sa_err e;
  CHECK(sa_manifest_load("tests/prune/data/tiny/manifest.yaml", &man, &e) == 0);
  if (!man) return;
  CHECK(sa_model_load(man, &dense, &e) == 0);
  sa_calib c;
  double **xs = tiny_stats(man, &c);
  for (int comp = SA_COMP_NONE; comp < SA_COMP_COUNT; comp++)
    for (int th = 0; th < SA_THRESH_COUNT; th++) {
      sa_prune_opts o = {SA_CRIT_MEAN_ABS, SA_SCOPE_FF, th, 1.0, 0.4, 4, 3, NULL, comp, 0.01, &c};
      if (comp == SA_COMP_BIAS) o.scope = SA_SCOPE_ALL;
      sa_maskset ms;
      sa_prune_stats st;
      CHECK(sa_model_load(man, &m, &e) == 0);
      CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
      CHECK_EQ_INT(st.tiles_pruned, st.tiles_target);
      size_t nk = 0;
      for (int i = 0; i < ms.n; i++) nk += (size_t)(ms.masks[i].kt * ms.masks[i].nt);
      uint8_t *keep0 = malloc(nk), *p = keep0;
      for (int i = 0; i < ms.n; i++) {
        memcpy(p, ms.masks[i].keep, (size_t)(ms.masks[i].kt * ms.masks[i].nt));
        p += ms.masks[i].kt * ms.masks[i].nt;
      }
      int rc = sa_prune_compensate(m, man, &ms, &o, &st, &e);
      if (comp == SA_COMP_BIAS) { /* the scope includes layers without a bias */
        CHECK(rc == -1);
        CHECK_CONTAINS(e.msg, "has no bias");
      } else {
        CHECK(rc == 0);
        p = keep0;
        for (int i = 0; i < ms.n; i++) { /* masks never change */
          CHECK(!memcmp(p, ms.masks[i].keep, (size_t)(ms.masks[i].kt * ms.masks[i].nt)));
          p += ms.masks[i].kt * ms.masks[i].nt;
        }
        for (int i = 0; i < man->n_layers; i++) {
          const sa_layer *l = &man->layers[i];
          const sa_tilemask *mk = &ms.masks[i];
          const float *w = sa_model_weight(m, i), *w0 = sa_model_weight(dense, i);
          if (!sa_manifest_in_scope(l, o.scope)) {
            CHECK(!memcmp(w, w0, (size_t)(l->k * l->n) * sizeof *w));
            continue;
          }
          for (int64_t r = 0; r < l->k; r++) /* pruned weights are 0 */
            for (int64_t q = 0; q < l->n; q++)
              if (!mk->keep[(r / mk->tile_rows) * mk->nt + q / mk->tile_cols])
                CHECK(w[r * l->n + q] == 0.0f);
          if (!st.layer_pruned[i]) continue;
          /* the compensated layer's outputs on the calibration rows are closer to the dense
           * layer's than the zeroed ones (asserted per layer, from the rows themselves) */
          float *wz = malloc((size_t)(l->k * l->n) * sizeof *wz);
          for (int64_t r = 0; r < l->k; r++)
            for (int64_t q = 0; q < l->n; q++)
              wz[r * l->n + q] = mk->keep[(r / mk->tile_rows) * mk->nt + q / mk->tile_cols]
                                     ? w0[r * l->n + q] : 0.0f;
          double ez = explicit_err(xs[i], 60, l->k, l->n, w0, wz, NULL);
          double ef = explicit_err(xs[i], 60, l->k, l->n, w0, w, NULL);
          if (comp == SA_COMP_LSQ) CHECK(ef < ez);
          else CHECK(ef == ez);
          CHECK(st.layer_err_final[i] <= st.layer_err_pruned[i]);
          free(wz);
        }
      }
      free(keep0);
      sa_model_free(m);
      m = NULL;
      sa_maskset_free(&ms);
      sa_prune_stats_free(&st);
    }
  /* bias compensation with ff scope on layers that all have a bias: enc.0.ff1, enc.1.ff2 */
  {
    sa_prune_opts o = {SA_CRIT_MEAN_ABS, SA_SCOPE_FF, SA_THRESH_PER_LAYER, 1.0, 0.3, 4, 3, NULL,
                       SA_COMP_BIAS, 0.01, &c};
    sa_maskset ms;
    sa_prune_stats st;
    CHECK(sa_model_load(man, &m, &e) == 0);
    CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
    CHECK(sa_prune_compensate(m, man, &ms, &o, &st, &e) == -1); /* enc.0.ff2 has no bias */
    CHECK_CONTAINS(e.msg, "enc.0.ff2");
    sa_model_free(m);
    sa_maskset_free(&ms);
    sa_prune_stats_free(&st);
  }
  /* sensitivity spends the same count with less output error (after LSQ) than per_layer */
  {
    double tot[2];
    for (int t = 0; t < 2; t++) {
      sa_prune_opts o = {SA_CRIT_OBS, SA_SCOPE_ALL, t ? SA_THRESH_SENSITIVITY : SA_THRESH_PER_LAYER,
                         1.0, 0.35, 4, 4, NULL, SA_COMP_LSQ, 0.01, &c};
      sa_maskset ms;
      sa_prune_stats st;
      CHECK(sa_model_load(man, &m, &e) == 0);
      CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
      CHECK(sa_prune_compensate(m, man, &ms, &o, &st, &e) == 0);
      tot[t] = 0;
      for (int i = 0; i < man->n_layers; i++) tot[t] += st.layer_err_final[i];
      if (t) CHECK(st.tiles_pruned == st.tiles_target);
      sa_model_free(m);
      m = NULL;
      sa_maskset_free(&ms);
      sa_prune_stats_free(&st);
    }
    fprintf(stderr, "output error summed over layers: per_layer %g, sensitivity %g\n", tot[0],
            tot[1]);
    CHECK(tot[1] < tot[0]);
    /* a cap binds per layer */
    sa_prune_opts o = {SA_CRIT_MEAN_ABS, SA_SCOPE_ALL, SA_THRESH_SENSITIVITY, 0.25, 0.6, 4, 4,
                       NULL, SA_COMP_NONE, 0.01, &c};
    sa_maskset ms;
    sa_prune_stats st;
    CHECK(sa_prune_masks(man, dense, &o, &ms, &st, &e) == 0);
    for (int i = 0; i < man->n_layers; i++)
      CHECK(st.layer_pruned[i] <= (int64_t)floor(0.25 * (double)st.layer_tiles[i] + 1e-9));
    sa_maskset_free(&ms);
    sa_prune_stats_free(&st);
  }
  /* strategies that need statistics refuse to run without */
  {
    sa_prune_opts o = {SA_CRIT_OBS, SA_SCOPE_FF, SA_THRESH_GLOBAL, 1.0, 0.3, 4, 4, NULL,
                       SA_COMP_NONE, 0.01, NULL};
    sa_maskset ms;
    CHECK(sa_prune_masks(man, dense, &o, &ms, NULL, &e) == -1);
    CHECK_CONTAINS(e.msg, "need calibration statistics");
  }
  /* statistics file: round trip, key check, missing file named */
  {
    char p[300];
    snprintf(p, sizeof p, "/tmp/sasp-test-recon-%d.safetensors", (int)getpid());
    CHECK(sa_calib_write(&c, man, p, &e) == 0);
    sa_calib back;
    CHECK(sa_calib_read(man, p, "model:test calib:test utts:0", &back, &e) == 0);
    CHECK(back.n == c.n && back.utts == 3 && !strcmp(back.key, c.key));
    for (int i = 0; i < c.n && back.n == c.n; i++) {
      int64_t k = c.layers[i].k;
      CHECK(back.layers[i].rows == 60);
      CHECK(!memcmp(back.layers[i].gram, c.layers[i].gram, (size_t)(k * k) * sizeof(double)));
      CHECK(!memcmp(back.layers[i].mean, c.layers[i].mean, (size_t)k * sizeof(double)));
    }
    sa_calib_free(&back);
    CHECK(sa_calib_read(man, p, "model:other calib:test utts:0", &back, &e) == -1);
    CHECK_CONTAINS(e.msg, "rerun 'sasp calib'");
    remove(p);
    CHECK(sa_calib_read(man, p, NULL, &back, &e) == -1);
    CHECK_CONTAINS(e.msg, p);
    CHECK(sa_calib_read(man, "tests/prune/data/tiny/model.safetensors", NULL, &back, &e) == -1);
    CHECK_CONTAINS(e.msg, "sasp.calib.key");
  }
  for (int i = 0; i < man->n_layers; i++) free(xs[i]);
  free(xs);
  sa_calib_free(&c);
  sa_model_free(dense);
  sa_manifest_free(man);
}

int main(void) {
  test_lsq_exact();
  test_singular();
  test_compensate_model();
  return sa_test_done("prune-recon");
}
