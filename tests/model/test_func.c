/* test_func: the functional model equals the naive reference (random, extremes, edge
 * shapes, masks, wrap-around) on every kernel this CPU runs (portable, AVX2, AVX-512 VNNI),
 * and the fp32 x int8 datapath equals its reference order bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sa_func.h"
#include "sa_rng.h"
#include "sa_test.h"

static uint64_t rng;
static uint64_t next(void) { return sa_rng_splitmix64(&rng); }
static int8_t rand8(int extremes) {
  uint64_t r = next();
  if (extremes && (r & 3) == 0) return (r >> 2) & 1 ? 127 : -128;
  return (int8_t)(uint8_t)(r >> 8);
}

/* Runs one case with every kernel; returns nothing, counts failures. */
static void run_case(int64_t m, int64_t k, int64_t n, int64_t tr, int64_t tc, double prune,
                     int extremes) {
  int8_t *x = malloc((size_t)(m * k) + 1), *w = malloc((size_t)(k * n));
  int32_t *y = malloc((size_t)(m * n + 1) * 4), *yr = malloc((size_t)(m * n + 1) * 4);
  for (int64_t i = 0; i < m * k; i++) x[i] = rand8(extremes);
  for (int64_t i = 0; i < k * n; i++) w[i] = rand8(extremes);
  sa_tilemask mask, *mp = NULL;
  sa_err e = {{0}};
  if (tr) {
    mask.k = k;
    mask.n = n;
    mask.tile_rows = tr;
    mask.tile_cols = tc;
    mask.kt = (k + tr - 1) / tr;
    mask.nt = (n + tc - 1) / tc;
    snprintf(mask.name, sizeof mask.name, "case");
    mask.keep = malloc((size_t)(mask.kt * mask.nt));
    for (int64_t i = 0; i < mask.kt * mask.nt; i++)
      mask.keep[i] = (double)(next() % 1000) / 1000.0 >= prune;
    mp = &mask;
  }
  sa_func_gemm_ref(x, w, m, k, n, mp, yr);
  for (int kern = SA_FUNC_PORTABLE; kern <= SA_FUNC_VNNI; kern++) {
    if (sa_func_use_kernel(kern)) continue; /* not on this CPU */
    sa_func_weights *pw = sa_func_pack(w, k, n, mp, &e);
    CHECK(pw != NULL);
    if (!pw) break;
    memset(y, 0x55, (size_t)(m * n) * 4);
    sa_func_gemm(pw, x, m, y);
    int ok = memcmp(y, yr, (size_t)(m * n) * 4) == 0;
    if (!ok)
      fprintf(stderr, "mismatch m=%lld k=%lld n=%lld tile=%lldx%lld prune=%.2f kernel=%s\n",
              (long long)m, (long long)k, (long long)n, (long long)tr, (long long)tc, prune,
              sa_func_kernel_name());
    CHECK(ok);
    sa_func_free(pw);
  }
  sa_func_use_kernel(SA_FUNC_AUTO);
  /* fp32 x int8 (docs/timing.md §1.1): the fast loop equals the reference order bit for bit */
  float *xf = malloc((size_t)(m * k + 1) * 4), *yf = malloc((size_t)(m * n + 1) * 4),
        *yfr = malloc((size_t)(m * n + 1) * 4);
  for (int64_t i = 0; i < m * k; i++) xf[i] = (float)((int64_t)(next() % 200001) - 100000) * 1e-3f;
  sa_func_gemm_f32_ref(xf, w, m, k, n, mp, yfr);
  sa_func_weights *pf = sa_func_pack(w, k, n, mp, &e);
  CHECK(pf != NULL);
  if (pf) {
    memset(yf, 0x55, (size_t)(m * n) * 4);
    sa_func_gemm_f32(pf, xf, m, yf);
    int ok = memcmp(yf, yfr, (size_t)(m * n) * 4) == 0;
    if (!ok)
      fprintf(stderr, "fp32 mismatch m=%lld k=%lld n=%lld tile=%lldx%lld\n", (long long)m,
              (long long)k, (long long)n, (long long)tr, (long long)tc);
    CHECK(ok);
    /* pruned tiles contribute nothing; the order is per tile: exact for small integers */
    if (k <= 64 && !extremes)
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
          double ref = 0, mag = 0; /* fp32 rounding: bounded by k·eps·Σ|x·w| */
          for (int64_t kk = 0; kk < k; kk++)
            if (!mp || mp->keep[(kk / tr) * mp->nt + j / tc]) {
              ref += (double)xf[i * k + kk] * w[kk * n + j];
              mag += fabs((double)xf[i * k + kk] * w[kk * n + j]);
            }
          CHECK(fabs(ref - yf[i * n + j]) <= (double)(k + 1) * 6e-8 * mag + 1e-30);
        }
    sa_func_free(pf);
  }
  free(xf);
  free(yf);
  free(yfr);
  if (mp) free(mask.keep);
  free(x);
  free(w);
  free(y);
  free(yr);
}

