/* sa_topology: SCALE-Sim topology CSV -> manifest in memory (sa_topology.h). */
#include "sa_topology.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_file.h"
#include "sa_hash.h"
#include "sa_num.h"

enum { MAX_COLS = 16, LABEL = 48 };
enum { FMT_GEMM, FMT_CONV };

/* what a column holds */
typedef enum {
  COL_NAME, COL_M, COL_N, COL_K, COL_IFH, COL_IFW, COL_FH, COL_FW, COL_CH, COL_NF,
  COL_STRIDE, COL_SH, COL_SW, COL_SPARSITY, COL_KINDS
} col_kind;

/* header text of each kind, normalised (lower case, single blanks) and as SCALE-Sim spells it */
static const char *const col_norm[COL_KINDS] = {
    "", "m", "n", "k", "ifmap height", "ifmap width", "filter height", "filter width",
    "channels", "num filter", "strides", "stride height", "stride width", "sparsity"};
static const char *const col_label[COL_KINDS] = {
    "Layer", "M", "N", "K", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
    "Channels", "Num Filter", "Strides", "Stride height", "Stride width", "Sparsity"};

static const char gemm_cols[] = "'Layer, M, N, K[, Sparsity]'";
static const char conv_cols[] =
    "'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
    "Num Filter, Strides[, Sparsity]'";

typedef struct row {
  int line;
  int n;
  char *f[MAX_COLS]; /* trimmed fields, in the file buffer */
} row;

typedef struct reader {
  const char *path;
  char *buf, *end, *p; /* whole file, its end, the next line */
  int line;            /* number of the line last read */
  sa_err *e;
  int fmt;             /* FMT_* */
  int ncols;
  int col[COL_KINDS];  /* column index of each kind, -1 when absent */
  char label[MAX_COLS][LABEL]; /* header text as written, for messages */
} reader;

/* Copies s for a message: at most cap-1 characters, unprintable ones as '?'. */
static const char *shown(const char *s, char *out, size_t cap) {
  size_t i = 0;
  for (; s[i] && i + 1 < cap; i++) out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
  out[i] = 0;
  return out;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
  return s;
}

/* Next non-blank line split into fields (comments from '#' dropped, a trailing empty field
 * from a trailing comma dropped). Returns 1, 0 at the end of the file, -1 with e filled. */
static int next_row(reader *R, row *r) {
  while (R->p < R->end) {
    char *s = R->p, *nl = memchr(s, '\n', (size_t)(R->end - s));
    char *stop = nl ? nl : R->end;
    R->p = nl ? nl + 1 : R->end;
    R->line++;
    if (memchr(s, 0, (size_t)(stop - s)))
      return sa_err_set(R->e, "%s:%d: a NUL byte: not a text file", R->path, R->line);
    *stop = 0;
    char *hash = strchr(s, '#');
    if (hash) *hash = 0;
    for (char *c = s; *c; c++)
      if (*c == '\r') *c = ' ';
    s = trim(s);
    if (!*s) continue;
    r->line = R->line;
    r->n = 0;
    for (char *f = s;;) {
      char *comma = strchr(f, ',');
      if (comma) *comma = 0;
      if (r->n == MAX_COLS)
        return sa_err_set(R->e, "%s:%d: more than %d columns", R->path, R->line, MAX_COLS);
      r->f[r->n++] = trim(f);
      if (!comma) break;
      f = comma + 1;
    }
    if (r->n > 1 && !r->f[r->n - 1][0]) r->n--; /* "a,b," */
    return 1;
  }
  return 0;
}

static void normalise(const char *s, char *out, size_t cap) {
  size_t o = 0;
  int blank = 0;
  for (; *s && o + 1 < cap; s++) {
    if (*s == ' ' || *s == '\t') {
      blank = 1;
      continue;
    }
    if (blank && o) out[o++] = ' ';
    blank = 0;
    if (o + 1 < cap) out[o++] = (char)tolower((unsigned char)*s);
  }
  out[o] = 0;
}

static int header_error(reader *R, const row *h, int i, const char *want, const char *fmt) {
  char got[64];
  if (i >= h->n)
    return sa_err_set(R->e, "%s:%d: header: column %d missing: expected %s (SCALE-Sim %s "
                      "columns %s)", R->path, h->line, i + 1, want,
                      fmt == conv_cols ? "convolution" : "GEMM", fmt);
  return sa_err_set(R->e, "%s:%d: header: column %d '%s': expected %s (SCALE-Sim %s columns "
                    "%s)", R->path, h->line, i + 1, shown(h->f[i], got, sizeof got), want,
                    fmt == conv_cols ? "convolution" : "GEMM", fmt);
}

