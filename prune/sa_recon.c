/* sa_recon: OBS tile scores, least-squares reconstruction and bias compensation from a
 * layer's calibration statistics, on LAPACKE / CBLAS (OpenBLAS). */
#include "sa_recon.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Damping raised x10 at most this often before H is declared unusable. */
enum { RAISE_MAX = 8 };

/* One BLAS thread: the sweep forks one worker per core, and a fixed summation order keeps
 * results independent of the machine. */
static void blas_single(void) {
  static int done;
  if (!done) openblas_set_num_threads(1);
  done = 1;
}

/* mean(diag H), 1 when that is 0: the unit damping is measured in */
static double diag_unit(const sa_calib_layer *h) {
  double s = 0;
  for (int64_t i = 0; i < h->k; i++) s += h->gram[i * h->k + i];
  s /= (double)(h->k ? h->k : 1);
  return s > 0 ? s : 1.0;
}

double sa_recon_lambda(const sa_calib_layer *h, double damp) { return damp * diag_unit(h); }

static double *to_double(const float *w, int64_t cnt, sa_err *e) {
  double *d = sa_malloc((size_t)cnt * sizeof *d, e);
  if (d)
    for (int64_t i = 0; i < cnt; i++) d[i] = w[i];
  return d;
}

/* sum_ij a[i][j] * (H a)[i][j] for a K x N matrix a: sum over columns of a_j^T H a_j. */
static int quad_energy(const sa_calib_layer *h, const double *a, int64_t n, double *out,
                       sa_err *e) {
  int64_t k = h->k;
  double *ha = sa_malloc((size_t)(k * n) * sizeof *ha, e);
  if (!ha) return -1;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)n, (int)k, 1.0, h->gram,
              (int)k, a, (int)n, 0.0, ha, (int)n);
  double s = 0;
  for (int64_t i = 0; i < k * n; i++) s += a[i] * ha[i];
  free(ha);
  *out = s;
  return 0;
}

int sa_recon_rel_error(const sa_calib_layer *h, const float *w, const float *w2,
                       const float *db, int64_t n, double *err, sa_err *e) {
  blas_single();
  int64_t k = h->k;
  double *d = to_double(w, k * n, e), *wd = d ? to_double(w, k * n, e) : NULL;
  if (!wd) {
    free(d);
    return -1;
  }
  for (int64_t i = 0; i < k * n; i++) d[i] -= w2[i];
  double dense, diff;
  int rc = quad_energy(h, wd, n, &dense, e);
  if (!rc) rc = quad_energy(h, d, n, &diff, e);
  if (!rc && db) { /* - 2 rows db_j mu^T d_j + rows db_j^2 */
    for (int64_t j = 0; j < n; j++) {
      double md = 0;
      for (int64_t i = 0; i < k; i++) md += h->mean[i] * d[i * n + j];
      diff += (double)h->rows * ((double)db[j] * db[j] - 2.0 * db[j] * md);
    }
  }
  free(d);
  free(wd);
  if (rc) return -1;
  *err = dense > 0 ? (diff > 0 ? diff : 0) / dense : 0;
  return 0;
}

/* Cholesky of the symmetric r x r matrix built by fill(a, lambda) (row-major, lower), raising
 * lambda x10 until it factorises. */
typedef void (*fill_fn)(double *a, double lambda, const void *ctx);

static int chol_damped(double *a, int64_t r, double lambda, double unit, fill_fn fill,
                       const void *ctx, double *lambda_used, sa_err *e) {
  for (int t = 0; t <= RAISE_MAX; t++, lambda = lambda > 0 ? lambda * 10 : 1e-9 * unit) {
    fill(a, lambda, ctx);
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)r, a, (lapack_int)r) == 0) {
      *lambda_used = lambda;
      return 0;
    }
  }
  return sa_err_set(e, "input Gram matrix not positive definite even with damping %g x mean "
                    "diagonal", lambda / 10 / unit);
}

typedef struct sub_ctx {
  const sa_calib_layer *h;
  const int64_t *idx;   /* rows/columns of H taken, NULL: all */
  int64_t r;
} sub_ctx;

static void fill_sub(double *a, double lambda, const void *p) {
  const sub_ctx *c = p;
  int64_t k = c->h->k;
  for (int64_t i = 0; i < c->r; i++) {
    int64_t gi = c->idx ? c->idx[i] : i;
    for (int64_t j = 0; j < c->r; j++) a[i * c->r + j] = c->h->gram[gi * k + (c->idx ? c->idx[j] : j)];
    a[i * c->r + i] += lambda;
  }
}

typedef struct blk_ctx {
  const double *src;    /* K x K inverse */
  int64_t k, r0, r;
} blk_ctx;

