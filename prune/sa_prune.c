/* sa_prune: tile scores, global / per-layer / sensitivity allocation with caps, applying
 * masks and compensating the kept weights. */
#include "sa_prune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_recon.h"

/* Guard of floor(rate * tiles + EPS): makes 0.29 * 100 count 29 tiles, not 28. */
#define COUNT_EPS 1e-9

static const char *const crit_names[SA_CRIT_COUNT] = {"mean_abs", "l2", "act_aware",
                                                      "relative", "obs"};
static const char *const scope_names[] = {"ff", "attn", "all"};
static const char *const thresh_names[SA_THRESH_COUNT] = {"global", "per_layer", "sensitivity"};
static const char *const comp_names[SA_COMP_COUNT] = {"none", "bias", "lsq"};

static const char *name_of(const char *const *names, int n, int v) {
  return v >= 0 && v < n ? names[v] : NULL;
}

static int parse_of(const char *const *names, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

const char *sa_prune_criterion_name(int v) { return name_of(crit_names, SA_CRIT_COUNT, v); }
const char *sa_prune_scope_name(int v) { return name_of(scope_names, 3, v); }
const char *sa_prune_threshold_name(int v) { return name_of(thresh_names, SA_THRESH_COUNT, v); }
const char *sa_prune_compensation_name(int v) { return name_of(comp_names, SA_COMP_COUNT, v); }
int sa_prune_criterion_parse(const char *s) { return parse_of(crit_names, SA_CRIT_COUNT, s); }
int sa_prune_scope_parse(const char *s) { return parse_of(scope_names, 3, s); }
int sa_prune_threshold_parse(const char *s) { return parse_of(thresh_names, SA_THRESH_COUNT, s); }
int sa_prune_compensation_parse(const char *s) { return parse_of(comp_names, SA_COMP_COUNT, s); }

int sa_prune_needs_calib(const sa_prune_opts *o) {
  return o->criterion == SA_CRIT_OBS || o->threshold == SA_THRESH_SENSITIVITY ||
         o->compensation != SA_COMP_NONE;
}

static int64_t count_of(double frac, int64_t tiles) {
  int64_t c = (int64_t)floor(frac * (double)tiles + COUNT_EPS);
  return c < 0 ? 0 : c > tiles ? tiles : c;
}

static int check_opts(const sa_manifest *man, const sa_prune_opts *o, sa_err *e) {
  if (!sa_prune_criterion_name(o->criterion) || !sa_prune_scope_name(o->scope) ||
      !sa_prune_threshold_name(o->threshold) || !sa_prune_compensation_name(o->compensation))
    return sa_err_set(e, "prune: unknown criterion, scope, threshold or compensation value");
  if (!(o->damping >= 0 && o->damping <= 1))
    return sa_err_set(e, "prune: damping %g outside 0..1", o->damping);
  if (!(o->rate >= 0 && o->rate <= 1))
    return sa_err_set(e, "prune: rate %g outside 0..1", o->rate);
  if (!(o->layer_cap >= 0 && o->layer_cap <= 1))
    return sa_err_set(e, "prune: layer cap %g outside 0..1", o->layer_cap);
  if (o->tile_rows < 1 || o->tile_cols < 1 || o->tile_rows > INT32_MAX ||
      o->tile_cols > INT32_MAX)
    return sa_err_set(e, "prune: bad tile shape %lldx%lld", (long long)o->tile_rows,
                      (long long)o->tile_cols);
  if (sa_prune_needs_calib(o) && !o->calib)
    return sa_err_set(e, "prune: criterion %s, threshold %s, compensation %s need calibration "
                      "statistics (sasp calib; prune.calibration or prune.statistics)",
                      sa_prune_criterion_name(o->criterion), sa_prune_threshold_name(o->threshold),
                      sa_prune_compensation_name(o->compensation));
  if (o->calib) {
    if (o->calib->n != man->n_layers)
      return sa_err_set(e, "prune: calibration statistics for %d layers, %s has %d", o->calib->n,
                        man->path, man->n_layers);
    for (int i = 0; i < man->n_layers; i++)
      if (o->calib->layers[i].k != man->layers[i].k)
        return sa_err_set(e, "prune: calibration statistics of layer '%s' have K = %lld, %s "
                          "says %lld", man->layers[i].name, (long long)o->calib->layers[i].k,
                          man->path, (long long)man->layers[i].k);
  }
  if (o->criterion != SA_CRIT_ACT_AWARE || (o->calib && !o->act_norms)) return 0;
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
  const sa_calib_layer *h = o->calib ? &o->calib->layers[layer] : NULL;
  int64_t R = o->tile_rows, C = o->tile_cols, K = l->k, N = l->n;
  int64_t kt = (K + R - 1) / R, nt = (N + C - 1) / C;
  if (o->criterion == SA_CRIT_OBS) {
    if (!h)
      return sa_err_set(e, "prune: criterion obs needs calibration statistics (layer '%s')",
                        l->name);
    if (sa_recon_obs_scores(h, w, N, R, C, o->damping, scores, NULL, e))
      return sa_err_prefix(e, "prune: layer '%s'", l->name);
    return 0;
  }
  if (o->criterion == SA_CRIT_ACT_AWARE) {
    if (o->act_norms && o->act_norms[layer]) norm = o->act_norms[layer];
    else if (!h)
      return sa_err_set(e, "prune: criterion act_aware needs input-channel norms for layer '%s'",
                        l->name);
  }
  memset(scores, 0, (size_t)(kt * nt) * sizeof *scores);
  for (int64_t k = 0; k < K; k++) {
    double *row = scores + (k / R) * nt;
    const float *wr = w + k * N;
    for (int64_t n = 0; n < N; n++) {
      double v = wr[n];
      switch (o->criterion) {
        case SA_CRIT_MEAN_ABS: row[n / C] += fabs(v); break;
        case SA_CRIT_L2: row[n / C] += v * v; break;
        case SA_CRIT_ACT_AWARE:
          row[n / C] += fabs(v) * (norm ? (double)norm[k] : sqrt(h->gram[k * K + k]));
          break;
        default: row[n / C] += fabs(v); break; /* mean_abs, relative */
      }
    }
  }
  for (int64_t a = 0; a < kt; a++)
    for (int64_t b = 0; b < nt; b++) {
      int64_t rows = (a + 1) * R > K ? K - a * R : R, cols = (b + 1) * C > N ? N - b * C : C;
      double mean = scores[a * nt + b] / (double)(rows * cols);
      scores[a * nt + b] = o->criterion == SA_CRIT_L2 ? sqrt(mean) : mean;
    }
  if (o->criterion == SA_CRIT_RELATIVE) { /* scale-free: divided by the layer's mean score */
    double mean = 0;
    for (int64_t t = 0; t < kt * nt; t++) mean += scores[t];
    mean /= (double)(kt * nt);
    for (int64_t t = 0; t < kt * nt; t++) scores[t] = mean > 0 ? scores[t] / mean : 0;
  }
  return 0;
}

typedef struct cand {
  double score;
  int layer;
  int64_t tile;
} cand;

/* Sensitivity: points of a layer's predicted error curve (fractions of its cap). */
enum { CURVE_POINTS = 10 };

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
  free(st->layer_err_pruned);
  free(st->layer_err_final);
  free(st->layer_damping);
  memset(st, 0, sizeof *st);
}

