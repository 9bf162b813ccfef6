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
#include "sa_json.h"
#include "sa_out.h"

void sa_grid_point_id(const sa_grid *g, int i, char *buf, size_t len) {
  const sa_shape *s = &g->shapes[i / g->n_rates];
  snprintf(buf, len, "%lldx%lld-rate%.9g", (long long)s->rows, (long long)s->cols,
           g->rates[i % g->n_rates]);
}


static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

int sa_store_fingerprint(const sa_config *cfg, char out[17], sa_err *e) {
  sa_config *c = sa_malloc(sizeof *c, e);
  if (!c) return -1;
  *c = *cfg;
  c->path[0] = 0;
  /* the same file named by different relative paths is the same configuration */
  char *paths[] = {c->workload.manifest, c->workload.testset, c->prune.calibration,
                   c->tech.path};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    char *real = paths[i][0] ? realpath(paths[i], NULL) : NULL;
    if (real && strlen(real) < SA_PATH_MAX) strcpy(paths[i], real);
    free(real);
  }
  c->sweep.n_shapes = 0;
  c->sweep.n_rates = 0;
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
  snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(body, len - (size_t)(body - buf)));
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

int sa_store_copy_file(const char *from, const char *to, sa_err *e) {
  size_t len;
  char *buf = sa_file_read(from, SA_STORE_COPY_MAX, &len, e);
  if (!buf) return -1;
  int rc = sa_out_write_file(to, buf, len, e);
  free(buf);
  return rc;
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
      long v = strtol(f2, &end, 10);
      if (*end || v < 0) break;
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
  char id[96], name[128];
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
  fprintf(o.f, "\nconfig_json\t%s\n", cfg_json);
  return sa_out_commit(&o, e);
}

void sa_grid_file_free(sa_grid_file *gf) {
  free(gf->text);
  free(gf->shapes);
  free(gf->rates);
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
