/* Random co-simulation over array shapes: NSIZES array sizes R x C drawn from [2, MAXSIDE]
 * (non-square included; models of sizes not prebuilt are built on demand), CASES random
 * commands each (M, K, N, mask kind and values random), every command through the streaming
 * interface with an always-ready source and again with a seeded stalling source
 * (docs/timing.md §6): values, tile starts, output beats and cycles must equal the C model;
 * and through the CPU port (integration cpu_fed, §8.1), by a CPU issuing every cycle and
 * again by one leaving seeded idle cycles between instructions: every instruction's kind,
 * cycle, flag and returned word, the instruction counts and the values. On the first FP32SIZES sizes the
 * fp32 model (array.act_type fp32, §1.1) runs every case too, through its CPU port, with
 * pseudo-random fp32 activations (sa_cosim_f32_activation): every returned fp32 word and Y
 * bit-exact with sa_func_gemm_f32.
 * usage: test_rtl_random SEED NSIZES CASES [MAXSIDE [FP32SIZES]]; the seed reproduces a
 * failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_cosim.h"
#include "sa_rtl.h"
#include "sa_test.h"
#include "sa_timing.h"

static uint64_t rs;
static uint64_t rnd(void) {
  uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static int64_t range(int64_t lo, int64_t hi) {
  return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* The hardware of a cpu_fed co-simulation on the RTL's R x C array. */
