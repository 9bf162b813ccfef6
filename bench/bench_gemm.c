/* bench_gemm: throughput of the functional int8 GEMM (sa_func_gemm) against two CPU anchors
 * on the same shapes, single-threaded: OpenBLAS sgemm (fp32) and, when the build found
 * oneDNN (Debian libdnnl-dev), oneDNN's int8 GEMM dnnl_gemm_s8s8s32 (int32 results).
 *
 * Usage: bench_gemm [MANIFEST] [--kernel portable|avx2|avx512-vnni] (default: the CPU's
 * best kernel). Shapes: every distinct GEMM of MANIFEST (default
 * workloads/asr/manifest.yaml, run from the source root) -- these carry the targets -- and a
 * few larger generic shapes for information. Each kernel runs until it has used at least
 * MIN_SECONDS and MIN_REPS runs, interleaved with the others; the best run counts.
 * Printed per shape: GMAC/s of each kernel, the ratios, and whether the int32 results of
 * sa_func equal the naive reference of the array's arithmetic (sa_func_gemm_ref) and
 * oneDNN's bit for bit (sgemm is compared where fp32 is exact). The whole
 * model's ratio weighs each shape by how often the manifest runs it per inference.
 * Targets (model shapes): sa_func >= 0.5 x sgemm, sa_func >= 1.0 x oneDNN s8s8s32.
 * Exit status: 0, or 1 when sa_func differs from the reference, 2 on a setup error (a
 * benchmark reports speed; a missed speed target or an anchor that differs is printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#ifdef SA_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#endif

#include "sa_func.h"
#include "sa_manifest.h"

enum { MAX_SHAPES = 64, MIN_REPS = 5 };
#define MIN_SECONDS 0.05

typedef struct shape {
  int64_t m, k, n;
  int64_t per_inference; /* times the model runs it per inference (0: generic shape) */
} shape;

typedef struct timing {
  double func, sgemm, dnnl; /* best seconds of one GEMM (dnnl: 0 when not built) */
  int func_ok;               /* sa_func == sa_func_gemm_ref (the array's arithmetic) */
  int sgemm_same, dnnl_same; /* the anchor's result equals sa_func's */
} timing;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int add_shape(shape *s, int *n, int64_t m, int64_t k, int64_t nn, int64_t times) {
  for (int i = 0; i < *n; i++)
    if (s[i].m == m && s[i].k == k && s[i].n == nn) {
      s[i].per_inference += times;
      return 0;
    }
  if (*n >= MAX_SHAPES) return -1;
  s[(*n)++] = (shape){m, k, nn, times};
  return 0;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench_gemm: out of memory\n");
    exit(2);
  }
  return p;
}

static void keep_best(double *best, double t) {
  if (t < *best) *best = t;
}

static timing run_shape(const shape *s) {
  const int64_t m = s->m, k = s->k, n = s->n;
  int8_t *x = xmalloc((size_t)(m * k)), *w = xmalloc((size_t)(k * n));
  int32_t *y = xmalloc((size_t)(m * n) * 4), *yd = xmalloc((size_t)(m * n) * 4);
  float *xf = xmalloc((size_t)(m * k) * 4), *wf = xmalloc((size_t)(k * n) * 4),
        *yf = xmalloc((size_t)(m * n) * 4);
  /* full int8 range, both signs: -128 included (the array's and oneDNN's worst case) */
  for (int64_t i = 0; i < m * k; i++) xf[i] = x[i] = (int8_t)(i * 37 + 11);
  for (int64_t i = 0; i < k * n; i++) wf[i] = w[i] = (int8_t)(i * 53 + 5);
  sa_err e;
  sa_func_weights *pw = sa_func_pack(w, k, n, NULL, &e);
  if (!pw) {
    fprintf(stderr, "bench_gemm: %s\n", e.msg);
    exit(2);
  }
  timing t = {1e300, 1e300, 0, 1, 1, 1};
  double used = 0;
#ifdef SA_HAVE_DNNL
  t.dnnl = 1e300;
  const int32_t co = 0;
#endif
  for (int rep = 0; rep < MIN_REPS || used < MIN_SECONDS; rep++) {
    double t0 = now();
    sa_func_gemm(pw, x, m, y);
    double t1 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, xf,
                (int)k, wf, (int)n, 0.0f, yf, (int)n);
    double t2 = now();
    keep_best(&t.func, t1 - t0);
    keep_best(&t.sgemm, t2 - t1);
    used += t2 - t0;
#ifdef SA_HAVE_DNNL
    double t3 = now();
    dnnl_status_t st = dnnl_gemm_s8s8s32('N', 'N', 'F', m, n, k, 1.0f, x, k, 0, w, n, 0, 0.0f,
                                         yd, n, &co);
    double t4 = now();
    if (st != dnnl_success) {
      fprintf(stderr, "bench_gemm: dnnl_gemm_s8s8s32 failed (status %d)\n", (int)st);
      exit(2);
    }
    keep_best(&t.dnnl, t4 - t3);
    used += t4 - t3;
#endif
  }
  int32_t *yr = xmalloc((size_t)(m * n) * 4);
  sa_func_gemm_ref(x, w, m, k, n, NULL, yr);
  t.func_ok = !memcmp(y, yr, (size_t)(m * n) * 4);
  free(yr);
  /* fp32 is exact while every partial sum stays below 2^24: |sum| <= k * 128 * 128 */
  if (k * 128 * 128 < (1 << 24))
    for (int64_t i = 0; i < m * n; i++) t.sgemm_same &= (float)y[i] == yf[i];
