/* sa_prune: tile scores, global / per-layer thresholds with caps, applying masks, and the
 * pruner's output files (pruned safetensors, JSON/CSV summary, activation norms). */
#include "sa_prune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_csv.h"
#include "sa_json.h"
#include "sa_out.h"
#include "sa_safetensors.h"

/* Guard of floor(rate * tiles + EPS): makes 0.29 * 100 count 29 tiles, not 28. */
#define COUNT_EPS 1e-9

static const char *const crit_names[] = {"mean_abs", "l2", "act_aware"};
static const char *const scope_names[] = {"ff", "attn", "all"};
static const char *const thresh_names[] = {"global", "per_layer"};

const char *sa_prune_criterion_name(int v) { return v >= 0 && v < 3 ? crit_names[v] : NULL; }
const char *sa_prune_scope_name(int v) { return v >= 0 && v < 3 ? scope_names[v] : NULL; }
const char *sa_prune_threshold_name(int v) { return v >= 0 && v < 2 ? thresh_names[v] : NULL; }

int sa_prune_criterion_parse(const char *s) {
  for (int i = 0; i < 3; i++)
    if (!strcmp(s, crit_names[i])) return i;
  return -1;
}

int sa_prune_scope_parse(const char *s) {
  for (int i = 0; i < 3; i++)
    if (!strcmp(s, scope_names[i])) return i;
  return -1;
}

static int64_t count_of(double frac, int64_t tiles) {
  int64_t c = (int64_t)floor(frac * (double)tiles + COUNT_EPS);
  return c < 0 ? 0 : c > tiles ? tiles : c;
}

static int check_opts(const sa_manifest *man, const sa_prune_opts *o, sa_err *e) {
  if (!sa_prune_criterion_name(o->criterion) || !sa_prune_scope_name(o->scope) ||
      !sa_prune_threshold_name(o->threshold))
    return sa_err_set(e, "prune: unknown criterion, scope or threshold value");
  if (!(o->rate >= 0 && o->rate <= 1))
    return sa_err_set(e, "prune: rate %g outside 0..1", o->rate);
  if (!(o->layer_cap >= 0 && o->layer_cap <= 1))
    return sa_err_set(e, "prune: layer cap %g outside 0..1", o->layer_cap);
  if (o->tile_rows < 1 || o->tile_cols < 1 || o->tile_rows > INT32_MAX ||
      o->tile_cols > INT32_MAX)
    return sa_err_set(e, "prune: bad tile shape %lldx%lld", (long long)o->tile_rows,
                      (long long)o->tile_cols);
  if (o->criterion != SA_CRIT_ACT_AWARE) return 0;
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    if (!sa_manifest_in_scope(l, o->scope)) continue;
    if (!o->act_norms || !o->act_norms[i])
      return sa_err_set(e, "prune: criterion act_aware needs input-channel norms for layer '%s'",
                        l->name);
    for (int64_t k = 0; k < l->k; k++)
      if (!(o->act_norms[i][k] >= 0) || !isfinite(o->act_norms[i][k]))
        return sa_err_set(e, "prune: layer '%s': activation norm %lld is %g (must be finite "
                          "and >= 0)", l->name, (long long)k, (double)o->act_norms[i][k]);
  }
  return 0;
}

