/* sa_manifest: loader and validator of workloads/<model>/manifest.yaml (docs/manifest.md).
 * Every key is checked for type and range; unknown keys are rejected with a suggestion. */
#include "sa_manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_file.h"
#include "sa_num.h"
#include "sa_out.h"
#include "sa_yaml.h"

enum { MAX_LAYERS = SA_MANIFEST_MAX_LAYERS, MAX_HOSTOPS = 10000 };
#define MAX_DIM SA_MANIFEST_MAX_DIM   /* k, n: at most 2^31 - 1 */
#define MAX_ROWS SA_MANIFEST_MAX_ROWS /* m, count, elements */
/* m*k*n*count of a layer, the sum over layers, and elements*count of a host op: at most 2^62,
 * so every product and sum the models form from manifest values fits an int64 (docs/manifest.md) */
#define MAX_WORK SA_MANIFEST_MAX_WORK
#define MAX_FILE_BYTES ((size_t)16 << 20) /* a manifest or vocabulary copied */

static const char *const role_names[SA_ROLE_COUNT] = {"conv", "in_proj",  "attn_qkv",
                                                      "attn_out", "ff",  "out",
                                                      "attn_matmul"};
static const char *const hostop_names[SA_HOSTOP_COUNT] = {
    "layernorm", "softmax",  "gelu",   "relu",        "add",
    "quantize",  "dequantize", "argmax", "attn_matmul", "conv_pad"};
static const char *const layouts[] = {"in_out", "out_in"}; /* index = out_in flag */
static const char *const arch_types[] = {"transformer_ctc", "none"};

static const char *const root_keys[] = {"format", "name", "description", "weights",
                                        "arch", "schedule", "layers", "host_ops"};
static const char *const arch_keys[] = {"type", "n_mels", "conv_channels", "d_model",
                                        "heads", "d_ff", "layers", "vocab"};
static const char *const schedule_keys[] = {"tokens"};
static const char *const layer_keys[] = {"name", "role", "weight", "bias", "layout",
                                         "k", "n", "m", "count"};
static const char *const hostop_keys[] = {"op", "elements", "count"};
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

const char *sa_manifest_role_name(int role) {
  return role >= 0 && role < SA_ROLE_COUNT ? role_names[role] : "?";
}

const char *sa_manifest_hostop_name(int op) {
  return op >= 0 && op < SA_HOSTOP_COUNT ? hostop_names[op] : "?";
}

int sa_manifest_in_scope(const sa_layer *l, int scope) {
  switch (scope) {
    case 0: return l->role == SA_ROLE_FF;
    case 1: return l->role == SA_ROLE_ATTN_QKV || l->role == SA_ROLE_ATTN_OUT;
    case 2: return sa_manifest_has_weights(l);
    default: SA_ASSERT(!"unknown pruning scope");
  }
  return 0;
}

int sa_manifest_has_weights(const sa_layer *l) { return l->role != SA_ROLE_ATTN_MATMUL; }

/* --- typed accessors: each reports FILE:LINE:COL: key 'dotted': problem --- */

static int bad(sa_err *e, const sa_yaml_node *n, const char *key, const char *want) {
  if (n->kind != SA_YAML_SCALAR)
    return sa_err_set(e, "%s:%d:%d: key '%s': expected %s, got %s", n->file, n->line, n->col,
                      key, want, sa_yaml_kind_name(n->kind));
  return sa_err_set(e, "%s:%d:%d: key '%s': expected %s, got \"%.80s\"", n->file, n->line,
                    n->col, key, want, n->scalar);
}

