/* sa_engine: transformer_ctc inference of one utterance (docs/asr.md "Model" and
 * "Quantisation"). Weight GEMMs go through sa_func (int8 and fp32_int8 modes) or a float loop
 * (fp32 mode); all other operations are fp32 on the host. Test sets, run in parallel, and the
 * activation statistics are sa_engine_eval.c's. */
#include "sa_engine.h"
#include "sa_engine_int.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_ctc.h"
#include "sa_feat.h"
#include "sa_file.h"
#include "sa_func.h"

#define LN_EPS 1e-5f
#define QMAX 127 /* symmetric int8 range used by the array: -127..127 */
#define PE_BASE 10000.0
#define VOCAB_MAX_BYTES ((size_t)1 << 24)
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

/* sum of a[i] * b[i], four partial sums */
static float dot(const float *a, const float *b, int64_t n) {
  v4f acc = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4f x, y;
    memcpy(&x, a + i, 16);
    memcpy(&y, b + i, 16);
    acc += x * y;
  }
  float s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

/* y[i] += a * x[i] */
static void axpy(float *y, float a, const float *x, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4f vx, vy;
    memcpy(&vx, x + i, 16);
    memcpy(&vy, y + i, 16);
    vy += a * vx;
    memcpy(y + i, &vy, 16);
  }
  for (; i < n; i++) y[i] += a * x[i];
}

/* ----------------------------------------------------------------------------------------- */
/* Quantisation (docs/asr.md): symmetric, round half away from zero, clamp to +-127. */

static int8_t quant1(float v, float s) {
  float q = v / s;
  q = q > (float)QMAX ? (float)QMAX : q;
  q = q >= -(float)QMAX ? q : -(float)QMAX; /* NaN (never produced) goes to -QMAX too */
  /* round half away from zero: q + sign(q) * 0.5 is exact in double, then truncate */
  return (int8_t)(int)((double)q + copysign(0.5, (double)q));
}

static float quant_tensor(const float *x, int64_t n, int8_t *q) {
  float mx = 0;
  for (int64_t i = 0; i < n; i++) {
    float a = fabsf(x[i]);
    if (a > mx) mx = a;
  }
  float s = mx > 0 ? mx / QMAX : 1.0f;
  for (int64_t i = 0; i < n; i++) q[i] = quant1(x[i], s);
  return s;
}

/* ----------------------------------------------------------------------------------------- */
/* Set-up */

static int load_vocab(sa_engine *g, sa_err *e) {
  const char *path = g->man->arch.vocab;
  if (!path[0]) return sa_err_set(e, "%s: arch.vocab is required for WER", g->man->path);
  uint8_t *buf;
  size_t len;
  if (!(buf = sa_file_read(path, VOCAB_MAX_BYTES, &len, e))) return -1;
  char *s = sa_malloc(len + 1, e);
  if (!s) {
    free(buf);
    return -1;
  }
  memcpy(s, buf, len);
  s[len] = 0;
  free(buf);
  g->vocab_buf = s;
  int64_t lines = 0;
  for (size_t i = 0; i < len; i++) lines += s[i] == '\n';
  if (len && s[len - 1] != '\n') lines++;
  if (lines != g->V)
    return sa_err_set(e, "%s: %lld tokens, but layer '%s' has n = %lld outputs", path,
                      (long long)lines, g->g[g->n_gemm - 1].l->name, (long long)g->V);
  g->vocab = sa_calloc((size_t)lines, sizeof *g->vocab, e);
  if (!g->vocab) return -1;
  char *p = s;
  for (int64_t i = 0; i < lines; i++) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    size_t n = strlen(p);
    if (n && p[n - 1] == '\r') p[--n] = 0;
    if (n == 0 || strpbrk(p, " \t"))
      return sa_err_set(e, "%s:%lld: token must be one non-empty word", path, (long long)i + 1);
    g->vocab[i] = p;
    p = nl ? nl + 1 : p + n;
  }
  return 0;
}

static int find_ln(sa_engine *g, const sa_model *model, const char *name, const float **out,
                   sa_err *e) {
  int64_t shape[8];
  int nd = 0;
  const float *t = sa_model_tensor(model, name, shape, &nd);
  if (!t)
    return sa_err_set(e, "%s: tensor '%s' (LayerNorm of transformer_ctc) not found", 
                      g->man->weights, name);
  if (nd != 1 || shape[0] != g->d)
    return sa_err_set(e, "%s: tensor '%s' must have shape [%lld]", g->man->weights, name,
                      (long long)g->d);
  *out = t;
  return 0;
}

