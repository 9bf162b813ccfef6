/* sa_calib: calibration statistics (Gram matrices, channel means) and their safetensors file.
 * Like sa_safetensors, values are stored little-endian and copied with memcpy (the supported
 * hosts are little-endian). */
#include "sa_calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_safetensors.h"

#define KEY_TENSOR "sasp.calib.key"
#define UTTS_TENSOR "sasp.calib.utts"

void sa_calib_free(sa_calib *c) {
  if (!c) return;
  for (int i = 0; c->layers && i < c->n; i++) {
    free(c->layers[i].gram);
    free(c->layers[i].mean);
  }
  free(c->layers);
  memset(c, 0, sizeof *c);
}

int sa_calib_alloc(sa_calib *c, const sa_manifest *man, sa_err *e) {
  memset(c, 0, sizeof *c);
  c->layers = sa_calloc((size_t)man->n_layers, sizeof *c->layers, e);
  if (!c->layers) return -1;
  c->n = man->n_layers;
  for (int i = 0; i < c->n; i++) {
    int64_t k = man->layers[i].k;
    c->layers[i].k = k;
    c->layers[i].gram = sa_calloc((size_t)k * (size_t)k, sizeof(double), e);
    c->layers[i].mean = sa_calloc((size_t)k, sizeof(double), e);
    if (!c->layers[i].gram || !c->layers[i].mean) {
      sa_calib_free(c);
      return sa_err_prefix(e, "calibration statistics of layer '%s'", man->layers[i].name);
    }
  }
  return 0;
}

int sa_calib_write(const sa_calib *c, const sa_manifest *man, const char *path, sa_err *e) {
  SA_ASSERT(c->n == man->n_layers);
  int nt = 3 * c->n + 2;
  sa_safetensors_entry *t = sa_calloc((size_t)nt, sizeof *t, e);
  int64_t(*shapes)[2] = sa_calloc((size_t)nt, sizeof *shapes, e);
  char(*names)[SA_SAFETENSORS_NAME_MAX] = sa_calloc((size_t)nt, sizeof *names, e);
  int64_t *rows = sa_calloc((size_t)c->n + 1, sizeof *rows, e);
  int rc = t && shapes && names && rows ? 0 : sa_err_prefix(e, "%s", path);
  int j = 0;
  for (int i = 0; i < c->n && !rc; i++) {
    const sa_calib_layer *l = &c->layers[i];
    const char *ln = man->layers[i].name;
    snprintf(names[j], sizeof names[j], "%s.gram", ln);
    shapes[j][0] = shapes[j][1] = l->k;
    t[j] = (sa_safetensors_entry){names[j], SA_ST_F64, 2, shapes[j], l->gram};
    j++;
    snprintf(names[j], sizeof names[j], "%s.mean", ln);
    shapes[j][0] = l->k;
    t[j] = (sa_safetensors_entry){names[j], SA_ST_F64, 1, shapes[j], l->mean};
    j++;
    snprintf(names[j], sizeof names[j], "%s.rows", ln);
    shapes[j][0] = 1;
    rows[i] = l->rows;
    t[j] = (sa_safetensors_entry){names[j], SA_ST_I64, 1, shapes[j], &rows[i]};
    j++;
  }
  if (!rc) {
    rows[c->n] = c->utts;
    shapes[j][0] = 1;
    t[j] = (sa_safetensors_entry){UTTS_TENSOR, SA_ST_I64, 1, shapes[j], &rows[c->n]};
    j++;
    shapes[j][0] = (int64_t)strlen(c->key);
    t[j] = (sa_safetensors_entry){KEY_TENSOR, SA_ST_U8, 1, shapes[j], c->key};
    j++;
    rc = sa_safetensors_write(path, t, j, e);
  }
  free(t);
  free(shapes);
  free(names);
  free(rows);
  return rc;
}