/* Reads the header: which format, which column holds what. */
static int read_header(reader *R) {
  row h;
  int rc = next_row(R, &h);
  if (rc < 0) return -1;
  if (rc == 0)
    return sa_err_set(R->e, "%s:%d: no header: expected SCALE-Sim topology columns %s or %s",
                      R->path, R->line ? R->line : 1, gemm_cols, conv_cols);
  char norm[MAX_COLS][LABEL];
  for (int i = 0; i < h.n; i++) normalise(h.f[i], norm[i], LABEL);
  for (int k = 0; k < COL_KINDS; k++) R->col[k] = -1;
  static const col_kind gemm[] = {COL_M, COL_N, COL_K};
  static const col_kind conv[] = {COL_IFH, COL_IFW, COL_FH, COL_FW, COL_CH, COL_NF};
  const col_kind *seq;
  int nseq;
  const char *cols;
  if (h.n > 1 && !strcmp(norm[1], "m")) {
    R->fmt = FMT_GEMM, seq = gemm, nseq = 3, cols = gemm_cols;
  } else if (h.n > 1 && !strcmp(norm[1], "ifmap height")) {
    R->fmt = FMT_CONV, seq = conv, nseq = 6, cols = conv_cols;
  } else {
    char got[64];
    return sa_err_set(R->e, "%s:%d: header '%s%s': expected SCALE-Sim topology columns %s "
                      "(GEMM) or %s (convolution)", R->path, h.line,
                      shown(h.f[0], got, sizeof got), h.n > 1 ? ", ..." : "", gemm_cols,
                      conv_cols);
  }
  if (strncmp(norm[0], "layer", 5))
    return header_error(R, &h, 0, R->fmt == FMT_GEMM ? "'Layer'" : "'Layer name'", cols);
  R->col[COL_NAME] = 0;
  int i = 1;
  for (int j = 0; j < nseq; j++, i++) {
    if (i >= h.n || strcmp(norm[i], col_norm[seq[j]])) {
      char want[LABEL + 2];
      snprintf(want, sizeof want, "'%s'", col_label[seq[j]]);
      return header_error(R, &h, i, want, cols);
    }
    R->col[seq[j]] = i;
  }
  if (R->fmt == FMT_CONV) {
    if (i < h.n && !strcmp(norm[i], col_norm[COL_STRIDE])) {
      R->col[COL_STRIDE] = i++;
    } else if (i + 1 < h.n && !strcmp(norm[i], col_norm[COL_SH]) &&
               !strcmp(norm[i + 1], col_norm[COL_SW])) {
      R->col[COL_SH] = i++;
      R->col[COL_SW] = i++;
    } else {
      return header_error(R, &h, i, "'Strides' or 'Stride height, Stride width'", cols);
    }
  }
  if (i < h.n && !strcmp(norm[i], col_norm[COL_SPARSITY])) R->col[COL_SPARSITY] = i++;
  if (i < h.n) return header_error(R, &h, i, "no further column (or 'Sparsity')", cols);
  R->ncols = h.n;
  for (int c = 0; c < h.n; c++) shown(h.f[c], R->label[c], LABEL);
  return 0;
}

static int bad_field(reader *R, const row *r, int c, const char *want) {
  char got[64];
  return sa_err_set(R->e, "%s:%d: column '%s': expected %s, got \"%s\"", R->path, r->line,
                    R->label[c], want, shown(r->f[c], got, sizeof got));
}

/* A decimal integer from 1 to max. */
static int get_int(reader *R, const row *r, col_kind kind, int64_t max, int64_t *out) {
  int c = R->col[kind];
  const char *s = r->f[c];
  int64_t v = 0;
  int ok = *s != 0;
  for (; *s && ok; s++) {
    ok = *s >= '0' && *s <= '9' && v <= (max - (*s - '0')) / 10;
    v = v * 10 + (*s - '0');
  }
  if (!ok || v < 1) {
    char want[96];
    snprintf(want, sizeof want, "an integer from 1 to %lld", (long long)max);
    return bad_field(R, r, c, want);
  }
  *out = v;
  return 0;
}

/* SCALE-Sim v3's N:M sparsity: checked for form, then ignored. */
static int check_sparsity(reader *R, const row *r) {
  int c = R->col[COL_SPARSITY];
  if (c < 0) return 0;
  const char *s = r->f[c];
  char nb[24];
  size_t nl = strcspn(s, ":");
  int64_t a, b;
  if (!s[nl] || nl >= sizeof nb || !isdigit((unsigned char)s[0]) ||
      !isdigit((unsigned char)s[nl + 1]))
    return bad_field(R, r, c, "N:M sparsity like 2:4 (1 <= N <= M)");
  memcpy(nb, s, nl);
  nb[nl] = 0;
  if (sa_num_i64(s + nl + 1, 1, 1 << 20, &b) || sa_num_i64(nb, 1, b, &a))
    return bad_field(R, r, c, "N:M sparsity like 2:4 (1 <= N <= M)");
  return 0;
}

