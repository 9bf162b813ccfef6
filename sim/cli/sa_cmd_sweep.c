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

/* The content key of sweep_rtl's work (the same sample and seed). */
static int sweep_rtl_key(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                         const sa_maskset *ms, char key[17], sa_err *e) {
  int64_t sample = cfg->sweep.rtl_check == SA_RTL_ALL ? 0 : cfg->sweep.rtl_sample;
  return sa_cosim_key(cfg, man, model, ms, (int)sample, (uint64_t)cfg->sweep.seed, key, e);
}
#endif

int sa_cmd_sweep(int argc, char **argv) {
  const char *out = NULL, *shard = NULL;
  int64_t jobs = 0;
  int columns = 0, resume = 0, no_plot = 0, progress = 0, quiet = 0, strict = 0;
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
       "compute only points i with i mod N = K-1 (i counts arrays\nouter, then rates, then "
       "axis values, in CONFIG order);\njoin shards with 'sasp merge'", &shard, 0, 0},
      {"no-plot", 0, SA_OPT_FLAG, NULL, "do not run the plotting script at the end", &no_plot, 0,
       0},
      {"progress", 0, SA_OPT_FLAG, NULL, "one updating progress line (default on a terminal)",
       &progress, 0, 0},
      {"quiet", 'q', SA_OPT_FLAG, NULL, "no progress (default when stderr is not a terminal:\n"
       "one line per finished point)", &quiet, 0, 0},
      {"strict", 0, SA_OPT_FLAG, NULL, "keys of CONFIG (or of a sweep.axes combination) that\n"
       "the integration ignores are errors (default: one warning\nline each)", &strict, 0, 0},
      {"columns", 0, SA_OPT_FLAG, NULL, "print the columns of points.csv (markdown) and exit",
       &columns, 0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "sweep", "CONFIG [options]\n--columns",
      "Runs every point of CONFIG's sweep section (array shapes x pruning rates x every\n"
      "combination of sweep.axes values): prune with tiles = array shape, cycle/energy\n"
      "model, WER of the pruned model on its datapath (array.act_type), RTL check.\n"
      "Ends with a summary on stdout: where the results are, points done/failed/not run,\n"
      "the RTL check, and per array the best speed-up whose WER stays within 1 point of\n"
      "the dense model's. A point whose RTL check cannot run (no RTL model of its size)\n"
      "is said on stderr and in the summary.",
      opts, 1,
      "1 also for a failed point, a failed RTL check, a point left unchecked by the RTL\n"
      "  while sweep.rtl_check is not off (the results are written in these last two cases)\n"
      "  or failed plots; 130/143 interrupted by SIGINT/SIGTERM (finished points are kept:\n"
      "  rerun with --resume)",
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
                     .progress = progress ? SA_SWEEP_PROGRESS_LINE
                                 : quiet  ? SA_SWEEP_PROGRESS_NONE
                                          : -1};
  int plot = !no_plot;
  sa_err e;
  if (shard && sa_sweep_parse_shard(shard, &o.shard_k, &o.shard_n, &e))
    return sa_args_usage_error(&spec, "%s", e.msg);
  if (o.progress < 0)
    o.progress = isatty(STDERR_FILENO) ? SA_SWEEP_PROGRESS_LINE : SA_SWEEP_PROGRESS_POINTS;
  if (o.jobs == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = cpus < 1 ? 1 : cpus > 1024 ? 1024 : (int)cpus;
  }
  static sa_config cfg;
  if (sa_cmd_load_config(spec.name, config, strict, &cfg) ||
      sa_cmd_check_config(spec.name, &cfg, strict, sa_sweep_check))
    return SA_EXIT_FAIL;
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
  o.rtl_key = sweep_rtl_key;
#else
  o.rtl = NULL;
  o.rtl_missing = "this sasp was built without the RTL models (meson setup -Drtl=enabled)";
