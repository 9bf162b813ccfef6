/* sa_cmd_sweep: 'sasp sweep CONFIG [-o DIR] [--jobs N] [--resume] [--shard K/N] ...' — the sweep
 * over array shapes and pruning rates (sa_sweep), with the RTL check handed in when this sasp
 * was built with the Verilator models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_sweep.h"

#ifdef SA_HAVE_RTL
#include "sa_cosim.h"

/* The sweep's RTL stage: sa_cosim_check on the point's array (a size that is not prebuilt is
 * built on first use; concurrent workers share one build). When no model can be had the point
 * is SKIPPED with the reason, which the sweep reports on stderr and in its exit status. */
static int sweep_rtl(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                     const sa_maskset *ms, sa_sweep_rtl *out, sa_err *e) {
  memset(out, 0, sizeof *out);
  int64_t sample = cfg->sweep.rtl_check == SA_RTL_ALL ? 0 : cfg->sweep.rtl_sample;
  sa_cosim_summary sum;
  if (sa_cosim_check(cfg, man, model, ms, (int)sample, (uint64_t)cfg->sweep.seed, &sum, e)) {
    if (!sum.rtl_unavailable) return -1;
    out->status = SA_SWEEP_RTL_SKIPPED;
    snprintf(out->note, sizeof out->note, "%.500s", e->msg);
    return 0;
  }
  out->status = sum.pass ? SA_SWEEP_RTL_PASS : SA_SWEEP_RTL_FAIL;
  out->gemms = sum.gemms;
  out->cycles_compared = sum.cycles_compared;
  out->values_compared = sum.values_compared;
  snprintf(out->note, sizeof out->note, "%s", sum.first_mismatch);
  return 0;
}
#endif

int sa_cmd_sweep(int argc, char **argv) {
  const char *out = NULL, *shard = NULL;
  int64_t jobs = 0;
  int columns = 0, resume = 0, no_plot = 0, progress = 0, quiet = 0;
  const sa_opt opts[] = {
      {"out", 'o', SA_OPT_STR, "DIR",
       "result directory (default results/<CONFIG name>): points.csv,\nsummary.json, "
       "config.resolved.yaml, grid.tsv, points/, masks/, plots",
       &out, 0, 0},
      {"jobs", 'j', SA_OPT_INT, "N", "points computed in parallel worker processes (default: "
       "CPUs)", &jobs, 1, 1024},
      {"resume", 0, SA_OPT_FLAG, NULL,
       "keep the points DIR already holds (a killed sweep loses nothing);\nwithout it DIR's "
       "earlier points are discarded", &resume, 0, 0},
      {"shard", 0, SA_OPT_STR, "K/N",
       "compute only points i with i mod N = K-1 (i counts arrays outer,\nrates inner, in "
       "CONFIG order); join shards with 'sasp merge'", &shard, 0, 0},
      {"no-plot", 0, SA_OPT_FLAG, NULL, "do not run the plotting script at the end", &no_plot, 0,
       0},
      {"progress", 0, SA_OPT_FLAG, NULL, "show the progress line (default: when stderr is a "
       "terminal)", &progress, 0, 0},
      {"quiet", 'q', SA_OPT_FLAG, NULL, "no progress line", &quiet, 0, 0},
      {"columns", 0, SA_OPT_FLAG, NULL, "print the columns of points.csv (markdown) and exit",
       &columns, 0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "sweep", "CONFIG [options]\n--columns",
      "Runs every (array shape, pruning rate) point of CONFIG's sweep section: prune with\n"
      "tiles = array shape, cycle/energy model, WER of the pruned int8 model, RTL check.",
      opts, 1, "1 also when a point fails its RTL check or the plots fail",
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (columns) {
    if (n) return sa_args_usage_error(&spec, "--columns takes no CONFIG");
    printf("| column | unit | meaning |\n|---|---|---|\n");
    for (int i = 0; i < sa_sweep_n_columns(); i++)
      printf("| `%s` | %s | %s |\n", sa_sweep_column_name(i),
             sa_sweep_column_unit(i)[0] ? sa_sweep_column_unit(i) : "–",
             sa_sweep_column_doc(i));
    return SA_EXIT_OK;
  }
  if (!n) return sa_args_usage_error(&spec, "CONFIG is required");
  if (progress && quiet)
    return sa_args_usage_error(&spec, "--progress and --quiet exclude each other");
  const char *config = pos[0];
  sa_sweep_opts o = {.jobs = (int)jobs, .shard_k = 1, .shard_n = 1, .resume = resume,
                     .progress = progress ? 1 : quiet ? 0 : -1};
  int plot = !no_plot;
  sa_err e;
  if (shard && sa_sweep_parse_shard(shard, &o.shard_k, &o.shard_n, &e))
    return sa_args_usage_error(&spec, "%s", e.msg);
  if (o.progress < 0) o.progress = isatty(STDERR_FILENO);
  if (o.jobs == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = cpus < 1 ? 1 : cpus > 1024 ? 1024 : (int)cpus;
  }
  static sa_config cfg;
  if (sa_config_load(config, &cfg, &e)) return sa_cmd_fail(spec.name, &e);
  char def_out[1100];
  if (!out) {
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    if (len > 5 && !strcmp(base + len - 5, ".yaml")) len -= 5;
    snprintf(def_out, sizeof def_out, "results/%.*s", (int)len, base);
    out = def_out;
  }
  o.out_dir = out;
#ifdef SA_HAVE_RTL
  o.rtl = sweep_rtl;
#else
  o.rtl = NULL;
  o.rtl_missing = "this sasp was built without the RTL models (meson setup -Drtl=enabled)";
#endif
  sa_sweep_report rep;
  if (sa_sweep_run(&cfg, &o, &rep, &e)) return sa_cmd_fail(spec.name, &e);
  status = SA_EXIT_OK;
  if (rep.no_wer[0]) fprintf(stderr, "sasp sweep: WER columns empty: %s\n", rep.no_wer);
  if (rep.points_rtl_unchecked) {
    fprintf(stderr, "sasp sweep: %d point(s) not checked against the RTL although "
            "sweep.rtl_check asks for it (first: %s)\n", rep.points_rtl_unchecked,
            rep.rtl_unchecked);
    status = SA_EXIT_FAIL;
  }
  if (rep.points_rtl_fail) {
    fprintf(stderr, "sasp sweep: %d point(s) failed the RTL check (rtl_check in %s/points.csv)\n",
            rep.points_rtl_fail, out);
    status = SA_EXIT_FAIL;
  }
  if (plot && o.shard_n == 1) {
    int rc = sa_sweep_plot(out, &e);
    if (rc > 0) {
      fprintf(stderr, "sasp sweep: %s\n", e.msg);
    } else if (rc < 0) {
      fprintf(stderr, "sasp sweep: plots: %s\n", e.msg);
      status = SA_EXIT_FAIL;
    }
  }
  return status;
}