static int check_layer(const sa_engine *g, int i, int role, int64_t k, int64_t n, sa_err *e) {
  const sa_manifest *m = g->man;
  if (i >= m->n_layers)
    return sa_err_set(e, "%s: transformer_ctc needs a %s layer at position %d of 'layers' "
                      "(only %d listed)", m->path, sa_manifest_role_name(role), i + 1,
                      m->n_layers);
  const sa_layer *l = &m->layers[i];
  if (l->role != role)
    return sa_err_set(e, "%s: layer '%s' (position %d): role %s, transformer_ctc expects %s "
                      "there (docs/asr.md)", m->path, l->name, i + 1,
                      sa_manifest_role_name(l->role), sa_manifest_role_name(role));
  if (l->k != k || (n > 0 && l->n != n))
    return sa_err_set(e, "%s: layer '%s': k = %lld, n = %lld, but arch implies k = %lld, n = %lld",
                      m->path, l->name, (long long)l->k, (long long)l->n, (long long)k,
                      (long long)(n > 0 ? n : l->n));
  return 0;
}

static int check_structure(sa_engine *g, sa_err *e) {
  const sa_manifest *m = g->man;
  const sa_arch *a = &m->arch;
  if (strcmp(a->type, "transformer_ctc"))
    return sa_err_set(e, "%s: arch.type is '%s'; the WER engine runs transformer_ctc models",
                      m->path, a->type);
  if (m->synthetic)
    return sa_err_set(e, "%s: synthetic weights have no WER (timing only)", m->path);
  g->n_mels = a->n_mels;
  g->C = a->conv_channels;
  g->d = a->d_model;
  g->H = a->heads;
  g->dff = a->d_ff;
  g->L = a->layers;
  if (g->n_mels < 7 || g->C < 1 || g->d < 1 || g->H < 1 || g->dff < 1 || g->L < 0 ||
      g->d % g->H)
    return sa_err_set(e, "%s: arch: need n_mels >= 7, positive sizes and heads dividing d_model",
                      m->path);
  g->F1 = (g->n_mels - CONV_KH) / CONV_STRIDE + 1;
  g->F2 = (g->F1 - CONV_KH) / CONV_STRIDE + 1;
  int i = 0;
  if (check_layer(g, i++, SA_ROLE_CONV, CONV_KH * CONV_KW, g->C, e) ||
      check_layer(g, i++, SA_ROLE_CONV, g->C * CONV_KH * CONV_KW, g->C, e) ||
      check_layer(g, i++, SA_ROLE_IN_PROJ, g->C * g->F2, g->d, e))
    return -1;
  for (int64_t l = 0; l < g->L; l++)
    if (check_layer(g, i++, SA_ROLE_ATTN_QKV, g->d, g->d, e) ||
        check_layer(g, i++, SA_ROLE_ATTN_QKV, g->d, g->d, e) ||
        check_layer(g, i++, SA_ROLE_ATTN_QKV, g->d, g->d, e) ||
        check_layer(g, i++, SA_ROLE_ATTN_OUT, g->d, g->d, e) ||
        check_layer(g, i++, SA_ROLE_FF, g->d, g->dff, e) ||
        check_layer(g, i++, SA_ROLE_FF, g->dff, g->d, e))
      return -1;
  if (check_layer(g, i++, SA_ROLE_OUT, g->d, 0, e)) return -1;
  if (i != m->n_layers)
    return sa_err_set(e, "%s: layer '%s' after the output layer: transformer_ctc has %d layers",
                      m->path, m->layers[i].name, i);
  g->V = m->layers[i - 1].n;
  if (g->V < 2)
    return sa_err_set(e, "%s: layer '%s': the vocabulary needs the blank and at least one word",
                      m->path, m->layers[i - 1].name);
  return 0;
}