int sa_prune_scores(const sa_manifest *man, const sa_model *model, int layer,
                    const sa_prune_opts *o, double *scores, sa_err *e) {
  SA_ASSERT(layer >= 0 && layer < man->n_layers && layer < sa_model_n_layers(model));
  const sa_layer *l = &man->layers[layer];
  SA_ASSERT(sa_model_layer_k(model, layer) == l->k && sa_model_layer_n(model, layer) == l->n);
  const float *w = sa_model_weight(model, layer);
  const float *norm = NULL;
  if (o->criterion == SA_CRIT_ACT_AWARE) {
    if (!o->act_norms || !o->act_norms[layer])
      return sa_err_set(e, "prune: criterion act_aware needs input-channel norms for layer '%s'",
                        l->name);
    norm = o->act_norms[layer];
  }
  int64_t R = o->tile_rows, C = o->tile_cols, K = l->k, N = l->n;
  int64_t kt = (K + R - 1) / R, nt = (N + C - 1) / C;
  memset(scores, 0, (size_t)(kt * nt) * sizeof *scores);
  for (int64_t k = 0; k < K; k++) {
    double *row = scores + (k / R) * nt;
    const float *wr = w + k * N;
    for (int64_t n = 0; n < N; n++) {
      double v = wr[n];
      switch (o->criterion) {
        case SA_CRIT_MEAN_ABS: row[n / C] += fabs(v); break;
        case SA_CRIT_L2: row[n / C] += v * v; break;
        default: row[n / C] += fabs(v) * (double)norm[k]; break;
      }
    }
  }
  for (int64_t a = 0; a < kt; a++)
    for (int64_t b = 0; b < nt; b++) {
      int64_t rows = (a + 1) * R > K ? K - a * R : R, cols = (b + 1) * C > N ? N - b * C : C;
      double mean = scores[a * nt + b] / (double)(rows * cols);
      scores[a * nt + b] = o->criterion == SA_CRIT_L2 ? sqrt(mean) : mean;
    }
  return 0;
}

typedef struct cand {
  double score;
  int layer;
  int64_t tile;
} cand;

static int cand_cmp(const void *x, const void *y) {
  const cand *a = x, *b = y;
  if (a->score != b->score) return a->score < b->score ? -1 : 1;
  if (a->layer != b->layer) return a->layer < b->layer ? -1 : 1;
  return a->tile < b->tile ? -1 : a->tile > b->tile;
}

void sa_prune_stats_free(sa_prune_stats *st) {
  if (!st) return;
  free(st->layer_tiles);
  free(st->layer_pruned);
  free(st->layer_selected);
  free(st->layer_zero_frac);
  memset(st, 0, sizeof *st);
}

static int stats_alloc(sa_prune_stats *st, int n, sa_err *e) {
  memset(st, 0, sizeof *st);
  st->n = n;
  st->layer_tiles = sa_calloc((size_t)n, sizeof *st->layer_tiles, e);
  st->layer_pruned = sa_calloc((size_t)n, sizeof *st->layer_pruned, e);
  st->layer_selected = sa_calloc((size_t)n, sizeof *st->layer_selected, e);
  st->layer_zero_frac = sa_calloc((size_t)n, sizeof *st->layer_zero_frac, e);
  if (!st->layer_tiles || !st->layer_pruned || !st->layer_selected || !st->layer_zero_frac) {
    sa_prune_stats_free(st);
    return -1;
  }
  return 0;
}

/* Fraction of layer l's real elements inside pruned tiles. */
static double zero_frac(const sa_tilemask *m) {
  int64_t z = 0;
  for (int64_t a = 0; a < m->kt; a++)
    for (int64_t b = 0; b < m->nt; b++) {
      if (m->keep[a * m->nt + b]) continue;
      int64_t rows = (a + 1) * m->tile_rows > m->k ? m->k - a * m->tile_rows : m->tile_rows;
      int64_t cols = (b + 1) * m->tile_cols > m->n ? m->n - b * m->tile_cols : m->tile_cols;
      z += rows * cols;
    }
  return (double)z / ((double)m->k * (double)m->n);
}