static const sa_safetensors_tensor *need(const sa_safetensors *st, const char *path,
                                         const char *name, int dtype, int ndim,
                                         const int64_t *shape, sa_err *e) {
  const sa_safetensors_tensor *t = sa_safetensors_find(st, name);
  if (!t) {
    sa_err_set(e, "%s: tensor '%s' is missing (not calibration statistics of this model? "
               "rerun 'sasp calib')", path, name);
    return NULL;
  }
  int ok = t->dtype == dtype && t->ndim == ndim;
  for (int d = 0; ok && d < ndim; d++) ok = t->shape[d] == shape[d];
  if (!ok) {
    char shp[64];
    if (ndim == 1) snprintf(shp, sizeof shp, "[%lld]", (long long)shape[0]);
    else snprintf(shp, sizeof shp, "[%lld, %lld]", (long long)shape[0], (long long)shape[1]);
    sa_err_set(e, "%s: tensor '%s' must be %s of shape %s", path, name,
               sa_safetensors_dtype_name(dtype), shp);
    return NULL;
  }
  return t;
}

static int read_layer(const sa_safetensors *st, const char *path, const sa_layer *ml,
                      sa_calib_layer *l, sa_err *e) {
  char name[SA_SAFETENSORS_NAME_MAX + 8];
  int64_t kk[2] = {ml->k, ml->k}, one = 1;
  snprintf(name, sizeof name, "%s.gram", ml->name);
  const sa_safetensors_tensor *g = need(st, path, name, SA_ST_F64, 2, kk, e);
  if (!g) return -1;
  memcpy(l->gram, g->data, g->nbytes);
  snprintf(name, sizeof name, "%s.mean", ml->name);
  const sa_safetensors_tensor *m = need(st, path, name, SA_ST_F64, 1, kk, e);
  if (!m) return -1;
  memcpy(l->mean, m->data, m->nbytes);
  snprintf(name, sizeof name, "%s.rows", ml->name);
  const sa_safetensors_tensor *r = need(st, path, name, SA_ST_I64, 1, &one, e);
  if (!r) return -1;
  memcpy(&l->rows, r->data, 8);
  if (l->rows < 1)
    return sa_err_set(e, "%s: tensor '%s' is %lld (must be >= 1)", path, name,
                      (long long)l->rows);
  for (int64_t i = 0; i < ml->k * ml->k; i++)
    if (!isfinite(l->gram[i]))
      return sa_err_set(e, "%s: tensor '%s.gram': element %lld is not finite", path, ml->name,
                        (long long)i);
  for (int64_t i = 0; i < ml->k; i++) {
    if (!(l->gram[i * ml->k + i] >= 0))
      return sa_err_set(e, "%s: tensor '%s.gram': diagonal element %lld is negative", path,
                        ml->name, (long long)i);
    if (!isfinite(l->mean[i]))
      return sa_err_set(e, "%s: tensor '%s.mean': element %lld is not finite", path, ml->name,
                        (long long)i);
  }
  return 0;
}

int sa_calib_read(const sa_manifest *man, const char *path, const char *want_key, sa_calib *c,
                  sa_err *e) {
  memset(c, 0, sizeof *c);
  sa_safetensors *st;
  if (sa_safetensors_read(path, &st, e))
    return sa_err_prefix(e, "calibration statistics");
  sa_calib tmp;
  int rc = sa_calib_alloc(&tmp, man, e);
  const sa_safetensors_tensor *kt = rc ? NULL : sa_safetensors_find(st, KEY_TENSOR);
  if (!rc && (!kt || kt->dtype != SA_ST_U8 || kt->ndim != 1 ||
              kt->nbytes >= SA_CALIB_KEY_MAX))
    rc = sa_err_set(e, "%s: tensor '%s' (U8, under %d bytes) is missing: not a 'sasp calib' "
                    "statistics file", path, KEY_TENSOR, SA_CALIB_KEY_MAX);
  if (!rc) {
    memcpy(tmp.key, kt->data, kt->nbytes);
    tmp.key[kt->nbytes] = 0;
    if (want_key && strcmp(tmp.key, want_key))
      rc = sa_err_set(e, "%s: statistics of '%s', but this model and calibration set are '%s' "
                      "(rerun 'sasp calib')", path, tmp.key, want_key);
  }
  int64_t one = 1;
  const sa_safetensors_tensor *ut =
      rc ? NULL : need(st, path, UTTS_TENSOR, SA_ST_I64, 1, &one, e);
  if (!rc && !ut) rc = -1;
  if (!rc) memcpy(&tmp.utts, ut->data, 8);
  for (int i = 0; i < man->n_layers && !rc; i++)
    rc = read_layer(st, path, &man->layers[i], &tmp.layers[i], e);
  sa_safetensors_free(st);
  if (rc) {
    sa_calib_free(&tmp);
    return -1;
  }
  *c = tmp;
  return 0;
}
