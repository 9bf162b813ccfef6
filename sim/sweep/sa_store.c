/* sa_store: grid, fingerprint, point and grid files of a sweep's result directory. */
#include "sa_store.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_file.h"
#include "sa_hash.h"
#include "sa_json.h"
#include "sa_num.h"
#include "sa_out.h"

void sa_grid_init(sa_grid *g, const sa_sweep_cfg *sw) {
  memset(g, 0, sizeof *g);
  g->n_shapes = sw->n_shapes;
  g->n_rates = sw->n_rates;
  g->shapes = sw->shapes;
  g->rates = sw->rates;
  g->n_axes = sw->n_axes;
  g->axes = sw->axes;
  int64_t combos = 1;
  for (int a = 0; a < sw->n_axes; a++) combos *= sw->axes[a].n_values; /* <= 16^8 */
  int64_t n = combos * sw->n_shapes * sw->n_rates;
  g->n_combos = combos <= SA_GRID_MAX_POINTS ? (int)combos : 0;
  g->n = n <= SA_GRID_MAX_POINTS ? (int)n : 0;
}

const sa_shape *sa_grid_shape(const sa_grid *g, int i) {
  return &g->shapes[i / (g->n_rates * g->n_combos)];
}

double sa_grid_rate(const sa_grid *g, int i) { return g->rates[(i / g->n_combos) % g->n_rates]; }

int sa_grid_value(const sa_grid *g, int i, int a) {
  int k = i % g->n_combos;
  for (int b = g->n_axes - 1; b > a; b--) k /= g->axes[b].n_values;
  return k % g->axes[a].n_values;
}

/* A value as it appears in file names. */
static void id_part(const char *v, char *out, size_t len) {
  size_t n = 0;
  for (; *v && n + 1 < len; v++)
    out[n++] = ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
                strchr(".+=_", *v)) ? *v : '_';
  out[n] = 0;
}

void sa_grid_point_id(const sa_grid *g, int i, char *buf, size_t len) {
  const sa_shape *s = sa_grid_shape(g, i);
  int used = snprintf(buf, len, "%lldx%lld-rate%.9g", (long long)s->rows, (long long)s->cols,
                      sa_grid_rate(g, i));
  for (int a = 0; a < g->n_axes && used >= 0 && (size_t)used < len; a++) {
    char part[SA_AXIS_VALUE_MAX];
    id_part(g->axes[a].values[sa_grid_value(g, i, a)], part, sizeof part);
    used += snprintf(buf + used, len - (size_t)used, "-%s", part);
  }
}

int sa_grid_check(const sa_grid *g, sa_err *e) {
  for (int a = 0; a < g->n_axes; a++) {
    const sa_axis *ax = &g->axes[a];
    for (int v = 0; v < ax->n_values; v++) {
      char p1[SA_AXIS_VALUE_MAX], p2[SA_AXIS_VALUE_MAX];
      if (strpbrk(ax->values[v], "\t\r\n"))
        return sa_err_set(e, "%s:%d:%d: key 'sweep.axes.%s': value '%s' holds a tab or line "
                          "break", ax->file, ax->vline[v], ax->vcol[v], ax->key, ax->values[v]);
      id_part(ax->values[v], p1, sizeof p1);
      for (int w = 0; w < v; w++) {
        id_part(ax->values[w], p2, sizeof p2);
        if (!strcmp(p1, p2))
          return sa_err_set(e, "%s:%d:%d: key 'sweep.axes.%s': values '%s' and '%s' give the "
                            "same file name '%s'", ax->file, ax->vline[v], ax->vcol[v], ax->key,
                            ax->values[w], ax->values[v], p1);
      }
    }
  }
  for (int i = 0; i < g->n; i++) {
    char id[SA_GRID_ID_MAX + 64];
    sa_grid_point_id(g, i, id, sizeof id);
    if (strlen(id) > SA_GRID_ID_MAX)
      return sa_err_set(e, "%s:%d:%d: key 'sweep.axes': point id '%.60s...' longer than %d "
                        "characters (shorter axis values, please)", g->axes[0].file,
                        g->axes[0].line, g->axes[0].col, id, SA_GRID_ID_MAX);
  }
  return 0;
}