#ifdef SA_HAVE_DNNL
  t.dnnl_same = !memcmp(y, yd, (size_t)(m * n) * 4);
#endif
  sa_func_free(pw);
  free(x), free(w), free(y), free(yd), free(xf), free(wf), free(yf);
  return t;
}

static double gmacs(const shape *s, double sec) {
  return (double)s->m * (double)s->k * (double)s->n / sec / 1e9;
}

int main(int argc, char **argv) {
  const char *manifest = "workloads/asr/manifest.yaml";
  for (int i = 1; i < argc; i++) {
    static const char *const names[] = {"portable", "avx2", "avx512-vnni"};
    if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
      int kern = -1;
      for (int j = 0; j < 3; j++)
        if (!strcmp(argv[i + 1], names[j])) kern = SA_FUNC_PORTABLE + j;
      if (kern < 0 || sa_func_use_kernel(kern)) {
        fprintf(stderr, "bench_gemm: --kernel %s: not a kernel this CPU runs (portable, avx2, "
                "avx512-vnni)\n", argv[i + 1]);
        return 2;
      }
      i++;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: bench_gemm [MANIFEST] [--kernel portable|avx2|avx512-vnni]\n");
      return 2;
    } else {
      manifest = argv[i];
    }
  }
  openblas_set_num_threads(1);
#ifdef SA_HAVE_DNNL
  omp_set_num_threads(1); /* oneDNN threads with OpenMP: one thread, like the others */
  const int have_dnnl = 1;
#else
  const int have_dnnl = 0;
#endif
  shape s[MAX_SHAPES];
  int ns = 0;
  sa_err e;
  sa_manifest *man;
  if (sa_manifest_load(manifest, &man, &e)) {
    fprintf(stderr, "bench_gemm: %s\n", e.msg);
    return 2;
  }
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    if (add_shape(s, &ns, l->m, l->k, l->n, l->count)) {
      fprintf(stderr, "bench_gemm: %s: more than %d distinct GEMM shapes\n", manifest,
              MAX_SHAPES);
      return 2;
    }
  }
  const int n_model = ns;
  static const int64_t extra[][3] = {{128, 512, 512}, {128, 512, 2048}, {512, 512, 512}};
  for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
    add_shape(s, &ns, extra[i][0], extra[i][1], extra[i][2], 0);

  printf("sa_func kernel: %s; anchors: OpenBLAS sgemm%s; one thread each\n",
         sa_func_kernel_name(), have_dnnl ? ", oneDNN dnnl_gemm_s8s8s32" : " (oneDNN not built)");
  printf("%-20s %6s %9s %9s %9s %9s %9s  %s\n", "GEMM MxKxN", "x/inf", "sa_func", "sgemm",
         "oneDNN", "/sgemm", "/oneDNN", "results");
  printf("%-20s %6s %9s %9s %9s\n", "", "", "GMAC/s", "GMAC/s", "GMAC/s");
  double tot_func = 0, tot_sgemm = 0, tot_dnnl = 0, worst_s = 1e300, worst_d = 1e300;
  int all_ok = 1;
  for (int i = 0; i < ns; i++) {
    if (i == n_model) printf("generic shapes (information only)\n");
    timing t = run_shape(&s[i]);
    char shp[48], dn[16] = "-", rd[16] = "-";
    snprintf(shp, sizeof shp, "%lldx%lldx%lld", (long long)s[i].m, (long long)s[i].k,
             (long long)s[i].n);
    double rs = t.sgemm / t.func;
    if (have_dnnl) {
      snprintf(dn, sizeof dn, "%.2f", gmacs(&s[i], t.dnnl));
      snprintf(rd, sizeof rd, "%.2f", t.dnnl / t.func);
    }
    printf("%-20s %6lld %9.2f %9.2f %9s %9.2f %9s  %s%s%s\n", shp,
           (long long)s[i].per_inference, gmacs(&s[i], t.func), gmacs(&s[i], t.sgemm), dn, rs, rd,
           t.func_ok ? "sa_func = reference" : "sa_func WRONG", t.sgemm_same ? "" : ", sgemm differs",
           !have_dnnl ? "" : t.dnnl_same ? ", = oneDNN" : ", oneDNN differs");
    all_ok &= t.func_ok;
    if (i >= n_model) continue;
    double w = (double)s[i].per_inference;
    tot_func += w * t.func, tot_sgemm += w * t.sgemm, tot_dnnl += w * t.dnnl;
    if (rs < worst_s) worst_s = rs;
    if (have_dnnl && t.dnnl / t.func < worst_d) worst_d = t.dnnl / t.func;
  }
  printf("model %s (%d shapes), one inference's GEMMs: sa_func %.1f us, sgemm %.1f us",
         man->name, n_model, tot_func * 1e6, tot_sgemm * 1e6);
  if (have_dnnl) printf(", oneDNN %.1f us", tot_dnnl * 1e6);
  printf("\n  ratio sa_func/sgemm: whole model %.2f, lowest shape %.2f (target >= 0.5)\n",
         tot_sgemm / tot_func, worst_s);
  if (have_dnnl)
    printf("  ratio sa_func/oneDNN s8s8s32: whole model %.2f, lowest shape %.2f (target >= 1.0)\n",
           tot_dnnl / tot_func, worst_d);
  sa_manifest_free(man);
  if (!all_ok) printf("sa_func DIFFERS from the reference (see above)\n");
  return all_ok ? 0 : 1;
}
