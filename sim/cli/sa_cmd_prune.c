/* sa_cmd_prune: 'sasp prune' — tile-aligned block pruning of a model's weights, with the
 * strategies of docs/pruning.md. Writes OUT/model.safetensors (pruned and compensated; skipped
 * with --mask-only), OUT/manifest.yaml and the
 * vocabulary (OUT is then a model directory of its own), OUT/mask.bin, OUT/summary.json and
 * OUT/summary.csv, each atomically; nothing is written unless pruning succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"
#include "sa_engine.h"
#include "sa_file.h"
#include "sa_out.h"
#include "sa_prune.h"
#include "sa_prune_io.h"
#include "sa_topology.h"

int sa_cmd_prune(int argc, char **argv) {
  const char *model = NULL, *tile = NULL, *crit = NULL, *scope = NULL, *norms_path = NULL,
             *config = NULL, *out = NULL, *thr = NULL, *comp = NULL, *calib_dir = NULL,
             *stats_path = NULL;
  double rate = -1, cap = -1, damp = -1;
  int64_t threads = 0;
  int global = 0, per_layer = 0, mask_only = 0;
  sa_opt opts[] = {
      {"model", 0, SA_OPT_STR, "DIR", "model directory holding manifest.yaml (or the manifest "
       "itself)", &model, 0, 0},
      {"tile", 0, SA_OPT_STR, "RxC", "tile = array shape: R rows along K, C columns along N\n"
       "(limits of array.rows / array.cols)", &tile, 0, 0},
      {"rate", 0, SA_OPT_NUM, "r", "fraction of the selected tiles pruned (as prune.rate)", &rate,
       0, 0},
      {"criterion", 0, SA_OPT_STR, "C", "mean_abs (default, the paper) | l2 | act_aware |\n"
       "relative | obs (docs/pruning.md)", &crit, 0, 0},
      {"scope", 0, SA_OPT_STR, "S", "ff (default, the paper) | attn | all", &scope, 0, 0},
      {"global", 0, SA_OPT_FLAG, NULL, "one threshold over all selected layers (default, the "
       "paper)", &global, 0, 0},
      {"per-layer", 0, SA_OPT_FLAG, NULL, "the same rate in every selected layer", &per_layer, 0,
       0},
      {"threshold", 0, SA_OPT_STR, "T", "global (the paper) | per_layer | sensitivity (per-layer "
       "rates\nof least predicted output error)", &thr, 0, 0},
      {"compensation", 0, SA_OPT_STR, "M", "none (default, the paper) | bias | lsq (kept weights "
       "re-solved\nby least squares per tile column)", &comp, 0, 0},
      {"damping", 0, SA_OPT_NUM, "d", "obs/lsq/sensitivity damping, x mean diag H (as\n"
       "prune.damping; default 0.001)", &damp, 0, 0},
      {"calib", 0, SA_OPT_STR, "DIR", "calibration set the statistics are measured on (never a\n"
       "test set)", &calib_dir, 0, 0},
      {"stats", 0, SA_OPT_STR, "FILE", "calibration statistics from 'sasp calib' (instead of\n"
       "--calib)", &stats_path, 0, 0},
      {"threads", 0, SA_OPT_INT, "N", "threads measuring statistics (default: one per CPU)",
       &threads, 1, SA_ENGINE_MAX_THREADS},
      {"cap", 0, SA_OPT_NUM, "c", "at most floor(c x tiles) pruned per layer (as\n"
       "prune.layer_cap; default 1)", &cap, 0, 0},
      {"act-norms", 0, SA_OPT_STR, "FILE", "input-channel norms for act_aware (safetensors,\n"
       "docs/formats.md)", &norms_path, 0, 0},
      {"config", 0, SA_OPT_STR, "FILE", "take the tile from array.rows/cols, the manifest from\n"
       "workload and the defaults of the options above from\nprune.* (flags override)", &config,
       0, 0},
      {"mask-only", 0, SA_OPT_FLAG, NULL, "do not write model.safetensors (the manifest then "
       "names\nthe original weights)", &mask_only, 0, 0},
      {"out", 'o', SA_OPT_STR, "OUT", "output directory (created): a model directory of its "
       "own\n(manifest.yaml, model.safetensors, the vocabulary, usable\nas --model OUT) with "
       "mask.bin, summary.json, summary.csv", &out, 0, 0},
      {0},
  };
  for (sa_opt *p = opts; p->name; p++) /* flags accept what the configuration keys accept */
    if (!strcmp(p->name, "rate")) sa_cmd_range_of(p, "prune.rate");
    else if (!strcmp(p->name, "cap")) sa_cmd_range_of(p, "prune.layer_cap");
    else if (!strcmp(p->name, "damping")) sa_cmd_range_of(p, "prune.damping");
  const sa_args_spec spec = {
      "prune", "--model DIR --tile RxC --rate r [options] -o OUT\n--config FILE [options] -o OUT",
      "Block-prunes a model with tiles sized to the array: scores every RxC tile of the\n"
      "selected layers, removes the lowest-scoring ones and writes the pruned model and its\n"
      "tile masks. Nothing is written unless pruning succeeded.",
      opts, 0, NULL,
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (global && per_layer)
    return sa_args_usage_error(&spec, "--global and --per-layer exclude each other");
  sa_err e;
  sa_prune_opts o = {SA_CRIT_MEAN_ABS, SA_SCOPE_FF, SA_THRESH_GLOBAL, 1.0,
                     0.0, 0, 0, NULL, SA_COMP_NONE, 0.001, NULL};
  int thresh = global ? SA_THRESH_GLOBAL : per_layer ? SA_THRESH_PER_LAYER : -1;
  char manifest_path[SA_PATH_MAX] = "", cfg_calib[SA_PATH_MAX] = "",
       cfg_stats[SA_PATH_MAX] = "", cfg_testset[SA_PATH_MAX] = "";
  char topology[SA_PATH_MAX] = ""; /* workload.topology of --config (unless --model) */
  uint64_t topology_seed = 1;
  int have_rate = 0;
  if (config) {
    static sa_config cfg;
    if (sa_cmd_load_config(spec.name, config, 0, &cfg)) return SA_EXIT_FAIL;
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
    if (sa_cmd_model_manifest(&spec, model, manifest_path, sizeof manifest_path))
      return SA_EXIT_USAGE;
  }
  if (!manifest_path[0] && !topology[0])
    return sa_args_usage_error(&spec, "--model DIR is required");
  if (!out) return sa_args_usage_error(&spec, "-o OUT is required");
  if (tile && sa_cmd_parse_tile(&spec, tile, &o.tile_rows, &o.tile_cols)) return SA_EXIT_USAGE;
  if (!o.tile_rows) return sa_args_usage_error(&spec, "--tile RxC is required");
  if (rate >= 0) {
    o.rate = rate;
    have_rate = 1;
  }
  if (!have_rate) return sa_args_usage_error(&spec, "--rate r is required");
  if (cap >= 0) o.layer_cap = cap;
  if (crit && (o.criterion = sa_prune_criterion_parse(crit)) < 0)
    return sa_args_usage_error(&spec, "--criterion '%s': expected mean_abs, l2, act_aware, "
                               "relative or obs", crit);
  if (scope && (o.scope = sa_prune_scope_parse(scope)) < 0)
    return sa_args_usage_error(&spec, "--scope '%s': expected ff, attn or all", scope);
  if (thresh >= 0) o.threshold = thresh;
  if (thr && thresh >= 0)
    return sa_args_usage_error(&spec, "--threshold and --global/--per-layer exclude each other");
  if (thr && (o.threshold = sa_prune_threshold_parse(thr)) < 0)
    return sa_args_usage_error(&spec, "--threshold '%s': expected global, per_layer or "
                               "sensitivity", thr);
  if (comp && (o.compensation = sa_prune_compensation_parse(comp)) < 0)
    return sa_args_usage_error(&spec, "--compensation '%s': expected none, bias or lsq", comp);
  if (damp >= 0) o.damping = damp;
  if (calib_dir && stats_path)
    return sa_args_usage_error(&spec, "--calib DIR and --stats FILE exclude each other");
  if (calib_dir || stats_path) cfg_calib[0] = cfg_stats[0] = 0;
  if (calib_dir) snprintf(cfg_calib, sizeof cfg_calib, "%s", calib_dir);
  if (stats_path) snprintf(cfg_stats, sizeof cfg_stats, "%s", stats_path);
  int want_calib = sa_prune_needs_calib(&o) ||
                   (o.criterion == SA_CRIT_ACT_AWARE && !norms_path) || cfg_calib[0] ||
                   cfg_stats[0];
  if (want_calib && !cfg_calib[0] && !cfg_stats[0])
    return sa_args_usage_error(&spec, "criterion %s, threshold %s, compensation %s need --calib "
                               "DIR or --stats FILE (act_aware: or --act-norms FILE; "
                               "docs/pruning.md)", sa_prune_criterion_name(o.criterion),
                               sa_prune_threshold_name(o.threshold),
                               sa_prune_compensation_name(o.compensation));

  char *p_model = sa_path_join(out, "model.safetensors", &e);
  char *p_mask = sa_path_join(out, "mask.bin", &e);
  char *p_json = sa_path_join(out, "summary.json", &e);
  char *p_csv = sa_path_join(out, "summary.csv", &e);
  sa_manifest *man = NULL;
  sa_model *mdl = NULL;
  float **norms = NULL;
  sa_maskset ms = {0};
  sa_prune_stats st = {0};
  sa_calib cal = {0};
  char cal_from[SA_CALIB_KEY_MAX + 1024] = "";
  int rc = SA_EXIT_FAIL;
  if (!p_model || !p_mask || !p_json || !p_csv) goto done;
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
    if (sa_engine_calib_obtain(man, mdl, cfg_stats, cfg_calib, testset, NULL, (int)threads,
                               &cal, cal_from, &measured, &e))
      goto done;
    o.calib = &cal;
  }
  if (sa_prune_masks(man, mdl, &o, &ms, &st, &e) ||
      (!mask_only && sa_prune_compensate(mdl, man, &ms, &o, &st, &e)))
    goto done;
  if (sa_out_mkdirs(out, &e) || (!mask_only && sa_prune_write_model(mdl, man, p_model, &e)) ||
      sa_maskset_write(p_mask, &ms, &e) ||
      sa_prune_write_summary(man, &o, &st, cal_from[0] ? cal_from : NULL, p_json, p_csv, &e) ||
      /* a SCALE-Sim topology has no manifest file to copy: OUT then holds the results only */
      (!topology[0] &&
       sa_manifest_write_copy(man, out, mask_only ? NULL : "model.safetensors", &e)))
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
  rc = SA_EXIT_OK;
done:
  if (rc) sa_cmd_fail(spec.name, &e);
  free(p_model);
  free(p_mask);
  free(p_json);
  free(p_csv);
  sa_prune_stats_free(&st);
  sa_maskset_free(&ms);
  sa_prune_act_norms_free(norms, man ? man->n_layers : 0);
  sa_calib_free(&cal);
  sa_model_free(mdl);
  sa_manifest_free(man);
  return rc;
}