static int check_map(const sa_yaml_node *map, const char *key, const char *const *names,
                     size_t nn, sa_err *e) {
  if (map->kind != SA_YAML_MAP) return bad(e, map, key, "a mapping of keys");
  for (size_t i = 0; i < map->n; i++) {
    const sa_yaml_node *kn = map->keys[i];
    size_t j = 0;
    while (j < nn && strcmp(names[j], kn->scalar)) j++;
    if (j < nn) continue;
    const char *hint = sa_yaml_suggest(kn->scalar, names, nn);
    return sa_err_set(e, "%s:%d:%d: key '%s%s%s': unknown key%s%s%s", kn->file, kn->line,
                      kn->col, key, key[0] ? "." : "", kn->scalar,
                      hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
  }
  return 0;
}

static void dotted(char *buf, size_t cap, const char *prefix, const char *key) {
  snprintf(buf, cap, "%s%s%s", prefix, prefix[0] ? "." : "", key);
}

static int missing(sa_err *e, const sa_yaml_node *map, const char *prefix, const char *key) {
  char d[256];
  dotted(d, sizeof d, prefix, key);
  return sa_err_set(e, "%s:%d:%d: key '%s': required key is missing", map->file, map->line,
                    map->col, d);
}

/* String key: *out set to the scalar (owned by the document) or NULL when absent. */
static int get_str(const sa_yaml_node *map, const char *prefix, const char *key, int required,
                   size_t cap, const char **out, sa_err *e) {
  const sa_yaml_node *n = sa_yaml_get(map, key);
  *out = NULL;
  if (!n) return required ? missing(e, map, prefix, key) : 0;
  char d[256];
  dotted(d, sizeof d, prefix, key);
  if (n->kind != SA_YAML_SCALAR || !n->scalar[0]) return bad(e, n, d, "a non-empty string");
  if (strlen(n->scalar) >= cap) {
    char want[64];
    snprintf(want, sizeof want, "a string of at most %zu characters", cap - 1);
    return bad(e, n, d, want);
  }
  *out = n->scalar;
  return 0;
}

static int get_int(const sa_yaml_node *map, const char *prefix, const char *key, int64_t min,
                   int64_t max, int64_t def, int required, int64_t *out, sa_err *e) {
  const sa_yaml_node *n = sa_yaml_get(map, key);
  if (!n) {
    if (required) return missing(e, map, prefix, key);
    *out = def;
    return 0;
  }
  char d[256], want[96];
  dotted(d, sizeof d, prefix, key);
  snprintf(want, sizeof want, "an integer from %lld to %lld", (long long)min, (long long)max);
  if (n->kind != SA_YAML_SCALAR || n->quoted || !n->scalar[0]) return bad(e, n, d, want);
  if (sa_num_i64(n->scalar, min, max, out)) return bad(e, n, d, want);
  return 0;
}

static int get_enum(const sa_yaml_node *map, const char *prefix, const char *key,
                    const char *const *names, size_t nn, int *out, sa_err *e) {
  const char *s;
  if (get_str(map, prefix, key, 1, 256, &s, e)) return -1;
  for (size_t i = 0; i < nn; i++)
    if (!strcmp(s, names[i])) {
      *out = (int)i;
      return 0;
    }
  char d[256], want[512];
  dotted(d, sizeof d, prefix, key);
  size_t w = (size_t)snprintf(want, sizeof want, "one of");
  for (size_t i = 0; i < nn && w < sizeof want; i++)
    w += (size_t)snprintf(want + w, sizeof want - w, "%s %s", i ? "," : "", names[i]);
  const char *hint = sa_yaml_suggest(s, names, nn);
  if (hint && w < sizeof want)
    snprintf(want + w, sizeof want - w, " (did you mean '%s'?)", hint);
  return bad(e, sa_yaml_get(map, key), d, want);
}

/* path relative to the manifest's directory (absolute paths kept). */
static int resolve(const sa_manifest *m, const sa_yaml_node *n, const char *key, char *dst,
                   size_t cap, sa_err *e) {
  const char *v = n->scalar;
  int abs = v[0] == '/';
  size_t dl = abs ? 0 : strlen(m->dir);
  size_t vl = strlen(v);
  if (dl + vl >= cap) return bad(e, n, key, "a shorter path");
  memcpy(dst, m->dir, dl);
  memcpy(dst + dl, v, vl + 1);
  return 0;
}

static int load_arch(sa_manifest *m, const sa_yaml_node *root, sa_err *e) {
  const sa_yaml_node *a = sa_yaml_get(root, "arch");
  if (!a) {
    strcpy(m->arch.type, "none");
    return 0;
  }
  if (check_map(a, "arch", arch_keys, NKEYS(arch_keys), e)) return -1;
  int type;
  if (get_enum(a, "arch", "type", arch_types, NKEYS(arch_types), &type, e)) return -1;
  snprintf(m->arch.type, sizeof m->arch.type, "%s", arch_types[type]);
  int req = type == 0; /* transformer_ctc needs the whole description */
  struct {
    const char *key;
    int64_t *dst;
  } ints[] = {{"n_mels", &m->arch.n_mels},   {"conv_channels", &m->arch.conv_channels},
              {"d_model", &m->arch.d_model}, {"heads", &m->arch.heads},
              {"d_ff", &m->arch.d_ff},       {"layers", &m->arch.layers}};
  for (size_t i = 0; i < NKEYS(ints); i++)
    if (get_int(a, "arch", ints[i].key, 1, MAX_DIM - 1, 0, req, ints[i].dst, e)) return -1;
  if (req && m->arch.d_model % m->arch.heads)
    return bad(e, sa_yaml_get(a, "heads"), "arch.heads", "a divisor of arch.d_model");
  const char *vocab;
  if (get_str(a, "arch", "vocab", req, 1024, &vocab, e)) return -1;
  if (vocab && resolve(m, sa_yaml_get(a, "vocab"), "arch.vocab", m->arch.vocab,
                       sizeof m->arch.vocab, e))
    return -1;
  return 0;
}

/* Product of n positive factors, or -1 when it exceeds MAX_WORK (computed without overflow). */
static int64_t work(const int64_t *f, int n) {
  int64_t p = 1;
  for (int i = 0; i < n; i++) {
    SA_ASSERT(f[i] >= 1);
    if (p > MAX_WORK / f[i]) return -1;
    p *= f[i];
  }
  return p;
}

static int too_large(sa_err *e, const sa_yaml_node *n, const char *key, const char *what) {
  return sa_err_set(e, "%s:%d:%d: key '%s': %s is too large (limit 2^62 = %lld)", n->file,
                    n->line, n->col, key, what, (long long)MAX_WORK);
}

static int load_layer(sa_manifest *m, const sa_yaml_node *ln, size_t i, int64_t *macs_total,
                      sa_err *e) {
  char p[64];
  snprintf(p, sizeof p, "layers[%zu]", i);
  if (check_map(ln, p, layer_keys, NKEYS(layer_keys), e)) return -1;
  sa_layer *l = &m->layers[i];
  const char *s;
  if (get_str(ln, p, "name", 1, sizeof l->name, &s, e)) return -1;
  strcpy(l->name, s);
  for (size_t j = 0; j < i; j++)
    if (!strcmp(m->layers[j].name, l->name)) {
      char d[96];
      snprintf(d, sizeof d, "%s.name", p);
      return bad(e, sa_yaml_get(ln, "name"), d, "a unique layer name (used before)");
    }
  if (get_enum(ln, p, "role", role_names, SA_ROLE_COUNT, &l->role, e)) return -1;
  if (get_str(ln, p, "weight", 1, sizeof l->weight, &s, e)) return -1;
  strcpy(l->weight, s);
  if (get_str(ln, p, "bias", 0, sizeof l->bias, &s, e)) return -1;
  if (s) strcpy(l->bias, s);
  if (get_enum(ln, p, "layout", layouts, NKEYS(layouts), &l->out_in, e)) return -1;
  if (get_int(ln, p, "k", 1, MAX_DIM - 1, 0, 1, &l->k, e) ||
      get_int(ln, p, "n", 1, MAX_DIM - 1, 0, 1, &l->n, e) ||
      get_int(ln, p, "m", 1, MAX_ROWS, 0, 1, &l->m, e) ||
      get_int(ln, p, "count", 1, MAX_ROWS, 1, 0, &l->count, e))
    return -1;
  const int64_t f[4] = {l->m, l->k, l->n, l->count};
  int64_t macs = work(f, 4);
  char what[160];
  if (macs < 0) {
    snprintf(what, sizeof what, "m x k x n x count = %lld x %lld x %lld x %lld MACs per inference",
             (long long)l->m, (long long)l->k, (long long)l->n, (long long)l->count);
    return too_large(e, ln, p, what);
  }
  if (*macs_total > MAX_WORK - macs)
    return too_large(e, ln, p, "the MACs per inference of layers[0] to this layer together");
  *macs_total += macs;
  return 0;
}

static int load_hostop(sa_manifest *m, const sa_yaml_node *hn, size_t i, sa_err *e) {
  char p[64];
  snprintf(p, sizeof p, "host_ops[%zu]", i);
  if (check_map(hn, p, hostop_keys, NKEYS(hostop_keys), e)) return -1;
  sa_hostop *h = &m->hostops[i];
  if (get_enum(hn, p, "op", hostop_names, SA_HOSTOP_COUNT, &h->op, e)) return -1;
  if (get_int(hn, p, "elements", 0, MAX_ROWS, 0, 1, &h->elements, e) ||
      get_int(hn, p, "count", 1, MAX_ROWS, 1, 0, &h->count, e))
    return -1;
  const int64_t f[2] = {h->elements ? h->elements : 1, h->count};
  char what[128];
  snprintf(what, sizeof what, "elements x count = %lld x %lld", (long long)h->elements,
           (long long)h->count);
  if (work(f, 2) < 0) return too_large(e, hn, p, what);
  return 0;
}

static int load_weights(sa_manifest *m, const sa_yaml_node *root, sa_err *e) {
  const char *w;
  if (get_str(root, "", "weights", 1, sizeof m->weights, &w, e)) return -1;
  const sa_yaml_node *n = sa_yaml_get(root, "weights");
  if (!strncmp(w, "synthetic:", 10)) {
    uint64_t seed;
    if (sa_num_u64(w + 10, &seed))
      return bad(e, n, "weights", "a path or \"synthetic:SEED\" with a decimal SEED");
    m->synthetic = 1;
    m->synthetic_seed = seed;
    return 0;
  }
  return resolve(m, n, "weights", m->weights, sizeof m->weights, e);
}

static int load_root(sa_manifest *m, const sa_yaml_node *root, sa_err *e) {
  if (check_map(root, "", root_keys, NKEYS(root_keys), e)) return -1;
  const char *s;
  if (get_str(root, "", "format", 1, 64, &s, e)) return -1;
  if (strcmp(s, "sasp-manifest/1"))
    return bad(e, sa_yaml_get(root, "format"), "format", "\"sasp-manifest/1\"");
  if (get_str(root, "", "name", 1, sizeof m->name, &s, e)) return -1;
  strcpy(m->name, s);
  if (get_str(root, "", "description", 0, 4096, &s, e)) return -1;
  if (load_weights(m, root, e) || load_arch(m, root, e)) return -1;

  const sa_yaml_node *sch = sa_yaml_get(root, "schedule");
  if (!sch) return missing(e, root, "", "schedule");
  if (check_map(sch, "schedule", schedule_keys, NKEYS(schedule_keys), e) ||
      get_int(sch, "schedule", "tokens", 1, MAX_ROWS, 0, 1, &m->tokens, e))
    return -1;

  const sa_yaml_node *ls = sa_yaml_get(root, "layers");
  if (!ls) return missing(e, root, "", "layers");
  if (ls->kind != SA_YAML_SEQ || ls->n == 0 || ls->n > MAX_LAYERS)
    return bad(e, ls, "layers", "a non-empty list of layers");
  m->layers = sa_calloc(ls->n, sizeof *m->layers, e);
  if (!m->layers) return -1;
  m->n_layers = (int)ls->n;
  int64_t macs_total = 0;
  for (size_t i = 0; i < ls->n; i++)
    if (load_layer(m, ls->items[i], i, &macs_total, e)) return -1;

  const sa_yaml_node *hs = sa_yaml_get(root, "host_ops");
  if (!hs) return 0;
  if (hs->kind != SA_YAML_SEQ || hs->n > MAX_HOSTOPS)
    return bad(e, hs, "host_ops", "a list of host operations");
  if (hs->n) {
    m->hostops = sa_calloc(hs->n, sizeof *m->hostops, e);
    if (!m->hostops) return -1;
  }
  m->n_hostops = (int)hs->n;
  for (size_t i = 0; i < hs->n; i++)
    if (load_hostop(m, hs->items[i], i, e)) return -1;
  return 0;
}

int sa_manifest_load(const char *path, sa_manifest **out, sa_err *e) {
  if (strlen(path) >= sizeof((sa_manifest *)0)->path)
    return sa_err_set(e, "%.200s...: manifest path too long", path);
  sa_yaml_doc *doc;
  if (sa_yaml_load_file(path, &doc, e)) return -1;
  sa_manifest *m = sa_calloc(1, sizeof *m, e);
  if (!m) {
    sa_yaml_free(doc);
    return -1;
  }
  strcpy(m->path, path);
  const char *slash = strrchr(path, '/');
  if (slash) memcpy(m->dir, path, (size_t)(slash - path) + 1);
  const sa_yaml_node *root = sa_yaml_root(doc);
  int rc;
  if (!root) rc = sa_err_set(e, "%s: empty manifest", path);
  else rc = load_root(m, root, e);
  sa_yaml_free(doc);
  if (rc) {
    sa_manifest_free(m);
    return -1;
  }
  *out = m;
  return 0;
}

void sa_manifest_free(sa_manifest *m) {
  if (!m) return;
  free(m->layers);
  free(m->hostops);
  free(m);
}

/* --- writing a copy --- */

/* Byte offset of the scalar node n in text and its length as written (quotes included). */
static int scalar_extent(const char *text, size_t len, const sa_yaml_node *n, size_t *off,
                         size_t *tok) {
  size_t o = 0;
  for (int line = 1; line < n->line; line++) {
    const char *nl = memchr(text + o, '\n', len - o);
    if (!nl) return -1;
    o = (size_t)(nl - text) + 1;
  }
  o += (size_t)(n->col - 1);
  if (o >= len) return -1;
  size_t t;
  if (text[o] == '"' || text[o] == '\'') {
    char q = text[o];
    for (t = 1; o + t < len && text[o + t] != q; t++)
      if (q == '"' && text[o + t] == '\\') t++;
    if (o + t >= len) return -1;
    t++;
  } else {
    t = strlen(n->scalar);
    if (o + t > len || memcmp(text + o, n->scalar, t)) return -1;
  }
  *off = o;
  *tok = t;
  return 0;
}

/* v as a YAML scalar: plain when it is made of path characters, else double-quoted. */
static void yaml_scalar(FILE *f, const char *v) {
  if (v[0] && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/+-") ==
                  strlen(v)) {
    fputs(v, f);
    return;
  }
  fputc('"', f);
  for (const char *p = v; *p; p++) {
    if (*p == '"' || *p == '\\') fputc('\\', f);
    fputc(*p, f);
  }
  fputc('"', f);
}

int sa_manifest_write_copy(const sa_manifest *man, const char *dir, const char *weights,
                           sa_err *e) {
  char abs_w[4096], vocab_name[1024] = "";
  if (!weights && !man->synthetic) {
    if (!realpath(man->weights, abs_w))
      return sa_err_set(e, "%s: cannot resolve: %s", man->weights, strerror(errno));
    weights = abs_w;
  }
  size_t len;
  char *text = sa_file_read(man->path, MAX_FILE_BYTES, &len, e);
  if (!text) return -1;
  sa_yaml_doc *doc = NULL;
  char *out_path = NULL, *vocab_to = NULL;
  int rc = -1;
  if (sa_yaml_load_buffer(text, len, man->path, &doc, e)) goto done;
  const sa_yaml_node *root = sa_yaml_root(doc);
  const sa_yaml_node *wn = sa_yaml_get(root, "weights");
  const sa_yaml_node *vn = sa_yaml_get(sa_yaml_get(root, "arch"), "vocab");
  /* edits, in file order: (offset, length, new value) */
  struct { size_t off, tok; const char *v; } ed[2];
  int ne = 0;
  if (vn && man->arch.vocab[0]) {
    const char *base = strrchr(man->arch.vocab, '/');
    base = base ? base + 1 : man->arch.vocab;
    /* the vocabulary must not overwrite what the caller writes beside it */
    int taken = !strcmp(base, "manifest.yaml") || strstr(base, ".safetensors") ||
                !strcmp(base, "mask.bin") || !strncmp(base, "summary.", 8);
    snprintf(vocab_name, sizeof vocab_name, "%s", taken ? "vocab.txt" : base);
    if (!(vocab_to = sa_path_join(dir, vocab_name, e))) goto done;
    if (sa_file_copy(man->arch.vocab, vocab_to, MAX_FILE_BYTES, e)) goto done;
  }
  if (wn && weights) {
    if (scalar_extent(text, len, wn, &ed[ne].off, &ed[ne].tok)) goto layout;
    ed[ne++].v = weights;
  }
  if (vocab_name[0]) {
    if (scalar_extent(text, len, vn, &ed[ne].off, &ed[ne].tok)) goto layout;
    ed[ne++].v = vocab_name;
  }
  if (ne == 2 && ed[0].off > ed[1].off) {
    struct { size_t off, tok; const char *v; } t = {ed[0].off, ed[0].tok, ed[0].v};
    ed[0] = ed[1];
    ed[1].off = t.off, ed[1].tok = t.tok, ed[1].v = t.v;
  }
  if (!(out_path = sa_path_join(dir, "manifest.yaml", e))) goto done;
  sa_out o;
  if (sa_out_open(&o, out_path, e)) goto done;
  fprintf(o.f, "# written by sasp from %s\n", man->path);
  size_t at = 0;
  for (int i = 0; i < ne; i++) {
    fwrite(text + at, 1, ed[i].off - at, o.f);
    yaml_scalar(o.f, ed[i].v);
    at = ed[i].off + ed[i].tok;
  }
  fwrite(text + at, 1, len - at, o.f);
  rc = sa_out_commit(&o, e);
  goto done;
layout:
  sa_err_set(e, "%s: cannot locate the weights or arch.vocab value to rewrite", man->path);
done:
  free(out_path);
  free(vocab_to);
  sa_yaml_free(doc);
  free(text);
  return rc;
}
