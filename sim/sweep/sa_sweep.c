/* sa_sweep: orchestration of a sweep (the public API) — grid checks, resume, shards,
 * merge and the plot launcher. The jobs it orchestrates live beside it: sa_rec (columns and
 * records), sa_store (result directory files, fingerprint), sa_table (points.csv and
 * summary.json), sa_point (a point's stages), sa_pool (worker processes). */
#include "sa_sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sa_file.h"
#include "sa_out.h"
#include "sa_point.h"
#include "sa_pool.h"
#include "sa_rec.h"
#include "sa_store.h"
#include "sa_table.h"

/* Refuses a grid the result files cannot hold. */
static int check_grid(const sa_config *cfg, sa_err *e) {
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
  if (strlen(cfg->tech.name) >= SA_REC_VAL_MAX)
    return sa_err_set(e, "%s: key 'name': technology name longer than %d characters",
                      cfg->tech.path, SA_REC_VAL_MAX - 1);
  if (!cfg->workload.manifest[0])
    return sa_err_set(e, "%s: key 'workload.manifest': required by a sweep", cfg->path);
  return 0;
}

int sa_sweep_run(const sa_config *cfg, const sa_sweep_opts *o, sa_sweep_report *rep,
                 sa_err *e) {
  double t_start = sa_point_now_s();
  sa_sweep_report dummy;
  if (!rep) rep = &dummy;
  memset(rep, 0, sizeof *rep);
  if (check_grid(cfg, e)) return -1;
  if (o->shard_n < 1 || o->shard_k < 1 || o->shard_k > o->shard_n)
    return sa_err_set(e, "shard %d/%d: need 1 <= K <= N", o->shard_k, o->shard_n);
  sa_point_ctx c;
  memset(&c, 0, sizeof c);
  c.cfg = cfg;
  c.o = o;
  c.g = (sa_grid){cfg->sweep.n_shapes, cfg->sweep.n_rates,
                  cfg->sweep.n_shapes * cfg->sweep.n_rates, cfg->sweep.shapes, cfg->sweep.rates};
  int jobs = o->jobs < 1 ? 1 : o->jobs;
  char *points_dir = NULL, *masks_dir = NULL, *grid_path = NULL, *cfg_json = NULL;
  int *todo = NULL, rc = -1;
  sa_rec *recs = NULL;
  if (sa_store_fingerprint(cfg, c.fp, e)) goto out;
  if (!(cfg_json = sa_store_config_json(cfg, e))) goto out;
  points_dir = sa_path_join(o->out_dir, "points", e);
  masks_dir = sa_path_join(o->out_dir, "masks", e);
  grid_path = sa_path_join(o->out_dir, "grid.tsv", e);
  if (!points_dir || !masks_dir || !grid_path) goto out;
  c.points_dir = points_dir;
  c.masks_dir = masks_dir;
  if (sa_manifest_load(cfg->workload.manifest, &c.man, e)) goto out;
  if (sa_out_mkdirs(points_dir, e) || sa_out_mkdirs(masks_dir, e)) goto out;
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
  if (sa_store_clean_dir(points_dir, ".tsv", !o->resume, e) ||
      sa_store_clean_dir(masks_dir, ".mask", !o->resume, e))
    goto out;
  if (sa_store_write_grid(grid_path, &c.g, c.fp, cfg_json, e) ||
      sa_store_write_resolved_yaml(o->out_dir, cfg, e))
    goto out;
  free(grid_path); /* not needed again; freed before the workers fork so none inherits it */
  grid_path = NULL;

  /* this shard's points; which of them are finished already */
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
       * configuration, its shape and its rate */
      if (strcmp(fp, c.fp) || recs[0].rows != c.g.shapes[i / c.g.n_rates].rows ||
          recs[0].cols != c.g.shapes[i / c.g.n_rates].cols ||
          recs[0].rate != c.g.rates[i % c.g.n_rates]) {
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
  if (n_todo > 0) {
    int busy = jobs < n_todo ? jobs : n_todo; /* workers that will run at once */
    c.engine_threads = sa_point_online_cpus() / busy < 1 ? 1 : sa_point_online_cpus() / busy;
    if (sa_point_load_shared(&c, e)) goto out;
    if (sa_pool_run(&c, todo, n_todo, rep->points_resumed, n_shard, e)) goto out;
    rep->points_run = n_todo;
  } else if (o->progress) {
    fprintf(stderr, "sweep: all %d points already done\n", n_shard);
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
    rep->points_rtl_fail += !strcmp(recs[n].val[SA_COL_RTL], "fail");
    if (recs[n].note[SA_STAGE_WER][0] && !rep->no_wer[0])
      snprintf(rep->no_wer, sizeof rep->no_wer, "%s", recs[n].note[SA_STAGE_WER]);
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
  rc = sa_table_write(o->out_dir, &si, recs, n, e);
out:
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
  if (n_dirs < 1) return sa_err_set(e, "merge: no result directory given");
  sa_grid_file gf0;
  char *gp = sa_path_join(dirs[0], "grid.tsv", e);
  if (!gp) return -1;
  int rc = sa_store_read_grid(gp, &gf0, e);
  free(gp);
  if (rc) return sa_err_prefix(e, "merge: %s is not a sweep result directory", dirs[0]);
  for (int d = 1; d < n_dirs; d++) {
    char *p = sa_path_join(dirs[d], "grid.tsv", e);
    if (!p) goto fail_grid;
    sa_grid_file gf;
    rc = sa_store_read_grid(p, &gf, e);
    free(p);
    if (rc) {
      sa_err_prefix(e, "merge: %s is not a sweep result directory", dirs[d]);
      goto fail_grid;
    }
    int same = !strcmp(gf.text, gf0.text);
    sa_grid_file_free(&gf);
    if (!same) {
      sa_err_set(e, "merge: %s/grid.tsv differs from %s/grid.tsv: not shards of one sweep "
                    "(same configuration and grid)", dirs[d], dirs[0]);
      goto fail_grid;
    }
  }
  sa_grid g = {gf0.n_shapes, gf0.n_rates, gf0.n_shapes * gf0.n_rates, gf0.shapes, gf0.rates};
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
        rc = sa_err_set(e, "merge: %s and %s/ hold different results for the same point", pp,
                        dirs[from[i]]);
      free(pp);
      if (rc) goto fail;
      if (from[i] < 0) from[i] = d;
    }
    if (from[i] < 0) {
      char id[96];
      sa_grid_point_id(&g, i, id, sizeof id);
      sa_err_set(e, "merge: point %s is in none of the directories (a shard missing or "
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
    char id[96], a[160];
    sa_grid_point_id(&g, i, id, sizeof id);
    const char *src = dirs[from[i]];
    for (int k = 0; k < 2 && !rc; k++) {
      snprintf(a, sizeof a, k ? "masks/%s.mask" : "points/%s.tsv", id);
      char *s = sa_path_join(src, a, e), *t = sa_path_join(out, a, e);
      rc = s && t ? 0 : -1;
      if (!rc && (k == 0 || sa_file_exists(s))) rc = sa_store_copy_file(s, t, e);
      free(s);
      free(t);
    }
  }
  for (int k = 0; k < 2 && !rc; k++) {
    const char *name = k ? "config.resolved.yaml" : "grid.tsv";
    char *s = sa_path_join(dirs[0], name, e), *t = sa_path_join(out, name, e);
    rc = s && t ? 0 : -1;
    if (!rc) rc = sa_store_copy_file(s, t, e);
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
  char *end;
  errno = 0;
  long kk = strtol(text, &end, 10);
  if (end == text || *end != '/') goto bad;
  const char *ns = end + 1;
  long nn = strtol(ns, &end, 10);
  if (end == ns || *end || errno || nn < 1 || kk < 1 || kk > nn || nn > 1000000) goto bad;
  *k = (int)kk;
  *n = (int)nn;
  return 0;
bad:
  return sa_err_set(e, "--shard '%s': expected K/N with 1 <= K <= N (e.g. 2/4)", text);
}

static int find_plot_script(char *out, size_t len) {
  const char *env = getenv("SASP_PLOT_SCRIPT");
  if (env && env[0]) {
    snprintf(out, len, "%s", env);
    return sa_file_exists(out) ? 0 : -1;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    /* the build tree lies inside the source tree (build/sim/sasp): walk up */
    for (int up = 0; up < 6; up++) {
      char *slash = strrchr(exe, '/');
      if (!slash) break;
      *slash = 0;
      snprintf(out, len, "%s/scripts/sasp_plot.py", exe[0] ? exe : "/");
      if (sa_file_exists(out)) return 0;
      snprintf(out, len, "%s/share/sasp/sasp_plot.py", exe[0] ? exe : "/");
      if (sa_file_exists(out)) return 0;
    }
  }
  snprintf(out, len, "scripts/sasp_plot.py");
  return sa_file_exists(out) ? 0 : -1;
}

int sa_sweep_plot(const char *dir, sa_err *e) {
  static const char py[] = "/usr/bin/python3";
  char script[4200];
  char *csv = sa_path_join(dir, "points.csv", e);
  if (!csv) return -1;
  int have = sa_file_exists(csv);
  free(csv);
  if (!have) return sa_err_set(e, "%s/points.csv: no such file (not a sweep directory?)", dir);
  if (find_plot_script(script, sizeof script))
    return sa_err_set(e, "sasp_plot.py not found (set SASP_PLOT_SCRIPT)");
  if (access(py, X_OK) != 0) {
    sa_err_set(e, "%s not found (install python3 and python3-matplotlib)", py);
    return 1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return sa_err_set(e, "fork: %s", strerror(errno));
  if (pid == 0) {
    execl(py, py, script, dir, (char *)NULL);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sa_err_set(e, "waitpid: %s", strerror(errno));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    sa_err_set(e, "python3-matplotlib is not installed: no plots (install it, then run "
                  "'sasp plot %s')", dir);
    return 1;
  }
  return sa_err_set(e, "%s %s %s failed (exit %d)", py, script, dir,
                    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