static void fill_blk(double *a, double lambda, const void *p) {
  const blk_ctx *c = p;
  for (int64_t i = 0; i < c->r; i++) {
    for (int64_t j = 0; j < c->r; j++) a[i * c->r + j] = c->src[(c->r0 + i) * c->k + c->r0 + j];
    a[i * c->r + i] += lambda;
  }
}

/* (H + lambda I)^-1 of the layer (full symmetric), lambda = damp x mean diag H raised x10
 * until H + lambda I factorises; *damp_used: the factor used (damp itself when not raised). */
static double *damped_inverse(const sa_calib_layer *h, double damp, double *damp_used,
                              sa_err *e) {
  int64_t k = h->k;
  double unit = diag_unit(h), lam0 = damp * unit, lam = lam0;
  double *hi = sa_malloc((size_t)(k * k) * sizeof *hi, e);
  sub_ctx sc = {h, NULL, k};
  if (!hi || chol_damped(hi, k, lam0, unit, fill_sub, &sc, &lam, e)) {
    free(hi);
    return NULL;
  }
  if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'L', (lapack_int)k, hi, (lapack_int)k)) {
    free(hi);
    sa_err_set(e, "inverting the damped input Gram matrix failed");
    return NULL;
  }
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = i + 1; j < k; j++) hi[i * k + j] = hi[j * k + i];
  *damp_used = lam == lam0 ? damp : lam / unit;
  return hi;
}

int sa_recon_obs_scores(const sa_calib_layer *h, const float *w, int64_t n, int64_t R,
                        int64_t C, double damp, double *scores, double *damp_used, sa_err *e) {
  blas_single();
  int64_t k = h->k, kt = (k + R - 1) / R, nt = (n + C - 1) / C, rmax = R < k ? R : k;
  double du = damp, dense = 0;
  double *hi = damped_inverse(h, damp, &du, e);
  double *wd = hi ? to_double(w, k * n, e) : NULL;
  double *b = wd ? sa_malloc((size_t)(rmax * rmax) * sizeof *b, e) : NULL;
  double *y = b ? sa_malloc((size_t)(rmax * n) * sizeof *y, e) : NULL;
  int rc = y ? 0 : -1;
  if (!rc) rc = quad_energy(h, wd, n, &dense, e);
  if (!rc) memset(scores, 0, (size_t)(kt * nt) * sizeof *scores);
  for (int64_t a = 0; a < kt && !rc; a++) {
    int64_t r0 = a * R, r = r0 + R > k ? k - r0 : R;
    blk_ctx bc = {hi, k, r0, r};
    double l2 = 0;
    /* a principal block of an SPD inverse is SPD: damped only if rounding says otherwise */
    if (chol_damped(b, r, 0.0, 1.0 / diag_unit(h), fill_blk, &bc, &l2, e)) {
      rc = -1;
      break;
    }
    memcpy(y, wd + r0 * n, (size_t)(r * n) * sizeof *y);
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)r, (int)n,
                1.0, b, (int)r, y, (int)n);
    for (int64_t i = 0; i < r; i++)
      for (int64_t j = 0; j < n; j++) scores[a * nt + j / C] += y[i * n + j] * y[i * n + j];
  }
  if (!rc)
    for (int64_t t = 0; t < kt * nt; t++) scores[t] = dense > 0 ? scores[t] / dense : 0;
  if (!rc && damp_used) *damp_used = du;
  free(hi);
  free(wd);
  free(b);
  free(y);
  return rc;
}

typedef struct pick_ctx {
  const double *src;    /* K x K */
  int64_t k;
  const int64_t *idx;
  int64_t r;
} pick_ctx;

static void fill_pick(double *a, double lambda, const void *p) {
  const pick_ctx *c = p;
  for (int64_t i = 0; i < c->r; i++) {
    for (int64_t j = 0; j < c->r; j++) a[i * c->r + j] = c->src[c->idx[i] * c->k + c->idx[j]];
    a[i * c->r + i] += lambda;
  }
}

