/* sa_cmd_prune: 'sasp prune' — tile-aligned block pruning of a model's weights. Writes
 * OUT/model.safetensors (pruned and compensated; skipped with --mask-only), OUT/mask.bin,
 * OUT/summary.json and OUT/summary.csv, each atomically; nothing is written unless pruning
 * succeeded. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_engine.h"
#include "sa_out.h"
#include "sa_prune.h"
#include "sa_prune_io.h"
#include "sa_topology.h"

static const char usage_text[] =
    "usage: sasp prune --model DIR --tile RxC --rate r [options] -o OUT\n"
    "  --model DIR        model directory holding manifest.yaml (or the manifest itself)\n"
    "  --tile RxC         tile = array shape: R rows along K, C columns along N\n"
    "  --rate r           fraction of the selected tiles pruned, 0..1\n"
    "  --criterion C      mean_abs (default, the paper) | l2 | act_aware | relative | obs\n"
    "  --scope S          ff (default, the paper) | attn | all\n"
    "  --threshold T      global (default, the paper) | per_layer | sensitivity\n"
    "  --global           = --threshold global\n"
    "  --per-layer        = --threshold per_layer\n"
    "  --compensation M   none (default, the paper) | bias | lsq (docs/pruning.md)\n"
    "  --damping d        obs/lsq damping, x mean diag H, 0..1 (default 0.001)\n"
    "  --cap c            at most floor(c x tiles) pruned per layer, 0..1 (default 1)\n"
    "  --calib DIR        calibration set the statistics are measured on (never a test set)\n"
    "  --stats FILE       calibration statistics from 'sasp calib' (instead of --calib)\n"
    "  --act-norms FILE   input-channel norms for act_aware (safetensors, docs/formats.md)\n"
    "  --threads N        threads measuring statistics (default: one per CPU)\n"
    "  --config FILE      take the tile from array.rows/cols, the manifest from workload and\n"
    "                     the defaults of the options above from prune.* (flags override)\n"
    "  --mask-only        do not write model.safetensors (e.g. for synthetic timing models)\n"
    "  -o, --out OUT      output directory (created): model.safetensors, mask.bin,\n"
    "                     summary.json, summary.csv\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "sasp prune: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see sasp prune --help)\n");
  return 2;
}

static int parse_frac(const char *s, double *v) {
  char *end;
  double x = strtod(s, &end);
  if (end == s || *end || !(x >= 0 && x <= 1)) return -1;
  *v = x;
  return 0;
}

static int path_join(char *dst, size_t cap, const char *dir, const char *file) {
  int n = snprintf(dst, cap, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "",
                   file);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int sa_cmd_prune(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    fputs(usage_text, stdout);
    return 0;
  }
  static const struct option longopts[] = {
      {"model", required_argument, 0, 'm'},     {"tile", required_argument, 0, 't'},
      {"rate", required_argument, 0, 'r'},      {"criterion", required_argument, 0, 'c'},
      {"scope", required_argument, 0, 's'},     {"global", no_argument, 0, 'G'},
      {"per-layer", no_argument, 0, 'P'},       {"cap", required_argument, 0, 'C'},
      {"act-norms", required_argument, 0, 'a'}, {"config", required_argument, 0, 'f'},
      {"out", required_argument, 0, 'o'},       {"mask-only", no_argument, 0, 'M'},
      {"threshold", required_argument, 0, 'T'}, {"compensation", required_argument, 0, 'X'},
      {"damping", required_argument, 0, 'D'},   {"calib", required_argument, 0, 'L'},
      {"stats", required_argument, 0, 'S'},     {"threads", required_argument, 0, 'j'},
      {0, 0, 0, 0}};
  const char *model = NULL, *tile = NULL, *rate = NULL, *crit = NULL, *scope = NULL,
             *cap = NULL, *norms_path = NULL, *config = NULL, *out = NULL, *thr = NULL,
             *comp = NULL, *damp = NULL, *calib_dir = NULL, *stats_path = NULL,
             *threads_s = NULL;
  int thresh = -1, mask_only = 0;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
    switch (ch) {
      case 'm': model = optarg; break;
      case 't': tile = optarg; break;
      case 'r': rate = optarg; break;
      case 'c': crit = optarg; break;
      case 's': scope = optarg; break;
      case 'G': thresh = SA_THRESH_GLOBAL; break;
      case 'P': thresh = SA_THRESH_PER_LAYER; break;
      case 'C': cap = optarg; break;
      case 'a': norms_path = optarg; break;
      case 'f': config = optarg; break;
      case 'o': out = optarg; break;
      case 'M': mask_only = 1; break;
      case 'T': thr = optarg; break;
      case 'X': comp = optarg; break;
      case 'D': damp = optarg; break;
      case 'L': calib_dir = optarg; break;
      case 'S': stats_path = optarg; break;
      case 'j': threads_s = optarg; break;
      case ':': return usage_error("option %s needs a value", argv[optind - 1]);
      default: return usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);

  sa_err e;
  sa_prune_opts o = {SA_CRIT_MEAN_ABS, SA_SCOPE_FF, SA_THRESH_GLOBAL, 1.0,
                     0.0, 0, 0, NULL, SA_COMP_NONE, 0.001, NULL};
  char manifest_path[SA_PATH_MAX] = "", cfg_calib[SA_PATH_MAX] = "",
       cfg_stats[SA_PATH_MAX] = "", cfg_testset[SA_PATH_MAX] = "";
  char topology[SA_PATH_MAX] = ""; /* workload.topology of --config (unless --model) */
  uint64_t topology_seed = 1;
  int have_rate = 0;
  if (config) {
    static sa_config cfg;
    if (sa_config_load(config, &cfg, &e)) {
      fprintf(stderr, "%s\n", e.msg);
      return 1;
    }
    o.criterion = cfg.prune.criterion;
    o.scope = cfg.prune.scope;
    o.threshold = cfg.prune.threshold;
    o.layer_cap = cfg.prune.layer_cap;
    o.rate = cfg.prune.rate;
    o.tile_rows = cfg.hw.rows;
    o.tile_cols = cfg.hw.cols;
    o.compensation = cfg.prune.compensation;
    o.damping = cfg.prune.damping;
    have_rate = 1;
    snprintf(manifest_path, sizeof manifest_path, "%s", cfg.workload.manifest);
    snprintf(cfg_calib, sizeof cfg_calib, "%s", cfg.prune.calibration);
    snprintf(cfg_stats, sizeof cfg_stats, "%s", cfg.prune.statistics);
    snprintf(cfg_testset, sizeof cfg_testset, "%s", cfg.workload.testset);
    snprintf(topology, sizeof topology, "%s", cfg.workload.topology);
    topology_seed = (uint64_t)cfg.workload.topology_seed;
  }
  if (model) {
    topology[0] = 0;
    struct stat sb;
    if (!stat(model, &sb) && S_ISREG(sb.st_mode))
      snprintf(manifest_path, sizeof manifest_path, "%s", model);
    else if (path_join(manifest_path, sizeof manifest_path, model, "manifest.yaml"))
      return usage_error("--model path too long: %s", model);
  }
  if (!manifest_path[0] && !topology[0]) return usage_error("%s", "--model DIR is required");
  if (!out) return usage_error("%s", "-o OUT is required");
  if (tile) {
    sa_shape s;
    if (sa_config_parse_shape(tile, &s))
      return usage_error("--tile '%s': expected RxC with positive R and C, e.g. 16x16", tile);
    o.tile_rows = s.rows;
    o.tile_cols = s.cols;
  }
  if (!o.tile_rows) return usage_error("%s", "--tile RxC is required");
  if (rate) {
    if (parse_frac(rate, &o.rate))
      return usage_error("--rate '%s': expected a number from 0 to 1", rate);
    have_rate = 1;
  }
  if (!have_rate) return usage_error("%s", "--rate r is required");
  if (cap && parse_frac(cap, &o.layer_cap))
    return usage_error("--cap '%s': expected a number from 0 to 1", cap);
  if (crit && (o.criterion = sa_prune_criterion_parse(crit)) < 0)
    return usage_error("--criterion '%s': expected mean_abs, l2 or act_aware", crit);
  if (scope && (o.scope = sa_prune_scope_parse(scope)) < 0)
    return usage_error("--scope '%s': expected ff, attn or all", scope);
  if (thresh >= 0) o.threshold = thresh;
  if (thr && (o.threshold = sa_prune_threshold_parse(thr)) < 0)
    return usage_error("--threshold '%s': expected global, per_layer or sensitivity", thr);
  if (comp && (o.compensation = sa_prune_compensation_parse(comp)) < 0)
    return usage_error("--compensation '%s': expected none, bias or lsq", comp);
  if (damp && parse_frac(damp, &o.damping))
    return usage_error("--damping '%s': expected a number from 0 to 1", damp);
  int threads = 0;
  if (threads_s) {
    char *end;
    long t = strtol(threads_s, &end, 10);
    if (end == threads_s || *end || t < 1 || t > SA_ENGINE_MAX_THREADS)
      return usage_error("--threads '%s': expected an integer from 1 to 64", threads_s);
    threads = (int)t;
  }
  if (calib_dir && stats_path)
    return usage_error("%s", "--calib DIR and --stats FILE exclude each other");
  if (calib_dir || stats_path) cfg_calib[0] = cfg_stats[0] = 0;
  if (calib_dir) snprintf(cfg_calib, sizeof cfg_calib, "%s", calib_dir);
  if (stats_path) snprintf(cfg_stats, sizeof cfg_stats, "%s", stats_path);
  int want_calib = sa_prune_needs_calib(&o) ||
                   (o.criterion == SA_CRIT_ACT_AWARE && !norms_path) || cfg_calib[0] ||
                   cfg_stats[0];
  if (want_calib && !cfg_calib[0] && !cfg_stats[0])
    return usage_error("criterion %s needs --calib DIR or --stats FILE (or --act-norms FILE "
                       "for act_aware; docs/pruning.md)", sa_prune_criterion_name(o.criterion));

  char p_model[SA_PATH_MAX], p_mask[SA_PATH_MAX], p_json[SA_PATH_MAX], p_csv[SA_PATH_MAX];
  if (path_join(p_model, sizeof p_model, out, "model.safetensors") ||
      path_join(p_mask, sizeof p_mask, out, "mask.bin") ||
      path_join(p_json, sizeof p_json, out, "summary.json") ||
      path_join(p_csv, sizeof p_csv, out, "summary.csv"))
    return usage_error("output path too long: %s", out);

  sa_manifest *man = NULL;
  sa_model *mdl = NULL;
  float **norms = NULL;
  sa_maskset ms = {0};
  sa_prune_stats st = {0};
  sa_calib cal = {0};
  char cal_from[SA_CALIB_KEY_MAX + 1024] = "";
  int rc = 1;
  if ((topology[0] ? sa_topology_load(topology, topology_seed, &man, &e)
                   : sa_manifest_load(manifest_path, &man, &e)) ||
      sa_model_load(man, &mdl, &e))
    goto done;
  if (norms_path) {
    if (sa_prune_read_act_norms(man, norms_path, &norms, &e)) goto done;
    o.act_norms = (const float *const *)norms;
  }
  if (want_calib) {
    /* --calib measures in memory; statistics files come from 'sasp calib' */
    char testset[SA_PATH_MAX + 16];
    if (cfg_testset[0]) snprintf(testset, sizeof testset, "%s", cfg_testset);
    else snprintf(testset, sizeof testset, "%stestsets/main", man->dir);
    int measured;
    if (sa_engine_calib_obtain(man, mdl, cfg_stats, cfg_calib, testset, NULL, threads, &cal,
                               cal_from, &measured, &e))
      goto done;
    o.calib = &cal;
  }
  if (sa_prune_masks(man, mdl, &o, &ms, &st, &e) ||
      (!mask_only && sa_prune_compensate(mdl, man, &ms, &o, &st, &e)))
    goto done;
  if (sa_out_mkdirs(out, &e) || (!mask_only && sa_prune_write_model(mdl, man, p_model, &e)) ||
      sa_maskset_write(p_mask, &ms, &e) ||
      sa_prune_write_summary(man, &o, &st, cal_from[0] ? cal_from : NULL, p_json, p_csv, &e))
    goto done;
  if (mask_only) remove(p_model); /* a stale pruned model would not match mask.bin */
  printf("%s: pruned %lld of %lld %s weight tiles (%.2f%%, target %lld) with %lldx%lld tiles, "
         "%s, %s threshold, compensation %s -> %s\n",
         man->name, (long long)st.tiles_pruned, (long long)st.tiles_selected,
         sa_prune_scope_name(o.scope), 100.0 * st.rate_achieved, (long long)st.tiles_target,
         (long long)o.tile_rows, (long long)o.tile_cols, sa_prune_criterion_name(o.criterion),
         sa_prune_threshold_name(o.threshold), sa_prune_compensation_name(o.compensation), out);
  if (o.calib && !mask_only) {
    double ep = 0, ef = 0;
    int nl = 0;
    for (int i = 0; i < st.n; i++)
      if (st.layer_pruned[i]) ep += st.layer_err_pruned[i], ef += st.layer_err_final[i], nl++;
    if (nl)
      printf("calibration statistics %s: mean relative output error of the %d pruned layers "
             "%.4g before compensation, %.4g after\n", cal_from, nl, ep / nl, ef / nl);
    if (st.damping_raised)
      printf("note: a Gram matrix was singular; damping raised above %g (summary.json "
             "layers[].damping)\n", o.damping);
  }
  rc = 0;
done:
  if (rc) fprintf(stderr, "%s\n", e.msg);
  sa_prune_stats_free(&st);
  sa_maskset_free(&ms);
  sa_prune_act_norms_free(norms, man ? man->n_layers : 0);
  sa_calib_free(&cal);
  sa_model_free(mdl);
  sa_manifest_free(man);
  return rc;
}