int sa_grid_config(const sa_grid *g, const sa_config *base, int i, sa_config *out, sa_err *e) {
  *out = *base;
  const sa_shape *s = sa_grid_shape(g, i);
  out->hw.rows = s->rows;
  out->hw.cols = s->cols;
  out->prune.rate = sa_grid_rate(g, i);
  for (int a = 0; a < g->n_axes; a++) {
    const sa_axis *ax = &g->axes[a];
    int v = sa_grid_value(g, i, a);
    if (sa_config_set(out, ax->key, ax->values[v], ax->file, ax->vline[v], ax->vcol[v], e))
      return -1;
  }
  if (g->n_axes == 0) return sa_config_validate(out, NULL, e);
  /* the rules between keys, for this combination: named at the axis whose key the message
   * names (else the first axis), with the whole combination */
  char where[512];
  sa_grid_combination(g, i, where, sizeof where);
  sa_err ve;
  if (!sa_config_validate(out, "", &ve)) return 0;
  const sa_axis *at = &g->axes[0];
  int line = at->line, col = at->col;
  for (int a = 0; a < g->n_axes; a++) {
    char named[96];
    snprintf(named, sizeof named, "key '%s'", g->axes[a].key);
    if (strstr(ve.msg, named)) {
      at = &g->axes[a];
      line = at->vline[sa_grid_value(g, i, a)];
      col = at->vcol[sa_grid_value(g, i, a)];
      break;
    }
  }
  /* ve.msg reads ": key 'a.b': problem" (where "") */
  return sa_err_set(e, "%s:%d:%d: sweep.axes combination %s%s", at->file, line, col, where,
                    ve.msg);
}

void sa_grid_combination(const sa_grid *g, int i, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = 0;
  for (int a = 0; a < g->n_axes && used < len; a++) {
    int n = snprintf(buf + used, len - used, "%s%s=%s", a ? ", " : "", g->axes[a].key,
                     g->axes[a].values[sa_grid_value(g, i, a)]);
    if (n < 0) break;
    used += (size_t)n;
  }
}


int sa_store_fingerprint(const sa_config *cfg, char out[17], sa_err *e) {
  sa_config *c = sa_malloc(sizeof *c, e);
  if (!c) return -1;
  *c = *cfg;
  c->path[0] = 0;
  /* the same file named by different relative paths is the same configuration */
  char *paths[] = {c->workload.manifest, c->workload.topology, c->workload.testset,
                   c->prune.calibration, c->prune.statistics, c->tech.path};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    char *real = paths[i][0] ? realpath(paths[i], NULL) : NULL;
    if (real && strlen(real) < SA_PATH_MAX) strcpy(paths[i], real);
    free(real);
  }
  c->sweep.n_shapes = 0; /* the grid may grow between resumes */
  c->sweep.n_rates = 0;
  c->sweep.n_axes = 0;
  c->n_defaulted = 0;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    free(c);
    return sa_err_set(e, "out of memory");
  }
  sa_config_write_yaml(c, f);
  fclose(f);
  /* drop the first line (it names the config file) */
  const char *body = memchr(buf, '\n', len);
  body = body ? body + 1 : buf;
  /* the sweep's fingerprints start from 1469598103934665603, not FNV's offset basis (a digit
   * short), since result format 1: kept, so that existing directories still resume and merge */
  uint64_t h = sa_hash_fnv1a_from(1469598103934665603ull, body, len - (size_t)(body - buf));
  snprintf(out, 17, "%016llx", (unsigned long long)h);
  free(buf);
  free(c);
  return 0;
}

char *sa_store_config_json(const sa_config *cfg, sa_err *e) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    sa_err_set(e, "out of memory");
    return NULL;
  }
  sa_json j;
  sa_json_init(&j, f, 0);
  sa_config_write_json(cfg, &j);
  fclose(f);
  return buf;
}