static int select_tiles(const sa_manifest *man, const sa_model *model, const sa_prune_opts *o,
                        sa_maskset *ms, sa_prune_stats *st, sa_err *e) {
  int64_t total = 0;
  for (int i = 0; i < man->n_layers; i++) {
    const sa_tilemask *m = &ms->masks[i];
    st->layer_tiles[i] = m->kt * m->nt;
    st->layer_selected[i] = sa_manifest_in_scope(&man->layers[i], o->scope);
    if (st->layer_selected[i]) total += st->layer_tiles[i];
  }
  st->tiles_selected = total;
  if (!total) return 0;
  cand *c = sa_malloc((size_t)total * sizeof *c, e);
  double *sc = NULL;
  int64_t maxt = 0;
  for (int i = 0; i < man->n_layers; i++)
    if (st->layer_tiles[i] > maxt) maxt = st->layer_tiles[i];
  if (c) sc = sa_malloc((size_t)maxt * sizeof *sc, e);
  if (!c || !sc) {
    free(c);
    return sa_err_prefix(e, "prune");
  }
  int64_t nc = 0;
  int rc = 0;
  for (int i = 0; i < man->n_layers && !rc; i++) {
    if (!st->layer_selected[i]) continue;
    rc = sa_prune_scores(man, model, i, o, sc, e);
    for (int64_t t = 0; t < st->layer_tiles[i] && !rc; t++) c[nc++] = (cand){sc[t], i, t};
  }
  free(sc);
  if (rc) {
    free(c);
    return -1;
  }
  if (o->threshold == SA_THRESH_GLOBAL) {
    qsort(c, (size_t)nc, sizeof *c, cand_cmp);
    st->tiles_target = count_of(o->rate, total);
    for (int64_t j = 0; j < nc && st->tiles_pruned < st->tiles_target; j++) {
      int i = c[j].layer;
      if (st->layer_pruned[i] >= count_of(o->layer_cap, st->layer_tiles[i])) continue;
      ms->masks[i].keep[c[j].tile] = 0;
      st->layer_pruned[i]++;
      st->tiles_pruned++;
    }
  } else {
    int64_t start = 0;
    for (int i = 0; i < man->n_layers; i++) {
      if (!st->layer_selected[i]) continue;
      int64_t nt = st->layer_tiles[i], want = count_of(o->rate, nt);
      int64_t cap = count_of(o->layer_cap, nt), take = want < cap ? want : cap;
      qsort(c + start, (size_t)nt, sizeof *c, cand_cmp);
      for (int64_t j = 0; j < take; j++) ms->masks[i].keep[c[start + j].tile] = 0;
      st->tiles_target += want;
      st->layer_pruned[i] = take;
      st->tiles_pruned += take;
      start += nt;
    }
  }
  free(c);
  st->rate_achieved = (double)st->tiles_pruned / (double)total;
  return 0;
}

int sa_prune_masks(const sa_manifest *man, const sa_model *model, const sa_prune_opts *o,
                   sa_maskset *out, sa_prune_stats *st, sa_err *e) {
  memset(out, 0, sizeof *out);
  SA_ASSERT(sa_model_n_layers(model) == man->n_layers);
  if (check_opts(man, o, e)) return -1;
  sa_prune_stats local;
  if (stats_alloc(&local, man->n_layers, e)) return sa_err_prefix(e, "prune");
  out->tile_rows = o->tile_rows;
  out->tile_cols = o->tile_cols;
  out->masks = sa_calloc((size_t)man->n_layers, sizeof *out->masks, e);
  int rc = out->masks ? 0 : -1;
  for (int i = 0; i < man->n_layers && !rc; i++) {
    const sa_layer *l = &man->layers[i];
    rc = sa_tilemask_init(&out->masks[i], l->name, l->k, l->n, o->tile_rows, o->tile_cols, e);
    if (!rc) out->n = i + 1;
  }
  if (!rc) rc = select_tiles(man, model, o, out, &local, e);
  if (rc) {
    sa_maskset_free(out);
    sa_prune_stats_free(&local);
    return -1;
  }
  for (int i = 0; i < man->n_layers; i++) local.layer_zero_frac[i] = zero_frac(&out->masks[i]);
  if (st) *st = local;
  else sa_prune_stats_free(&local);
  return 0;
}

