/* sa_cmd_sweep: 'sasp sweep CONFIG [-o DIR] [--jobs N] [--resume] [--shard K/N]' — the sweep
 * over array shapes and pruning rates (sa_sweep), with the RTL check handed in when this sasp
 * was built with the Verilator models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_sweep.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: sasp sweep CONFIG [-o DIR] [--jobs N] [--resume] [--shard K/N] [--no-plot]\n"
          "       sasp sweep --columns   the columns of points.csv (markdown)\n"
          "\n"
          "Runs every (array shape, pruning rate) point of CONFIG's sweep section: prune with\n"
          "tiles = array shape, cycle/energy model, WER of the pruned int8 model, RTL check.\n"
          "\n"
          "  -o DIR       result directory (default results/<CONFIG name>): points.csv,\n"
          "               summary.json, config.resolved.yaml, grid.tsv, points/, masks/, plots\n"
          "  --jobs N     points computed in parallel worker processes (default: CPUs)\n"
          "  --resume     keep the points DIR already holds (a killed sweep loses nothing);\n"
          "               without it DIR's earlier points are discarded\n"
          "  --shard K/N  compute only points i with i mod N = K-1 (i counts arrays outer,\n"
          "               rates inner, in CONFIG order); join shards with 'sasp merge'\n"
          "  --no-plot    do not run the plotting script at the end\n"
          "  --progress   one updating progress line (default on a terminal)\n"
          "  --quiet      no progress (default when stderr is not a terminal: one line per\n"
          "               finished point)\n"
          "\n"
          "Ends with a summary on stdout: where the results are, points done/failed/not run,\n"
          "the RTL check, and per array the best speed-up whose WER stays within 1 point of\n"
          "the dense model's. A point whose RTL check cannot run (no RTL model of its size)\n"
          "is said on stderr and in the summary.\n"
          "\n"
          "Exit status: 0 done; 1 bad configuration or input, a failed point, a failed RTL\n"
          "check, or a point left unchecked by the RTL while sweep.rtl_check is not off (the\n"
          "results are written in these last two cases); 2 usage error; 130/143 interrupted\n"
          "by SIGINT/SIGTERM (finished points are kept: rerun with --resume).\n");
}

static int parse_int(const char *s, long lo, long hi, long *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

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
  if (sa_cmd_wants_help(argc, argv)) {
    usage(stdout);
    return 0;
  }
  if (argc == 2 && !strcmp(argv[1], "--columns")) {
    printf("| column | unit | meaning |\n|---|---|---|\n");
    for (int i = 0; i < sa_sweep_n_columns(); i++)
      printf("| `%s` | %s | %s |\n", sa_sweep_column_name(i),
             sa_sweep_column_unit(i)[0] ? sa_sweep_column_unit(i) : "–",
             sa_sweep_column_doc(i));
    return 0;
  }
  const char *config = NULL, *out = NULL;
  sa_sweep_opts o = {.jobs = 0, .shard_k = 1, .shard_n = 1, .progress = -1};
  int plot = 1;
  sa_err e;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-o") || !strcmp(a, "--jobs") || !strcmp(a, "--shard")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "sasp sweep: %s needs a value\n", a);
        return 2;
      }
      const char *v = argv[++i];
      if (!strcmp(a, "-o")) {
        out = v;
      } else if (!strcmp(a, "--jobs")) {
        long n;
        if (parse_int(v, 1, 1024, &n)) {
          fprintf(stderr, "sasp sweep: --jobs '%s': expected an integer 1..1024\n", v);
          return 2;
        }
        o.jobs = (int)n;
      } else if (sa_sweep_parse_shard(v, &o.shard_k, &o.shard_n, &e)) {
        fprintf(stderr, "sasp sweep: %s\n", e.msg);
        return 2;
      }
    } else if (!strcmp(a, "--resume")) {
      o.resume = 1;
    } else if (!strcmp(a, "--no-plot")) {
      plot = 0;
    } else if (!strcmp(a, "--progress")) {
      o.progress = SA_SWEEP_PROGRESS_LINE;
    } else if (!strcmp(a, "--quiet")) {
      o.progress = SA_SWEEP_PROGRESS_NONE;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "sasp sweep: unknown option '%s' (see sasp sweep --help)\n", a);
      return 2;
    } else if (!config) {
      config = a;
    } else {
      fprintf(stderr, "sasp sweep: one CONFIG only ('%s' and '%s')\n", config, a);
      return 2;
    }
  }
  if (!config) {
    usage(stderr);
    return 2;
  }
  if (o.progress < 0)
    o.progress = isatty(STDERR_FILENO) ? SA_SWEEP_PROGRESS_LINE : SA_SWEEP_PROGRESS_POINTS;
  if (o.jobs == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
  }
  static sa_config cfg;
  if (sa_config_load(config, &cfg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  char def_out[1100];
  if (!out) {
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".yaml")) n -= 5;
    snprintf(def_out, sizeof def_out, "results/%.*s", (int)n, base);
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
  if (sa_sweep_run(&cfg, &o, &rep, &e)) {
    fprintf(stderr, "sasp sweep: %s\n", e.msg);
    if (!rep.started) return 1; /* refused before writing anything */
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
    return rep.interrupted ? 128 + rep.interrupted : 1;
  }
  int status = 0;
  if (rep.no_wer[0]) fprintf(stderr, "sasp sweep: WER columns empty: %s\n", rep.no_wer);
  if (rep.points_rtl_fail) {
    fprintf(stderr, "sasp sweep: %d point(s) failed the RTL check (rtl_check in %s/points.csv)\n",
            rep.points_rtl_fail, out);
    status = 1;
  }
  if (rep.points_rtl_unchecked) {
    fprintf(stderr,
            "sasp sweep: %d point(s) not checked against the RTL: %s (set sweep.rtl_check: off "
            "to run without the check)\n", rep.points_rtl_unchecked, rep.rtl_unchecked_why);
    status = 1;
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
      status = 1;
    }
  }
  return status;
}