int sa_store_clean_dir(const char *dir, const char *suffix, int all_results, sa_err *e) {
  DIR *d = opendir(dir);
  if (!d) return sa_err_set(e, "%s: cannot open directory: %s", dir, strerror(errno));
  struct dirent *de;
  int rc = 0;
  while ((de = readdir(d))) {
    const char *n = de->d_name;
    size_t len = strlen(n), sl = strlen(suffix);
    int is_tmp = strstr(n, ".tmp.") != NULL;
    int is_res = len > sl && !strcmp(n + len - sl, suffix);
    if (!is_tmp && !(all_results && is_res)) continue;
    char *p = sa_path_join(dir, n, e);
    if (!p) {
      rc = -1;
      break;
    }
    if (unlink(p) != 0 && errno != ENOENT) {
      rc = sa_err_set(e, "%s: cannot remove: %s", p, strerror(errno));
      free(p);
      break;
    }
    free(p);
  }
  closedir(d);
  return rc;
}

static const char point_magic[] = "sasp-sweep-point/1";

int sa_store_write_point(const char *path, const sa_rec *r, const char *fp, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  fprintf(o.f, "%s\nfingerprint\t%s\nindex\t%d\nrate\t%.17g\nseconds\t%.3f\n", point_magic, fp,
          r->index, r->rate, r->seconds);
  for (int c = 0; c < SA_N_COLS; c++)
    fprintf(o.f, "col\t%s\t%s\n", sa_rec_columns[c].name, r->val[c]);
  for (int s = 0; s < SA_N_STAGES; s++)
    if (r->note[s][0]) fprintf(o.f, "note\t%s\t%s\n", sa_rec_stage_names[s], r->note[s]);
  for (int a = 0; a < r->n_axes; a++)
    fprintf(o.f, "axis\t%s\t%s\n", r->axis_key[a], r->axis_val[a]);
  return sa_out_commit(&o, e);
}

int sa_store_read_point(const char *path, sa_rec *r, char *fp, sa_err *e) {
  size_t len;
  char *buf = sa_file_read(path, SA_STORE_TEXT_MAX, &len, e);
  if (!buf) return -1;
  memset(r, 0, sizeof *r);
  fp[0] = 0;
  int seen[SA_N_COLS] = {0}, have_index = 0, have_rate = 0, lineno = 0, rc = 0;
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    if (lineno == 1) {
      if (strcmp(line, point_magic)) {
        rc = sa_err_set(e, "%s:1: not a sasp sweep point file (expected '%s')", path,
                        point_magic);
        break;
      }
      continue;
    }
    char *f1 = line, *f2 = strchr(f1, '\t'), *f3 = NULL;
    if (!f2) {
      rc = sa_err_set(e, "%s:%d: malformed line", path, lineno);
      break;
    }
    *f2++ = 0;
    if ((f3 = strchr(f2, '\t'))) *f3++ = 0;
    char *end;
    if (!strcmp(f1, "fingerprint") && strlen(f2) == 16 && !f3) {
      memcpy(fp, f2, 17);
    } else if (!strcmp(f1, "index") && !f3) {
      int64_t v;
      if (sa_num_i64(f2, 0, INT32_MAX, &v)) break;
      r->index = (int)v;
      have_index = 1;
    } else if (!strcmp(f1, "rate") && !f3) {
      r->rate = strtod(f2, &end);
      if (*end) break;
      have_rate = 1;
    } else if (!strcmp(f1, "seconds") && !f3) {
      r->seconds = strtod(f2, &end);
    } else if (!strcmp(f1, "col") && f3) {
      int c = sa_rec_column_index(f2);
      if (c < 0 || seen[c] || strlen(f3) >= SA_REC_VAL_MAX) {
        rc = sa_err_set(e, "%s:%d: unknown, repeated or over-long column '%s'", path, lineno, f2);
        break;
      }
      seen[c] = 1;
      strcpy(r->val[c], f3);
    } else if (!strcmp(f1, "note") && f3) {
      int s = sa_rec_stage_index(f2);
      if (s < 0) {
        rc = sa_err_set(e, "%s:%d: unknown stage '%s'", path, lineno, f2);
        break;
      }
      snprintf(r->note[s], SA_REC_NOTE_MAX, "%s", f3);
    } else if (!strcmp(f1, "axis") && f3) {
      if (r->n_axes == SA_MAX_AXES || strlen(f2) >= sizeof r->axis_key[0] ||
          strlen(f3) >= SA_AXIS_VALUE_MAX) {
        rc = sa_err_set(e, "%s:%d: too many or over-long axis lines", path, lineno);
        break;
      }
      strcpy(r->axis_key[r->n_axes], f2);
      strcpy(r->axis_val[r->n_axes++], f3);
    } else {
      rc = sa_err_set(e, "%s:%d: unexpected line '%s'", path, lineno, f1);
      break;
    }
  }
  free(buf);
  if (rc) return -1;
  if (!fp[0] || !have_index || !have_rate)
    return sa_err_set(e, "%s: incomplete point file (fingerprint, index or rate missing)", path);
  for (int c = 0; c < SA_N_COLS; c++)
    if (!seen[c])
      return sa_err_set(e, "%s: column '%s' missing (written by another sasp version?)", path,
                        sa_rec_columns[c].name);
  r->rows = strtoll(r->val[SA_COL_ROWS], NULL, 10);
  r->cols = strtoll(r->val[SA_COL_COLS], NULL, 10);
  return 0;
}

