/* sa_model: a manifest's weights as float, each weight GEMM also as a K x N matrix. */
#include "sa_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_rng.h"
#include "sa_safetensors.h"

typedef struct layer {
  char name[128];
  int64_t k, n;
  int out_in;
  int tensor;        /* index of the weight in tensors[], -1 for synthetic */
  float *w;          /* K x N, owned */
  float *bias;       /* points into tensors[] or NULL */
} layer;

typedef struct tensor {
  char name[SA_SAFETENSORS_NAME_MAX];
  int ndim;
  int64_t shape[SA_SAFETENSORS_MAX_DIMS];
  int64_t numel;
  float *data;       /* owned */
} tensor;

struct sa_model {
  int n_layers;
  layer *layers;
  int n_tensors;
  tensor *tensors;
};

void sa_model_free(sa_model *m) {
  if (!m) return;
  for (int i = 0; i < m->n_layers; i++) free(m->layers[i].w);
  for (int i = 0; i < m->n_tensors; i++) free(m->tensors[i].data);
  free(m->layers);
  free(m->tensors);
  free(m);
}

/* --- synthetic weights: xoshiro256** seeded by splitmix64 (sa_rng), Box-Muller --- */

static int synthesise(const sa_manifest *man, sa_model *m, sa_err *e) {
  int64_t total = 0; /* refuse before drawing or allocating anything */
  for (int li = 0; li < m->n_layers; li++) {
    const layer *l = &m->layers[li];
    int64_t kn = l->k * l->n; /* k, n < 2^31 (sa_manifest) */
    if (kn > SA_MODEL_SYNTHETIC_MAX - total)
      return sa_err_set(e, "%s: layer '%s': synthetic weights (%lld x %lld) take the model past "
                        "%lld weights (1 GiB of float): too large to synthesise; 'sasp sim' "
                        "times it without weights", man->path, l->name, (long long)l->k,
                        (long long)l->n, (long long)SA_MODEL_SYNTHETIC_MAX);
    total += kn;
  }
  sa_rng r;
  sa_rng_seed(&r, man->synthetic_seed);
  const double two_pi = 6.283185307179586476925286766559;
  for (int li = 0; li < m->n_layers; li++) {
    layer *l = &m->layers[li];
    double sd = 1.0 / sqrt((double)l->k);
    size_t cnt = (size_t)l->k * (size_t)l->n;
    l->w = sa_malloc(cnt * sizeof *l->w, e);
    if (!l->w) return sa_err_prefix(e, "%s: layer '%s'", man->path, l->name);
    for (size_t j = 0; j < cnt; j++) {
      double u1 = sa_rng_unit(&r), u2 = sa_rng_unit(&r);
      l->w[j] = (float)(sd * sqrt(-2.0 * log(u1)) * cos(two_pi * u2));
    }
  }
  return 0;
}

/* --- loading from safetensors --- */

static void shape_str(const int64_t *shape, int ndim, char *buf, size_t cap) {
  size_t w = (size_t)snprintf(buf, cap, "[");
  for (int d = 0; d < ndim && w < cap; d++)
    w += (size_t)snprintf(buf + w, cap - w, "%s%lld", d ? ", " : "", (long long)shape[d]);
  if (w < cap) snprintf(buf + w, cap - w, "]");
}

static int tensor_index(const sa_model *m, const char *name) {
  for (int i = 0; i < m->n_tensors; i++)
    if (!strcmp(m->tensors[i].name, name)) return i;
  return -1;
}