int main(void) {
  /* hand case: docs/timing.md worked example shape, mask [1,0,0,0,1,1] on 4x4 tiles */
  {
    int8_t x[3 * 10], w[10 * 6];
    for (int i = 0; i < 30; i++) x[i] = (int8_t)(i - 15);
    for (int i = 0; i < 60; i++) w[i] = (int8_t)(3 * i - 90);
    uint8_t keep[6] = {1, 0, 0, 0, 1, 1};
    sa_tilemask mk = {.k = 10, .n = 6, .tile_rows = 4, .tile_cols = 4, .kt = 3, .nt = 2,
                      .keep = keep};
    int32_t y[18];
    sa_err e;
    sa_func_weights *pw = sa_func_pack(w, 10, 6, &mk, &e);
    sa_func_gemm(pw, x, 3, y);
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 6; j++) {
        int32_t s = 0;
        for (int kk = 0; kk < 10; kk++) {
          int tile_kept = (kk < 4 && j < 4) || kk >= 8;
          if (tile_kept) s += x[i * 10 + kk] * w[kk * 6 + j];
        }
        CHECK_EQ_INT(y[i * 6 + j], s);
      }
    sa_func_free(pw);
  }
  /* wrap-around: K = 2^17 + 64 of (-128)(-128) = 2^14 each -> 2^31 + 2^20 wraps */
  {
    int64_t k = (1 << 17) + 64;
    int8_t *x = malloc((size_t)k), *w = malloc((size_t)k * 2);
    for (int64_t i = 0; i < k; i++) {
      x[i] = -128;
      w[2 * i] = -128;
      w[2 * i + 1] = 127;
    }
    int32_t y[2], yr[2];
    sa_err e;
    sa_func_weights *pw = sa_func_pack(w, k, 2, NULL, &e);
    sa_func_gemm(pw, x, 1, y);
    sa_func_gemm_ref(x, w, 1, k, 2, NULL, yr);
    uint64_t exact = (uint64_t)k * 16384u; /* 2^31 + 2^20 */
    CHECK_EQ_INT(y[0], (int32_t)(exact - 4294967296ull));
    CHECK_EQ_INT(yr[0], y[0]);
    CHECK_EQ_INT(y[1], (int32_t)(-(int64_t)k * 128 * 127));
    CHECK(sa_func_use_kernel(SA_FUNC_PORTABLE) == 0);
    sa_func_gemm(pw, x, 1, y);
    CHECK_EQ_INT(y[0], yr[0]);
    for (int kern = SA_FUNC_AVX2; kern <= SA_FUNC_VNNI; kern++) {
      if (sa_func_use_kernel(kern)) continue;
      sa_func_weights *pk = sa_func_pack(w, k, 2, NULL, &e);
      CHECK(pk != NULL);
      sa_func_gemm(pk, x, 1, y);
      CHECK_EQ_INT(y[0], yr[0]);
      CHECK_EQ_INT(y[1], yr[1]);
      sa_func_free(pk);
    }
    sa_func_use_kernel(SA_FUNC_AUTO);
    sa_func_free(pw);
    free(x);
    free(w);
  }
  /* errors: mask mismatch and bad sizes */
  {
    int8_t w[4] = {0};
    uint8_t keep[1] = {1};
    sa_tilemask mk = {.k = 3, .n = 2, .tile_rows = 4, .tile_cols = 4, .kt = 1, .nt = 1,
                      .keep = keep};
    snprintf(mk.name, sizeof mk.name, "L");
    sa_err e = {{0}};
    CHECK(sa_func_pack(w, 2, 2, &mk, &e) == NULL);
    CHECK_CONTAINS(e.msg, "tile mask 'L'");
    CHECK(sa_func_pack(w, 0, 2, NULL, &e) == NULL);
    CHECK_CONTAINS(e.msg, "bad weight shape");
  }
  /* random shapes incl. edges, extremes, masks */
  static const int64_t shapes[][5] = {
      {1, 1, 1, 0, 0},     {3, 10, 6, 4, 4},    {7, 13, 17, 4, 8},  {6, 16, 16, 2, 2},
      {97, 257, 33, 8, 8}, {13, 300, 50, 16, 4}, {200, 130, 70, 8, 16}, {5, 2, 31, 3, 5},
      {64, 512, 128, 16, 16}, {101, 777, 49, 0, 0},
      /* several cache blocks of K (1024 K per block with VNNI, 512 with AVX2) and of M */
      {50, 2100, 40, 0, 0}, {61, 1500, 70, 32, 16},
  };
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (int ex = 0; ex < 2; ex++)
      for (int pr = 0; pr < 3; pr++) {
        if (!shapes[s][3] && pr) continue;
        run_case(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3], shapes[s][4],
                 pr * 0.45, ex);
      }
  for (int t = 0; t < 40; t++) {
    int64_t m = 1 + next() % 40, k = 1 + next() % 150, n = 1 + next() % 70;
    int64_t r = 2 + next() % 15, c = 2 + next() % 15;
    run_case(m, k, n, r, c, (double)(next() % 100) / 100.0, (int)(next() & 1));
  }
  /* fully pruned: Y = 0 */
  run_case(9, 20, 20, 4, 4, 1.01, 1);
  return sa_test_done("func");
}