int sa_recon_curve(const sa_calib_layer *h, const float *w, int64_t n, int64_t R, int64_t C,
                   const int64_t *order, const int64_t *counts, int ng, double damp,
                   double *err, sa_err *e) {
  blas_single();
  int64_t k = h->k, kt = (k + R - 1) / R, nt = (n + C - 1) / C, cmax = C < n ? C : n;
  double du, dense = 0;
  double *hi = damped_inverse(h, damp, &du, e);
  double *wd = hi ? to_double(w, k * n, e) : NULL;
  uint8_t *pr = wd ? sa_calloc((size_t)(kt * nt), 1, e) : NULL;
  int64_t *idx = pr ? sa_malloc((size_t)k * sizeof *idx, e) : NULL;
  double *a = idx ? sa_malloc((size_t)(k * k) * sizeof *a, e) : NULL;
  double *y = a ? sa_malloc((size_t)(k * cmax) * sizeof *y, e) : NULL;
  int rc = y ? 0 : -1;
  if (!rc) rc = quad_energy(h, wd, n, &dense, e);
  int64_t done = 0;
  for (int g = 0; g < ng && !rc; g++) {
    for (; done < counts[g]; done++) pr[order[done]] = 1;
    double s = 0;
    for (int64_t b = 0; b < nt && !rc; b++) {
      int64_t c0 = b * C, c = c0 + C > n ? n - c0 : C, p = 0;
      for (int64_t t = 0; t < kt; t++)
        if (pr[t * nt + b])
          for (int64_t i = t * R; i < k && i < (t + 1) * R; i++) idx[p++] = i;
      if (!p) continue;
      pick_ctx pc = {hi, k, idx, p};
      double l2 = 0;
      if (chol_damped(a, p, 0.0, 1.0 / diag_unit(h), fill_pick, &pc, &l2, e)) {
        rc = -1;
        break;
      }
      for (int64_t i = 0; i < p; i++)
        for (int64_t j = 0; j < c; j++) y[i * c + j] = wd[idx[i] * n + c0 + j];
      cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)p,
                  (int)c, 1.0, a, (int)p, y, (int)c);
      for (int64_t i = 0; i < p * c; i++) s += y[i] * y[i];
    }
    err[g] = dense > 0 ? s / dense : 0;
  }
  free(hi);
  free(wd);
  free(pr);
  free(idx);
  free(a);
  free(y);
  return rc;
}

int sa_recon_lsq(const sa_calib_layer *h, const float *w, int64_t n, const sa_tilemask *m,
                 double damp, float *out, double *damp_used, sa_err *e) {
  blas_single();
  int64_t k = h->k, R = m->tile_rows, C = m->tile_cols;
  SA_ASSERT(m->k == k && m->n == n);
  double unit = diag_unit(h), lam0 = damp * unit, lam_max = lam0;
  int64_t cmax = C < n ? C : n;
  int64_t *idx = sa_malloc((size_t)k * sizeof *idx, e);
  double *hs = idx ? sa_malloc((size_t)(k * k) * sizeof *hs, e) : NULL;
  double *a = hs ? sa_malloc((size_t)(k * k) * sizeof *a, e) : NULL;
  double *wc = a ? sa_malloc((size_t)(k * cmax) * sizeof *wc, e) : NULL;
  double *rhs = wc ? sa_malloc((size_t)(k * cmax) * sizeof *rhs, e) : NULL;
  int rc = rhs ? 0 : -1;
  for (int64_t bt = 0; bt < m->nt && !rc; bt++) {
    int64_t c0 = bt * C, c = c0 + C > n ? n - c0 : C, s = 0;
    for (int64_t at = 0; at < m->kt; at++) {
      if (!m->keep[at * m->nt + bt]) continue;
      for (int64_t i = at * R; i < k && i < (at + 1) * R; i++) idx[s++] = i;
    }
    for (int64_t i = 0; i < k; i++) /* pruned rows 0; all-kept columns copied */
      for (int64_t j = c0; j < c0 + c; j++) out[i * n + j] = s == k ? w[i * n + j] : 0.0f;
    if (s == k || s == 0) continue;
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j < c; j++) wc[i * c + j] = w[i * n + c0 + j];
    for (int64_t i = 0; i < s; i++) memcpy(hs + i * k, h->gram + idx[i] * k, (size_t)k * sizeof *hs);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s, (int)c, (int)k, 1.0, hs,
                (int)k, wc, (int)c, 0.0, rhs, (int)c);
    sub_ctx sc = {h, idx, s};
    double lam = lam0;
    if (chol_damped(a, s, lam0, unit, fill_sub, &sc, &lam, e)) {
      rc = -1;
      break;
    }
    if (lam > lam_max) lam_max = lam;
    if (LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)s, (lapack_int)c, a, (lapack_int)s,
                       rhs, (lapack_int)c)) {
      rc = sa_err_set(e, "least-squares solve failed");
      break;
    }
    for (int64_t i = 0; i < s; i++)
      for (int64_t j = 0; j < c; j++) out[idx[i] * n + c0 + j] = (float)rhs[i * c + j];
  }
  if (!rc && damp_used) *damp_used = lam_max == lam0 ? damp : lam_max / unit;
  free(idx);
  free(hs);
  free(a);
  free(wc);
  free(rhs);
  return rc;
}

void sa_recon_bias(const sa_calib_layer *h, const float *w, int64_t n, const sa_tilemask *m,
                   float *delta_b) {
  int64_t k = h->k;
  SA_ASSERT(m->k == k && m->n == n);
  for (int64_t j = 0; j < n; j++) {
    double s = 0;
    for (int64_t i = 0; i < k; i++)
      if (!m->keep[(i / m->tile_rows) * m->nt + j / m->tile_cols]) s += (double)w[i * n + j] * h->mean[i];
    delta_b[j] = (float)s;
  }
}
