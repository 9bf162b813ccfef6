/* test_scalesim: how sasp's dense array cycles relate to SCALE-Sim's (docs/scale-sim.md).
 * SCALE-Sim's weight-stationary array spends 2R + C + M - 2 cycles per fold (an R-cycle
 * weight load, then M rows streamed with skew and drain) and runs the F = ceil(K/R) *
 * ceil(N/C) folds back to back. sasp hides every weight load but the first behind the
 * previous tile's stream (docs/timing.md §4-5), so one command of m rows takes
 *   R + F (m + R + C - 1) = SCALE-Sim(m) - F (R - 1) + R
 * cycles, and a layer is the sum over its commands (M split by buffers.acc_rows).
 * Checked on the layers of a SCALE-Sim topology (the reader's lowering included) through
 * sasp's own cycle model, for several arrays and command sizes. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_test.h"
#include "sa_timing.h"
#include "sa_topology.h"
#include "sa_workload.h"

/* SCALE-Sim v2 weight-stationary compute cycles of an M x K . K x N GEMM on R x C. */
static int64_t scalesim_ws(int64_t r, int64_t c, int64_t m, int64_t k, int64_t n) {
  int64_t folds = (k + r - 1) / r * ((n + c - 1) / c);
  return folds * (2 * r + c + m - 2);
}

int main(void) {
  /* layers of SCALE-Sim's alexnet and gpt2 example topologies, and a depthwise layer */
  static const char conv_csv[] =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
      "Num Filter, Strides,\n"
      "Conv1,224,224,11,11,3,96,4,\n"
      "Conv2,27,27,5,5,96,256,1,\n"
      "Conv5,13,13,3,3,384,256,1,\n"
      "Conv_DP,56,56,3,3,16,1,1,\n"
      "FC,1,1,1,1,512,1000,1,\n";
  static const char gemm_csv[] = "Layer,M,N,K\nQKT,1024,1024,64\nLinear1,1024,4800,1600\n"
                                 "Tiny,1,1,1\n";
  const char *texts[] = {conv_csv, gemm_csv};
  char csv[2][64];
  for (int t = 0; t < 2; t++) {
    snprintf(csv[t], sizeof csv[t], "/tmp/sasp-scalesimXXXXXX");
    int fd = mkstemp(csv[t]);
    CHECK(fd >= 0);
    if (fd < 0) return 1;
    CHECK(write(fd, texts[t], strlen(texts[t])) == (ssize_t)strlen(texts[t]));
    close(fd);
  }
  static const int64_t arrays[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 8}, {8, 32}, {128, 128}};
  static const int64_t accs[] = {1 << 20, 512, 100};
  int checked = 0;
  for (int t = 0; t < 2; t++)
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++)
      for (size_t q = 0; q < sizeof accs / sizeof accs[0]; q++) {
        const int64_t r = arrays[a][0], c = arrays[a][1], acc = accs[q];
        char yaml[1024];
        snprintf(yaml, sizeof yaml,
                 "array: {rows: %lld, cols: %lld}\nintegration: dma\n"
                 "buffers: {weight_kib: 1024, act_kib: 65536, out_kib: 65536, acc_rows: %lld}\n"
                 "tech: tech/45nm.yaml\nworkload: {topology: %s}\n",
                 (long long)r, (long long)c, (long long)acc, csv[t]);
        static sa_config cfg;
        sa_err e;
        sa_manifest *man = NULL;
        sa_run_result run;
        if (sa_config_load_buffer(yaml, strlen(yaml), "t.yaml", "configs", &cfg, &e) ||
            sa_workload_load(&cfg, &man, &e) || sa_cycle_run_workload(&cfg, man, NULL, &run, &e)) {
          fprintf(stderr, "%s\n", e.msg);
          CHECK(0);
          sa_manifest_free(man);
          continue;
        }
        for (int i = 0; i < man->n_layers; i++) {
          const sa_layer *l = &man->layers[i];
          const int64_t folds = sa_timing_tiles_k(l->k, r) * sa_timing_tiles_n(l->n, c);
          int64_t want = 0;
          for (int64_t m0 = 0; m0 < l->m; m0 += acc) {
            int64_t mc = l->m - m0 < acc ? l->m - m0 : acc;
            want += scalesim_ws(r, c, mc, l->k, l->n) - folds * (r - 1) + r;
          }
          want *= l->count;
          if (run.layers[i].time.array != want)
            fprintf(stderr, "%s on %lldx%lld, acc_rows %lld: sasp %lld, SCALE-Sim-derived %lld\n",
                    l->name, (long long)r, (long long)c, (long long)acc,
                    (long long)run.layers[i].time.array, (long long)want);
          CHECK_EQ_INT(run.layers[i].time.array, want);
          /* one command (M <= acc_rows): exactly F(R-1) - R fewer than SCALE-Sim */
          if (l->m <= acc)
            CHECK_EQ_INT(scalesim_ws(r, c, l->m, l->k, l->n) * l->count - run.layers[i].time.array,
                         (folds * (r - 1) - r) * l->count);
          checked++;
        }
        sa_run_result_free(&run);
        sa_manifest_free(man);
      }
  /* the worked example of docs/scale-sim.md: alexnet Conv1 on 16x16 */
  CHECK_EQ_INT(scalesim_ws(16, 16, 2916, 363, 96), 23 * 6 * (32 + 16 + 2916 - 2));
  CHECK_EQ_INT(sa_timing_command_cycles(16, 16, 2916, 363, 96, NULL),
               16 + 23 * 6 * (2916 + 16 + 16 - 1));
  CHECK_EQ_INT(checked, (5 + 3) * 6 * 3); /* layers x arrays x command sizes */
  unlink(csv[0]);
  unlink(csv[1]);
  return sa_test_done("scalesim");
}