static const sa_tilemask *layer_mask(const sa_engine *g, const sa_maskset *ms, int i,
                                     sa_err *e) {
  const sa_layer *l = &g->man->layers[i];
  const sa_tilemask *t = sa_maskset_find(ms, l->name);
  if (!t) {
    sa_err_set(e, "mask set has no mask for layer '%s' of %s", l->name, g->man->path);
    return NULL;
  }
  if (t->k != l->k || t->n != l->n) {
    sa_err_set(e, "mask of layer '%s' is for a %lld x %lld GEMM, the manifest says %lld x %lld",
               l->name, (long long)t->k, (long long)t->n, (long long)l->k, (long long)l->n);
    return NULL;
  }
  return t;
}

static int prepare_layer(sa_engine *g, const sa_model *model, const sa_maskset *ms, int i,
                         sa_err *e) {
  glayer *gl = &g->g[i];
  gl->l = &g->man->layers[i];
  gl->k = gl->l->k;
  gl->n = gl->l->n;
  gl->bias = sa_model_bias(model, i);
  const float *src = sa_model_weight(model, i);
  SA_ASSERT(src);
  const sa_tilemask *mask = NULL;
  if (ms && !(mask = layer_mask(g, ms, i, e))) return -1;
  int64_t k = gl->k, n = gl->n;
  float *w = sa_malloc((size_t)(k * n) * sizeof *w, e);
  if (!w) return -1;
  memcpy(w, src, (size_t)(k * n) * sizeof *w);
  if (mask)
    for (int64_t r = 0; r < k; r++)
      for (int64_t c = 0; c < n; c++)
        if (!mask->keep[(r / mask->tile_rows) * mask->nt + c / mask->tile_cols])
          w[r * n + c] = 0;
  if (g->mode == SA_ENGINE_FP32) {
    gl->w = w;
    return 0;
  }
  gl->sw = sa_malloc((size_t)n * sizeof *gl->sw, e);
  int8_t *q = gl->sw ? sa_malloc((size_t)(k * n), e) : NULL;
  if (!q) {
    free(w);
    return -1;
  }
  for (int64_t c = 0; c < n; c++) {
    float mx = 0;
    for (int64_t r = 0; r < k; r++) {
      float a = fabsf(w[r * n + c]);
      if (a > mx) mx = a;
    }
    float s = mx > 0 ? mx / QMAX : 1.0f;
    gl->sw[c] = s;
    for (int64_t r = 0; r < k; r++) q[r * n + c] = quant1(w[r * n + c], s);
  }
  free(w);
  gl->pw = sa_func_pack(q, k, n, mask, e);
  free(q);
  if (!gl->pw) return sa_err_prefix(e, "layer '%s'", gl->l->name);
  return 0;
}

void sa_engine_free(sa_engine *g) {
  if (!g) return;
  for (int i = 0; g->g && i < g->n_gemm; i++) {
    free(g->g[i].w);
    free(g->g[i].sw);
    sa_func_free(g->g[i].pw);
  }
  free(g->g);
  free(g->ln);
  free(g->vocab);
  free(g->vocab_buf);
  free(g);
}

int sa_engine_create(const sa_manifest *man, const sa_model *model, const sa_maskset *masks,
                     int mode, sa_engine **out, sa_err *e) {
  *out = NULL;
  if (mode != SA_ENGINE_INT8 && mode != SA_ENGINE_FP32 && mode != SA_ENGINE_FP32_INT8)
    return sa_err_set(e, "unknown engine mode %d", mode);
  sa_engine *g = sa_calloc(1, sizeof *g, e);
  if (!g) return -1;
  g->mode = mode;
  g->man = man;
  if (check_structure(g, e)) goto fail;
  if (sa_model_n_layers(model) != man->n_layers) {
    sa_err_set(e, "%s: the model has %d layers, the manifest %d", man->path,
               sa_model_n_layers(model), man->n_layers);
    goto fail;
  }
  if (masks)
    for (int i = 0; i < masks->n; i++) {
      int found = 0;
      for (int j = 0; j < man->n_layers && !found; j++)
        found = !strcmp(masks->masks[i].name, man->layers[j].name);
      if (!found) {
        sa_err_set(e, "mask set holds a mask for '%s', which is not a layer of %s",
                   masks->masks[i].name, man->path);
        goto fail;
      }
    }
  g->n_gemm = man->n_layers;
  g->g = sa_calloc((size_t)g->n_gemm, sizeof *g->g, e);
  g->ln = g->g ? sa_calloc((size_t)(4 * g->L + 2), sizeof *g->ln, e) : NULL;
  if (!g->ln) goto fail;
  for (int i = 0; i < g->n_gemm; i++)
    if (prepare_layer(g, model, masks, i, e)) goto fail;
  for (int64_t l = 0; l < g->L; l++) {
    static const char *const names[4] = {"ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias"};
    for (int j = 0; j < 4; j++) {
      char name[96];
      snprintf(name, sizeof name, "encoder.%lld.%s", (long long)l, names[j]);
      if (find_ln(g, model, name, &g->ln[4 * l + j], e)) goto fail;
    }
  }
  if (find_ln(g, model, "final_ln.weight", &g->ln[4 * g->L], e) ||
      find_ln(g, model, "final_ln.bias", &g->ln[4 * g->L + 1], e) || load_vocab(g, e))
    goto fail;
  *out = g;
  return 0;
fail:
  sa_engine_free(g);
  return -1;
}

