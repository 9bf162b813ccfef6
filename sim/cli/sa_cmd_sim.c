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

static int usage(FILE *f, int rc) {
  fprintf(f,
          "usage: sasp sim CONFIG [--mask FILE] [--json FILE] [--system fast|sc]\n"
          "                [--backend c|rtl] [--trace-bus FILE]\n"
          "  runs the workload of CONFIG (workload.manifest, or workload.topology: a SCALE-Sim\n"
          "  topology CSV) on the configured array (dense, or with the\n"
          "  tile masks of FILE as written by 'sasp prune'), prints per-layer and total\n"
          "  cycles, stalls, counts, energy, area and speed-ups; --json writes them to FILE.\n"
          "  --system fast (default): the analytical model.\n"
          "  --system sc%s:\n"
          "    simulates the whole system (host CPU, interconnect, DRAM, DMA or the cpu_fed\n"
          "    instruction path, accelerator) in SystemC/TLM-2.0 and adds the system section\n"
          "    (interconnect/DRAM utilisation, difference from the fast model).\n"
          "    Only with --system sc: --backend rtl times every command on the Verilator RTL\n"
          "    (default c: the C cycle model); --trace-bus writes one CSV row per\n"
          "    interconnect transaction to FILE.\n",
          SC_BUILT);
  return rc;
}

typedef struct sim_opts {
  const char *cfg, *mask, *json, *trace;
  const char *backend_arg; /* --backend as given (NULL: not given) */
  int system;              /* SYS_* */
  int backend;             /* sa_system_backend */
} sim_opts;

/* Parses argv into *o. Returns 0, or the exit status of a usage error (message printed). */
static int parse(int argc, char **argv, sim_opts *o) {
  memset(o, 0, sizeof *o);
  o->system = SYS_FAST;
  o->backend = SA_SYSTEM_BACKEND_C;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--mask") || !strcmp(a, "--json") || !strcmp(a, "--system") ||
        !strcmp(a, "--backend") || !strcmp(a, "--trace-bus")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "sasp sim: %s needs a value\n", a);
        return usage(stderr, 2);
      }
      const char *v = argv[++i];
      if (!strcmp(a, "--mask")) o->mask = v;
      else if (!strcmp(a, "--json")) o->json = v;
      else if (!strcmp(a, "--trace-bus")) o->trace = v;
      else if (!strcmp(a, "--backend")) {
        o->backend_arg = v;
        if (!strcmp(v, "c")) o->backend = SA_SYSTEM_BACKEND_C;
        else if (!strcmp(v, "rtl")) o->backend = SA_SYSTEM_BACKEND_RTL;
        else {
          fprintf(stderr, "sasp sim: --backend '%s': expected c or rtl\n", v);
          return 2;
        }
      } else if (!strcmp(v, "fast")) o->system = SYS_FAST;
      else if (!strcmp(v, "sc")) o->system = SYS_SC;
      else {
        fprintf(stderr, "sasp sim: --system '%s': expected fast (the analytical model) or sc "
                "(the SystemC system model)\n", v);
        return 2;
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "sasp sim: unknown option '%s'\n", a);
      return usage(stderr, 2);
    } else if (!o->cfg) {
      o->cfg = a;
    } else {
      fprintf(stderr, "sasp sim: unexpected argument '%s'\n", a);
      return usage(stderr, 2);
    }
  }
  if (o->system == SYS_FAST && (o->backend_arg || o->trace)) {
    fprintf(stderr, "sasp sim: %s is an option of the SystemC model: add --system sc\n",
            o->backend_arg ? "--backend" : "--trace-bus");
    return 2;
  }
#ifndef SA_HAVE_SYSTEMC
  if (o->system == SYS_SC) {
    fprintf(stderr, "sasp sim: --system sc: this sasp was built without SystemC (meson "
            "-Dsystemc=enabled with libsystemc-dev installed)\n");
    return 2;
  }
#endif
  if (!o->cfg) return usage(stderr, 2);
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
  if (sa_cmd_wants_help(argc, argv)) return usage(stdout, 0);
  sim_opts o;
  int urc = parse(argc, argv, &o);
  if (urc) return urc;
  static sa_config cfg;
  sa_err e;
  if (sa_config_load(o.cfg, &cfg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  sa_manifest *man = NULL;
  if (sa_workload_load(&cfg, &man, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  int rc = 1, have_mask = 0, have_run = 0, have_dense = 0;
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
  rc = 0;
fail:
  if (rc) fprintf(stderr, "%s\n", e.msg);
  if (have_run) free_run(&o, &run);
  if (have_dense) free_run(&o, &dense);
  if (have_mask) sa_maskset_free(&ms);
  sa_manifest_free(man);
  return rc;
}
