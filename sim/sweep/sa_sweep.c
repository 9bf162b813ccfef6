/* sa_sweep: orchestration of a sweep (the public API) — grid checks, resume, shards,
 * merge and the plot launcher. The jobs it orchestrates live beside it: sa_rec (columns and
 * records), sa_store (result directory files, fingerprint), sa_table (points.csv and
 * summary.json), sa_point (a point's stages), sa_pool (worker processes). */
#include "sa_sweep.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sa_file.h"
#include "sa_num.h"
#include "sa_out.h"
#include "sa_point.h"
#include "sa_pool.h"
#include "sa_rec.h"
#include "sa_store.h"
#include "sa_table.h"
#include "sa_version.h"
#include "sa_workload.h"

/* Keys a sweep axis cannot take (a rule ending in '.' names a section): the grid sets them, or
 * the sweep loads them once for every point. */
static const char *const axis_refused[][2] = {
    {"array.rows", "the grid sets it from sweep.arrays"},
    {"array.cols", "the grid sets it from sweep.arrays"},
    {"prune.rate", "the grid sets it from sweep.rates"},
    {"workload.", "the sweep loads the workload and its test set once for all points"},
    {"prune.calibration", "the sweep measures the calibration set once for all points"},
    {"prune.statistics", "the sweep reads the calibration statistics once for all points"},
};

/* Empties and removes OUT/rtl-work, the run's RTL outcomes by content key (sa_point.c):
 * reuse spans one run only, so a changed sasp or RTL never meets an older outcome. Returns
 * how many outcomes (co-simulations run) it held. */
static int rtl_work_clear(const char *dir) {
  DIR *d = dir ? opendir(dir) : NULL;
  if (!d) return 0;
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    size_t l = strlen(de->d_name);
    n += l > 4 && !strcmp(de->d_name + l - 4, ".txt");
    char p[SA_PATH_MAX + 300];
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
  return n;
}

/* 1 when key is refused by rule: a key, or a section when rule ends in '.'. */
static int refused(const char *key, const char *rule) {
  size_t n = strlen(rule);
  return rule[n - 1] == '.' ? !strncmp(key, rule, n) : !strcmp(key, rule);
}

/* Refuses a grid the result files cannot hold. */
static int check_grid(const sa_config *cfg, const sa_grid *g, sa_err *e) {
  const sa_sweep_cfg *s = &cfg->sweep;
  if (s->n_shapes < 1) return sa_err_set(e, "%s: key 'sweep.arrays': no array shape", cfg->path);
  if (s->n_rates < 1) return sa_err_set(e, "%s: key 'sweep.rates': no pruning rate", cfg->path);
  for (int i = 0; i < s->n_rates; i++)
    for (int j = 0; j < i; j++) {
      char a[32], b[32];
      snprintf(a, sizeof a, "%.9g", s->rates[i]);
      snprintf(b, sizeof b, "%.9g", s->rates[j]);
      if (!strcmp(a, b))
        return sa_err_set(e, "%s: key 'sweep.rates': rate %s listed twice", cfg->path, a);
    }
  if (!cfg->workload.manifest[0] && !cfg->workload.topology[0])
    return sa_err_set(e, "%s: key 'workload.manifest': required by a sweep (or "
                      "workload.topology)", cfg->path);
  for (int a = 0; a < s->n_axes; a++) {
    const sa_axis *ax = &s->axes[a];
    for (size_t k = 0; k < sizeof axis_refused / sizeof axis_refused[0]; k++)
      if (refused(ax->key, axis_refused[k][0]))
        return sa_err_set(e, "%s:%d:%d: key 'sweep.axes.%s': cannot be a sweep axis: %s (run "
                          "one sweep per value)", ax->file, ax->line, ax->col, ax->key,
                          axis_refused[k][1]);
  }
  if (g->n == 0) {
    long long combos = 1;
    for (int a = 0; a < s->n_axes; a++) combos *= s->axes[a].n_values;
    return sa_err_set(e, "%s:%d:%d: key 'sweep.axes': the grid has %lld points (%d arrays x %d "
                      "rates x %lld axis combinations), more than %d", s->axes[0].file,
                      s->axes[0].line, s->axes[0].col, combos * s->n_shapes * s->n_rates,
                      s->n_shapes, s->n_rates, combos, SA_GRID_MAX_POINTS);
  }
  if (sa_grid_check(g, e)) return -1;
  /* every combination's own configuration, checked by the configuration's rules
   * (sa_grid_config); an axis may choose another technology table */
  sa_config *pc = sa_malloc(sizeof *pc, e);
  if (!pc) return -1;
  int rc = 0;
  for (int i = 0; i < g->n_combos && !rc; i++) {
    rc = sa_grid_config(g, cfg, i, pc, e);
    if (!rc && strlen(pc->tech.name) >= SA_REC_VAL_MAX)
      rc = sa_err_set(e, "%s: key 'name': technology name longer than %d characters",
                      pc->tech.path, SA_REC_VAL_MAX - 1);
  }
  free(pc);
  return rc;
}