int64_t sa_engine_vocab_size(const sa_engine *g) { return g->V; }
const char *sa_engine_token(const sa_engine *g, int64_t i) {
  SA_ASSERT(i >= 0 && i < g->V);
  return g->vocab[i];
}
int64_t sa_engine_min_frames(const sa_engine *g) {
  (void)g;
  /* conv2 needs CONV_KH conv1 rows, conv1 then needs (CONV_KH - 1) * stride + CONV_KH frames */
  return (CONV_KH - 1) * CONV_STRIDE + CONV_KH;
}

/* ----------------------------------------------------------------------------------------- */
/* Forward pass */

typedef struct ws {
  int8_t *xq;
  int32_t *acc;
  float *accf;           /* fp32 x int8 mode: the array's fp32 outputs */
} ws;

/* y[m x n] = x[m x k] . W + b for manifest layer li. */
static void gemm(const sa_engine *g, int li, const float *x, int64_t m, float *y, ws *w,
                 sa_engine_stats *st) {
  const glayer *gl = &g->g[li];
  int64_t k = gl->k, n = gl->n;
  if (st && st->sumsq) {
    double *s = st->sumsq[li];
    for (int64_t r = 0; r < m; r++)
      for (int64_t c = 0; c < k; c++) s[c] += (double)x[r * k + c] * x[r * k + c];
  }
  if (st && st->gram) {
    double *s = st->sum[li];
    for (int64_t r = 0; r < m; r++)
      for (int64_t c = 0; c < k; c++) {
        st->xd[r * k + c] = x[r * k + c];
        s[c] += x[r * k + c];
      }
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)k, (int)m, 1.0, st->xd, (int)k, 1.0,
                st->gram[li], (int)k);
    st->rows[li] += m;
  }
  if (g->mode == SA_ENGINE_FP32_INT8) { /* fp32 sums of x . q, then the channel scale */
    sa_func_gemm_f32(gl->pw, x, m, w->accf);
    for (int64_t r = 0; r < m; r++)
      for (int64_t c = 0; c < n; c++)
        y[r * n + c] = w->accf[r * n + c] * gl->sw[c] + (gl->bias ? gl->bias[c] : 0);
    return;
  }
  if (g->mode == SA_ENGINE_INT8) {
    float sx = quant_tensor(x, m * k, w->xq);
    sa_func_gemm(gl->pw, w->xq, m, w->acc);
    int64_t nv = n & ~(int64_t)3;
    for (int64_t r = 0; r < m; r++) {
      const int32_t *ar = w->acc + r * n;
      float *yr = y + r * n;
      for (int64_t c = 0; c < nv; c += 4) { /* the same expression, four columns at a time */
        v4i ai;
        v4f sw, b = {0, 0, 0, 0}, out;
        memcpy(&ai, ar + c, 16);
        memcpy(&sw, gl->sw + c, 16);
        if (gl->bias) memcpy(&b, gl->bias + c, 16);
        out = __builtin_convertvector(ai, v4f) * sx * sw + b;
        memcpy(yr + c, &out, 16);
      }
      for (int64_t c = nv; c < n; c++)
        yr[c] = (float)ar[c] * sx * gl->sw[c] + (gl->bias ? gl->bias[c] : 0);
    }
    return;
  }
  /* fp32: four rows at a time, so that each weight row is loaded once per block, across
   * columns in 4-float vectors (GCC/Clang vector extension; every y[r][c] still sums over j in
   * order, so the result equals the plain loop's) */
  const float *wt = gl->w;
  int64_t nv = n & ~(int64_t)3;
  for (int64_t r0 = 0; r0 < m; r0 += 4) {
    int64_t rb = m - r0 < 4 ? m - r0 : 4;
    for (int64_t r = r0; r < r0 + rb; r++)
      for (int64_t c = 0; c < n; c++) y[r * n + c] = gl->bias ? gl->bias[c] : 0;
    for (int64_t c = 0; rb == 4 && c + 8 <= nv; c += 8) {
      const float *x0 = x + r0 * k, *x1 = x0 + k, *x2 = x1 + k, *x3 = x2 + k;
      v4f a0, a1, a2, a3, b0, b1, b2, b3;
      memcpy(&a0, y + r0 * n + c, 16), memcpy(&b0, y + r0 * n + c + 4, 16);
      memcpy(&a1, y + (r0 + 1) * n + c, 16), memcpy(&b1, y + (r0 + 1) * n + c + 4, 16);
      memcpy(&a2, y + (r0 + 2) * n + c, 16), memcpy(&b2, y + (r0 + 2) * n + c + 4, 16);
      memcpy(&a3, y + (r0 + 3) * n + c, 16), memcpy(&b3, y + (r0 + 3) * n + c + 4, 16);
      for (int64_t j = 0; j < k; j++) {
        v4f w0, w1;
        memcpy(&w0, wt + j * n + c, 16);
        memcpy(&w1, wt + j * n + c + 4, 16);
        a0 += x0[j] * w0, b0 += x0[j] * w1;
        a1 += x1[j] * w0, b1 += x1[j] * w1;
        a2 += x2[j] * w0, b2 += x2[j] * w1;
        a3 += x3[j] * w0, b3 += x3[j] * w1;
      }
      memcpy(y + r0 * n + c, &a0, 16), memcpy(y + r0 * n + c + 4, &b0, 16);
      memcpy(y + (r0 + 1) * n + c, &a1, 16), memcpy(y + (r0 + 1) * n + c + 4, &b1, 16);
      memcpy(y + (r0 + 2) * n + c, &a2, 16), memcpy(y + (r0 + 2) * n + c + 4, &b2, 16);
      memcpy(y + (r0 + 3) * n + c, &a3, 16), memcpy(y + (r0 + 3) * n + c + 4, &b3, 16);
    }
    for (int64_t c = rb == 4 ? (nv & ~(int64_t)7) : 0; c < nv; c += 4) {
      v4f acc[4];
      for (int64_t r = 0; r < rb; r++) memcpy(&acc[r], y + (r0 + r) * n + c, sizeof acc[r]);
      for (int64_t j = 0; j < k; j++) {
        v4f wv;
        memcpy(&wv, wt + j * n + c, sizeof wv);
        for (int64_t r = 0; r < rb; r++) acc[r] += x[(r0 + r) * k + j] * wv;
      }
      for (int64_t r = 0; r < rb; r++) memcpy(y + (r0 + r) * n + c, &acc[r], sizeof acc[r]);
    }
    for (int64_t r = r0; r < r0 + rb; r++)
      for (int64_t c = nv; c < n; c++) {
        float a = y[r * n + c];
        for (int64_t j = 0; j < k; j++) a += x[r * k + j] * wt[j * n + c];
        y[r * n + c] = a;
      }
  }
}

