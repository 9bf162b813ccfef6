/* test_sc_rtl: RTL-in-the-loop — the system model with the Verilator RTL timing every command
 * gives exactly the system cycles (and stalls) of the C cycle-model back-end, for arrays 4x4
 * and 8x8 (those built) x pruning rates 0, 0.3, 0.6 x integrations dma (transparent and
 * contending interconnect) and cpu_fed. Exits 77 (skipped) when the RTL is not built. */
#include <stdio.h>
#include <string.h>

#include "sa_config.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_prune.h"
#include "sa_system.h"
#include "sa_test.h"

int main(void) {
  static const int64_t arrays[2][2] = {{4, 4}, {8, 8}};
  static const double rates[3] = {0, 0.3, 0.6};
  static const char *const cfgs[3] = {"tests/sc/data/dma.yaml", "tests/sc/data/contend-rr.yaml",
                                      "tests/sc/data/cpu_fed.yaml"};
  int any = 0;
  for (int a = 0; a < 2; a++) any |= sa_system_rtl_available(arrays[a][0], arrays[a][1]);
  if (!any) {
    printf("test_sc_rtl: no RTL built for 4x4 or 8x8 (meson -Drtl=enabled): skipped\n");
    return 77;
  }
  sa_err e;
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  if (sa_manifest_load("tests/sc/data/tiny.yaml", &man, &e) || sa_model_load(man, &model, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  static sa_config cfg;
  for (int a = 0; a < 2; a++) {
    if (!sa_system_rtl_available(arrays[a][0], arrays[a][1])) {
      printf("%lldx%lld: RTL not built, not compared\n", (long long)arrays[a][0],
             (long long)arrays[a][1]);
      continue;
    }
    for (int ri = 0; ri < 3; ri++) {
      sa_prune_opts o;
      memset(&o, 0, sizeof o);
      o.scope = SA_SCOPE_ALL;
      o.layer_cap = 1.0;
      o.rate = rates[ri];
      o.tile_rows = arrays[a][0];
      o.tile_cols = arrays[a][1];
      sa_maskset ms;
      memset(&ms, 0, sizeof ms);
      if (sa_prune_masks(man, model, &o, &ms, NULL, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        CHECK(0);
        continue;
      }
      for (int c = 0; c < 3; c++) {
        if (sa_config_load(cfgs[c], &cfg, &e)) {
          fprintf(stderr, "%s\n", e.msg);
          CHECK(0);
          continue;
        }
        cfg.hw.rows = arrays[a][0];
        cfg.hw.cols = arrays[a][1];
        sa_system_result rc, rr;
        if (sa_system_run(&cfg, man, &ms, SA_SYSTEM_BACKEND_C, NULL, &rc, &e)) {
          fprintf(stderr, "%s\n", e.msg);
          CHECK(0);
          continue;
        }
        if (sa_system_run(&cfg, man, &ms, SA_SYSTEM_BACKEND_RTL, NULL, &rr, &e)) {
          fprintf(stderr, "%s\n", e.msg);
          CHECK(0);
          sa_system_result_free(&rc);
          continue;
        }
        printf("%lldx%lld rate %.1f %-30s C %10.0f  RTL %10.0f  (%lld RTL commands)\n",
               (long long)cfg.hw.rows, (long long)cfg.hw.cols, rates[ri], cfgs[c],
               rc.run.host_system, rr.run.host_system, (long long)rr.backend_commands);
        CHECK(rc.run.host_system == rr.run.host_system);
        CHECK_EQ_INT(rc.run.time.array, rr.run.time.array);
        CHECK_EQ_INT(rc.run.time.accel, rr.run.time.accel);
        CHECK_EQ_INT(rc.run.time.stall_weights + rc.run.time.stall_acts +
                         rc.run.time.stall_outputs,
                     rr.run.time.stall_weights + rr.run.time.stall_acts +
                         rr.run.time.stall_outputs);
        CHECK(rr.backend_commands > 0);
        sa_system_result_free(&rc);
        sa_system_result_free(&rr);
      }
      sa_maskset_free(&ms);
    }
  }
  sa_model_free(model);
  sa_manifest_free(man);
  return sa_test_done("test_sc_rtl");
}
