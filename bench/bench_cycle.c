/* bench_cycle: simulated array cycles per second of the cycle model (target >= 1e9), on the
 * paper's GEMM shapes with dense and 50 %-pruned masks, both integrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_timing.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
  static const char *modes[] = {"dma", "cpu_fed"};
  static const int64_t shapes[][3] = {{128, 512, 512}, {128, 512, 2048}, {128, 2048, 512}};
  static const int64_t arrays[][2] = {{8, 8}, {16, 16}, {32, 32}};
  double worst = 1e300;
  for (int mo = 0; mo < 2; mo++)
    for (int a = 0; a < 3; a++) {
      static sa_config cfg;
      char y[512];
      snprintf(y, sizeof y,
               "array: {rows: %lld, cols: %lld}\nintegration: %s\ntech: tech/45nm.yaml\n"
               "workload: {manifest: x.yaml}\n",
               (long long)arrays[a][0], (long long)arrays[a][1], modes[mo]);
      sa_err e;
      if (sa_config_load_buffer(y, strlen(y), "bench.yaml", "configs", &cfg, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
      }
      double cycles = 0, t0 = now();
      int reps = 0;
      while (now() - t0 < 0.3) {
        for (int s = 0; s < 3; s++) {
          int64_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
          int64_t tiles = sa_timing_tiles_k(k, cfg.hw.rows) * sa_timing_tiles_n(n, cfg.hw.cols);
          uint8_t *keep = malloc((size_t)tiles);
          for (int64_t i = 0; i < tiles; i++) keep[i] = (uint8_t)((i * 7 + reps) % 2);
          for (int pr = 0; pr < 2; pr++) {
            sa_counts c;
            sa_time t;
            memset(&c, 0, sizeof c);
            memset(&t, 0, sizeof t);
            if (sa_cycle_command(&cfg, m, k, n, pr ? keep : NULL, &c, &t, &e)) {
              fprintf(stderr, "%s\n", e.msg);
              return 1;
            }
            cycles += (double)t.array;
          }
          free(keep);
        }
        reps++;
      }
      double rate = cycles / (now() - t0);
      if (rate < worst) worst = rate;
      printf("cycle model %-7s %2lldx%-2lld: %.3g simulated array cycles/s (%.2fx the 1e9 target)\n",
             modes[mo], (long long)arrays[a][0], (long long)arrays[a][1], rate, rate / 1e9);
    }
  printf("slowest: %.3g cycles/s = %.2fx the 1e9 target\n", worst, worst / 1e9);
  return 0;
}