static void relu(float *x, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (x[i] < 0) x[i] = 0;
}

static void layernorm(const float *x, int64_t t, int64_t d, const float *gm, const float *bt,
                      float *y) {
  for (int64_t i = 0; i < t; i++) {
    const float *r = x + i * d;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < d; j++) mean += r[j];
    mean /= (double)d;
    for (int64_t j = 0; j < d; j++) var += (r[j] - mean) * (r[j] - mean);
    var /= (double)d;
    float inv = (float)(1.0 / sqrt(var + LN_EPS));
    for (int64_t j = 0; j < d; j++) y[i * d + j] = (float)(r[j] - mean) * inv * gm[j] + bt[j];
  }
}

/* im2col of a 3x3 stride-2 convolution: input [pos = t * fin + f][cin], output rows in
 * position order (t', f'), columns in order (cin, kh, kw). */
static void im2col(const float *in, int64_t fin, int64_t cin, int64_t tout, int64_t fout,
                   float *col) {
  int64_t kk = cin * CONV_KH * CONV_KW;
  for (int64_t t = 0; t < tout; t++)
    for (int64_t f = 0; f < fout; f++) {
      float *row = col + (t * fout + f) * kk;
      for (int64_t c = 0; c < cin; c++)
        for (int64_t a = 0; a < CONV_KH; a++)
          for (int64_t b = 0; b < CONV_KW; b++)
            row[(c * CONV_KH + a) * CONV_KW + b] =
                in[((CONV_STRIDE * t + a) * fin + CONV_STRIDE * f + b) * cin + c];
    }
}