int sa_store_point_path(const char *dir, const sa_grid *g, int i, char **out, sa_err *e) {
  char id[SA_GRID_ID_MAX + 64], name[SA_GRID_ID_MAX + 96];
  sa_grid_point_id(g, i, id, sizeof id);
  snprintf(name, sizeof name, "points/%s.tsv", id);
  *out = sa_path_join(dir, name, e);
  return *out ? 0 : -1;
}

static const char grid_magic[] = "sasp-sweep-grid/1";

int sa_store_write_grid(const char *path, const sa_grid *g, const char *fp, const char *cfg_json,
                        sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  fprintf(o.f, "%s\nfingerprint\t%s\narrays\t", grid_magic, fp);
  for (int i = 0; i < g->n_shapes; i++)
    fprintf(o.f, "%s%lldx%lld", i ? " " : "", (long long)g->shapes[i].rows,
            (long long)g->shapes[i].cols);
  fprintf(o.f, "\nrates\t");
  for (int i = 0; i < g->n_rates; i++) fprintf(o.f, "%s%.17g", i ? " " : "", g->rates[i]);
  for (int a = 0; a < g->n_axes; a++) {
    fprintf(o.f, "\naxis\t%s", g->axes[a].key);
    for (int v = 0; v < g->axes[a].n_values; v++) fprintf(o.f, "\t%s", g->axes[a].values[v]);
  }
  fprintf(o.f, "\nconfig_json\t%s\n", cfg_json);
  return sa_out_commit(&o, e);
}

void sa_grid_file_free(sa_grid_file *gf) {
  free(gf->text);
  free(gf->shapes);
  free(gf->rates);
  free(gf->axes);
  free(gf->cfg_json);
  memset(gf, 0, sizeof *gf);
}