/* --- unique layer names: open addressing over the layers already read --- */

typedef struct names {
  int *slot; /* layer index + 1, 0 = empty */
  size_t cap;
} names;

static int names_has(const names *t, const sa_layer *ls, const char *s) {
  for (size_t i = sa_hash_fnv1a(s, strlen(s)) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    if (!t->slot[i]) return 0;
    if (!strcmp(ls[t->slot[i] - 1].name, s)) return 1;
  }
}

static void names_add(names *t, const sa_layer *ls, int idx) {
  size_t i = sa_hash_fnv1a(ls[idx].name, strlen(ls[idx].name)) & (t->cap - 1);
  while (t->slot[i]) i = (i + 1) & (t->cap - 1);
  t->slot[i] = idx + 1;
}

/* Product of positive factors, or -1 beyond SA_MANIFEST_MAX_WORK. */
static int64_t work(const int64_t *f, int n) {
  int64_t p = 1;
  for (int i = 0; i < n; i++) {
    if (p > SA_MANIFEST_MAX_WORK / f[i]) return -1;
    p *= f[i];
  }
  return p;
}

/* One data row -> layer l (name left to the caller). */
static int lower_row(reader *R, const row *r, sa_layer *l) {
  const int64_t dim = SA_MANIFEST_MAX_DIM - 1;
  if (check_sparsity(R, r)) return -1;
  l->count = 1;
  if (R->fmt == FMT_GEMM) {
    l->role = SA_ROLE_FF;
    return get_int(R, r, COL_M, SA_MANIFEST_MAX_ROWS, &l->m) || get_int(R, r, COL_N, dim, &l->n) ||
                   get_int(R, r, COL_K, dim, &l->k)
               ? -1
               : 0;
  }
  int64_t ifh, ifw, fh, fw, ch, nf, sh, sw;
  if (get_int(R, r, COL_IFH, dim, &ifh) || get_int(R, r, COL_IFW, dim, &ifw) ||
      get_int(R, r, COL_FH, dim, &fh) || get_int(R, r, COL_FW, dim, &fw) ||
      get_int(R, r, COL_CH, dim, &ch) || get_int(R, r, COL_NF, dim, &nf))
    return -1;
  if (R->col[COL_STRIDE] >= 0) {
    if (get_int(R, r, COL_STRIDE, dim, &sh)) return -1;
    sw = sh;
  } else if (get_int(R, r, COL_SH, dim, &sh) || get_int(R, r, COL_SW, dim, &sw)) {
    return -1;
  }
  char want[96];
  if (fh > ifh) {
    snprintf(want, sizeof want, "at most the IFMAP Height (%lld)", (long long)ifh);
    return bad_field(R, r, R->col[COL_FH], want);
  }
  if (fw > ifw) {
    snprintf(want, sizeof want, "at most the IFMAP Width (%lld)", (long long)ifw);
    return bad_field(R, r, R->col[COL_FW], want);
  }
  int64_t oh = (ifh - fh) / sh + 1, ow = (ifw - fw) / sw + 1; /* each < 2^31 */
  l->role = SA_ROLE_CONV;
  l->m = oh * ow;
  if (l->m > SA_MANIFEST_MAX_ROWS)
    return sa_err_set(R->e, "%s:%d: column '%s': the output map (%lld x %lld = %lld rows of "
                      "the im2col GEMM) exceeds 2^40 rows", R->path, r->line,
                      R->label[R->col[COL_IFH]], (long long)oh, (long long)ow, (long long)l->m);
  int depthwise = strstr(r->f[0], "DP") != NULL; /* SCALE-Sim's depthwise convention */
  int64_t window = fh * fw;                      /* < 2^62 */
  int64_t per = depthwise ? 1 : ch;
  if (window > dim / per) {
    char prod[96];
    if (depthwise) snprintf(prod, sizeof prod, "%lld x %lld", (long long)fh, (long long)fw);
    else snprintf(prod, sizeof prod, "%lld x %lld x %lld", (long long)fh, (long long)fw,
                  (long long)ch);
    return sa_err_set(R->e, "%s:%d: column '%s': the im2col K (Filter Height x Filter Width%s "
                      "= %s) exceeds 2^31 - 1", R->path, r->line,
                      R->label[R->col[depthwise ? COL_FW : COL_CH]],
                      depthwise ? "" : " x Channels", prod);
  }
  l->k = window * per;
  l->n = nf;
  if (depthwise) l->count = ch;
  return 0;
}

