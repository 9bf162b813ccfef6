/* sa_table: points.csv and summary.json of a sweep or merge. */
#include "sa_table.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_csv.h"
#include "sa_file.h"
#include "sa_json.h"
#include "sa_out.h"

static int write_csv(const char *path, const sa_grid *g, const sa_rec *recs, int n, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  sa_csv c;
  sa_csv_init(&c, o.f);
  for (int k = 0; k < SA_N_COLS; k++) sa_csv_str(&c, sa_rec_columns[k].name);
  for (int a = 0; a < g->n_axes; a++) { /* the axes after the fixed columns */
    char name[80];
    snprintf(name, sizeof name, "axis.%s", g->axes[a].key);
    sa_csv_str(&c, name);
  }
  sa_csv_eol(&c);
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < SA_N_COLS; k++) sa_csv_str(&c, recs[i].val[k]);
    for (int a = 0; a < g->n_axes; a++)
      sa_csv_str(&c, g->axes[a].values[sa_grid_value(g, recs[i].index, a)]);
    sa_csv_eol(&c);
  }
  return sa_out_commit(&o, e);
}

/* Writes "key": value for one cell (numbers stay numbers, text stays text). */
static void json_cell_kv(sa_json *j, const char *key, const char *v) {
  sa_json_key(j, key);
  if (!v[0]) {
    sa_json_null(j);
    return;
  }
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (!*end && isfinite(d) && errno == 0) {
    long long iv;
    char *iend;
    iv = strtoll(v, &iend, 10);
    if (!*iend) sa_json_int(j, iv);
    else sa_json_num(j, d);
  } else {
    sa_json_str(j, v);
  }
}

/* Embeds already-serialised JSON as the value of the key just written. */
static void json_raw(sa_json *j, const char *raw) {
  SA_ASSERT(j->after_key);
  j->after_key = 0;
  fputs(raw, j->f);
}

