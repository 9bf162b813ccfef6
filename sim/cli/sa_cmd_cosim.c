/* sa_cmd_cosim: 'sasp cosim CONFIG [--mask FILE] [--trace FILE.fst|.vcd] [--all|--sample N]
 * [--seed S]' runs the workload's GEMMs on the Verilator RTL of the configured array and on
 * the C model, compares every output value and every command's cycle count, prints a
 * per-GEMM table and exits 0 only if everything agrees (1 on a mismatch or bad input, 2 on a
 * usage error or when no RTL model can be had: a build without RTL, or a size that is not
 * prebuilt and cannot be built on demand). Test hook: with SASP_COSIM_PERTURB set in the
 * environment the RTL flips one output bit per command, so tests can prove a mismatch is
 * reported (exit 1, GEMM, tile and element named). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_cosim.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_model.h"
#include "sa_workload.h"

static int usage(FILE *f, int rc) {
  fprintf(f,
          "usage: sasp cosim CONFIG [--mask FILE] [--trace FILE.fst|.vcd] [--all | --sample N]\n"
          "                  [--seed S]\n"
          "  runs the GEMMs of the workload (manifest or topology) on the RTL of the configured array and on\n"
          "  the C model and compares every output value and every command's cycle count.\n"
          "  --mask FILE   tile masks from 'sasp prune' (default: dense)\n"
          "  --trace FILE  write waves of the whole RTL run: FILE.fst or FILE.vcd\n"
          "  --all         every GEMM; --sample N: N GEMMs picked by the seed (default: the\n"
          "                config's sweep.rtl_check / sweep.rtl_sample; 'off' means all here)\n"
          "  --seed S      activations (and the sample) derive from S (default sweep.seed)\n"
          "  Weights are the model's, quantised to int8 as docs/asr.md specifies;\n"
          "  activations are uniform pseudo-random int8 in [-128, 127].\n"
          "  Array sizes not prebuilt (-Drtl_sizes) are built on first use into the model\n"
          "  cache ($SASP_RTL_CACHE, else $XDG_CACHE_HOME/sasp/rtl or ~/.cache/sasp/rtl).\n"
          "  Exit 0: everything agrees; 1: a mismatch or bad input (an array outside\n"
          "  2x2 ... 256x256 included); 2: usage, or no RTL model can be had (built without\n"
          "  RTL, verilator missing, the model's build failed: the message names its log).\n");
  return rc;
}

static int parse_i64(const char *opt, const char *v, int64_t lo, int64_t *out) {
  char *end;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (errno || end == v || *end || x < lo) {
    fprintf(stderr, "sasp cosim: %s '%s': expected an integer >= %lld\n", opt, v,
            (long long)lo);
    return -1;
  }
  *out = x;
  return 0;
}

int sa_cmd_cosim(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) return usage(stdout, 0);
  const char *cfg_path = NULL, *mask_path = NULL, *trace_path = NULL;
  int64_t sample = -1, seed = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--mask") || !strcmp(a, "--trace") || !strcmp(a, "--sample") ||
        !strcmp(a, "--seed")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "sasp cosim: %s needs a value\n", a);
        return usage(stderr, 2);
      }
      const char *v = argv[++i];
      if (!strcmp(a, "--mask")) mask_path = v;
      else if (!strcmp(a, "--trace")) trace_path = v;
      else if (!strcmp(a, "--sample")) {
        if (parse_i64(a, v, 1, &sample)) return 2;
      } else if (parse_i64(a, v, 0, &seed)) {
        return 2;
      }
    } else if (!strcmp(a, "--all")) {
      sample = 0;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "sasp cosim: unknown option '%s'\n", a);
      return usage(stderr, 2);
    } else if (!cfg_path) {
      cfg_path = a;
    } else {
      fprintf(stderr, "sasp cosim: unexpected argument '%s'\n", a);
      return usage(stderr, 2);
    }
  }
  if (!cfg_path) return usage(stderr, 2);
  if (!sa_cosim_available()) {
    fprintf(stderr, "sasp cosim: built without RTL (needs verilator; reconfigure with "
            "-Drtl=enabled); nothing was run\n");
    return 2;
  }
  static sa_config cfg;
  sa_err e;
  if (sa_config_load(cfg_path, &cfg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  if (sample < 0) sample = cfg.sweep.rtl_check == SA_RTL_SAMPLE ? cfg.sweep.rtl_sample : 0;
  if (seed < 0) seed = cfg.sweep.seed;
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  sa_maskset ms;
  int have_mask = 0, rc = 1;
  memset(&ms, 0, sizeof ms);
  if (sa_workload_load(&cfg, &man, &e)) goto fail;
  if (sa_model_load(man, &model, &e)) goto fail;
  if (mask_path) {
    if (sa_maskset_read(mask_path, cfg.hw.rows, cfg.hw.cols, &ms, &e)) goto fail;
    have_mask = 1;
  }
  printf("sasp cosim: %s, %lldx%lld array (prebuilt RTL: %s; others built on demand), %s, %s, "
         "seed %lld\n", cfg_path, (long long)cfg.hw.rows, (long long)cfg.hw.cols,
         sa_cosim_sizes()[0] ? sa_cosim_sizes() : "none",
         mask_path ? mask_path : "dense", sample ? "sample" : "all GEMMs", (long long)seed);
  sa_cosim_opts o;
  memset(&o, 0, sizeof o);
  o.sample = sample;
  o.seed = (uint64_t)seed;
  o.trace = trace_path;
  o.table = stdout;
  o.perturb = getenv("SASP_COSIM_PERTURB") != NULL;
  sa_cosim_summary s;
  if (sa_cosim_run(&cfg, man, model, have_mask ? &ms : NULL, &o, &s, &e)) {
    if (s.rtl_unavailable) rc = 2;
    goto fail;
  }
  printf("%lld GEMMs, %lld commands, %lld values and %lld cycle counts compared: %s\n",
         (long long)s.gemms, (long long)s.commands, (long long)s.values_compared,
         (long long)s.cycles_compared, s.pass ? "RTL and C model agree" : "MISMATCH");
  if (!s.pass) fprintf(stderr, "sasp cosim: %s\n", s.first_mismatch);
  rc = s.pass ? 0 : 1;
  goto out;
fail:
  fprintf(stderr, "%s\n", e.msg);
out:
  if (have_mask) sa_maskset_free(&ms);
  sa_model_free(model);
  sa_manifest_free(man);
  return rc;
}