/* The file's stem: "dir/resnet18.csv" -> "resnet18". */
static void stem(const char *path, char *out, size_t cap) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  size_t n = strlen(b);
  const char *dot = strrchr(b, '.');
  if (dot && dot != b) n = (size_t)(dot - b);
  if (n >= cap) n = cap - 1;
  memcpy(out, b, n);
  out[n] = 0;
  if (!out[0]) snprintf(out, cap, "topology");
}

static int read_layers(reader *R, sa_manifest *m) {
  size_t cap = 0;
  names t = {NULL, 0};
  int64_t macs_total = 0;
  int rc = -1;
  row r;
  for (;;) {
    int got = next_row(R, &r);
    if (got < 0) goto out;
    if (!got) break;
    if (r.n != R->ncols) {
      sa_err_set(R->e, "%s:%d: %d columns, the header has %d ('%s' ... '%s')", R->path, r.line,
                 r.n, R->ncols, R->label[0], R->label[R->ncols - 1]);
      goto out;
    }
    if (m->n_layers == SA_MANIFEST_MAX_LAYERS) {
      sa_err_set(R->e, "%s:%d: more than %d layers", R->path, r.line, SA_MANIFEST_MAX_LAYERS);
      goto out;
    }
    if ((size_t)m->n_layers == cap) {
      size_t nc = cap ? 2 * cap : 64;
      sa_layer *nl = sa_realloc(m->layers, nc * sizeof *nl, R->e);
      if (nl) m->layers = nl;
      int *ns = nl ? sa_calloc(4 * nc, sizeof *ns, R->e) : NULL;
      if (!ns) {
        sa_err_prefix(R->e, "%s", R->path);
        goto out;
      }
      m->layers = nl;
      cap = nc;
      free(t.slot);
      t.slot = ns;
      t.cap = 4 * nc; /* a power of two, at most a quarter full */
      for (int i = 0; i < m->n_layers; i++) names_add(&t, m->layers, i);
    }
    sa_layer *l = &m->layers[m->n_layers];
    memset(l, 0, sizeof *l);
    if (!r.f[0][0] || strlen(r.f[0]) >= sizeof l->name - 8) {
      char want[64];
      snprintf(want, sizeof want, "a layer name of 1 to %zu characters", sizeof l->name - 9);
      bad_field(R, &r, 0, want);
      goto out;
    }
    if (lower_row(R, &r, l)) goto out;
    snprintf(l->name, sizeof l->name, "%s", r.f[0]);
    for (int k = 2; names_has(&t, m->layers, l->name); k++)
      snprintf(l->name, sizeof l->name, "%s#%d", r.f[0], k);
    snprintf(l->weight, sizeof l->weight, "%s", l->name);
    const int64_t f[4] = {l->m, l->k, l->n, l->count};
    int64_t macs = work(f, 4);
    if (macs < 0 || macs_total > SA_MANIFEST_MAX_WORK - macs) {
      char nm[64];
      sa_err_set(R->e, "%s:%d: layer '%s': %s (M x K x N x count = %lld x %lld x %lld x %lld) "
                 "is too large (limit 2^62 MACs)", R->path, r.line, shown(l->name, nm, sizeof nm),
                 macs < 0 ? "its work" : "the work of the layers up to this one",
                 (long long)l->m, (long long)l->k, (long long)l->n, (long long)l->count);
      goto out;
    }
    macs_total += macs;
    names_add(&t, m->layers, m->n_layers);
    m->n_layers++;
  }
  if (!m->n_layers) {
    sa_err_set(R->e, "%s:%d: no layers after the header", R->path, R->line);
    goto out;
  }
  rc = 0;
out:
  free(t.slot);
  return rc;
}

int sa_topology_load(const char *path, uint64_t seed, sa_manifest **out, sa_err *e) {
  if (strlen(path) >= sizeof((sa_manifest *)0)->path)
    return sa_err_set(e, "%.200s...: topology path too long", path);
  size_t len;
  char *buf = sa_file_read(path, SA_TOPOLOGY_MAX_BYTES, &len, e);
  if (!buf) return -1;
  sa_manifest *m = sa_calloc(1, sizeof *m, e);
  if (!m) {
    free(buf);
    return -1;
  }
  strcpy(m->path, path);
  const char *slash = strrchr(path, '/');
  if (slash) memcpy(m->dir, path, (size_t)(slash - path) + 1);
  stem(path, m->name, sizeof m->name);
  m->synthetic = 1;
  m->synthetic_seed = seed;
  strcpy(m->arch.type, "none");
  m->tokens = 1;
  reader R = {.path = path, .buf = buf, .end = buf + len, .p = buf, .e = e};
  int rc = read_header(&R) || read_layers(&R, m) ? -1 : 0;
  free(buf);
  if (rc) {
    sa_manifest_free(m);
    return -1;
  }
  *out = m;
  return 0;
}
