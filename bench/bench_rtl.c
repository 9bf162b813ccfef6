/* bench_rtl: RTL simulation speed in PE-cycles per second for every Verilator model built
 * (the models built for speed: no tracing), beside the C models' speed on the same commands,
 * measured in one run: the cycle model (sa_cycle_command: simulated array cycles x R x C per
 * second) and the bit-exact functional model (sa_func_gemm: the same command's PE-cycles per
 * second of compute). Command: M = 64, K = 8R, N = 8C, dense and with half the tiles kept.
 * RTL speed counts only the cycles between command acceptance and done; memory loading and
 * read-back are reported separately. Speeds are per second of this thread's CPU time (a
 * shared machine steals wall time, not CPU time); the RTL's wall-time figure is shown too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_func.h"
#include "sa_rtl.h"
#include "sa_timing.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
  printf("PE-cycles per second of CPU time (RTL also per second of wall time); issue 18's "
         "target for the RTL: >= 1.5e8 at 16x16 and 32x32\n");
  printf("%-6s %-6s %14s %14s %14s %16s %16s\n", "array", "mask", "RTL PE-cyc/s",
         "RTL (wall)", "RTL cycles/s", "C cycle model", "C functional");
  for (int i = 0; i < sa_rtl_n_sizes(); i++) {
    int r, c;
    sa_rtl_size(i, &r, &c);
    static sa_config cfg;
    char y[256];
    snprintf(y, sizeof y, "array: {rows: %d, cols: %d}\ntech: tech/45nm.yaml\n"
             "workload: {manifest: x.yaml}\n", r, c);
    sa_err e;
    if (sa_config_load_buffer(y, strlen(y), "bench.yaml", "configs", &cfg, &e)) {
      fprintf(stderr, "%s\n", e.msg);
      return 1;
    }
    int64_t m = 64, k = 8 * r, n = 8 * c;
    int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
    int32_t *out = malloc((size_t)(m * n) * sizeof *out);
    sa_tilemask mask;
    if (!x || !w || !out || sa_tilemask_init(&mask, "b", k, n, r, c, &e)) {
      fprintf(stderr, "bench_rtl: out of memory\n");
      return 1;
    }
    for (int64_t j = 0; j < m * k; j++) x[j] = (int8_t)(j * 37 + 11);
    for (int64_t j = 0; j < k * n; j++) w[j] = (int8_t)(j * 13 - 5);
    for (int64_t t = 0; t < mask.kt * mask.nt; t++) mask.keep[t] = (uint8_t)(t % 2);
    for (int pr = 0; pr < 2; pr++) {
      const uint8_t *keep = pr ? mask.keep : NULL;
      char err[512];
      sa_rtl *rtl = sa_rtl_open(r, c, NULL, NULL, err, sizeof err);
      if (!rtl) {
        fprintf(stderr, "%s\n", err);
        return 1;
      }
      double t0 = now();
      int64_t cyc = 0;
      while (now() - t0 < 1.0) {
        if (sa_rtl_run(rtl, x, w, m, k, n, keep, NULL, out, &cyc)) {
          fprintf(stderr, "%s\n", sa_rtl_error(rtl));
          return 1;
        }
      }
      double wall = now() - t0;
      sa_rtl_stats st;
      sa_rtl_stats_get(rtl, &st);
      sa_rtl_close(rtl);
      double rtl_cps = (double)st.clocks_command / st.cpu_seconds_command;
      double rtl_wall_cps = (double)st.clocks_command / st.seconds_command;

      /* the C cycle model on the same command */
      double cm_cycles = 0;
      t0 = now();
      double c0 = cpu_now();
      while (now() - t0 < 0.2) {
        sa_counts cn;
        sa_time tm;
        memset(&cn, 0, sizeof cn);
        memset(&tm, 0, sizeof tm);
        for (int rep = 0; rep < 100; rep++) {
          if (sa_cycle_command(&cfg, m, k, n, keep, &cn, &tm, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
          }
          cm_cycles += (double)sa_timing_command_cycles(r, c, m, k, n, keep);
        }
      }
      double cm_pes = cm_cycles * r * c / (cpu_now() - c0);

      /* the functional model on the same command */
      sa_func_weights *pw = sa_func_pack(w, k, n, pr ? &mask : NULL, &e);
      if (!pw) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
      }
      double fm_cycles = 0;
      t0 = now();
      c0 = cpu_now();
      while (now() - t0 < 0.2) {
        sa_func_gemm(pw, x, m, out);
        fm_cycles += (double)cyc;
      }
      double fm_pes = fm_cycles * r * c / (cpu_now() - c0);
      sa_func_free(pw);

      char name[16];
      snprintf(name, sizeof name, "%dx%d", r, c);
      printf("%-6s %-6s %14.3g %14.3g %14.3g %16.3g %16.3g\n", name, pr ? "50%" : "dense",
             rtl_cps * r * c, rtl_wall_cps * r * c, rtl_cps, cm_pes, fm_pes);
      printf("       (RTL: %llu runs, %.0f%% of %.2f s in command cycles, rest loading the "
             "memories and reading Y back)\n",
             (unsigned long long)st.runs, 100.0 * st.seconds_command / wall, wall);
    }
    sa_tilemask_free(&mask);
    free(x);
    free(w);
    free(out);
  }
  if (!sa_rtl_n_sizes()) printf("(no RTL sizes built)\n");
  return 0;
}