static int bind_layer(const sa_manifest *man, sa_model *m, int li, sa_err *e) {
  const sa_layer *ml = &man->layers[li];
  layer *l = &m->layers[li];
  int ti = tensor_index(m, ml->weight);
  if (ti < 0)
    return sa_err_set(e, "%s: tensor '%s' (layer '%s' of %s) is not in the file", man->weights,
                      ml->weight, ml->name, man->path);
  for (int j = 0; j < li; j++)
    if (m->layers[j].tensor == ti)
      return sa_err_set(e, "%s: tensor '%s' is the weight of layers '%s' and '%s' (tied "
                        "weights are not supported)", man->weights, ml->weight,
                        m->layers[j].name, ml->name);
  const tensor *t = &m->tensors[ti];
  char got[128];
  shape_str(t->shape, t->ndim, got, sizeof got);
  int ok;
  if (ml->out_in) {
    /* [N][d1][d2]... with d1*d2*... = K */
    int64_t rest = 1;
    for (int d = 1; d < t->ndim; d++) rest *= t->shape[d]; /* numel fits: checked on read */
    ok = t->ndim >= 2 && t->shape[0] == ml->n && rest == ml->k;
  } else {
    ok = t->ndim == 2 && t->shape[0] == ml->k && t->shape[1] == ml->n;
  }
  if (!ok)
    return sa_err_set(e, "%s: tensor '%s': shape %s does not match layer '%s' (layout %s: "
                      "expected [%s%lld][%s%lld])", man->weights, ml->weight, got, ml->name,
                      ml->out_in ? "out_in" : "in_out", ml->out_in ? "n=" : "k=",
                      (long long)(ml->out_in ? ml->n : ml->k), ml->out_in ? "k=" : "n=",
                      (long long)(ml->out_in ? ml->k : ml->n));
  for (int64_t j = 0; j < t->numel; j++)
    if (!isfinite(t->data[j]))
      return sa_err_set(e, "%s: tensor '%s': element %lld is not finite (%g)", man->weights,
                        ml->weight, (long long)j, (double)t->data[j]);
  l->tensor = ti;
  size_t cnt = (size_t)ml->k * (size_t)ml->n;
  l->w = sa_malloc(cnt * sizeof *l->w, e);
  if (!l->w) return sa_err_prefix(e, "%s: layer '%s'", man->weights, ml->name);
  if (ml->out_in) {
    for (int64_t nn = 0; nn < ml->n; nn++)
      for (int64_t kk = 0; kk < ml->k; kk++)
        l->w[kk * ml->n + nn] = t->data[nn * ml->k + kk];
  } else {
    memcpy(l->w, t->data, cnt * sizeof *l->w);
  }
  if (ml->bias[0]) {
    int bi = tensor_index(m, ml->bias);
    if (bi < 0)
      return sa_err_set(e, "%s: tensor '%s' (bias of layer '%s' of %s) is not in the file",
                        man->weights, ml->bias, ml->name, man->path);
    const tensor *b = &m->tensors[bi];
    if (b->ndim != 1 || b->shape[0] != ml->n) {
      shape_str(b->shape, b->ndim, got, sizeof got);
      return sa_err_set(e, "%s: tensor '%s': shape %s does not match the bias of layer '%s' "
                        "(expected [%lld])", man->weights, ml->bias, got, ml->name,
                        (long long)ml->n);
    }
    l->bias = b->data;
  }
  return 0;
}

static int load_file(const sa_manifest *man, sa_model *m, sa_err *e) {
  sa_safetensors *st;
  if (sa_safetensors_read(man->weights, &st, e)) return -1;
  int rc = 0;
  if (st->n) {
    m->tensors = sa_calloc((size_t)st->n, sizeof *m->tensors, e);
    if (!m->tensors) rc = -1;
  }
  for (int i = 0; i < st->n && !rc; i++) {
    const sa_safetensors_tensor *s = &st->tensors[i];
    tensor *t = &m->tensors[i];
    strcpy(t->name, s->name);
    t->ndim = s->ndim;
    memcpy(t->shape, s->shape, sizeof t->shape);
    t->numel = s->numel;
    t->data = sa_malloc(s->numel ? (size_t)s->numel * sizeof(float) : 1, e);
    if (!t->data) {
      rc = sa_err_prefix(e, "%s: tensor '%s'", man->weights, s->name);
      break;
    }
    m->n_tensors = i + 1;
    sa_safetensors_to_float(s, t->data);
  }
  sa_safetensors_free(st);
  for (int li = 0; li < m->n_layers && !rc; li++) rc = bind_layer(man, m, li, e);
  return rc;
}