int sa_prune_check_masks(const sa_manifest *man, const sa_maskset *ms, sa_err *e) {
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    const sa_tilemask *m = sa_maskset_find(ms, l->name);
    if (!m) return sa_err_set(e, "mask set has no mask for layer '%s' of %s", l->name, man->path);
    if (m->k != l->k || m->n != l->n)
      return sa_err_set(e, "mask of layer '%s' is %lldx%lld but %s says %lldx%lld", l->name,
                        (long long)m->k, (long long)m->n, man->path, (long long)l->k,
                        (long long)l->n);
  }
  if (ms->n != man->n_layers) {
    for (int i = 0; i < ms->n; i++) {
      int found = 0;
      for (int j = 0; j < man->n_layers && !found; j++)
        found = !strcmp(ms->masks[i].name, man->layers[j].name);
      if (!found)
        return sa_err_set(e, "mask set has a mask for '%s', which is not a layer of %s",
                          ms->masks[i].name, man->path);
    }
  }
  return 0;
}

int sa_prune_apply(sa_model *model, const sa_maskset *ms, sa_err *e) {
  int nl = sa_model_n_layers(model);
  for (int i = 0; i < nl; i++) {
    const sa_tilemask *m = sa_maskset_find(ms, sa_model_layer_name(model, i));
    if (!m) return sa_err_set(e, "no mask for layer '%s'", sa_model_layer_name(model, i));
    if (m->k != sa_model_layer_k(model, i) || m->n != sa_model_layer_n(model, i))
      return sa_err_set(e, "mask of layer '%s' is %lldx%lld, the weight %lldx%lld", m->name,
                        (long long)m->k, (long long)m->n, (long long)sa_model_layer_k(model, i),
                        (long long)sa_model_layer_n(model, i));
  }
  for (int i = 0; i < nl; i++) {
    const sa_tilemask *m = sa_maskset_find(ms, sa_model_layer_name(model, i));
    for (int64_t a = 0; a < m->kt; a++)
      for (int64_t b = 0; b < m->nt; b++) {
        if (m->keep[a * m->nt + b]) continue;
        int64_t k0 = a * m->tile_rows, n0 = b * m->tile_cols;
        int64_t k1 = k0 + m->tile_rows > m->k ? m->k : k0 + m->tile_rows;
        int64_t n1 = n0 + m->tile_cols > m->n ? m->n : n0 + m->tile_cols;
        sa_model_zero_block(model, i, k0, k1, n0, n1);
      }
  }
  return 0;
}

int sa_prune_write_model(const sa_model *model, const sa_manifest *man, const char *path,
                         sa_err *e) {
  SA_ASSERT(sa_model_n_layers(model) == man->n_layers);
  int nt = sa_model_n_tensors(model);
  if (nt) {
    sa_safetensors_entry *t = sa_calloc((size_t)nt, sizeof *t, e);
    int64_t(*shapes)[SA_SAFETENSORS_MAX_DIMS] = sa_calloc((size_t)nt, sizeof *shapes, e);
    if (!t || !shapes) {
      free(t);
      free(shapes);
      return sa_err_prefix(e, "%s", path);
    }
    for (int i = 0; i < nt; i++) {
      t[i].name = sa_model_tensor_name(model, i);
      t[i].dtype = SA_ST_F32;
      t[i].data = sa_model_tensor(model, t[i].name, shapes[i], &t[i].ndim);
      t[i].shape = shapes[i];
    }
    int rc = sa_safetensors_write(path, t, nt, e);
    free(t);
    free(shapes);
    return rc;
  }
  /* synthetic: the layer weights in their manifest layout */
  int n = man->n_layers, rc = 0;
  sa_safetensors_entry *t = sa_calloc((size_t)n, sizeof *t, e);
  int64_t(*shapes)[2] = sa_calloc((size_t)n, sizeof *shapes, e);
  float **bufs = sa_calloc((size_t)n, sizeof *bufs, e);
  if (!t || !shapes || !bufs) rc = -1;
  for (int i = 0; i < n && !rc; i++) {
    const sa_layer *l = &man->layers[i];
    const float *w = sa_model_weight(model, i);
    t[i].name = l->weight;
    t[i].dtype = SA_ST_F32;
    t[i].ndim = 2;
    t[i].shape = shapes[i];
    shapes[i][0] = l->out_in ? l->n : l->k;
    shapes[i][1] = l->out_in ? l->k : l->n;
    if (!l->out_in) {
      t[i].data = w;
      continue;
    }
    bufs[i] = sa_malloc((size_t)(l->k * l->n) * sizeof(float), e);
    if (!bufs[i]) {
      rc = -1;
      break;
    }
    for (int64_t k = 0; k < l->k; k++)
      for (int64_t nn = 0; nn < l->n; nn++) bufs[i][nn * l->k + k] = w[k * l->n + nn];
    t[i].data = bufs[i];
  }
  if (rc) sa_err_prefix(e, "%s", path);
  else rc = sa_safetensors_write(path, t, n, e);
  for (int i = 0; bufs && i < n; i++) free(bufs[i]);
  free(bufs);
  free(shapes);
  free(t);
  return rc;
}

