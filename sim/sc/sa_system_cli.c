/* sa_system_cli: 'sasp sim CONFIG --system sc ...' — runs the SystemC system model and
 * reports it in the fast model's format plus the system section (docs/system.md). */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_json.h"
#include "sa_out.h"
#include "sa_report.h"
#include "sa_system.h"

static int usage(FILE *f, int rc) {
  fprintf(f,
          "usage: sasp sim CONFIG --system sc [--mask FILE] [--json FILE] [--backend c|rtl]\n"
          "                [--trace-bus FILE]\n"
          "  simulates the whole system (host CPU, interconnect, DRAM, DMA or the cpu_fed\n"
          "  instruction path, and the accelerator) in SystemC/TLM-2.0 and prints the same\n"
          "  report as the fast model, plus interconnect/DRAM utilisation and the difference\n"
          "  from the fast model. --backend rtl times every command on the Verilator RTL\n"
          "  (RTL-in-the-loop); --trace-bus writes one CSV row per interconnect transaction.\n");
  return rc;
}

static int write_json(const char *path, const sa_config *cfg, const char *mask_path,
                      const sa_system_result *r, const sa_system_result *dense, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  sa_json j;
  sa_json_init(&j, o.f, 1);
  sa_json_obj(&j);
  sa_json_provenance(&j);
  sa_json_key(&j, "config"), sa_config_write_json(cfg, &j);
  sa_json_key(&j, "manifest"), sa_json_str(&j, cfg->workload.manifest);
  sa_json_key(&j, "mask"), sa_json_str(&j, mask_path);
  sa_report_json(&j, &r->run, dense ? &dense->run : NULL);
  sa_system_json(&j, cfg, r);
  sa_json_end(&j);
  fputc('\n', o.f);
  return sa_out_commit(&o, e);
}

int sa_system_cli(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) return usage(stdout, 0);
  const char *cfg_path = NULL, *mask_path = NULL, *json_path = NULL, *trace_path = NULL;
  int backend = SA_SYSTEM_BACKEND_C;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--mask") || !strcmp(a, "--json") || !strcmp(a, "--system") ||
        !strcmp(a, "--backend") || !strcmp(a, "--trace-bus")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "sasp sim: %s needs a value\n", a);
        return usage(stderr, 2);
      }
      const char *v = argv[++i];
      if (!strcmp(a, "--mask")) mask_path = v;
      else if (!strcmp(a, "--json")) json_path = v;
      else if (!strcmp(a, "--trace-bus")) trace_path = v;
      else if (!strcmp(a, "--backend")) {
        if (!strcmp(v, "c")) backend = SA_SYSTEM_BACKEND_C;
        else if (!strcmp(v, "rtl")) backend = SA_SYSTEM_BACKEND_RTL;
        else {
          fprintf(stderr, "sasp sim: --backend '%s': expected c or rtl\n", v);
          return 2;
        }
      } else if (strcmp(v, "sc")) {
        fprintf(stderr, "sasp sim: --system '%s': this is the SystemC model ('sc')\n", v);
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
  sa_system_result run, dense;
  memset(&ms, 0, sizeof ms);
  if (mask_path) {
    if (sa_maskset_read(mask_path, cfg.hw.rows, cfg.hw.cols, &ms, &e)) goto fail;
    have_mask = 1;
  }
  if (sa_system_run(&cfg, man, NULL, backend, have_mask ? NULL : trace_path, &dense, &e))
    goto fail;
  have_dense = 1;
  if (have_mask) {
    if (sa_system_run(&cfg, man, &ms, backend, trace_path, &run, &e)) {
      sa_err_prefix(&e, "%s", mask_path);
      goto fail;
    }
    have_run = 1;
  }
  const sa_system_result *r = have_run ? &run : &dense;
  printf("workload %s (%s)%s%s\n", man->name, cfg.workload.manifest,
         have_mask ? ", masks " : ", dense", have_mask ? mask_path : "");
  sa_report_print(stdout, &cfg, &r->run, have_run ? &dense.run : NULL);
  sa_system_print(stdout, &cfg, r);
  if (json_path && write_json(json_path, &cfg, mask_path, r, have_run ? &dense : NULL, &e))
    goto fail;
  rc = 0;
fail:
  if (rc) fprintf(stderr, "%s\n", e.msg);
  if (have_run) sa_system_result_free(&run);
  if (have_dense) sa_system_result_free(&dense);
  if (have_mask) sa_maskset_free(&ms);
  sa_manifest_free(man);
  return rc;
}