int sa_store_read_grid(const char *path, sa_grid_file *gf, sa_err *e) {
  memset(gf, 0, sizeof *gf);
  size_t len;
  gf->text = sa_file_read(path, SA_STORE_TEXT_MAX, &len, e);
  if (!gf->text) return -1;
  char *copy = sa_strdup(gf->text, e);
  if (!copy) goto fail;
  char *save = NULL;
  int lineno = 0, ok_arrays = 0, ok_rates = 0;
  unsigned seen = 0; /* keys read so far: a repeated key is an error */
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    if (lineno == 1) {
      if (strcmp(line, grid_magic)) {
        sa_err_set(e, "%s:1: not a sasp sweep grid file", path);
        goto fail_copy;
      }
      continue;
    }
    char *v = strchr(line, '\t');
    if (!v) {
      sa_err_set(e, "%s:%d: malformed line", path, lineno);
      goto fail_copy;
    }
    *v++ = 0;
    static const char *const keys[] = {"fingerprint", "arrays", "rates", "config_json"};
    for (int k = 0; k < 4; k++) {
      if (strcmp(line, keys[k])) continue;
      if (seen & (1u << k)) {
        sa_err_set(e, "%s:%d: key '%s' given twice", path, lineno, line);
        goto fail_copy;
      }
      seen |= 1u << k;
    }
    if (!strcmp(line, "fingerprint")) {
      snprintf(gf->fp, sizeof gf->fp, "%s", v);
    } else if (!strcmp(line, "arrays") || !strcmp(line, "rates")) {
      int is_arr = line[0] == 'a', n = 0, cap = 0;
      char *s2 = NULL;
      int limit = is_arr ? SA_MAX_SHAPES : SA_MAX_RATES; /* as the config loader allows */
      for (char *t = strtok_r(v, " ", &s2); t; t = strtok_r(NULL, " ", &s2)) {
        if (n == limit) {
          sa_err_set(e, "%s:%d: more than %d %s", path, lineno, limit, line);
          goto fail_copy;
        }
        if (n == cap) {
          cap = cap ? cap * 2 : 16;
          void *p = is_arr ? sa_realloc(gf->shapes, (size_t)cap * sizeof *gf->shapes, e)
                           : sa_realloc(gf->rates, (size_t)cap * sizeof *gf->rates, e);
          if (!p) goto fail_copy;
          if (is_arr) gf->shapes = p;
          else gf->rates = p;
        }
        char *end;
        if (is_arr ? sa_config_parse_shape(t, &gf->shapes[n]) != 0
                   : (gf->rates[n] = strtod(t, &end), *end != 0)) {
          sa_err_set(e, "%s:%d: bad value '%s'", path, lineno, t);
          goto fail_copy;
        }
        n++;
      }
      if (is_arr) gf->n_shapes = n, ok_arrays = 1;
      else gf->n_rates = n, ok_rates = 1;
    } else if (!strcmp(line, "axis")) {
      if (!gf->axes && !(gf->axes = sa_calloc(SA_MAX_AXES, sizeof *gf->axes, e))) goto fail_copy;
      if (gf->n_axes == SA_MAX_AXES) {
        sa_err_set(e, "%s:%d: more than %d axes", path, lineno, SA_MAX_AXES);
        goto fail_copy;
      }
      sa_axis *ax = &gf->axes[gf->n_axes];
      char *s2 = NULL;
      int nv = -1;
      for (char *t = strtok_r(v, "\t", &s2); t; t = strtok_r(NULL, "\t", &s2), nv++) {
        size_t cap = nv < 0 ? sizeof ax->key : SA_AXIS_VALUE_MAX;
        if (nv == SA_MAX_AXIS_VALUES || strlen(t) >= cap) {
          sa_err_set(e, "%s:%d: too many or over-long axis values", path, lineno);
          goto fail_copy;
        }
        strcpy(nv < 0 ? ax->key : ax->values[nv], t);
      }
      if (nv < 1) {
        sa_err_set(e, "%s:%d: axis without values", path, lineno);
        goto fail_copy;
      }
      ax->n_values = nv;
      gf->n_axes++;
    } else if (!strcmp(line, "config_json")) {
      gf->cfg_json = sa_strdup(v, e);
      if (!gf->cfg_json) goto fail_copy;
    } else {
      sa_err_set(e, "%s:%d: unexpected key '%s'", path, lineno, line);
      goto fail_copy;
    }
  }
  free(copy);
  if (!gf->fp[0] || !ok_arrays || !ok_rates || !gf->cfg_json || gf->n_shapes < 1 ||
      gf->n_rates < 1) {
    sa_err_set(e, "%s: incomplete grid file", path);
    goto fail;
  }
  return 0;
fail_copy:
  free(copy);
fail:
  sa_grid_file_free(gf);
  return -1;
}

void sa_grid_file_grid(const sa_grid_file *gf, sa_grid *g) {
  sa_sweep_cfg *sw = calloc(1, sizeof *sw); /* only for sa_grid_init's arithmetic */
  SA_ASSERT(sw);
  sw->n_shapes = gf->n_shapes;
  sw->n_rates = gf->n_rates;
  sw->n_axes = gf->n_axes;
  for (int a = 0; a < gf->n_axes; a++) sw->axes[a].n_values = gf->axes[a].n_values;
  sa_grid_init(g, sw);
  free(sw);
  g->shapes = gf->shapes;
  g->rates = gf->rates;
  g->axes = gf->axes;
}

int sa_store_write_resolved_yaml(const char *dir, const sa_config *cfg, sa_err *e) {
  char *path = sa_path_join(dir, "config.resolved.yaml", e);
  if (!path) return -1;
  sa_out o;
  int rc = sa_out_open(&o, path, e);
  if (!rc) {
    sa_config_write_yaml(cfg, o.f);
    rc = sa_out_commit(&o, e);
  }
  free(path);
  return rc;
}