/* --- summary --- */

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0.0; }

static void write_json(FILE *f, const sa_manifest *man, const sa_prune_opts *o,
                       const sa_prune_stats *st) {
  sa_json j;
  sa_json_init(&j, f, 1);
  sa_json_obj(&j);
  sa_json_provenance(&j);
  sa_json_key(&j, "manifest");
  sa_json_str(&j, man->path);
  sa_json_key(&j, "model");
  sa_json_str(&j, man->name);
  sa_json_key(&j, "tile");
  sa_json_obj(&j);
  sa_json_key(&j, "rows");
  sa_json_int(&j, o->tile_rows);
  sa_json_key(&j, "cols");
  sa_json_int(&j, o->tile_cols);
  sa_json_end(&j);
  sa_json_key(&j, "criterion");
  sa_json_str(&j, sa_prune_criterion_name(o->criterion));
  sa_json_key(&j, "scope");
  sa_json_str(&j, sa_prune_scope_name(o->scope));
  sa_json_key(&j, "threshold");
  sa_json_str(&j, sa_prune_threshold_name(o->threshold));
  sa_json_key(&j, "layer_cap");
  sa_json_num(&j, o->layer_cap);
  sa_json_key(&j, "rate_requested");
  sa_json_num(&j, o->rate);
  sa_json_key(&j, "tiles_selected");
  sa_json_int(&j, st->tiles_selected);
  sa_json_key(&j, "tiles_target");
  sa_json_int(&j, st->tiles_target);
  sa_json_key(&j, "tiles_pruned");
  sa_json_int(&j, st->tiles_pruned);
  sa_json_key(&j, "rate_achieved");
  sa_json_num(&j, st->rate_achieved);
  int64_t all_tiles = 0, w_all = 0;
  double w_zero = 0;
  for (int i = 0; i < st->n; i++) {
    all_tiles += st->layer_tiles[i];
    int64_t kn = man->layers[i].k * man->layers[i].n;
    w_all += kn;
    w_zero += st->layer_zero_frac[i] * (double)kn;
  }
  sa_json_key(&j, "tiles_all_layers");
  sa_json_int(&j, all_tiles);
  sa_json_key(&j, "tile_sparsity_all_layers");
  sa_json_num(&j, ratio(st->tiles_pruned, all_tiles));
  sa_json_key(&j, "weights_all_layers");
  sa_json_int(&j, w_all);
  sa_json_key(&j, "weight_sparsity_all_layers");
  sa_json_num(&j, w_all ? w_zero / (double)w_all : 0.0);
  sa_json_key(&j, "layers");
  sa_json_arr(&j);
  for (int i = 0; i < st->n; i++) {
    const sa_layer *l = &man->layers[i];
    sa_json_obj(&j);
    sa_json_key(&j, "name");
    sa_json_str(&j, l->name);
    sa_json_key(&j, "role");
    sa_json_str(&j, sa_manifest_role_name(l->role));
    sa_json_key(&j, "k");
    sa_json_int(&j, l->k);
    sa_json_key(&j, "n");
    sa_json_int(&j, l->n);
    sa_json_key(&j, "kt");
    sa_json_int(&j, (l->k + o->tile_rows - 1) / o->tile_rows);
    sa_json_key(&j, "nt");
    sa_json_int(&j, (l->n + o->tile_cols - 1) / o->tile_cols);
    sa_json_key(&j, "selected");
    sa_json_bool(&j, st->layer_selected[i]);
    sa_json_key(&j, "tiles");
    sa_json_int(&j, st->layer_tiles[i]);
    sa_json_key(&j, "pruned");
    sa_json_int(&j, st->layer_pruned[i]);
    sa_json_key(&j, "tile_sparsity");
    sa_json_num(&j, ratio(st->layer_pruned[i], st->layer_tiles[i]));
    sa_json_key(&j, "weight_sparsity");
    sa_json_num(&j, st->layer_zero_frac[i]);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  sa_json_end(&j);
  fputc('\n', f);
}

static void write_csv(FILE *f, const sa_manifest *man, const sa_prune_opts *o,
                      const sa_prune_stats *st) {
  sa_csv c;
  sa_csv_init(&c, f);
  const char *cols[] = {"layer", "role", "k", "n", "kt", "nt", "selected", "tiles", "pruned",
                        "tile_sparsity", "weight_sparsity"};
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) sa_csv_str(&c, cols[i]);
  sa_csv_eol(&c);
  int64_t tiles = 0, w_all = 0;
  double w_zero = 0;
  for (int i = 0; i < st->n; i++) {
    const sa_layer *l = &man->layers[i];
    sa_csv_str(&c, l->name);
    sa_csv_str(&c, sa_manifest_role_name(l->role));
    sa_csv_int(&c, l->k);
    sa_csv_int(&c, l->n);
    sa_csv_int(&c, (l->k + o->tile_rows - 1) / o->tile_rows);
    sa_csv_int(&c, (l->n + o->tile_cols - 1) / o->tile_cols);
    sa_csv_int(&c, st->layer_selected[i]);
    sa_csv_int(&c, st->layer_tiles[i]);
    sa_csv_int(&c, st->layer_pruned[i]);
    sa_csv_num(&c, ratio(st->layer_pruned[i], st->layer_tiles[i]), 10);
    sa_csv_num(&c, st->layer_zero_frac[i], 10);
    sa_csv_eol(&c);
    tiles += st->layer_tiles[i];
    w_all += l->k * l->n;
    w_zero += st->layer_zero_frac[i] * (double)(l->k * l->n);
  }
  /* totals: all layers, then the selected ones */
  sa_csv_str(&c, "total");
  for (int i = 0; i < 5; i++) sa_csv_empty(&c);
  sa_csv_int(&c, st->n);
  sa_csv_int(&c, tiles);
  sa_csv_int(&c, st->tiles_pruned);
  sa_csv_num(&c, ratio(st->tiles_pruned, tiles), 10);
  sa_csv_num(&c, w_all ? w_zero / (double)w_all : 0.0, 10);
  sa_csv_eol(&c);
  sa_csv_str(&c, "selected");
  for (int i = 0; i < 5; i++) sa_csv_empty(&c);
  int nsel = 0;
  for (int i = 0; i < st->n; i++) nsel += st->layer_selected[i];
  sa_csv_int(&c, nsel);
  sa_csv_int(&c, st->tiles_selected);
  sa_csv_int(&c, st->tiles_pruned);
  sa_csv_num(&c, st->rate_achieved, 10);
  sa_csv_empty(&c);
  sa_csv_eol(&c);
}