static void attention(const sa_engine *g, const float *q, const float *k, const float *v,
                      int64_t t, float *s, float *o) {
  int64_t d = g->d, dh = d / g->H;
  float scale = 1.0f / sqrtf((float)dh);
  for (int64_t h = 0; h < g->H; h++)
    for (int64_t i = 0; i < t; i++) {
      const float *qi = q + i * d + h * dh;
      float mx = -INFINITY;
      for (int64_t j = 0; j < t; j++) {
        s[j] = dot(qi, k + j * d + h * dh, dh) * scale;
        if (s[j] > mx) mx = s[j];
      }
      float sum = 0;
      for (int64_t j = 0; j < t; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
      }
      float *oi = o + i * d + h * dh;
      for (int64_t c = 0; c < dh; c++) oi[c] = 0;
      for (int64_t j = 0; j < t; j++) axpy(oi, s[j] / sum, v + j * d + h * dh, dh);
    }
}

/* Runs the network on t frames; the token ids go to *tokens (malloc'd), their count to *nt. */
int sa_engine_forward(const sa_engine *g, const float *feats, int64_t t, sa_engine_stats *st,
                   int32_t **tokens, int64_t *ntok, sa_err *e) {
  *tokens = NULL;
  *ntok = 0;
  if (t < sa_engine_min_frames(g))
    return sa_err_set(e, "%lld frames: the model needs at least %lld", (long long)t,
                      (long long)sa_engine_min_frames(g));
  int64_t nm = g->n_mels, C = g->C, d = g->d, dff = g->dff, V = g->V;
  int64_t t1 = (t - CONV_KH) / CONV_STRIDE + 1, t2 = (t1 - CONV_KH) / CONV_STRIDE + 1;
  int64_t F1 = g->F1, F2 = g->F2;
  int64_t m1 = t1 * F1, m2 = t2 * F2;
  /* sizes of the buffers */
  int64_t n_x0 = t * nm, n_c1 = m1 * CONV_KH * CONV_KW, n_y1 = m1 * C,
          n_c2 = m2 * C * CONV_KH * CONV_KW, n_y2 = m2 * C, n_h = t2 * d, n_ff = t2 * dff,
          n_lo = t2 * V, n_s = t2;
  int64_t max_in = n_c1 > n_c2 ? n_c1 : n_c2, max_out = n_y1 > n_y2 ? n_y1 : n_y2;
  if (n_ff > max_in) max_in = n_ff;
  if (n_ff > max_out) max_out = n_ff;
  if (n_lo > max_out) max_out = n_lo;
  if (n_h > max_in) max_in = n_h;
  int64_t total = n_x0 + n_c1 + n_y1 + n_c2 + n_y2 + 7 * n_h + n_ff + n_lo + n_s;
  float *arena = sa_malloc((size_t)total * sizeof(float), e);
  ws w = {0};
  int32_t *tok = arena ? sa_malloc((size_t)t2 * sizeof *tok, e) : NULL;
  if (tok && g->mode == SA_ENGINE_INT8) {
    w.xq = sa_malloc((size_t)max_in, e);
    w.acc = w.xq ? sa_malloc((size_t)max_out * sizeof *w.acc, e) : NULL;
  }
  if (tok && g->mode == SA_ENGINE_FP32_INT8)
    w.accf = sa_malloc((size_t)max_out * sizeof *w.accf, e);
  if (!tok || (g->mode == SA_ENGINE_INT8 && !w.acc) ||
      (g->mode == SA_ENGINE_FP32_INT8 && !w.accf)) {
    free(arena);
    free(tok);
    free(w.xq);
    return -1;
  }
  float *p = arena;
  float *x0 = p; p += n_x0;
  float *c1 = p; p += n_c1;
  float *y1 = p; p += n_y1;
  float *c2 = p; p += n_c2;
  float *y2 = p; p += n_y2;
  float *x = p; p += n_h;
  float *hn = p; p += n_h;
  float *q = p; p += n_h;
  float *k = p; p += n_h;
  float *v = p; p += n_h;
  float *o = p; p += n_h;
  float *tmp = p; p += n_h;
  float *ff = p; p += n_ff;
  float *lo = p; p += n_lo;
  float *s = p; p += n_s;

  memcpy(x0, feats, (size_t)n_x0 * sizeof *x0);
  sa_feat_normalize(x0, t, nm);
  /* front-end: conv1 on the (1, T, n_mels) image ([pos][cin] with cin = 1) */
  im2col(x0, nm, 1, t1, F1, c1);
  gemm(g, 0, c1, m1, y1, &w, st);
  relu(y1, n_y1);
  im2col(y1, F1, C, t2, F2, c2);
  gemm(g, 1, c2, m2, y2, &w, st);
  relu(y2, n_y2);
  /* flatten per time step in order c * F2 + f */
  for (int64_t i = 0; i < t2; i++)
    for (int64_t c = 0; c < C; c++)
      for (int64_t f = 0; f < F2; f++) c2[i * C * F2 + c * F2 + f] = y2[(i * F2 + f) * C + c];
  gemm(g, 2, c2, t2, x, &w, st);
  for (int64_t i = 0; i < t2; i++)
    for (int64_t j = 0; j < d; j += 2) {
      double div = pow(PE_BASE, (double)j / (double)d);
      x[i * d + j] += (float)sin((double)i / div);
      if (j + 1 < d) x[i * d + j + 1] += (float)cos((double)i / div);
    }
  for (int64_t l = 0; l < g->L; l++) {
    int base = 3 + LAYER_GEMMS * (int)l;
    const float *const *ln = g->ln + 4 * l;
    layernorm(x, t2, d, ln[0], ln[1], hn);
    gemm(g, base + 0, hn, t2, q, &w, st);
    gemm(g, base + 1, hn, t2, k, &w, st);
    gemm(g, base + 2, hn, t2, v, &w, st);
    attention(g, q, k, v, t2, s, o);
    gemm(g, base + 3, o, t2, tmp, &w, st);
    for (int64_t i = 0; i < n_h; i++) x[i] += tmp[i];
    layernorm(x, t2, d, ln[2], ln[3], hn);
    gemm(g, base + 4, hn, t2, ff, &w, st);
    relu(ff, n_ff);
    gemm(g, base + 5, ff, t2, tmp, &w, st);
    for (int64_t i = 0; i < n_h; i++) x[i] += tmp[i];
  }
  layernorm(x, t2, d, g->ln[4 * g->L], g->ln[4 * g->L + 1], hn);
  gemm(g, g->n_gemm - 1, hn, t2, lo, &w, st);
  *ntok = sa_ctc_greedy(lo, t2, V, BLANK, tok);
  *tokens = tok;
  free(arena);
  free(w.xq);
  free(w.acc);
  free(w.accf);
  return 0;
}

char *sa_engine_words(const sa_engine *g, const int32_t *tok, int64_t n, sa_err *e) {
  size_t len = 1;
  for (int64_t i = 0; i < n; i++) len += strlen(g->vocab[tok[i]]) + 1;
  char *s = sa_malloc(len, e);
  if (!s) return NULL;
  size_t o = 0;
  for (int64_t i = 0; i < n; i++) {
    size_t l = strlen(g->vocab[tok[i]]);
    if (i) s[o++] = ' ';
    memcpy(s + o, g->vocab[tok[i]], l);
    o += l;
  }
  s[o] = 0;
  return s;
}

int sa_engine_run(const sa_engine *g, const float *feats, int64_t t, char **hyp, sa_err *e) {
  *hyp = NULL;
  int32_t *tok;
  int64_t n;
  if (sa_engine_forward(g, feats, t, NULL, &tok, &n, e)) return -1;
  *hyp = sa_engine_words(g, tok, n, e);
  free(tok);
  return *hyp ? 0 : -1;
}
