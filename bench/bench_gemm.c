/* bench_gemm: throughput of the functional int8 GEMM (sa_func_gemm) against OpenBLAS sgemm
 * on the same shapes, single-threaded, printed as MAC/s and as the ratio (target >= 0.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "sa_func.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
  openblas_set_num_threads(1);
  static const int64_t shapes[][3] = {
      {128, 512, 512}, {128, 512, 2048}, {128, 2048, 512}, {63, 192, 768}, {512, 512, 512}};
  double worst = 1e300;
  printf("kernel: %s\n", sa_func_kernel_name());
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int64_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
    int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
    int32_t *y = malloc((size_t)(m * n) * 4);
    float *xf = malloc((size_t)(m * k) * 4), *wf = malloc((size_t)(k * n) * 4),
          *yf = malloc((size_t)(m * n) * 4);
    for (int64_t i = 0; i < m * k; i++) xf[i] = x[i] = (int8_t)(i * 37 + 11);
    for (int64_t i = 0; i < k * n; i++) wf[i] = w[i] = (int8_t)(i * 53 + 5);
    sa_err e;
    sa_func_weights *pw = sa_func_pack(w, k, n, NULL, &e);
    if (!pw) {
      fprintf(stderr, "%s\n", e.msg);
      return 1;
    }
    double macs = (double)m * (double)k * (double)n, best_i = 1e300, best_f = 1e300;
    for (int rep = 0; rep < 7; rep++) {
      double t0 = now();
      sa_func_gemm(pw, x, m, y);
      double t1 = now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, xf,
                  (int)k, wf, (int)n, 0.0f, yf, (int)n);
      double t2 = now();
      if (t1 - t0 < best_i) best_i = t1 - t0;
      if (t2 - t1 < best_f) best_f = t2 - t1;
    }
    /* sanity: the float result is exact here (|sum| < 2^24) and must agree */
    int same = 1;
    for (int64_t i = 0; i < m * n && same; i++) same = (float)y[i] == yf[i] || k > 1024;
    double ratio = best_f / best_i;
    if (ratio < worst) worst = ratio;
    printf("GEMM %4lldx%4lldx%4lld: sa_func %.2f GMAC/s, OpenBLAS sgemm %.2f GMAC/s, ratio %.2f%s\n",
           (long long)m, (long long)k, (long long)n, macs / best_i / 1e9, macs / best_f / 1e9,
           ratio, same ? "" : " (RESULTS DIFFER)");
    sa_func_free(pw);
    free(x), free(w), free(y), free(xf), free(wf), free(yf);
  }
  printf("lowest ratio sa_func/sgemm: %.2f (target >= 0.5)\n", worst);
  return 0;
}
