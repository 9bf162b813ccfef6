/* sa_cmd_sim: 'sasp sim CONFIG [--mask FILE] [--json FILE] [--system fast|sc] [--backend c|rtl]
 * [--trace-bus FILE]' runs the configured workload through the fast cycle/memory/host/energy
 * model or the SystemC system model (docs/system.md), prints a per-layer table and totals,
 * and optionally writes them as JSON (atomically, with provenance). */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_report.h"
#include "sa_system.h"
#include "sa_workload.h"

enum { SYS_FAST, SYS_SC };

#ifdef SA_HAVE_SYSTEMC
#define SC_BUILT ""
#else
#define SC_BUILT " (not in this build: it needs SystemC)"
#endif

typedef struct sim_opts {
  const char *cfg, *mask, *json, *trace;
  const char *backend_arg; /* --backend as given (NULL: not given) */
  int system;              /* SYS_* */
  int backend;             /* sa_system_backend */
  int strict;              /* --strict: ignored config keys are errors */
} sim_opts;

static const char sim_about[] =
    "Runs the workload of CONFIG (workload.manifest, or workload.topology: a SCALE-Sim\n"
    "topology CSV) on the configured array (dense, or with the tile masks of FILE as written\n"
    "by 'sasp prune'), prints per-layer and total cycles, stalls, counts, energy, area,\n"
    "speed-ups and the weight + skip-metadata bytes of every layer. Keys the integration\n"
    "ignores give a warning (--strict: an error).\n"
    "--system fast (default): the analytical model. --system sc" SC_BUILT ": the whole system\n"
    "(host CPU, interconnect, DRAM, DMA or the cpu_fed instruction path, accelerator) in\n"
    "SystemC/TLM-2.0, adding the system section (interconnect/DRAM utilisation, difference\n"
    "from the fast model).";