/* The keys each combination of the axes makes ignored beyond those of cfg itself (which
 * sa_config_check_ignored reports): each key once, at its first combination, named at the
 * axis that sets it, else at the integration axis, else at the first axis. */
static int check_ignored(const sa_config *cfg, const sa_grid *g, int strict, FILE *warn,
                         sa_err *e) {
  if (g->n_axes == 0) return 0;
  sa_config *pc = sa_malloc(sizeof *pc, e);
  if (!pc) return -1;
  static char seen[SA_MAX_KEYS][64];
  int n_seen = 0, rc = 0;
  for (int i = 0; i < g->n_combos && !rc; i++) {
    if ((rc = sa_grid_config(g, cfg, i, pc, e))) break;
    for (int k = 0; k < pc->n_ignored && !rc; k++) {
      const char *key = pc->ignored[k];
      int known = 0;
      for (int j = 0; j < cfg->n_ignored && !known; j++) known = !strcmp(cfg->ignored[j], key);
      for (int j = 0; j < n_seen && !known; j++) known = !strcmp(seen[j], key);
      if (known) continue;
      if (n_seen < SA_MAX_KEYS) snprintf(seen[n_seen++], sizeof seen[0], "%s", key);
      int at = -1;
      for (int a = 0; a < g->n_axes && at < 0; a++)
        if (!strcmp(g->axes[a].key, key)) at = a;
      for (int a = 0; a < g->n_axes && at < 0; a++)
        if (!strcmp(g->axes[a].key, "integration")) at = a;
      const sa_axis *ax = &g->axes[at < 0 ? 0 : at];
      int v = sa_grid_value(g, i, at < 0 ? 0 : at);
      char combo[512];
      sa_grid_combination(g, i, combo, sizeof combo);
      const char *integ = sa_config_integration_name(pc->hw.integration);
      if (strict)
        rc = sa_err_set(e, "%s:%d:%d: key '%s' is ignored by integration %s (sweep.axes "
                        "combination %s) (--strict)", ax->file, at < 0 ? ax->line : ax->vline[v],
                        at < 0 ? ax->col : ax->vcol[v], key, integ, combo);
      else if (warn)
        fprintf(warn, "%s:%d:%d: warning: key '%s' is ignored by integration %s (sweep.axes "
                "combination %s)\n", ax->file, at < 0 ? ax->line : ax->vline[v],
                at < 0 ? ax->col : ax->vcol[v], key, integ, combo);
    }
  }
  free(pc);
  return rc;
}

