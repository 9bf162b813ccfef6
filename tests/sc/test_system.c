/* test_system: the SystemC system model against the fast model (docs/system.md §5).
 * For every point of a sweep (arrays 4x4 and 8x8 x pruning rates 0, 0.3, 0.6 of a tiny
 * synthetic manifest): a transparent interconnect gives exactly the fast model's system
 * cycles and stall breakdown; contending interconnects stay within 2 % (the differences are
 * printed); cpu_fed is exact. Also: the transaction trace, repeated runs, error paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_prune.h"
#include "sa_system.h"
#include "sa_test.h"

static const char *data = "tests/sc/data/";

static int load_cfg(const char *name, sa_config *cfg) {
  char path[512];
  sa_err e;
  snprintf(path, sizeof path, "%s%s", data, name);
  if (sa_config_load(path, cfg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return -1;
  }
  return 0;
}

/* Masks of man for an R x C array at rate (all layers in scope, global mean-|w|). */
static int make_masks(const sa_manifest *man, const sa_model *model, int64_t r, int64_t c,
                      double rate, sa_maskset *ms) {
  sa_prune_opts o;
  memset(&o, 0, sizeof o);
  o.criterion = SA_CRIT_MEAN_ABS;
  o.scope = SA_SCOPE_ALL;
  o.threshold = SA_THRESH_GLOBAL;
  o.layer_cap = 1.0;
  o.rate = rate;
  o.tile_rows = r;
  o.tile_cols = c;
  sa_err e;
  if (sa_prune_masks(man, model, &o, ms, NULL, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return -1;
  }
  return 0;
}

/* Runs fast and SystemC on cfg; returns the relative difference of system cycles (NAN on
 * failure) and checks the stall breakdown when exact is set. */
static double compare(const sa_config *cfg, const sa_manifest *man, const sa_maskset *ms,
                      int exact, const char *tag) {
  sa_err e;
  sa_run_result fast;
  sa_system_result sys;
  if (sa_cycle_run_workload(cfg, man, ms, &fast, &e)) {
    fprintf(stderr, "%s: fast: %s\n", tag, e.msg);
    CHECK(0);
    return NAN;
  }
  if (sa_system_run(cfg, man, ms, SA_SYSTEM_BACKEND_C, NULL, &sys, &e)) {
    fprintf(stderr, "%s: system: %s\n", tag, e.msg);
    CHECK(0);
    sa_run_result_free(&fast);
    return NAN;
  }
  double d = sys.run.host_system / fast.host_system - 1;
  printf("%-34s fast %10.0f  systemc %10.0f  diff %+8.4f %%  bus %5.1f %%  dram %5.1f %%"
         "  waits %lld/%lld\n",
         tag, fast.host_system, sys.run.host_system, 100 * d, 100 * sys.bus_util,
         100 * sys.dram_util, (long long)sys.wait_bus_cycles, (long long)sys.wait_bank_cycles);
  CHECK(fabs(sys.fast_host_system - fast.host_system) < 1e-9);
  CHECK_EQ_INT(sys.run.counts.macs, fast.counts.macs);
  CHECK_EQ_INT(sys.run.counts.dram_read + sys.run.counts.dram_write,
               fast.counts.dram_read + fast.counts.dram_write);
  CHECK_EQ_INT(sys.run.time.array, fast.time.array);
  if (cfg->hw.integration == SA_INTEG_DMA)
    CHECK_EQ_INT(sys.bus_bytes, fast.counts.dram_read + fast.counts.dram_write);
  if (exact) {
    CHECK(sys.run.host_system == fast.host_system);
    CHECK_EQ_INT(sys.run.time.stall_weights, fast.time.stall_weights);
    CHECK_EQ_INT(sys.run.time.stall_acts, fast.time.stall_acts);
    CHECK_EQ_INT(sys.run.time.stall_outputs, fast.time.stall_outputs);
    CHECK_EQ_INT(sys.run.time.accel, fast.time.accel);
    for (int i = 0; i < fast.n_layers; i++) {
      CHECK(sys.run.layers[i].time.host_gemm == fast.layers[i].time.host_gemm);
      CHECK(fabs(sys.run.layers[i].energy.total - fast.layers[i].energy.total) <=
            1e-9 * fast.layers[i].energy.total);
    }
    CHECK(fabs(sys.run.energy.total - fast.energy.total) <= 1e-9 * fast.energy.total);
  }
  sa_system_result_free(&sys);
  sa_run_result_free(&fast);
  return d;
}

static void sweep(const sa_manifest *man, const sa_model *model) {
  static const int64_t arrays[2][2] = {{4, 4}, {8, 8}};
  static const double rates[3] = {0, 0.3, 0.6};
  /* Same memory system as the fast model (one channel), contending interconnects: within
   * 2 %. More banks: at most the latency slower, usually faster. Narrower: reported. */
  static const char *const contend[] = {"contend-rr.yaml", "contend-fixed.yaml",
                                        "contend-banks.yaml", "narrow.yaml"};
  static sa_config base, cpu, con[4];
  if (load_cfg("dma.yaml", &base) || load_cfg("cpu_fed.yaml", &cpu)) {
    CHECK(0);
    return;
  }
  for (int c = 0; c < 4; c++)
    if (load_cfg(contend[c], &con[c])) {
      CHECK(0);
      return;
    }
  double worst = 0;
  for (int a = 0; a < 2; a++)
    for (int ri = 0; ri < 3; ri++) {
      sa_maskset ms;
      memset(&ms, 0, sizeof ms);
      if (make_masks(man, model, arrays[a][0], arrays[a][1], rates[ri], &ms)) {
        CHECK(0);
        continue;
      }
      char tag[96];
      static sa_config cfg;
      cfg = base;
      cfg.hw.rows = arrays[a][0];
      cfg.hw.cols = arrays[a][1];
      snprintf(tag, sizeof tag, "%lldx%lld rate %.1f dma transparent", (long long)cfg.hw.rows,
               (long long)cfg.hw.cols, rates[ri]);
      double d = compare(&cfg, man, &ms, 1, tag);
      CHECK(d == 0);
      cfg = cpu;
      cfg.hw.rows = arrays[a][0];
      cfg.hw.cols = arrays[a][1];
      snprintf(tag, sizeof tag, "%lldx%lld rate %.1f cpu_fed", (long long)cfg.hw.rows,
               (long long)cfg.hw.cols, rates[ri]);
      d = compare(&cfg, man, &ms, 1, tag);
      CHECK(d == 0);
      /* the other cpu_fed variants: fp32 activations, every skip encoding (the walk, and
       * non_pruned running the pruned tiles) — the same instruction stream, so exact too */
      for (int f = 0; f < SA_SKIP_COUNT; f++) {
        cfg = cpu;
        cfg.hw.rows = arrays[a][0];
        cfg.hw.cols = arrays[a][1];
        cfg.hw.act_type = f % 2 ? SA_ACT_FP32 : SA_ACT_INT8;
        cfg.hw.add_fp32 = 1.5;
        cfg.hw.skip_format = f;
        cfg.hw.walk_tile[f] = 2.5;
        cfg.hw.walk_strip[f] = 7;
        cfg.hw.walk_word = 0.5;
        snprintf(tag, sizeof tag, "%lldx%lld rate %.1f cpu_fed %s %s", (long long)cfg.hw.rows,
                 (long long)cfg.hw.cols, rates[ri], sa_config_act_type_name(cfg.hw.act_type),
                 sa_config_skip_format_name(f));
        CHECK(compare(&cfg, man, &ms, 1, tag) == 0);
      }
      for (int c = 0; c < 4; c++) {
        cfg = con[c];
        cfg.hw.rows = arrays[a][0];
        cfg.hw.cols = arrays[a][1];
        snprintf(tag, sizeof tag, "%lldx%lld rate %.1f %s", (long long)cfg.hw.rows,
                 (long long)cfg.hw.cols, rates[ri], contend[c]);
        d = compare(&cfg, man, &ms, 0, tag);
        if (c < 2) {
          CHECK(fabs(d) <= 0.02);
          if (fabs(d) > worst) worst = fabs(d);
        } else if (c == 2) {
          CHECK(d <= 0.02);
        } else {
          CHECK(d >= 0);
        }
      }
      sa_maskset_free(&ms);
    }
  printf("largest |difference| with a contending interconnect on one bank: %.4f %%\n",
         100 * worst);
}

/* The trace has one row per transaction and carries every DRAM byte; the model is not
 * disturbed by tracing. */
static void trace_check(const sa_manifest *man) {
  static sa_config cfg;
  if (load_cfg("contend-rr.yaml", &cfg)) {
    CHECK(0);
    return;
  }
  const char *path = "build-sc-test-trace.csv";
  char tmp[256];
  const char *dir = getenv("MESON_BUILD_ROOT");
  snprintf(tmp, sizeof tmp, "%s/%s", dir ? dir : "/tmp", path);
  sa_err e;
  sa_system_result a, b;
  if (sa_system_run(&cfg, man, NULL, SA_SYSTEM_BACKEND_C, tmp, &a, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    CHECK(0);
    return;
  }
  if (sa_system_run(&cfg, man, NULL, SA_SYSTEM_BACKEND_C, NULL, &b, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    CHECK(0);
    sa_system_result_free(&a);
    return;
  }
  CHECK(a.run.host_system == b.run.host_system);
  FILE *f = fopen(tmp, "r");
  CHECK(f != NULL);
  if (f) {
    char line[512];
    int64_t rows = 0, bytes = 0;
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK_CONTAINS(line, "id,command,initiator,kind,bank,bytes,t_request");
    while (fgets(line, sizeof line, f)) {
      long long id, cmd, bank, by;
      char init[32], kind[32];
      CHECK(sscanf(line, "%lld,%lld,%31[^,],%31[^,],%lld,%lld,", &id, &cmd, init, kind, &bank,
                   &by) == 6);
      rows++;
      bytes += by;
    }
    fclose(f);
    CHECK_EQ_INT(rows, a.transactions);
    CHECK_EQ_INT(bytes, a.bus_bytes);
    CHECK_EQ_INT(bytes, a.run.counts.dram_read + a.run.counts.dram_write);
  }
  remove(tmp);
  sa_system_result_free(&a);
  sa_system_result_free(&b);
}

static void errors(const sa_manifest *man) {
  static sa_config cfg;
  if (load_cfg("dma.yaml", &cfg)) {
    CHECK(0);
    return;
  }
  sa_err e;
  sa_system_result r;
  /* A mask set for another array is refused with the fast model's message. */
  sa_maskset ms;
  memset(&ms, 0, sizeof ms);
  ms.tile_rows = 8;
  ms.tile_cols = 8;
  ms.n = man->n_layers;
  ms.masks = calloc((size_t)man->n_layers, sizeof *ms.masks);
  for (int i = 0; i < man->n_layers; i++)
    CHECK(!sa_tilemask_init(&ms.masks[i], man->layers[i].name, man->layers[i].k,
                            man->layers[i].n, 8, 8, &e));
  CHECK(sa_system_run(&cfg, man, &ms, SA_SYSTEM_BACKEND_C, NULL, &r, &e) == -1);
  CHECK_CONTAINS(e.msg, "8x8 tiles, the array is 4x4");
  sa_maskset_free(&ms);
  /* An unwritable trace file. */
  CHECK(sa_system_run(&cfg, man, NULL, SA_SYSTEM_BACKEND_C, "/nonexistent/dir/t.csv", &r,
                      &e) == -1);
  CHECK_CONTAINS(e.msg, "/nonexistent/dir/t.csv");
  /* Limits: a workload of more tiles than the model simulates is refused up front, naming
   * its largest layer; a DMA transfer one interconnect transaction cannot carry (here the
   * zeros of 262145 fully pruned output strips of 1024 rows, 4 GiB + 16 KiB) is refused
   * naming the command. */
  sa_manifest big = *man;
  sa_layer bl = man->layers[0];
  snprintf(bl.name, sizeof bl.name, "huge");
  bl.m = 8;
  bl.k = bl.n = 4 * 20000;
  bl.count = 1;
  big.n_layers = 1;
  big.layers = &bl;
  CHECK(sa_system_run(&cfg, &big, NULL, SA_SYSTEM_BACKEND_C, NULL, &r, &e) == -1);
  CHECK_CONTAINS(e.msg, "layer 'huge': 400000000) exceed the system model's limit");
  bl.m = 1024;
  bl.k = 4;
  bl.n = 1048580;
  cfg.hw.acc_rows = 1024;
  cfg.hw.act_buf_kib = cfg.hw.out_buf_kib = 1024;
  memset(&ms, 0, sizeof ms);
  ms.tile_rows = ms.tile_cols = 4;
  ms.n = 1;
  ms.masks = calloc(1, sizeof *ms.masks);
  CHECK(!sa_tilemask_init(&ms.masks[0], "huge", bl.k, bl.n, 4, 4, &e));
  memset(ms.masks[0].keep, 0, (size_t)(ms.masks[0].kt * ms.masks[0].nt));
  CHECK(sa_system_run(&cfg, &big, &ms, SA_SYSTEM_BACKEND_C, NULL, &r, &e) == -1);
  CHECK_CONTAINS(e.msg, "layer 'huge': command 1024 x 4 x 1048580: its output transfer of "
                 "4294983680 bytes exceeds");
  sa_maskset_free(&ms);
  /* The RTL back-end for a size that is not prebuilt: its model is built on demand into the
   * model cache; here the cache is empty and no verilator can be found, so the run fails with
   * the reason, naming the size (without RTL compiled in: the build option). */
  cfg.hw.rows = 3;
  cfg.hw.cols = 5;
  CHECK(!sa_system_rtl_available(3, 5));
  char cache[] = "/tmp/sasp-test-system-cache.XXXXXX";
  CHECK(mkdtemp(cache) != NULL);
  setenv("SASP_RTL_CACHE", cache, 1);
  setenv("SASP_VERILATOR", "/nonexistent/verilator", 1);
  CHECK(sa_system_run(&cfg, man, NULL, SA_SYSTEM_BACKEND_RTL, NULL, &r, &e) == -1);
  CHECK_CONTAINS(e.msg, "RTL back-end: ");
  CHECK_CONTAINS(e.msg, "3x5");
#ifdef SA_HAVE_RTL
  CHECK_CONTAINS(e.msg, "verilator not found");
#endif
  unsetenv("SASP_VERILATOR");
  unsetenv("SASP_RTL_CACHE");
  /* what the failed attempt left in the cache (a lock file, no model) */
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
  CHECK(system(cmd) == 0);
}

int main(void) {
  sa_err e;
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  char path[512];
  snprintf(path, sizeof path, "%stiny.yaml", data);
  if (sa_manifest_load(path, &man, &e) || sa_model_load(man, &model, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  sweep(man, model);
  trace_check(man);
  errors(man);
  sa_model_free(model);
  sa_manifest_free(man);
  return sa_test_done("test_sc_system");
}