static int write_summary(const char *path, const sa_table_info *si, const sa_rec *recs, int n,
                         sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  sa_json j;
  sa_json_init(&j, o.f, 1);
  sa_json_obj(&j);
  sa_json_provenance(&j);
  sa_json_key(&j, "format");
  sa_json_str(&j, "sasp-sweep-summary/1");
  if (si->config_path) {
    sa_json_key(&j, "config_path");
    sa_json_str(&j, si->config_path);
  }
  sa_json_key(&j, "fingerprint");
  sa_json_str(&j, si->fp);
  sa_json_key(&j, "grid");
  sa_json_obj(&j);
  sa_json_key(&j, "arrays");
  sa_json_arr(&j);
  for (int i = 0; i < si->g->n_shapes; i++) {
    char s[64];
    snprintf(s, sizeof s, "%lldx%lld", (long long)si->g->shapes[i].rows,
             (long long)si->g->shapes[i].cols);
    sa_json_str(&j, s);
  }
  sa_json_end(&j);
  sa_json_key(&j, "rates");
  sa_json_arr(&j);
  for (int i = 0; i < si->g->n_rates; i++) sa_json_num(&j, si->g->rates[i]);
  sa_json_end(&j);
  if (si->g->n_axes) {
    sa_json_key(&j, "axes");
    sa_json_obj(&j);
    for (int a = 0; a < si->g->n_axes; a++) {
      sa_json_key(&j, si->g->axes[a].key);
      sa_json_arr(&j);
      for (int v = 0; v < si->g->axes[a].n_values; v++) sa_json_str(&j, si->g->axes[a].values[v]);
      sa_json_end(&j);
    }
    sa_json_end(&j);
  }
  sa_json_key(&j, "points");
  sa_json_int(&j, si->g->n);
  sa_json_end(&j);
  sa_json_key(&j, "shard");
  sa_json_obj(&j);
  sa_json_key(&j, "k");
  sa_json_int(&j, si->shard_k);
  sa_json_key(&j, "n");
  sa_json_int(&j, si->shard_n);
  sa_json_key(&j, "rule");
  sa_json_str(&j, si->g->n_axes ? "point i (config order: arrays outer, then rates, then the "
                                   "axes' values, the last axis inner) belongs to shard "
                                   "(i mod n) + 1"
                                 : "point i (config order: arrays outer, rates inner) belongs "
                                   "to shard (i mod n) + 1");
  sa_json_end(&j);
  if (si->merged) {
    sa_json_key(&j, "merged_from");
    sa_json_arr(&j);
    for (int i = 0; i < si->n_merged; i++) sa_json_str(&j, si->merged[i]);
    sa_json_end(&j);
  }
  sa_json_key(&j, "points_here");
  sa_json_int(&j, n);
  if (si->rep) {
    sa_json_key(&j, "run");
    sa_json_obj(&j);
    sa_json_key(&j, "jobs");
    sa_json_int(&j, si->jobs);
    sa_json_key(&j, "points_run");
    sa_json_int(&j, si->rep->points_run);
    sa_json_key(&j, "points_resumed");
    sa_json_int(&j, si->rep->points_resumed);
    sa_json_key(&j, "wall_s");
    sa_json_num(&j, round(si->rep->wall_s * 1000) / 1000);
    sa_json_end(&j);
  }
  if (si->workload_note) {
    sa_json_key(&j, "workload_note");
    sa_json_str(&j, si->workload_note);
  }
  sa_json_key(&j, "columns");
  sa_json_arr(&j);
  for (int c = 0; c < SA_N_COLS; c++) {
    sa_json_obj(&j);
    sa_json_key(&j, "name");
    sa_json_str(&j, sa_rec_columns[c].name);
    sa_json_key(&j, "unit");
    sa_json_str(&j, sa_rec_columns[c].unit);
    sa_json_key(&j, "meaning");
    sa_json_str(&j, sa_rec_columns[c].doc);
    sa_json_end(&j);
  }
  for (int a = 0; a < si->g->n_axes; a++) {
    char name[80], doc[160];
    snprintf(name, sizeof name, "axis.%s", si->g->axes[a].key);
    snprintf(doc, sizeof doc, "sweep axis: the point's value of configuration key %s",
             si->g->axes[a].key);
    sa_json_obj(&j);
    sa_json_key(&j, "name");
    sa_json_str(&j, name);
    sa_json_key(&j, "unit");
    sa_json_str(&j, "");
    sa_json_key(&j, "meaning");
    sa_json_str(&j, doc);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  /* Columns left empty, with the reasons (distinct reasons per stage, first-seen order). */
  sa_json_key(&j, "unavailable");
  sa_json_obj(&j);
  for (int s = 0; s < SA_N_STAGES; s++) {
    int any = 0;
    for (int i = 0; i < n && !any; i++) any = recs[i].note[s][0] != 0;
    if (!any) continue;
    sa_json_key(&j, sa_rec_stage_names[s]);
    sa_json_obj(&j);
    sa_json_key(&j, "columns");
    sa_json_arr(&j);
    for (int c = 0; c < SA_N_COLS; c++)
      if (sa_rec_columns[c].stage == s && !(s == SA_STAGE_RTL && c == SA_COL_RTL))
        sa_json_str(&j, sa_rec_columns[c].name);
    sa_json_end(&j);
    int count = 0;
    for (int i = 0; i < n; i++) count += recs[i].note[s][0] != 0;
    sa_json_key(&j, "points");
    sa_json_int(&j, count);
    sa_json_key(&j, "why");
    sa_json_arr(&j);
    for (int i = 0; i < n; i++) {
      if (!recs[i].note[s][0]) continue;
      int dup = 0;
      for (int k = 0; k < i && !dup; k++) dup = !strcmp(recs[k].note[s], recs[i].note[s]);
      if (!dup) sa_json_str(&j, recs[i].note[s]);
    }
    sa_json_end(&j);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  sa_json_key(&j, "points");
  sa_json_arr(&j);
  for (int i = 0; i < n; i++) {
    const sa_rec *r = &recs[i];
    sa_json_obj(&j);
    char id[SA_GRID_ID_MAX + 64];
    sa_grid_point_id(si->g, r->index, id, sizeof id);
    sa_json_key(&j, "id");
    sa_json_str(&j, id);
    sa_json_key(&j, "index");
    sa_json_int(&j, r->index);
    for (int c = 0; c < SA_N_COLS; c++) json_cell_kv(&j, sa_rec_columns[c].name, r->val[c]);
    for (int a = 0; a < si->g->n_axes; a++) {
      char name[80];
      snprintf(name, sizeof name, "axis.%s", si->g->axes[a].key);
      sa_json_key(&j, name);
      sa_json_str(&j, si->g->axes[a].values[sa_grid_value(si->g, r->index, a)]);
    }
    sa_json_key(&j, "mask");
    char mp[SA_GRID_ID_MAX + 96];
    snprintf(mp, sizeof mp, "masks/%s.mask", id);
    sa_json_str(&j, r->val[SA_COL_RATE_ACH][0] ? mp : NULL);
    sa_json_key(&j, "seconds");
    sa_json_num(&j, r->seconds);
    sa_json_key(&j, "notes");
    sa_json_obj(&j);
    for (int s = 0; s < SA_N_STAGES; s++)
      if (r->note[s][0]) {
        sa_json_key(&j, sa_rec_stage_names[s]);
        sa_json_str(&j, r->note[s]);
      }
    sa_json_end(&j);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  sa_json_key(&j, "config");
  json_raw(&j, si->cfg_json);
  sa_json_end(&j);
  return sa_out_commit(&o, e);
}

int sa_table_write(const char *dir, const sa_table_info *si, sa_rec *recs, int n, sa_err *e) {
  qsort(recs, (size_t)n, sizeof *recs, sa_rec_cmp);
  char *csv = sa_path_join(dir, "points.csv", e), *sum = sa_path_join(dir, "summary.json", e);
  int rc = csv && sum ? 0 : -1;
  if (!rc) rc = write_csv(csv, si->g, recs, n, e);
  if (!rc) rc = write_summary(sum, si, recs, n, e);
  free(csv);
  free(sum);
  return rc;
}