int sa_sweep_check(const sa_config *cfg, int strict, FILE *warn, sa_err *e) {
  sa_grid g;
  sa_grid_init(&g, &cfg->sweep);
  if (check_grid(cfg, &g, e)) return -1;
  return check_ignored(cfg, &g, strict, warn, e);
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int sa_sweep_incomplete(const char *dir) {
  char path[SA_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/INCOMPLETE", dir);
  return sa_file_exists(path);
}

/* 1 when dir holds at least one file ending in suffix. */
static int has_files(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  struct dirent *de;
  int any = 0;
  size_t sl = strlen(suffix);
  while (!any && (de = readdir(d))) {
    size_t n = strlen(de->d_name);
    any = n > sl && !strcmp(de->d_name + n - sl, suffix) && !strstr(de->d_name, ".tmp.");
  }
  closedir(d);
  return any;
}

/* Removes what a failed run created in dir when no point of it is finished (nothing worth
 * resuming); otherwise leaves INCOMPLETE in place. Returns 1 when dir was kept. */
static int clean_failed(const char *dir, const char *points_dir, const char *masks_dir,
                        int dir_existed) {
  if (has_files(points_dir, ".tsv")) return 1;
  sa_err ignore;
  sa_store_clean_dir(points_dir, ".tsv", 1, &ignore);
  sa_store_clean_dir(masks_dir, ".mask", 1, &ignore);
  rmdir(points_dir);
  rmdir(masks_dir);
  static const char *const files[] = {"grid.tsv", "config.resolved.yaml", "points.csv",
                                      "summary.json", "calib.safetensors", "INCOMPLETE"};
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    char path[SA_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, files[k]);
    unlink(path);
  }
  if (!dir_existed) rmdir(dir); /* only when empty: never anything the user put there */
  return 0;
}

static int write_marker(const char *dir, const sa_config *cfg, sa_err *e) {
  char text[3 * SA_PATH_MAX + 256], path[SA_PATH_MAX + 32];
  snprintf(text, sizeof text,
           "This directory holds an unfinished sasp sweep of %s: points.csv and summary.json\n"
           "are missing or stale, and 'sasp merge' and 'sasp plot' refuse it. Finished points\n"
           "are kept in points/. Continue with:\n  sasp sweep %s -o %s --resume\n",
           cfg->path, cfg->path, dir);
  snprintf(path, sizeof path, "%s/INCOMPLETE", dir);
  return sa_out_write_file(path, text, strlen(text), e);
}

/* rep->best: per array of the grid, the best speed-up (vs dense) among points whose WER is at
 * most the array's rate-0 WER + 1 point. */
static void find_best(const sa_grid *g, const sa_rec *recs, int n, sa_sweep_report *rep) {
  rep->n_best = g->n_shapes;
  for (int s = 0; s < g->n_shapes; s++) {
    sa_sweep_best *b = &rep->best[s];
    memset(b, 0, sizeof *b);
    b->rows = g->shapes[s].rows;
    b->cols = g->shapes[s].cols;
    b->dense_wer = -1;
    for (int i = 0; i < n; i++)
      if (recs[i].rows == b->rows && recs[i].cols == b->cols && recs[i].rate == 0 &&
          recs[i].val[SA_COL_WER][0]) {
        double w = strtod(recs[i].val[SA_COL_WER], NULL);
        if (b->dense_wer < 0 || w < b->dense_wer) b->dense_wer = w;
      }
    if (b->dense_wer < 0) continue;
    double best = -1;
    for (int i = 0; i < n; i++) {
      const sa_rec *r = &recs[i];
      if (r->rows != b->rows || r->cols != b->cols || !r->val[SA_COL_WER][0] ||
          !r->val[SA_COL_SPD_DENSE][0])
        continue;
      double w = strtod(r->val[SA_COL_WER], NULL), sp = strtod(r->val[SA_COL_SPD_DENSE], NULL);
      if (w > b->dense_wer + 1.0 + 1e-9 || sp <= best) continue;
      best = sp;
      b->found = 1;
      snprintf(b->speedup, sizeof b->speedup, "%s", r->val[SA_COL_SPD_DENSE]);
      snprintf(b->rate, sizeof b->rate, "%s", r->val[SA_COL_RATE]);
      snprintf(b->rate_achieved, sizeof b->rate_achieved, "%s", r->val[SA_COL_RATE_ACH]);
      snprintf(b->wer, sizeof b->wer, "%s", r->val[SA_COL_WER]);
      size_t used = 0;
      b->strategy[0] = 0;
      for (int a = 0; a < r->n_axes && used < sizeof b->strategy; a++)
        used += (size_t)snprintf(b->strategy + used, sizeof b->strategy - used, "%s%s=%s",
                                 a ? ", " : "", r->axis_key[a], r->axis_val[a]);
    }
  }
}

int sa_sweep_run(const sa_config *cfg, const sa_sweep_opts *o, sa_sweep_report *rep,
                 sa_err *e) {
  double t_start = sa_point_now_s();
  sa_sweep_report dummy;
  if (!rep) rep = &dummy;
  memset(rep, 0, sizeof *rep);
  sa_point_ctx c;
  memset(&c, 0, sizeof c);
  c.cfg = cfg;
  c.o = o;
  sa_grid_init(&c.g, &cfg->sweep);
  if (check_grid(cfg, &c.g, e)) return -1;
  if (o->shard_n < 1 || o->shard_k < 1 || o->shard_k > o->shard_n)
    return sa_err_set(e, "shard %d/%d: need 1 <= K <= N", o->shard_k, o->shard_n);
  int jobs = o->jobs < 1 ? 1 : o->jobs;
  char *points_dir = NULL, *masks_dir = NULL, *grid_path = NULL, *cfg_json = NULL;
  char *rtl_work_dir = NULL;
  int *todo = NULL, rc = -1, wrote = 0, dir_existed = is_dir(o->out_dir);
  sa_rec *recs = NULL;
  if (sa_store_fingerprint(cfg, c.fp, e)) goto out;
  if (!(cfg_json = sa_store_config_json(cfg, e))) goto out;
  points_dir = sa_path_join(o->out_dir, "points", e);
  masks_dir = sa_path_join(o->out_dir, "masks", e);
  grid_path = sa_path_join(o->out_dir, "grid.tsv", e);
  if (!points_dir || !masks_dir || !grid_path) goto out;
  c.points_dir = points_dir;
  c.masks_dir = masks_dir;
  if (sa_workload_load(cfg, &c.man, e)) goto out;
  if (o->resume && sa_file_exists(grid_path)) {
    sa_grid_file gf;
    if (sa_store_read_grid(grid_path, &gf, e)) goto out;
    int same = !strcmp(gf.fp, c.fp);
    sa_grid_file_free(&gf);
    if (!same) {
      sa_err_set(e, "%s: made with a different configuration (fingerprint differs); "
                    "resume only with the same configuration, or use a new -o DIR", grid_path);
      goto out;
    }
  }

  /* this shard's points; which of them are finished already (nothing written yet) */
  todo = sa_calloc((size_t)c.g.n, sizeof *todo, e);
  recs = sa_calloc((size_t)c.g.n, sizeof *recs, e);
  if (!todo || !recs) goto out;
  int n_todo = 0, n_shard = 0;
  for (int i = 0; i < c.g.n; i++) {
    if (i % o->shard_n != o->shard_k - 1) continue;
    n_shard++;
    char *pp;
    if (sa_store_point_path(o->out_dir, &c.g, i, &pp, e)) goto out;
    int have = 0;
    if (o->resume && sa_file_exists(pp)) {
      char fp[17];
      if (sa_store_read_point(pp, &recs[0], fp, e)) {
        free(pp);
        goto out;
      }
      /* the index may differ (a grid extended since): a point's result depends only on the
       * configuration, its shape, its rate and its axis values */
      const sa_shape *sh = sa_grid_shape(&c.g, i);
      int same = !strcmp(fp, c.fp) && recs[0].rows == sh->rows && recs[0].cols == sh->cols &&
                 recs[0].rate == sa_grid_rate(&c.g, i) && recs[0].n_axes == c.g.n_axes;
      for (int a = 0; a < c.g.n_axes && same; a++)
        same = !strcmp(recs[0].axis_key[a], c.g.axes[a].key) &&
               !strcmp(recs[0].axis_val[a], c.g.axes[a].values[sa_grid_value(&c.g, i, a)]);
      if (!same) {
        sa_err_set(e, "%s: made with a different configuration; resume only with the same "
                      "configuration, or use a new -o DIR", pp);
        free(pp);
        goto out;
      }
      have = 1;
    }
    free(pp);
    if (have) rep->points_resumed++;
    else todo[n_todo++] = i;
  }
  rep->points_grid = c.g.n;
  rep->points_shard = n_shard;
  if (n_todo > 0) { /* load the model before writing anything: a bad model leaves no trace */
    int busy = jobs < n_todo ? jobs : n_todo; /* workers that will run at once */
    c.engine_threads = sa_point_online_cpus() / busy < 1 ? 1 : sa_point_online_cpus() / busy;
    if (sa_point_load_shared(&c, e)) goto out;
  }

  /* from here on the directory is being written: INCOMPLETE until the tables are */
  if (sa_out_mkdirs(points_dir, e) || sa_out_mkdirs(masks_dir, e)) goto out;
  wrote = rep->started = 1;
  if (write_marker(o->out_dir, cfg, e) || sa_point_save_calib(&c, e)) goto out;
  if (!o->resume) /* tables of an earlier run would describe discarded points */
    for (int k = 0; k < 2; k++) {
      char path[SA_PATH_MAX + 32];
      snprintf(path, sizeof path, "%s/%s", o->out_dir, k ? "summary.json" : "points.csv");
      unlink(path);
    }
  if (sa_store_clean_dir(points_dir, ".tsv", !o->resume, e) ||
      sa_store_clean_dir(masks_dir, ".mask", !o->resume, e))
    goto out;
  if (o->rtl && o->rtl_key) {
    if (!(rtl_work_dir = sa_path_join(o->out_dir, "rtl-work", e))) goto out;
    rtl_work_clear(rtl_work_dir); /* left by a killed run */
    if (sa_out_mkdirs(rtl_work_dir, e)) goto out;
    c.rtl_work_dir = rtl_work_dir;
  }
  if (sa_store_write_grid(grid_path, &c.g, c.fp, cfg_json, e) ||
      sa_store_write_resolved_yaml(o->out_dir, cfg, e))
    goto out;
  free(grid_path); /* not needed again; freed before the workers fork so none inherits it */
  grid_path = NULL;
  if (n_todo > 0) {
    sa_pool_stats st;
    int prc = sa_pool_run(&c, todo, n_todo, rep->points_resumed, n_shard, &st, e);
    rep->points_run = st.ran;
    rep->points_failed = st.failed;
    rep->points_not_run = st.not_run;
    rep->interrupted = st.interrupted;
    rep->rtl_runs = rtl_work_clear(rtl_work_dir);
    if (prc) goto out;
  } else if (o->progress) {
    fprintf(stderr, "sasp sweep: all %d points already done\n", n_shard);
  }

  /* read every point of the shard back and write the tables */
  int n = 0;
  for (int i = 0; i < c.g.n; i++) {
    if (i % o->shard_n != o->shard_k - 1) continue;
    char *pp, fp[17];
    if (sa_store_point_path(o->out_dir, &c.g, i, &pp, e)) goto out;
    int r2 = sa_store_read_point(pp, &recs[n], fp, e);
    free(pp);
    if (r2) goto out;
    recs[n].index = i;
    const sa_rec *r = &recs[n];
    rep->points_rtl_pass += !strcmp(r->val[SA_COL_RTL], "pass");
    rep->points_rtl_fail += !strcmp(r->val[SA_COL_RTL], "fail");
    rep->points_rtl_off += !strcmp(r->note[SA_STAGE_RTL], SA_REC_RTL_OFF_NOTE);
    if (!strcmp(r->val[SA_COL_RTL], "skipped") && strcmp(r->note[SA_STAGE_RTL], SA_REC_RTL_OFF_NOTE)) {
      if (!rep->points_rtl_unchecked++)
        snprintf(rep->rtl_unchecked_why, sizeof rep->rtl_unchecked_why, "%s",
                 r->note[SA_STAGE_RTL]);
    }
    if (r->note[SA_STAGE_WER][0] && !rep->no_wer[0])
      snprintf(rep->no_wer, sizeof rep->no_wer, "%s", r->note[SA_STAGE_WER]);
    n++;
  }
  rep->wall_s = sa_point_now_s() - t_start;
  char note[SA_REC_NOTE_MAX] = "";
  if (c.man->synthetic)
    snprintf(note, sizeof note, "%s: synthetic weights (synthetic:%llu): timing and energy only, "
             "no WER", c.man->name, (unsigned long long)c.man->synthetic_seed);
  sa_table_info si = {
      .config_path = cfg->path,
      .cfg_json = cfg_json,
      .fp = c.fp,
      .g = &c.g,
      .shard_k = o->shard_k,
      .shard_n = o->shard_n,
      .rep = rep,
      .jobs = jobs,
      .workload_note = note[0] ? note : NULL,
  };
  if (sa_table_write(o->out_dir, &si, recs, n, e)) goto out;
  find_best(&c.g, recs, n, rep); /* recs are sorted now */
  char marker[SA_PATH_MAX + 32];
  snprintf(marker, sizeof marker, "%s/INCOMPLETE", o->out_dir);
  if (unlink(marker) != 0 && errno != ENOENT) {
    sa_err_set(e, "%s: cannot remove: %s", marker, strerror(errno));
    goto out;
  }
  rc = 0;
out:
  rtl_work_clear(rtl_work_dir);
  free(rtl_work_dir);
  if (rc && wrote) rep->kept_dir = clean_failed(o->out_dir, points_dir, masks_dir, dir_existed);
  rep->wall_s = sa_point_now_s() - t_start;
  sa_point_free_shared(&c);
  free(points_dir);
  free(masks_dir);
  free(grid_path);
  free(cfg_json);
  free(todo);
  free(recs);
  return rc;
}

/* ------------------------------------------------------------------------------------------
 * Merge. */

int sa_sweep_merge(const char *const *dirs, int n_dirs, const char *out, sa_err *e) {
  if (n_dirs < 1) return sa_err_set(e, "no result directory given");
  for (int d = 0; d < n_dirs; d++)
    if (sa_sweep_incomplete(dirs[d]))
      return sa_err_set(e, "%s holds an unfinished sweep (%s/INCOMPLETE): finish it with "
                        "'sasp sweep CONFIG -o %s --resume' first", dirs[d], dirs[d], dirs[d]);
  sa_grid_file gf0;
  char *gp = sa_path_join(dirs[0], "grid.tsv", e);
  if (!gp) return -1;
  int rc = sa_store_read_grid(gp, &gf0, e);
  free(gp);
  if (rc) return sa_err_prefix(e, "%s is not a sweep result directory", dirs[0]);
  for (int d = 1; d < n_dirs; d++) {
    char *p = sa_path_join(dirs[d], "grid.tsv", e);
    if (!p) goto fail_grid;
    sa_grid_file gf;
    rc = sa_store_read_grid(p, &gf, e);
    free(p);
    if (rc) {
      sa_err_prefix(e, "%s is not a sweep result directory", dirs[d]);
      goto fail_grid;
    }
    int same = !strcmp(gf.text, gf0.text);
    sa_grid_file_free(&gf);
    if (!same) {
      sa_err_set(e, "%s/grid.tsv differs from %s/grid.tsv: not shards of one sweep "
                    "(same configuration and grid)", dirs[d], dirs[0]);
      goto fail_grid;
    }
  }
  sa_grid g;
  sa_grid_file_grid(&gf0, &g);
  sa_rec *recs = sa_calloc((size_t)g.n, sizeof *recs, e);
  int *from = sa_calloc((size_t)g.n, sizeof *from, e);
  sa_rec *tmp = sa_calloc(1, sizeof *tmp, e);
  if (!recs || !from || !tmp) goto fail;
  /* find every point; duplicates must agree */
  for (int i = 0; i < g.n; i++) {
    from[i] = -1;
    for (int d = 0; d < n_dirs; d++) {
      char *pp, fp[17];
      if (sa_store_point_path(dirs[d], &g, i, &pp, e)) goto fail;
      if (!sa_file_exists(pp)) {
        free(pp);
        continue;
      }
      rc = sa_store_read_point(pp, from[i] < 0 ? &recs[i] : tmp, fp, e);
      if (!rc && (strcmp(fp, gf0.fp) || (from[i] < 0 ? recs[i].index : tmp->index) != i))
        rc = sa_err_set(e, "%s: made with a different configuration or grid", pp);
      if (!rc && from[i] >= 0 && !sa_rec_same(&recs[i], tmp))
        rc = sa_err_set(e, "%s and %s/ hold different results for the same point", pp,
                        dirs[from[i]]);
      free(pp);
      if (rc) goto fail;
      if (from[i] < 0) from[i] = d;
    }
    if (from[i] < 0) {
      char id[SA_GRID_ID_MAX + 64];
      sa_grid_point_id(&g, i, id, sizeof id);
      sa_err_set(e, "point %s is in none of the directories (a shard missing or "
                    "unfinished?)", id);
      goto fail;
    }
  }
  /* write: points, masks, grid, resolved config, tables */
  char *op = sa_path_join(out, "points", e), *om = sa_path_join(out, "masks", e);
  rc = op && om ? 0 : -1;
  if (!rc) rc = sa_out_mkdirs(op, e);
  if (!rc) rc = sa_out_mkdirs(om, e);
  free(op);
  free(om);
  for (int i = 0; i < g.n && !rc; i++) {
    char id[SA_GRID_ID_MAX + 64], a[SA_GRID_ID_MAX + 96];
    sa_grid_point_id(&g, i, id, sizeof id);
    const char *src = dirs[from[i]];
    for (int k = 0; k < 2 && !rc; k++) {
      snprintf(a, sizeof a, k ? "masks/%s.mask" : "points/%s.tsv", id);
      char *s = sa_path_join(src, a, e), *t = sa_path_join(out, a, e);
      rc = s && t ? 0 : -1;
      if (!rc && (k == 0 || sa_file_exists(s))) rc = sa_file_copy(s, t, SA_STORE_COPY_MAX, e);
      free(s);
      free(t);
    }
  }
  for (int k = 0; k < 2 && !rc; k++) {
    const char *name = k ? "config.resolved.yaml" : "grid.tsv";
    char *s = sa_path_join(dirs[0], name, e), *t = sa_path_join(out, name, e);
    rc = s && t ? 0 : -1;
    if (!rc) rc = sa_file_copy(s, t, SA_STORE_COPY_MAX, e);
    free(s);
    free(t);
  }
  if (!rc) {
    sa_table_info si = {
        .cfg_json = gf0.cfg_json,
        .fp = gf0.fp,
        .g = &g,
        .shard_k = 1,
        .shard_n = 1,
        .merged = dirs,
        .n_merged = n_dirs,
    };
    rc = sa_table_write(out, &si, recs, g.n, e);
  }
  free(recs);
  free(from);
  free(tmp);
  sa_grid_file_free(&gf0);
  return rc;
fail:
  free(recs);
  free(from);
  free(tmp);
fail_grid:
  sa_grid_file_free(&gf0);
  return -1;
}

/* ------------------------------------------------------------------------------------------
 * Shards and plots. */

int sa_sweep_parse_shard(const char *text, int *k, int *n, sa_err *e) {
  char kbuf[32];
  size_t kl = strcspn(text, "/");
  int64_t kk, nn;
  if (!text[kl] || kl >= sizeof kbuf) goto bad;
  memcpy(kbuf, text, kl);
  kbuf[kl] = 0;
  if (sa_num_i64(text + kl + 1, 1, 1000000, &nn) || sa_num_i64(kbuf, 1, nn, &kk)) goto bad;
  *k = (int)kk;
  *n = (int)nn;
  return 0;
bad:
  return sa_err_set(e, "--shard '%s': expected K/N with 1 <= K <= N (e.g. 2/4)", text);
}

int sa_sweep_plot(const char *dir, const char *const *args, int n_args, sa_err *e) {
  static const char py[] = "/usr/bin/python3";
  char script[4200];
  if (sa_sweep_incomplete(dir))
    return sa_err_set(e, "%s holds an unfinished sweep (%s/INCOMPLETE): finish it with "
                      "'sasp sweep CONFIG -o %s --resume' first", dir, dir, dir);
  char *csv = sa_path_join(dir, "points.csv", e);
  if (!csv) return -1;
  int have = sa_file_exists(csv);
  free(csv);
  if (!have) return sa_err_set(e, "%s/points.csv: no such file (not a sweep directory?)", dir);
  if (sa_version_find_data("sasp_plot.py", "SASP_PLOT_SCRIPT", script, sizeof script))
    return sa_err_set(e, "sasp_plot.py not found (last tried %s; set SASP_PLOT_SCRIPT)", script);
  if (access(py, X_OK) != 0) {
    sa_err_set(e, "%s not found (install python3 and python3-matplotlib)", py);
    return 1;
  }
  if (n_args < 0 || n_args > 64) return sa_err_set(e, "too many plot options");
  const char *argv[64 + 4];
  argv[0] = py;
  argv[1] = script;
  argv[2] = dir;
  for (int i = 0; i < n_args; i++) argv[3 + i] = args[i];
  argv[3 + n_args] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return sa_err_set(e, "fork: %s", strerror(errno));
  if (pid == 0) {
    execv(py, (char *const *)argv);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sa_err_set(e, "waitpid: %s", strerror(errno));
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code == 0) return 0;
  if (code == 3) {
    sa_err_set(e, "python3-matplotlib is not installed: no plots (install it, then run "
                  "'sasp plot %s')", dir);
    return 1;
  }
  if (code == 1 || code == 2) { /* the script said what is wrong on stderr */
    sa_err_set(e, "%s: plots not drawn (see the message above)", dir);
    return code == 2 ? 2 : 3;
  }
  return sa_err_set(e, "%s %s %s failed (exit %d)", py, script, dir, code);
}