/* Parses argv into *o. Returns 0, or -1 with the exit status in *status (help or usage). */
static int parse(int argc, char **argv, sim_opts *o, int *status) {
  memset(o, 0, sizeof *o);
  const char *system = "fast";
  const sa_opt opts[] = {
      {"mask", 0, SA_OPT_STR, "FILE", "tile masks from 'sasp prune' (default: dense)", &o->mask,
       0, 0},
      {"json", 0, SA_OPT_STR, "FILE", "also write the results as JSON (atomically)", &o->json, 0,
       0},
      {"system", 0, SA_OPT_STR, "M", "fast (default) or sc (the SystemC system model)", &system,
       0, 0},
      {"backend", 0, SA_OPT_STR, "B", "--system sc only: c (default, the C cycle model) or rtl\n"
       "(every command timed on the Verilator RTL)", &o->backend_arg, 0, 0},
      {"trace-bus", 0, SA_OPT_STR, "FILE", "--system sc only: one CSV row per interconnect\n"
       "transaction", &o->trace, 0, 0},
      {"strict", 0, SA_OPT_FLAG, NULL, "keys of CONFIG that the integration ignores are errors",
       &o->strict, 0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "sim",
      "CONFIG [--mask FILE] [--json FILE] [--system fast|sc] [--strict]\n"
      "CONFIG --system sc [--backend c|rtl] [--trace-bus FILE] [...]",
      sim_about, opts, 1, NULL,
  };
  const char *pos[1];
  int n;
  if (sa_args_parse(&spec, argc, argv, pos, &n, status)) return -1;
  *status = SA_EXIT_USAGE;
  if (!n) return sa_args_usage_error(&spec, "CONFIG is required"), -1;
  o->cfg = pos[0];
  if (!strcmp(system, "fast")) o->system = SYS_FAST;
  else if (!strcmp(system, "sc")) o->system = SYS_SC;
  else
    return sa_args_usage_error(&spec, "--system '%s': expected fast (the analytical model) or "
                               "sc (the SystemC system model)", system), -1;
  o->backend = SA_SYSTEM_BACKEND_C;
  if (o->backend_arg && !strcmp(o->backend_arg, "rtl")) o->backend = SA_SYSTEM_BACKEND_RTL;
  else if (o->backend_arg && strcmp(o->backend_arg, "c"))
    return sa_args_usage_error(&spec, "--backend '%s': expected c or rtl", o->backend_arg), -1;
  if (o->system == SYS_FAST && (o->backend_arg || o->trace))
    return sa_args_usage_error(&spec, "%s is an option of the SystemC model: add --system sc",
                               o->backend_arg ? "--backend" : "--trace-bus"), -1;
#ifndef SA_HAVE_SYSTEMC
  if (o->system == SYS_SC)
    return sa_args_usage_error(&spec, "--system sc: this sasp was built without SystemC (meson "
                               "-Dsystemc=enabled with libsystemc-dev installed)"), -1;
#endif
  return 0;
}

/* One run of the chosen model (masks NULL: dense) into *out; trace: the SystemC model's
 * transaction trace file or NULL. Returns 0 or -1 with e filled (nothing to free then). */
static int run_model(const sim_opts *o, const sa_config *cfg, const sa_manifest *man,
                     const sa_maskset *masks, const char *trace, sa_system_result *out,
                     sa_err *e) {
  memset(out, 0, sizeof *out);
#ifdef SA_HAVE_SYSTEMC
  if (o->system == SYS_SC) return sa_system_run(cfg, man, masks, o->backend, trace, out, e);
#else
  SA_ASSERT(o->system == SYS_FAST && !trace);
#endif
  return sa_cycle_run_workload(cfg, man, masks, &out->run, e);
}

static void free_run(const sim_opts *o, sa_system_result *r) {
#ifdef SA_HAVE_SYSTEMC
  if (o->system == SYS_SC) {
    sa_system_result_free(r);
    return;
  }
#else
  (void)o;
#endif
  sa_run_result_free(&r->run);
}

/* The JSON "system" section of a SystemC run (sa_report_write_json's extra keys). */
typedef struct sys_json {
  const sa_config *cfg;
  const sa_system_result *r;
} sys_json;

static void write_system_json(sa_json *j, const void *ctx) {
#ifdef SA_HAVE_SYSTEMC
  const sys_json *s = ctx;
  sa_system_json(j, s->cfg, s->r);
#else
  (void)j;
  (void)ctx;
  SA_ASSERT(0 && "the system section needs SystemC");
#endif
}

int sa_cmd_sim(int argc, char **argv) {
  sim_opts o;
  int status;
  if (parse(argc, argv, &o, &status)) return status;
  static sa_config cfg;
  sa_err e;
  if (sa_cmd_load_config("sim", o.cfg, o.strict, &cfg)) return SA_EXIT_FAIL;
  sa_manifest *man = NULL;
  if (sa_workload_load(&cfg, &man, &e)) return sa_cmd_fail("sim", &e);
  int rc = SA_EXIT_FAIL, have_mask = 0, have_run = 0, have_dense = 0;
  sa_maskset ms;
  sa_system_result run, dense;
  memset(&ms, 0, sizeof ms);
  if (o.mask) {
    if (sa_maskset_read(o.mask, cfg.hw.rows, cfg.hw.cols, &ms, &e)) goto fail;
    have_mask = 1;
  }
  /* The trace, if asked for, is of the run that is reported: the masked one when masked. */
  if (run_model(&o, &cfg, man, NULL, have_mask ? NULL : o.trace, &dense, &e)) goto fail;
  have_dense = 1;
  if (have_mask) {
    if (run_model(&o, &cfg, man, &ms, o.trace, &run, &e)) {
      sa_err_prefix(&e, "%s", o.mask);
      goto fail;
    }
    have_run = 1;
  }
  const sa_system_result *r = have_run ? &run : &dense;
  const sa_run_result *base = have_run ? &dense.run : NULL;
  printf("workload %s (%s%s)%s%s\n", man->name,
         cfg.workload.topology[0] ? "SCALE-Sim topology " : "", sa_workload_path(&cfg),
         have_mask ? ", masks " : ", dense", have_mask ? o.mask : "");
  sa_report_print(stdout, &cfg, &r->run, base);
  sys_json sj = {&cfg, r};
#ifdef SA_HAVE_SYSTEMC
  if (o.system == SYS_SC) sa_system_print(stdout, &cfg, r);
#endif
  if (o.json && sa_report_write_json(o.json, &cfg, sa_workload_path(&cfg), o.mask, &r->run, base,
                                     o.system == SYS_SC ? write_system_json : NULL, &sj, &e))
    goto fail;
  rc = SA_EXIT_OK;
fail:
  if (rc) sa_cmd_fail("sim", &e);
  if (have_run) free_run(&o, &run);
  if (have_dense) free_run(&o, &dense);
  if (have_mask) sa_maskset_free(&ms);
  sa_manifest_free(man);
  return rc;
}