static sa_hw_cfg cpu_fed_hw(int R, int C, sa_act_type act) {
  return (sa_hw_cfg){.rows = R, .cols = C, .bus_bits = SA_RTL_BUS_BITS, .act_type = act,
                     .integration = SA_INTEG_CPU_FED};
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s SEED NSIZES CASES [MAXSIDE [FP32SIZES]]\n", argv[0]);
    return 2;
  }
  uint64_t seed = strtoull(argv[1], NULL, 0);
  int nsizes = atoi(argv[2]), cases = atoi(argv[3]);
  int maxside = argc > 4 ? atoi(argv[4]) : 40;
  int fp32_sizes = argc > 5 ? atoi(argv[5]) : 0;
  rs = seed;
  printf("test_rtl_random seed %llu: %d sizes from [2, %d] x %d cases, fp32 on %d sizes\n",
         (unsigned long long)seed, nsizes, maxside, cases, fp32_sizes);
  int64_t done = 0, nonsquare = 0, done_fp32 = 0;
  for (int si = 0; si < nsizes; si++) {
    int R = (int)range(2, maxside), C = (int)range(2, maxside);
    if (si == 0 && R == C) C = C == maxside ? C - 1 : C + 1;  /* at least one non-square */
    nonsquare += R != C;
    char err[512];
    sa_rtl *rtl = sa_rtl_open(R, C, NULL, NULL, err, sizeof err);
    if (!rtl) {
      fprintf(stderr, "%dx%d: %s\n", R, C, err);
      CHECK(0);
      continue;
    }
    sa_rtl *rtl_f = NULL;
    if (si < fp32_sizes) {
      rtl_f = sa_rtl_open_act(R, C, 1, NULL, NULL, err, sizeof err);
      if (!rtl_f) fprintf(stderr, "%dx%d fp32: %s\n", R, C, err);
      CHECK(rtl_f != NULL);
    }
    int64_t max_m;
    sa_rtl_limits(rtl, &max_m, NULL, NULL);
    for (int ci = 0; ci < cases; ci++) {
      int64_t m = rnd() % 5 == 0 ? 1 : range(1, 2 * R + 24);
      if (m > max_m) m = max_m;
      int64_t k = range(1, 5 * R + 3), n = range(1, 5 * C + 3);
      int64_t kt_n = sa_timing_tiles_k(k, R), nt_n = sa_timing_tiles_n(n, C);
      int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
      CHECK(x && w);
      for (int64_t i = 0; i < m * k; i++) x[i] = (int8_t)(rnd() & 0xff);
      for (int64_t i = 0; i < k * n; i++) w[i] = (int8_t)(rnd() & 0xff);
      int kind = (int)range(0, 3); /* dense, random 50 %, sparse 15 %, all pruned */
      sa_tilemask mk;
      sa_err e;
      if (kind) {
        CHECK(sa_tilemask_init(&mk, "r", k, n, R, C, &e) == 0);
        for (int64_t t = 0; t < kt_n * nt_n; t++)
          mk.keep[t] = kind == 1 ? rnd() % 2 : kind == 2 ? rnd() % 100 < 15 : 0;
      }
      char what[200], mis[512] = "";
      for (int stall = 0; stall < 2; stall++) {
        sa_stream_source src = {rnd(), (int)range(20, 95)};
        snprintf(what, sizeof what, "%dx%d case %d M=%lld K=%lld N=%lld mask kind %d%s", R, C,
                 ci, (long long)m, (long long)k, (long long)n, kind,
                 stall ? " stalling source" : "");
        int64_t cyc = -1, want = -1;
        int st = sa_cosim_command(rtl, x, w, m, k, n, kind ? &mk : NULL, stall ? &src : NULL,
                                  what, 0, mis, sizeof mis, &cyc, &want, &e);
        if (st < 0) fprintf(stderr, "error: %s\n", e.msg);
        if (st == 0) fprintf(stderr, "%s\n", mis);
        CHECK_EQ_INT(st, 1);
        if (!stall) CHECK_EQ_INT(cyc, sa_timing_command_cycles(R, C, m, k, n, kind ? mk.keep : NULL));
      }
      {
        const sa_hw_cfg hw = cpu_fed_hw(R, C, SA_ACT_INT8);
        snprintf(what, sizeof what, "%dx%d case %d M=%lld K=%lld N=%lld mask kind %d cpu_fed",
                 R, C, ci, (long long)m, (long long)k, (long long)n, kind);
        int64_t cyc = -1, want = -1;
        int st = sa_cosim_cpu_command(rtl, &hw, x, w, m, k, n, kind ? &mk : NULL, NULL, what, 0, mis,
                                      sizeof mis, &cyc, &want, &e);
        if (st < 0) fprintf(stderr, "error: %s\n", e.msg);
        if (st == 0) fprintf(stderr, "%s\n", mis);
        CHECK_EQ_INT(st, 1);
        CHECK_EQ_INT(cyc, want);
        /* and a CPU that leaves idle cycles between its instructions */
        sa_stream_source gaps = {rnd(), (int)range(20, 95)};
        snprintf(what, sizeof what, "%dx%d case %d M=%lld K=%lld N=%lld mask kind %d cpu_fed, "
                 "CPU issuing %d %%", R, C, ci, (long long)m, (long long)k, (long long)n, kind,
                 gaps.pct);
        st = sa_cosim_cpu_command(rtl, &hw, x, w, m, k, n, kind ? &mk : NULL, &gaps, what, 0,
                                  mis, sizeof mis, &cyc, &want, &e);
        if (st < 0) fprintf(stderr, "error: %s\n", e.msg);
        if (st == 0) fprintf(stderr, "%s\n", mis);
        CHECK_EQ_INT(st, 1);
        CHECK_EQ_INT(cyc, want);
      }
      if (rtl_f) {
        float *xf = malloc((size_t)(m * k) * sizeof *xf);
        CHECK(xf != NULL);
        uint64_t fs = rnd();
        for (int64_t i = 0; i < m * k; i++) xf[i] = sa_cosim_f32_activation(&fs);
        const sa_hw_cfg hw = cpu_fed_hw(R, C, SA_ACT_FP32);
        snprintf(what, sizeof what, "%dx%d case %d M=%lld K=%lld N=%lld mask kind %d cpu_fed fp32",
                 R, C, ci, (long long)m, (long long)k, (long long)n, kind);
        int64_t cyc = -1, want = -1;
        int st = sa_cosim_cpu_command_f32(rtl_f, &hw, xf, w, m, k, n, kind ? &mk : NULL, NULL, what, 0,
                                          mis, sizeof mis, &cyc, &want, &e);
        if (st < 0) fprintf(stderr, "error: %s\n", e.msg);
        if (st == 0) fprintf(stderr, "%s\n", mis);
        CHECK_EQ_INT(st, 1);
        CHECK_EQ_INT(cyc, want);
        free(xf);
        done_fp32++;
      }
      if (kind) sa_tilemask_free(&mk);
      free(x);
      free(w);
      done++;
    }
    sa_rtl_close(rtl);
    sa_rtl_close(rtl_f);
  }
  printf("%lld random cases (each always-ready, stalling and cpu_fed) on %d sizes, %lld non-square; "
         "%lld also fp32 cpu_fed\n",
         (long long)done, nsizes, (long long)nonsquare, (long long)done_fp32);
  CHECK(nsizes < 1 || nonsquare >= 1);
  return sa_test_done("test_rtl_random");
}
