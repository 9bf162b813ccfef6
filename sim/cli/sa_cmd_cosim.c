/* sa_cmd_cosim: 'sasp cosim CONFIG [--mask FILE] [--trace FILE.fst|.vcd] [--all|--sample N]
 * [--seed S] [--stall P] [--integration dma|cpu_fed]' runs the workload's GEMMs on the
 * Verilator RTL of the configured array and on the C model, compares every output value,
 * tile start, output beat and command's cycle count (integration dma: the streaming
 * interface) or every instruction's cycle, kind and returned word and the instruction counts
 * (integration cpu_fed: the CPU port), prints a
 * per-GEMM table and exits 0 only if everything agrees (1 on a mismatch or bad input, 2 on a
 * usage error or when no RTL model can be had: a build without RTL, or a size that is not
 * prebuilt and cannot be built on demand). Test hook: SASP_COSIM_PERTURB=value|cycles|
 * schedule|output|ins (anything else = value) falsifies what the RTL returns for every command
 * (sa_rtl.h), so tests can prove each comparison reports a mismatch (exit 1, what and where
 * named). */
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

int sa_cmd_cosim(int argc, char **argv) {
  const char *mask_path = NULL, *trace_path = NULL, *integ = NULL;
  int64_t sample = -1, seed = -1, stall = 100;
  int all = 0;
  sa_opt opts[] = {
      {"mask", 0, SA_OPT_STR, "FILE", "tile masks from 'sasp prune' (default: dense)", &mask_path,
       0, 0},
      {"trace", 0, SA_OPT_STR, "FILE", "write waves of the whole RTL run: FILE.fst or FILE.vcd",
       &trace_path, 0, 0},
      {"all", 0, SA_OPT_FLAG, NULL, "every GEMM (default: the config's sweep.rtl_check and\n"
       "sweep.rtl_sample; 'off' means all here)", &all, 0, 0},
      {"sample", 0, SA_OPT_INT, "N", "N GEMMs picked by the seed (as sweep.rtl_sample)", &sample,
       0, 0},
      {"seed", 0, SA_OPT_INT, "S", "activations (and the sample) derive from S (as sweep.seed;\n"
       "default sweep.seed)", &seed, 0, 0},
      {"stall", 0, SA_OPT_INT, "P", "feed the RTL's streams from a source (and drain them to a\n"
       "sink) that offers a beat with probability P per cent per cycle, seeded by S;\n"
       "cycles, tile starts and output beats are compared with the C model of\n"
       "the streaming interface (docs/timing.md §6); default 100: always ready,\n"
       "where they equal the closed form. cpu_fed: a CPU that issues an\n"
       "instruction in a cycle with probability P per cent (idle cycles between\n"
       "them); every instruction's cycle is the C model's shifted by the gaps", &stall, 1, 100},
      {"integration", 0, SA_OPT_STR, "I", "dma: the streaming interface (§6); cpu_fed: the CPU's\n"
       "custom instructions through the RTL's CPU port (§8.1); default: the config's", &integ,
       0, 0},
      {0},
  };
  sa_cmd_range_of(&opts[3], "sweep.rtl_sample");
  sa_cmd_range_of(&opts[4], "sweep.seed");
  const sa_args_spec spec = {
      "cosim",
      "CONFIG [--mask FILE] [--trace FILE.fst|.vcd] [--all | --sample N] [--seed S] [--stall P]\n"
      "       [--integration dma|cpu_fed]",
      "Runs the GEMMs of the workload (workload.manifest or workload.topology) on the RTL of\n"
      "the configured array and on the C model and compares every output value and, with\n"
      "integration dma, every tile start, output beat and command's cycle count of the\n"
      "streaming interface, or, with integration cpu_fed, every custom instruction's kind,\n"
      "cycle, valid flag and returned word and the instruction counts of the CPU port\n"
      "(docs/timing.md §8.1; 32-bit bus). Weights are the model's, quantised to int8 as\n"
      "docs/asr.md specifies; activations are uniform pseudo-random int8 in [-128, 127], or\n"
      "with array.act_type fp32 (cpu_fed only) pseudo-random fp32 (zeros, subnormals and\n"
      "normals of magnitude 2^-8 ... 2^8 with full fractions; docs/timing.md §8.1) on the\n"
      "fp32 RTL (fp32 x int8 PEs, one activation a bus word). Models not prebuilt\n"
      "(-Drtl_sizes; fp32 never is) are built on first use into the model cache\n"
      "($SASP_RTL_CACHE, else $XDG_CACHE_HOME/sasp/rtl or ~/.cache/sasp/rtl).",
      opts, 1,
      "1 also on any mismatch between RTL and C model, and for an array outside\n"
      "  2x2 ... 256x256; 2 also when no RTL model can be had (built without RTL, verilator\n"
      "  missing, the model's build failed: the message names its log)",
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (!n) return sa_args_usage_error(&spec, "CONFIG is required");
  if (all && sample >= 0)
    return sa_args_usage_error(&spec, "--all and --sample exclude each other");
  if (all) sample = 0;
  if (integ && strcmp(integ, "dma") && strcmp(integ, "cpu_fed"))
    return sa_args_usage_error(&spec, "--integration must be dma or cpu_fed");
  const char *cfg_path = pos[0];
  if (!sa_cosim_available()) {
    fprintf(stderr, "sasp cosim: built without RTL (needs verilator; reconfigure with "
            "-Drtl=enabled); nothing was run\n");
    return SA_EXIT_USAGE;
  }
  static sa_config cfg;
  sa_err e;
  if (sa_cmd_load_config(spec.name, cfg_path, 0, &cfg)) return SA_EXIT_FAIL;
  if (integ) cfg.hw.integration = strcmp(integ, "dma") ? SA_INTEG_CPU_FED : SA_INTEG_DMA;
  if (sample < 0) sample = cfg.sweep.rtl_check == SA_RTL_SAMPLE ? cfg.sweep.rtl_sample : 0;
  if (seed < 0) seed = cfg.sweep.seed;
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  sa_maskset ms;
  int have_mask = 0, rc = SA_EXIT_FAIL;
  memset(&ms, 0, sizeof ms);
  if (sa_workload_load(&cfg, &man, &e)) goto fail;
  if (sa_model_load(man, &model, &e)) goto fail;
  if (mask_path) {
    if (sa_maskset_read(mask_path, cfg.hw.rows, cfg.hw.cols, &ms, &e)) goto fail;
    have_mask = 1;
  }
  printf("sasp cosim: %s, %lldx%lld array (prebuilt RTL: %s; others built on demand), %s, %s, "
         "seed %lld, %s\n", cfg_path, (long long)cfg.hw.rows, (long long)cfg.hw.cols,
         sa_cosim_sizes()[0] ? sa_cosim_sizes() : "none",
         mask_path ? mask_path : "dense", sample ? "sample" : "all GEMMs", (long long)seed,
         cfg.hw.integration == SA_INTEG_CPU_FED
             ? (stall < 100 ? "cpu_fed: the CPU's instruction stream, with idle cycles"
                            : "cpu_fed: the CPU's instruction stream")
         : stall < 100 ? "stalling streams"
                                                : "always-ready streams");
  sa_cosim_opts o;
  memset(&o, 0, sizeof o);
  o.sample = sample;
  o.seed = (uint64_t)seed;
  o.trace = trace_path;
  o.table = stdout;
  o.stall_pct = stall < 100 ? (int)stall : 0;
  const char *pt = getenv("SASP_COSIM_PERTURB");
  if (pt) {
    o.perturb = !strcmp(pt, "cycles")     ? SA_COSIM_PERTURB_CYCLES
                : !strcmp(pt, "schedule") ? SA_COSIM_PERTURB_SCHEDULE
                : !strcmp(pt, "output")   ? SA_COSIM_PERTURB_OUTPUT
                : !strcmp(pt, "ins")      ? SA_COSIM_PERTURB_INS
                                          : SA_COSIM_PERTURB_VALUE;
  }
  sa_cosim_summary s;
  if (sa_cosim_run(&cfg, man, model, have_mask ? &ms : NULL, &o, &s, &e)) {
    if (s.rtl_unavailable) rc = SA_EXIT_USAGE;
    goto fail;
  }
  printf("%lld GEMMs, %lld commands, %lld values and %lld cycle counts compared: %s\n",
         (long long)s.gemms, (long long)s.commands, (long long)s.values_compared,
         (long long)s.cycles_compared, s.pass ? "RTL and C model agree" : "MISMATCH");
  if (!s.pass) fprintf(stderr, "sasp cosim: %s\n", s.first_mismatch);
  rc = s.pass ? SA_EXIT_OK : SA_EXIT_FAIL;
  goto out;
fail:
  sa_cmd_fail(spec.name, &e);
out:
  if (have_mask) sa_maskset_free(&ms);
  sa_model_free(model);
  sa_manifest_free(man);
  return rc;
}