static int stats_alloc(sa_prune_stats *st, int n, sa_err *e) {
  memset(st, 0, sizeof *st);
  st->n = n;
  st->layer_tiles = sa_calloc((size_t)n, sizeof *st->layer_tiles, e);
  st->layer_pruned = sa_calloc((size_t)n, sizeof *st->layer_pruned, e);
  st->layer_selected = sa_calloc((size_t)n, sizeof *st->layer_selected, e);
  st->layer_zero_frac = sa_calloc((size_t)n, sizeof *st->layer_zero_frac, e);
  st->layer_err_pruned = sa_calloc((size_t)n, sizeof *st->layer_err_pruned, e);
  st->layer_err_final = sa_calloc((size_t)n, sizeof *st->layer_err_final, e);
  st->layer_damping = sa_calloc((size_t)n, sizeof *st->layer_damping, e);
  if (!st->layer_tiles || !st->layer_pruned || !st->layer_selected || !st->layer_zero_frac ||
      !st->layer_err_pruned || !st->layer_err_final || !st->layer_damping) {
    sa_prune_stats_free(st);
    return -1;
  }
  for (int i = 0; i < n; i++)
    st->layer_err_pruned[i] = st->layer_err_final[i] = st->layer_damping[i] = NAN;
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

/* A straight piece of a layer's lower convex hull of predicted error vs pruned tiles. */
typedef struct seg {
  double slope;
  int layer;
  int64_t j0, j1;
} seg;

static int seg_cmp(const void *x, const void *y) {
  const seg *a = x, *b = y;
  if (a->slope != b->slope) return a->slope < b->slope ? -1 : 1;
  if (a->layer != b->layer) return a->layer < b->layer ? -1 : 1;
  return a->j0 < b->j0 ? -1 : a->j0 > b->j0;
}

/* Sensitivity allocation over the candidates c (per selected layer, a block of its tiles in
 * tile order): each block is sorted by score; the layer's predicted error of pruning its first
 * j tiles (sa_recon_curve) is measured at CURVE_POINTS counts up to its cap and interpolated
 * linearly; the lower convex hull pieces of all layers' curves are taken in order of slope
 * (error per tile) until the target count. */
static int allocate(const sa_manifest *man, const sa_model *model, const sa_prune_opts *o,
                    cand *c, sa_maskset *ms, sa_prune_stats *st, sa_err *e) {
  int64_t maxt = 0;
  int nsel = 0;
  for (int i = 0; i < man->n_layers; i++)
    if (st->layer_selected[i]) {
      nsel++;
      if (st->layer_tiles[i] > maxt) maxt = st->layer_tiles[i];
    }
  seg *sg = sa_malloc((size_t)(nsel * CURVE_POINTS + 1) * sizeof *sg, e);
  int64_t *order = sg ? sa_malloc((size_t)maxt * sizeof *order, e) : NULL;
  int64_t *take = order ? sa_calloc((size_t)man->n_layers, sizeof *take, e) : NULL;
  if (!take) {
    free(sg);
    free(order);
    return sa_err_prefix(e, "prune");
  }
  int64_t ns = 0, start = 0;
  int rc = 0;
  for (int i = 0; i < man->n_layers && !rc; i++) {
    if (!st->layer_selected[i]) continue;
    const sa_layer *l = &man->layers[i];
    int64_t nt = st->layer_tiles[i], cap = count_of(o->layer_cap, nt);
    cand *b = c + start;
    start += nt;
    qsort(b, (size_t)nt, sizeof *b, cand_cmp);
    if (!cap) continue;
    for (int64_t j = 0; j < nt; j++) order[j] = b[j].tile;
    int64_t cnt[CURVE_POINTS + 1] = {0};
    double err[CURVE_POINTS + 1] = {0};
    int np = 1;
    for (int g = 1; g <= CURVE_POINTS; g++) {
      int64_t j = (cap * g + CURVE_POINTS / 2) / CURVE_POINTS;
      if (j > cnt[np - 1]) cnt[np++] = j;
    }
    rc = sa_recon_curve(&o->calib->layers[i], sa_model_weight(model, i), l->n, o->tile_rows,
                        o->tile_cols, order, cnt + 1, np - 1, o->damping, err + 1, e);
    if (rc) {
      sa_err_prefix(e, "prune: layer '%s'", l->name);
      break;
    }
    int hull[CURVE_POINTS + 1], h = 0; /* monotone chain: lower hull of (cnt, err) */
    for (int q = 0; q < np; q++) {
      while (h >= 2) {
        int p0 = hull[h - 2], p1 = hull[h - 1];
        /* drop p1 when it lies on or above the line p0 -> q */
        if ((err[p1] - err[p0]) * (double)(cnt[q] - cnt[p0]) >=
            (err[q] - err[p0]) * (double)(cnt[p1] - cnt[p0]))
          h--;
        else
          break;
      }
      hull[h++] = q;
    }
    for (int q = 0; q + 1 < h; q++) {
      int p0 = hull[q], p1 = hull[q + 1];
      sg[ns++] = (seg){(err[p1] - err[p0]) / (double)(cnt[p1] - cnt[p0]), i, cnt[p0], cnt[p1]};
    }
  }
  if (!rc) {
    qsort(sg, (size_t)ns, sizeof *sg, seg_cmp);
    st->tiles_target = count_of(o->rate, st->tiles_selected);
    int64_t left = st->tiles_target;
    for (int64_t q = 0; q < ns && left > 0; q++) {
      int64_t len = sg[q].j1 - sg[q].j0, t = len < left ? len : left;
      take[sg[q].layer] = sg[q].j0 + t;
      left -= t;
    }
    start = 0;
    for (int i = 0; i < man->n_layers; i++) {
      if (!st->layer_selected[i]) continue;
      for (int64_t j = 0; j < take[i]; j++) ms->masks[i].keep[c[start + j].tile] = 0;
      st->layer_pruned[i] = take[i];
      st->tiles_pruned += take[i];
      start += st->layer_tiles[i];
    }
  }
  free(sg);
  free(order);
  free(take);
  return rc;
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
    for (int64_t t = 0; t < st->layer_tiles[i] && !rc; t++) c[nc + t] = (cand){sc[t], i, t};
    nc += st->layer_tiles[i];
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
  } else if (o->threshold == SA_THRESH_SENSITIVITY) {
    if (allocate(man, model, o, c, ms, st, e)) {
      free(c);
      return -1;
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

static int any_pruned(const sa_tilemask *m) {
  for (int64_t t = 0; t < m->kt * m->nt; t++)
    if (!m->keep[t]) return 1;
  return 0;
}

int sa_prune_check_skippable(const sa_layer *l, const sa_tilemask *m, sa_err *e) {
  if (sa_manifest_has_weights(l) || !any_pruned(m)) return 0;
  return sa_err_set(e, "mask of layer '%s' skips tiles, but the layer has role %s: its "
                    "stationary operand is an activation computed at run time, not a weight "
                    "(nothing to prune)", l->name, sa_manifest_role_name(l->role));
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
    if (sa_prune_check_skippable(l, m, e)) return -1;
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


/* 1 when the mask prunes some tile. */
/* Layer i: zeroed / compensated weights, errors into st. */
static int compensate_layer(sa_model *model, const sa_layer *l, int i, const sa_tilemask *m,
                            const sa_prune_opts *o, sa_prune_stats *st, sa_err *e) {
  int64_t k = l->k, n = l->n;
  const float *w = sa_model_weight(model, i);
  const sa_calib_layer *h = o->calib ? &o->calib->layers[i] : NULL;
  float *wz = sa_malloc((size_t)(k * n) * sizeof *wz, e);
  float *out = wz ? sa_malloc((size_t)(k * n) * sizeof *out, e) : NULL;
  float *db = out ? sa_calloc((size_t)n, sizeof *db, e) : NULL;
  if (!db) {
    free(wz);
    free(out);
    return sa_err_prefix(e, "prune: layer '%s'", l->name);
  }
  for (int64_t r = 0; r < k; r++)
    for (int64_t c = 0; c < n; c++)
      wz[r * n + c] = m->keep[(r / m->tile_rows) * m->nt + c / m->tile_cols] ? w[r * n + c] : 0;
  double ep = NAN, ef = NAN, damp = 0;
  int rc = h ? sa_recon_rel_error(h, w, wz, NULL, n, &ep, e) : 0;
  const float *fin = wz;
  if (!rc && o->compensation == SA_COMP_BIAS) {
    const float *b = sa_model_bias(model, i);
    if (!b) {
      rc = sa_err_set(e, "prune: compensation bias: layer '%s' has no bias (manifest key bias)",
                      l->name);
    } else {
      sa_recon_bias(h, w, n, m, db);
      if (h) rc = sa_recon_rel_error(h, w, wz, db, n, &ef, e);
      for (int64_t c = 0; c < n; c++) db[c] += b[c];
    }
  } else if (!rc && o->compensation == SA_COMP_LSQ) {
    rc = sa_recon_lsq(h, w, n, m, o->damping, out, &damp, e);
    if (!rc) rc = sa_recon_rel_error(h, w, out, NULL, n, &ef, e);
    fin = out;
  } else {
    ef = ep;
  }
  if (!rc) {
    sa_model_set_weight(model, i, fin);
    if (o->compensation == SA_COMP_BIAS) sa_model_set_bias(model, i, db);
    if (st) {
      st->layer_err_pruned[i] = ep;
      st->layer_err_final[i] = ef;
      st->layer_damping[i] = o->compensation == SA_COMP_LSQ ? damp : NAN;
      if (o->compensation == SA_COMP_LSQ && damp > o->damping) st->damping_raised = 1;
    }
  }
  free(wz);
  free(out);
  free(db);
  return rc ? sa_err_prefix(e, "layer '%s'", l->name) : 0;
}

int sa_prune_compensate(sa_model *model, const sa_manifest *man, const sa_maskset *ms,
                        const sa_prune_opts *o, sa_prune_stats *st, sa_err *e) {
  if (o->compensation == SA_COMP_NONE && !o->calib) return sa_prune_apply(model, ms, e);
  if (!sa_prune_compensation_name(o->compensation))
    return sa_err_set(e, "prune: unknown compensation %d", o->compensation);
  if (o->compensation != SA_COMP_NONE && !o->calib)
    return sa_err_set(e, "prune: compensation %s needs calibration statistics",
                      sa_prune_compensation_name(o->compensation));
  if (sa_prune_check_masks(man, ms, e)) return -1;
  if (o->calib && o->calib->n != man->n_layers)
    return sa_err_set(e, "prune: calibration statistics for %d layers, %s has %d", o->calib->n,
                      man->path, man->n_layers);
  SA_ASSERT(sa_model_n_layers(model) == man->n_layers);
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    const sa_tilemask *m = sa_maskset_find(ms, l->name);
    if (!sa_manifest_in_scope(l, o->scope) || !any_pruned(m)) {
      if (st && sa_manifest_in_scope(l, o->scope) && o->calib)
        st->layer_err_pruned[i] = st->layer_err_final[i] = 0;
      continue;
    }
    if (compensate_layer(model, l, i, m, o, st, e)) return -1;
  }
  return sa_prune_apply(model, ms, e); /* out-of-scope masks too, as sa_prune_apply would */
}
