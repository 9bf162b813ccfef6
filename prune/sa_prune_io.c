/* sa_prune_io: the pruner's output files: the pruned model, the summary, activation norms. */
#include "sa_prune_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_csv.h"
#include "sa_json.h"
#include "sa_out.h"
#include "sa_safetensors.h"

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
                       const sa_prune_stats *st, const char *calib_path) {
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
  sa_json_key(&j, "compensation");
  sa_json_str(&j, sa_prune_compensation_name(o->compensation));
  sa_json_key(&j, "damping");
  sa_json_num(&j, o->damping);
  sa_json_key(&j, "damping_raised");
  sa_json_bool(&j, st->damping_raised);
  sa_json_key(&j, "calibration_statistics");
  if (calib_path) sa_json_str(&j, calib_path);
  else sa_json_null(&j);
  sa_json_key(&j, "calibration_key");
  if (o->calib) sa_json_str(&j, o->calib->key);
  else sa_json_null(&j);
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
    sa_json_key(&j, "output_error_pruned");
    sa_json_num(&j, st->layer_err_pruned ? st->layer_err_pruned[i] : NAN);
    sa_json_key(&j, "output_error_final");
    sa_json_num(&j, st->layer_err_final ? st->layer_err_final[i] : NAN);
    sa_json_key(&j, "damping");
    sa_json_num(&j, st->layer_damping ? st->layer_damping[i] : NAN);
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
                        "tile_sparsity", "weight_sparsity", "output_error_pruned",
                        "output_error_final", "damping"};
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
    sa_csv_num(&c, st->layer_err_pruned ? st->layer_err_pruned[i] : NAN, 10);
    sa_csv_num(&c, st->layer_err_final ? st->layer_err_final[i] : NAN, 10);
    sa_csv_num(&c, st->layer_damping ? st->layer_damping[i] : NAN, 10);
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
  for (int i = 0; i < 3; i++) sa_csv_empty(&c);
  sa_csv_eol(&c);
  sa_csv_str(&c, "selected");
  for (int i = 0; i < 5; i++) sa_csv_empty(&c);
  int nsel = 0;
  for (int i = 0; i < st->n; i++) nsel += st->layer_selected[i];
  sa_csv_int(&c, nsel);
  sa_csv_int(&c, st->tiles_selected);
  sa_csv_int(&c, st->tiles_pruned);
  sa_csv_num(&c, st->rate_achieved, 10);
  for (int i = 0; i < 4; i++) sa_csv_empty(&c);
  sa_csv_eol(&c);
}

int sa_prune_write_summary(const sa_manifest *man, const sa_prune_opts *o,
                           const sa_prune_stats *st, const char *calib_path,
                           const char *json_path, const char *csv_path, sa_err *e) {
  SA_ASSERT(st->n == man->n_layers);
  sa_out oj = {0}, oc = {0};
  if (json_path && sa_out_open(&oj, json_path, e)) return -1;
  if (csv_path && sa_out_open(&oc, csv_path, e)) {
    sa_out_abort(&oj);
    return -1;
  }
  if (json_path) write_json(oj.f, man, o, st, calib_path);
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