int sa_model_load(const sa_manifest *man, sa_model **out, sa_err *e) {
  sa_model *m = sa_calloc(1, sizeof *m, e);
  if (!m) return -1;
  m->layers = sa_calloc((size_t)man->n_layers, sizeof *m->layers, e);
  if (!m->layers) {
    free(m);
    return -1;
  }
  m->n_layers = man->n_layers;
  for (int i = 0; i < man->n_layers; i++) {
    layer *l = &m->layers[i];
    strcpy(l->name, man->layers[i].name);
    l->k = man->layers[i].k;
    l->n = man->layers[i].n;
    l->out_in = man->layers[i].out_in;
    l->tensor = -1;
  }
  int rc = man->synthetic ? synthesise(man, m, e) : load_file(man, m, e);
  if (rc) {
    sa_model_free(m);
    return -1;
  }
  *out = m;
  return 0;
}

int sa_model_n_layers(const sa_model *m) { return m->n_layers; }

const char *sa_model_layer_name(const sa_model *m, int layer) {
  SA_ASSERT(layer >= 0 && layer < m->n_layers);
  return m->layers[layer].name;
}

int64_t sa_model_layer_k(const sa_model *m, int layer) {
  SA_ASSERT(layer >= 0 && layer < m->n_layers);
  return m->layers[layer].k;
}

int64_t sa_model_layer_n(const sa_model *m, int layer) {
  SA_ASSERT(layer >= 0 && layer < m->n_layers);
  return m->layers[layer].n;
}

const float *sa_model_weight(const sa_model *m, int layer) {
  SA_ASSERT(layer >= 0 && layer < m->n_layers);
  return m->layers[layer].w;
}

const float *sa_model_bias(const sa_model *m, int layer) {
  SA_ASSERT(layer >= 0 && layer < m->n_layers);
  return m->layers[layer].bias;
}

const float *sa_model_tensor(const sa_model *m, const char *name, int64_t *shape, int *ndim) {
  int i = tensor_index(m, name);
  if (i < 0) return NULL;
  if (shape) memcpy(shape, m->tensors[i].shape, sizeof m->tensors[i].shape);
  if (ndim) *ndim = m->tensors[i].ndim;
  return m->tensors[i].data;
}

int sa_model_n_tensors(const sa_model *m) { return m->n_tensors; }

const char *sa_model_tensor_name(const sa_model *m, int i) {
  SA_ASSERT(i >= 0 && i < m->n_tensors);
  return m->tensors[i].name;
}

void sa_model_zero_block(sa_model *m, int li, int64_t k0, int64_t k1, int64_t n0, int64_t n1) {
  SA_ASSERT(li >= 0 && li < m->n_layers);
  layer *l = &m->layers[li];
  SA_ASSERT(0 <= k0 && k0 <= k1 && k1 <= l->k && 0 <= n0 && n0 <= n1 && n1 <= l->n);
  float *s = l->tensor >= 0 ? m->tensors[l->tensor].data : NULL;
  for (int64_t kk = k0; kk < k1; kk++)
    for (int64_t nn = n0; nn < n1; nn++) {
      l->w[kk * l->n + nn] = 0.0f;
      if (s) s[l->out_in ? nn * l->k + kk : kk * l->n + nn] = 0.0f;
    }
}

void sa_model_set_weight(sa_model *m, int li, const float *w) {
  SA_ASSERT(li >= 0 && li < m->n_layers);
  layer *l = &m->layers[li];
  float *s = l->tensor >= 0 ? m->tensors[l->tensor].data : NULL;
  memmove(l->w, w, (size_t)(l->k * l->n) * sizeof *l->w);
  if (s)
    for (int64_t kk = 0; kk < l->k; kk++)
      for (int64_t nn = 0; nn < l->n; nn++)
        s[l->out_in ? nn * l->k + kk : kk * l->n + nn] = l->w[kk * l->n + nn];
}

int sa_model_set_bias(sa_model *m, int li, const float *b) {
  SA_ASSERT(li >= 0 && li < m->n_layers);
  layer *l = &m->layers[li];
  if (!l->bias) return -1;
  memmove(l->bias, b, (size_t)l->n * sizeof *l->bias);
  return 0;
}
