/* sa_cmd_sim: 'sasp sim CONFIG [--mask FILE] [--json FILE] [--system fast]' runs the
 * configured workload through the cycle/memory/host/energy model, prints a per-layer table
 * and totals, and optionally writes them as JSON (atomically, with provenance). */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_report.h"
#ifdef SA_HAVE_SYSTEMC
#include "sa_system.h"
#endif

static int usage(FILE *f, int rc) {
  fprintf(f,
          "usage: sasp sim CONFIG [--mask FILE] [--json FILE] [--system fast]\n"
          "  runs workload.manifest of CONFIG on the configured array (dense, or with the\n"
          "  tile masks of FILE as written by 'sasp prune'), prints per-layer and total\n"
          "  cycles, stalls, counts, energy, area and speed-ups; --json writes them to FILE.\n"
          "  --system fast: the analytical system model (the only one 'sasp sim' runs).\n");
  return rc;
}

int sa_cmd_sim(int argc, char **argv) {
#ifdef SA_HAVE_SYSTEMC
  /* --system sc: the SystemC system model (sim/sc/, docs/system.md) takes the whole command. */
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--system") && !strcmp(argv[i + 1], "sc")) return sa_system_cli(argc, argv);
#endif
  if (sa_cmd_wants_help(argc, argv)) return usage(stdout, 0);
  const char *cfg_path = NULL, *mask_path = NULL, *json_path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--mask") || !strcmp(a, "--json") || !strcmp(a, "--system")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "sasp sim: %s needs a value\n", a);
        return usage(stderr, 2);
      }
      const char *v = argv[++i];
      if (!strcmp(a, "--mask")) mask_path = v;
      else if (!strcmp(a, "--json")) json_path = v;
      else if (strcmp(v, "fast")) {
        fprintf(stderr, "sasp sim: --system '%s': only 'fast' (the analytical model) is "
                "available here\n", v);
        return 2;
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "sasp sim: unknown option '%s'\n", a);
      return usage(stderr, 2);
    } else if (!cfg_path) {
      cfg_path = a;
    } else {
      fprintf(stderr, "sasp sim: unexpected argument '%s'\n", a);
      return usage(stderr, 2);
    }
  }
  if (!cfg_path) return usage(stderr, 2);
  static sa_config cfg;
  sa_err e;
  if (sa_config_load(cfg_path, &cfg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  sa_manifest *man = NULL;
  if (sa_manifest_load(cfg.workload.manifest, &man, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  int rc = 1, have_mask = 0, have_run = 0, have_dense = 0;
  sa_maskset ms;
  sa_run_result run, dense;
  memset(&ms, 0, sizeof ms);
  if (mask_path) {
    if (sa_maskset_read(mask_path, cfg.hw.rows, cfg.hw.cols, &ms, &e)) goto fail;
    have_mask = 1;
  }
  if (sa_cycle_run_workload(&cfg, man, NULL, &dense, &e)) goto fail;
  have_dense = 1;
  if (have_mask) {
    if (sa_cycle_run_workload(&cfg, man, &ms, &run, &e)) {
      sa_err_prefix(&e, "%s", mask_path);
      goto fail;
    }
    have_run = 1;
  }
  const sa_run_result *r = have_run ? &run : &dense;
  printf("workload %s (%s)%s%s\n", man->name, cfg.workload.manifest,
         have_mask ? ", masks " : ", dense", have_mask ? mask_path : "");
  sa_report_print(stdout, &cfg, r, have_run ? &dense : NULL);
  if (json_path && sa_report_write_json(json_path, &cfg, cfg.workload.manifest, mask_path, r,
                                        have_run ? &dense : NULL, &e))
    goto fail;
  rc = 0;
fail:
  if (rc) fprintf(stderr, "%s\n", e.msg);
  if (have_run) sa_run_result_free(&run);
  if (have_dense) sa_run_result_free(&dense);
  if (have_mask) sa_maskset_free(&ms);
  sa_manifest_free(man);
  return rc;
}