int sa_prune_write_summary(const sa_manifest *man, const sa_prune_opts *o,
                           const sa_prune_stats *st, const char *json_path,
                           const char *csv_path, sa_err *e) {
  SA_ASSERT(st->n == man->n_layers);
  sa_out oj = {0}, oc = {0};
  if (json_path && sa_out_open(&oj, json_path, e)) return -1;
  if (csv_path && sa_out_open(&oc, csv_path, e)) {
    sa_out_abort(&oj);
    return -1;
  }
  if (json_path) write_json(oj.f, man, o, st);
  if (csv_path) write_csv(oc.f, man, o, st);
  if (json_path && sa_out_commit(&oj, e)) {
    sa_out_abort(&oc);
    return -1;
  }
  return csv_path ? sa_out_commit(&oc, e) : 0;
}

/* --- activation norms --- */

void sa_prune_act_norms_free(float **norms, int n) {
  if (!norms) return;
  for (int i = 0; i < n; i++) free(norms[i]);
  free(norms);
}

int sa_prune_read_act_norms(const sa_manifest *man, const char *path, float ***norms,
                            sa_err *e) {
  sa_safetensors *st;
  if (sa_safetensors_read(path, &st, e)) return -1;
  float **out = sa_calloc((size_t)man->n_layers, sizeof *out, e);
  int rc = out ? 0 : sa_err_prefix(e, "%s", path);
  for (int t = 0; t < st->n && !rc; t++) {
    const sa_safetensors_tensor *ts = &st->tensors[t];
    int li = 0;
    while (li < man->n_layers && strcmp(man->layers[li].name, ts->name)) li++;
    if (li == man->n_layers) {
      rc = sa_err_set(e, "%s: tensor '%s' names no layer of %s", path, ts->name, man->path);
      break;
    }
    const sa_layer *l = &man->layers[li];
    if (ts->ndim != 1 || ts->shape[0] != l->k) {
      rc = sa_err_set(e, "%s: tensor '%s' must have shape [%lld] (the layer's k)", path,
                      ts->name, (long long)l->k);
      break;
    }
    out[li] = sa_malloc((size_t)l->k * sizeof(float), e);
    if (!out[li]) {
      rc = sa_err_prefix(e, "%s", path);
      break;
    }
    sa_safetensors_to_float(ts, out[li]);
    for (int64_t k = 0; k < l->k && !rc; k++)
      if (!(out[li][k] >= 0) || !isfinite(out[li][k]))
        rc = sa_err_set(e, "%s: tensor '%s': element %lld is %g (norms must be finite and >= 0)",
                        path, ts->name, (long long)k, (double)out[li][k]);
  }
  sa_safetensors_free(st);
  if (rc) {
    sa_prune_act_norms_free(out, man->n_layers);
    return -1;
  }
  *norms = out;
  return 0;
}

int sa_prune_write_act_norms(const sa_manifest *man, const float *const *norms,
                             const char *path, sa_err *e) {
  sa_safetensors_entry *t = sa_calloc((size_t)man->n_layers, sizeof *t, e);
  int64_t *shapes = sa_calloc((size_t)man->n_layers, sizeof *shapes, e);
  if (!t || !shapes) {
    free(t);
    free(shapes);
    return sa_err_prefix(e, "%s", path);
  }
  int n = 0;
  for (int i = 0; i < man->n_layers; i++) {
    if (!norms[i]) continue;
    shapes[n] = man->layers[i].k;
    t[n] = (sa_safetensors_entry){man->layers[i].name, SA_ST_F32, 1, &shapes[n], norms[i]};
    n++;
  }
  int rc = sa_safetensors_write(path, t, n, e);
  free(t);
  free(shapes);
  return rc;
}