#endif
  sa_sweep_report rep;
  if (sa_sweep_run(&cfg, &o, &rep, &e)) {
    sa_cmd_fail(spec.name, &e);
    if (!rep.started) return SA_EXIT_FAIL; /* refused before writing anything */
    char shard[64] = "";
    if (o.shard_n > 1) snprintf(shard, sizeof shard, " --shard %d/%d", o.shard_k, o.shard_n);
    int done = rep.points_resumed + rep.points_run;
    printf("sweep: %s after %d of %d points (%d failed, %d not run)\n",
           rep.interrupted ? "interrupted" : "stopped", done, rep.points_shard,
           rep.points_failed, rep.points_not_run);
    if (rep.kept_dir)
      printf("sweep: the finished points are kept in %s/points (marked INCOMPLETE); continue "
             "with:\n  sasp sweep %s -o %s --resume%s\n", out, config, out, shard);
    else
      printf("sweep: no point was finished; what this run created in %s was removed\n", out);
    return rep.interrupted ? 128 + rep.interrupted : SA_EXIT_FAIL;
  }
  status = SA_EXIT_OK;
  if (rep.no_wer[0]) fprintf(stderr, "sasp sweep: WER columns empty: %s\n", rep.no_wer);
  if (rep.points_rtl_fail) {
    fprintf(stderr, "sasp sweep: %d point(s) failed the RTL check (rtl_check in %s/points.csv)\n",
            rep.points_rtl_fail, out);
    status = SA_EXIT_FAIL;
  }
  if (rep.points_rtl_unchecked) {
    fprintf(stderr,
            "sasp sweep: %d point(s) not checked against the RTL: %s (set sweep.rtl_check: off "
            "to run without the check)\n", rep.points_rtl_unchecked, rep.rtl_unchecked_why);
    status = SA_EXIT_FAIL;
  }
  /* the summary */
  printf("sweep: %d points in %s/points.csv (summary.json beside it)\n", rep.points_shard, out);
  printf("  points: %d computed, %d resumed, 0 failed; %.1f s\n", rep.points_run,
         rep.points_resumed, rep.wall_s);
  if (o.shard_n > 1)
    printf("  shard %d/%d of a %d-point grid: join the shards with 'sasp merge'\n", o.shard_k,
           o.shard_n, rep.points_grid);
  printf("  RTL check: %d pass, %d fail, %d could not run, %d off (sweep.rtl_check)\n",
         rep.points_rtl_pass, rep.points_rtl_fail, rep.points_rtl_unchecked, rep.points_rtl_off);
  if (rep.rtl_runs)
    printf("  RTL work: %d co-simulations for the %d points computed (points with equal "
           "rtl_work share one)\n", rep.rtl_runs, rep.points_run);
  if (rep.no_wer[0]) {
    printf("  best speed-up at WER <= dense + 1 point: no WER measured\n");
  } else {
    printf("  best speed-up (vs dense, same array) at WER <= dense + 1 point:\n");
    for (int i = 0; i < rep.n_best; i++) {
      const sa_sweep_best *b = &rep.best[i];
      printf("    %lldx%lld: ", (long long)b->rows, (long long)b->cols);
      if (b->dense_wer < 0)
        printf("no rate-0 point here: no dense WER to compare with\n");
      else if (!b->found)
        printf("none (dense WER %.3f %%)\n", b->dense_wer);
      else
        printf("%sx at rate %s (achieved %s), WER %s %% vs dense %.3f %%%s%s\n", b->speedup,
               b->rate, b->rate_achieved, b->wer, b->dense_wer, b->strategy[0] ? ", " : "",
               b->strategy);
    }
  }
  fflush(stdout);
  if (plot && o.shard_n == 1) {
    static const char *const quiet[] = {"--quiet"};
    int rc = sa_sweep_plot(out, quiet, 1, &e);
    if (rc == 0) {
      printf("  plots: %s/{speedup_vs_rate,energy_vs_rate,energy_breakdown,wer_vs_rate,pareto}"
             ".{png,pdf} (sasp plot %s --mask POINT: a point's tile mask)\n", out, out);
    } else if (rc == 1) {
      fprintf(stderr, "sasp sweep: %s\n", e.msg);
    } else if (rc != 0) {
      fprintf(stderr, "sasp sweep: plots: %s\n", e.msg);
      status = SA_EXIT_FAIL;
    }
  }
  return status;
}
