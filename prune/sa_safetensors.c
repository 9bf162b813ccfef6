/* sa_safetensors: safetensors reader (strict, schema-directed JSON header parser with
 * overflow-safe size checks) and atomic writer. */
#include "sa_safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_file.h"
#include "sa_out.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sa_safetensors assumes a little-endian host"
#endif

enum { HEADER_MAX = 100 << 20 };       /* the reference implementation's limit: 100 MB */
enum { TENSORS_MAX = 1 << 16 };        /* bounds the table a crafted header can make us allocate */
#define DIM_MAX ((uint64_t)1 << 53)    /* largest integer accepted in the header */
#define BYTES_MAX ((uint64_t)1 << 62)  /* largest tensor byte size considered */
#define MAX_FILE ((size_t)1 << 40)     /* 1 TiB: guards against runaway input only */

static const char *const dtype_names[SA_ST_DTYPE_COUNT] = {
    "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"};
static const size_t dtype_sizes[SA_ST_DTYPE_COUNT] = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1};

const char *sa_safetensors_dtype_name(int dtype) {
  return dtype >= 0 && dtype < SA_ST_DTYPE_COUNT ? dtype_names[dtype] : "?";
}

int sa_safetensors_dtype_parse(const char *s) {
  for (int i = 0; i < SA_ST_DTYPE_COUNT; i++)
    if (!strcmp(s, dtype_names[i])) return i;
  return -1;
}

size_t sa_safetensors_dtype_size(int dtype) {
  SA_ASSERT(dtype >= 0 && dtype < SA_ST_DTYPE_COUNT);
  return dtype_sizes[dtype];
}

/* --- header parser --- */

typedef struct parser {
  const char *name;
  const uint8_t *p;  /* header text */
  size_t len, pos;
  sa_err *e;
  sa_safetensors *st;
  int cap;
  uint64_t *begin, *end; /* per tensor data_offsets */
} parser;

static int perr(parser *ps, const char *what) {
  return sa_err_set(ps->e, "%s: safetensors header byte %zu: %s", ps->name, ps->pos + 8, what);
}

static void ws(parser *ps) {
  while (ps->pos < ps->len) {
    uint8_t c = ps->p[ps->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ps->pos++;
  }
}

static int expect(parser *ps, char c) {
  ws(ps);
  if (ps->pos >= ps->len || ps->p[ps->pos] != (uint8_t)c) {
    char msg[32];
    snprintf(msg, sizeof msg, "expected '%c'", c);
    return perr(ps, ps->pos >= ps->len ? "unexpected end of header" : msg);
  }
  ps->pos++;
  return 0;
}

/* 1 when the next non-blank character is c (consumed). */
static int accept(parser *ps, char c) {
  ws(ps);
  if (ps->pos < ps->len && ps->p[ps->pos] == (uint8_t)c) {
    ps->pos++;
    return 1;
  }
  return 0;
}

static int hex4(parser *ps, unsigned *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    if (ps->pos >= ps->len) return perr(ps, "unexpected end of header in \\u escape");
    uint8_t c = ps->p[ps->pos++];
    unsigned d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10u;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10u;
    else return perr(ps, "bad \\u escape");
    *v = *v * 16 + d;
  }
  return 0;
}

/* Appends one byte; dst NULL only validates (no length limit). */
static int put(parser *ps, char *dst, size_t cap, size_t *n, unsigned c) {
  if (!dst) return 0;
  if (*n + 1 >= cap) return perr(ps, "string too long");
  dst[(*n)++] = (char)c;
  return 0;
}

static int put_utf8(parser *ps, char *dst, size_t cap, size_t *n, unsigned cp) {
  if (cp == 0) return perr(ps, "NUL character in string");
  if (cp < 0x80) return put(ps, dst, cap, n, cp);
  if (cp < 0x800)
    return put(ps, dst, cap, n, 0xC0 | (cp >> 6)) || put(ps, dst, cap, n, 0x80 | (cp & 0x3F));
  if (cp < 0x10000)
    return put(ps, dst, cap, n, 0xE0 | (cp >> 12)) ||
           put(ps, dst, cap, n, 0x80 | ((cp >> 6) & 0x3F)) ||
           put(ps, dst, cap, n, 0x80 | (cp & 0x3F));
  return put(ps, dst, cap, n, 0xF0 | (cp >> 18)) ||
         put(ps, dst, cap, n, 0x80 | ((cp >> 12) & 0x3F)) ||
         put(ps, dst, cap, n, 0x80 | ((cp >> 6) & 0x3F)) ||
         put(ps, dst, cap, n, 0x80 | (cp & 0x3F));
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_len(const uint8_t *s, size_t n) {
  uint8_t c = s[0];
  size_t len;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

static int valid_utf8(const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    size_t l = utf8_len((const uint8_t *)s + i, n - i);
    if (!l) return 0;
    i += l;
  }
  return 1;
}

/* A JSON string into dst (cap bytes with the NUL), or validated only when dst is NULL. */
static int string(parser *ps, char *dst, size_t cap) {
  if (expect(ps, '"')) return -1;
  size_t n = 0;
  for (;;) {
    if (ps->pos >= ps->len) return perr(ps, "unterminated string");
    uint8_t c = ps->p[ps->pos];
    if (c == '"') {
      ps->pos++;
      break;
    }
    if (c < 0x20) return perr(ps, "control character in string");
    if (c != '\\') {
      size_t l = utf8_len(ps->p + ps->pos, ps->len - ps->pos);
      if (!l) return perr(ps, "invalid UTF-8 in string");
      for (size_t i = 0; i < l; i++)
        if (put(ps, dst, cap, &n, ps->p[ps->pos + i])) return -1;
      ps->pos += l;
      continue;
    }
    ps->pos++;
    if (ps->pos >= ps->len) return perr(ps, "unterminated string");
    c = ps->p[ps->pos++];
    unsigned cp;
    switch (c) {
      case '"': case '\\': case '/': cp = c; break;
      case 'b': cp = '\b'; break;
      case 'f': cp = '\f'; break;
      case 'n': cp = '\n'; break;
      case 'r': cp = '\r'; break;
      case 't': cp = '\t'; break;
      case 'u':
        if (hex4(ps, &cp)) return -1;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return perr(ps, "lone low surrogate in \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned lo;
          if (ps->pos + 2 > ps->len || ps->p[ps->pos] != '\\' || ps->p[ps->pos + 1] != 'u')
            return perr(ps, "lone high surrogate in \\u escape");
          ps->pos += 2;
          if (hex4(ps, &lo)) return -1;
          if (lo < 0xDC00 || lo > 0xDFFF) return perr(ps, "bad surrogate pair in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        break;
      default: return perr(ps, "bad escape in string");
    }
    if (put_utf8(ps, dst, cap, &n, cp)) return -1;
  }
  if (dst) dst[n] = 0;
  return 0;
}

static int uint_value(parser *ps, uint64_t *v) {
  ws(ps);
  size_t start = ps->pos;
  uint64_t x = 0;
  while (ps->pos < ps->len && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9') {
    x = x * 10 + (ps->p[ps->pos] - '0');
    if (x > DIM_MAX) return perr(ps, "integer too large (limit 2^53)");
    ps->pos++;
  }
  if (ps->pos == start) return perr(ps, "expected a non-negative integer");
  if (ps->pos - start > 1 && ps->p[start] == '0') return perr(ps, "leading zero in integer");
  if (ps->pos < ps->len && (ps->p[ps->pos] == '.' || ps->p[ps->pos] == 'e' ||
                            ps->p[ps->pos] == 'E'))
    return perr(ps, "expected an integer, got a fraction or exponent");
  *v = x;
  return 0;
}

static int metadata(parser *ps) {
  if (expect(ps, '{')) return -1;
  if (accept(ps, '}')) return 0;
  do {
    if (string(ps, NULL, 0) || expect(ps, ':')) return -1;
    ws(ps);
    if (ps->pos >= ps->len || ps->p[ps->pos] != '"')
      return perr(ps, "__metadata__ values must be strings");
    if (string(ps, NULL, 0)) return -1;
  } while (accept(ps, ','));
  return expect(ps, '}');
}

static int tensor_entry(parser *ps, sa_safetensors_tensor *t, uint64_t *b, uint64_t *en) {
  if (expect(ps, '{')) return -1;
  int have_dtype = 0, have_shape = 0, have_off = 0;
  char key[64];
  do {
    size_t kpos = ps->pos;
    if (string(ps, key, sizeof key) || expect(ps, ':')) return -1;
    if (!strcmp(key, "dtype") && !have_dtype) {
      char d[16];
      if (string(ps, d, sizeof d)) return -1;
      t->dtype = sa_safetensors_dtype_parse(d);
      if (t->dtype < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "tensor '%.64s': unsupported dtype \"%s\"", t->name, d);
        return perr(ps, msg);
      }
      have_dtype = 1;
    } else if (!strcmp(key, "shape") && !have_shape) {
      if (expect(ps, '[')) return -1;
      t->ndim = 0;
      if (!accept(ps, ']')) {
        do {
          uint64_t d;
          if (t->ndim == SA_SAFETENSORS_MAX_DIMS) return perr(ps, "more than 8 dimensions");
          if (uint_value(ps, &d)) return -1;
          t->shape[t->ndim++] = (int64_t)d;
        } while (accept(ps, ','));
        if (expect(ps, ']')) return -1;
      }
      have_shape = 1;
    } else if (!strcmp(key, "data_offsets") && !have_off) {
      if (expect(ps, '[') || uint_value(ps, b) || expect(ps, ',') || uint_value(ps, en) ||
          expect(ps, ']'))
        return -1;
      have_off = 1;
    } else {
      ps->pos = kpos;
      char msg[160];
      snprintf(msg, sizeof msg, "tensor '%.64s': %s key \"%.32s\"", t->name,
               strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets")
                   ? "unknown"
                   : "duplicate",
               key);
      return perr(ps, msg);
    }
  } while (accept(ps, ','));
  if (expect(ps, '}')) return -1;
  if (!have_dtype || !have_shape || !have_off) {
    char msg[160];
    snprintf(msg, sizeof msg, "tensor '%.64s': missing \"%s\"", t->name,
             !have_dtype ? "dtype" : !have_shape ? "shape" : "data_offsets");
    return perr(ps, msg);
  }
  return 0;
}

static int header(parser *ps) {
  int have_meta = 0;
  if (expect(ps, '{')) return -1;
  if (!accept(ps, '}')) {
    do {
      char name[SA_SAFETENSORS_NAME_MAX];
      if (string(ps, name, sizeof name) || expect(ps, ':')) return -1;
      if (!strcmp(name, "__metadata__")) {
        if (have_meta) return perr(ps, "duplicate \"__metadata__\"");
        have_meta = 1;
        if (metadata(ps)) return -1;
        continue;
      }
      if (!name[0]) return perr(ps, "empty tensor name");
      if (ps->st->n == TENSORS_MAX) return perr(ps, "more than 65536 tensors");
      if (ps->st->n == ps->cap) {
        int nc = ps->cap ? 2 * ps->cap : 16;
        sa_safetensors_tensor *nt =
            sa_realloc(ps->st->tensors, (size_t)nc * sizeof *nt, ps->e);
        if (!nt) return -1;
        ps->st->tensors = nt;
        uint64_t *nb = sa_realloc(ps->begin, (size_t)nc * sizeof *nb, ps->e);
        if (!nb) return -1;
        ps->begin = nb;
        uint64_t *ne = sa_realloc(ps->end, (size_t)nc * sizeof *ne, ps->e);
        if (!ne) return -1;
        ps->end = ne;
        ps->cap = nc;
      }
      int i = ps->st->n;
      sa_safetensors_tensor *t = &ps->st->tensors[i];
      memset(t, 0, sizeof *t);
      strcpy(t->name, name);
      if (tensor_entry(ps, t, &ps->begin[i], &ps->end[i])) return -1;
      ps->st->n++;
    } while (accept(ps, ','));
    if (expect(ps, '}')) return -1;
  }
  ws(ps);
  if (ps->pos != ps->len) return perr(ps, "trailing characters after the header object");
  return 0;
}

/* --- validation of sizes and offsets --- */

typedef struct span {
  uint64_t b, e;
  int i;
} span;

static int span_cmp(const void *a, const void *b) {
  const span *x = a, *y = b;
  if (x->b != y->b) return x->b < y->b ? -1 : 1;
  if (x->e != y->e) return x->e < y->e ? -1 : 1;
  return x->i - y->i;
}

static int name_cmp(const void *a, const void *b) {
  const sa_safetensors_tensor *const *x = a, *const *y = b;
  return strcmp((*x)->name, (*y)->name);
}

static int validate(parser *ps, const uint8_t *data, uint64_t data_len) {
  sa_safetensors *st = ps->st;
  for (int i = 0; i < st->n; i++) {
    sa_safetensors_tensor *t = &st->tensors[i];
    uint64_t esz = dtype_sizes[t->dtype], numel = 1;
    for (int d = 0; d < t->ndim; d++) {
      uint64_t s = (uint64_t)t->shape[d];
      if (s && numel > BYTES_MAX / esz / s)
        return sa_err_set(ps->e, "%s: tensor '%s': shape too large (more than 2^62 bytes)",
                          ps->name, t->name);
      numel *= s;
    }
    uint64_t nbytes = numel * esz;
    if (ps->begin[i] > ps->end[i])
      return sa_err_set(ps->e, "%s: tensor '%s': data_offsets [%llu, %llu] are reversed",
                        ps->name, t->name, (unsigned long long)ps->begin[i],
                        (unsigned long long)ps->end[i]);
    if (ps->end[i] > data_len)
      return sa_err_set(ps->e,
                        "%s: tensor '%s': data_offsets end %llu beyond the data block "
                        "(%llu bytes; file truncated?)",
                        ps->name, t->name, (unsigned long long)ps->end[i],
                        (unsigned long long)data_len);
    if (ps->end[i] - ps->begin[i] != nbytes)
      return sa_err_set(ps->e,
                        "%s: tensor '%s': data_offsets span %llu bytes but %s shape needs %llu",
                        ps->name, t->name, (unsigned long long)(ps->end[i] - ps->begin[i]),
                        dtype_names[t->dtype], (unsigned long long)nbytes);
    t->numel = (int64_t)numel;
    t->nbytes = (size_t)nbytes;
    t->data = data + ps->begin[i];
  }
  if (st->n == 0) {
    if (data_len)
      return sa_err_set(ps->e, "%s: %llu data bytes but no tensors", ps->name,
                        (unsigned long long)data_len);
    return 0;
  }
  span *sp = sa_malloc((size_t)st->n * sizeof *sp, ps->e);
  if (!sp) return -1;
  for (int i = 0; i < st->n; i++) sp[i] = (span){ps->begin[i], ps->end[i], i};
  qsort(sp, (size_t)st->n, sizeof *sp, span_cmp);
  uint64_t at = 0;
  int rc = 0;
  for (int i = 0; i < st->n && !rc; i++) {
    if (sp[i].b < at)
      rc = sa_err_set(ps->e, "%s: tensor '%s': data overlaps another tensor", ps->name,
                      st->tensors[sp[i].i].name);
    else if (sp[i].b > at)
      rc = sa_err_set(ps->e, "%s: tensor '%s': gap of %llu bytes before its data", ps->name,
                      st->tensors[sp[i].i].name, (unsigned long long)(sp[i].b - at));
    at = sp[i].e;
  }
  free(sp);
  if (rc) return -1;
  if (at != data_len)
    return sa_err_set(ps->e, "%s: %llu bytes after the last tensor's data", ps->name,
                      (unsigned long long)(data_len - at));
  const sa_safetensors_tensor **by = sa_malloc((size_t)st->n * sizeof *by, ps->e);
  if (!by) return -1;
  for (int i = 0; i < st->n; i++) by[i] = &st->tensors[i];
  qsort(by, (size_t)st->n, sizeof *by, name_cmp);
  for (int i = 1; i < st->n && !rc; i++)
    if (!strcmp(by[i]->name, by[i - 1]->name))
      rc = sa_err_set(ps->e, "%s: duplicate tensor name '%s'", ps->name, by[i]->name);
  free(by);
  return rc;
}

/* Parses st->buf (st->len bytes). */
static int parse_file(sa_safetensors *st, const char *name, sa_err *e) {
  if (st->len < 8)
    return sa_err_set(e, "%s: not a safetensors file (%zu bytes, shorter than the 8-byte "
                      "header length)", name, st->len);
  uint64_t hlen;
  memcpy(&hlen, st->buf, 8);
  if (hlen < 2 || hlen > HEADER_MAX)
    return sa_err_set(e, "%s: not a safetensors file (header length %llu, allowed 2..%d)", name,
                      (unsigned long long)hlen, HEADER_MAX);
  if (hlen > st->len - 8)
    return sa_err_set(e, "%s: truncated: header length %llu but only %zu bytes follow", name,
                      (unsigned long long)hlen, st->len - 8);
  if (st->buf[8] != '{')
    return sa_err_set(e, "%s: not a safetensors file (header does not start with '{')", name);
  parser ps = {name, st->buf + 8, (size_t)hlen, 0, e, st, 0, NULL, NULL};
  int rc = header(&ps);
  if (!rc) rc = validate(&ps, st->buf + 8 + hlen, st->len - 8 - hlen);
  free(ps.begin);
  free(ps.end);
  return rc;
}

static int finish(sa_safetensors *st, const char *name, sa_safetensors **out, sa_err *e) {
  snprintf(st->path, sizeof st->path, "%s", name);
  if (parse_file(st, name, e)) {
    sa_safetensors_free(st);
    return -1;
  }
  *out = st;
  return 0;
}

int sa_safetensors_read_buffer(const uint8_t *buf, size_t len, const char *name,
                               sa_safetensors **out, sa_err *e) {
  sa_safetensors *st = sa_calloc(1, sizeof *st, e);
  if (!st) return -1;
  st->buf = sa_malloc(len ? len : 1, e);
  if (!st->buf) {
    free(st);
    return -1;
  }
  if (len) memcpy(st->buf, buf, len);
  st->len = len;
  return finish(st, name, out, e);
}

int sa_safetensors_read(const char *path, sa_safetensors **out, sa_err *e) {
  sa_safetensors *st = sa_calloc(1, sizeof *st, e);
  if (!st) return -1;
  st->buf = sa_file_read(path, MAX_FILE, &st->len, e);
  if (!st->buf) {
    free(st);
    return -1;
  }
  return finish(st, path, out, e);
}

void sa_safetensors_free(sa_safetensors *st) {
  if (!st) return;
  free(st->tensors);
  free(st->buf);
  free(st);
}

const sa_safetensors_tensor *sa_safetensors_find(const sa_safetensors *st, const char *name) {
  for (int i = 0; i < st->n; i++)
    if (!strcmp(st->tensors[i].name, name)) return &st->tensors[i];
  return NULL;
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (man << 13);
  } else if (exp) {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  } else if (man) {
    int sh = 0; /* subnormal: normalise */
    while (!(man & 0x400)) {
      man <<= 1;
      sh++;
    }
    bits = sign | ((uint32_t)(113 - sh) << 23) | ((man & 0x3FF) << 13);
  } else {
    bits = sign;
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

void sa_safetensors_to_float(const sa_safetensors_tensor *t, float *dst) {
  const uint8_t *s = t->data;
  size_t esz = dtype_sizes[t->dtype];
  for (int64_t i = 0; i < t->numel; i++, s += esz) {
    switch (t->dtype) {
      case SA_ST_F64: { double v; memcpy(&v, s, 8); dst[i] = (float)v; break; }
      case SA_ST_F32: memcpy(&dst[i], s, 4); break;
      case SA_ST_F16: { uint16_t v; memcpy(&v, s, 2); dst[i] = half_to_float(v); break; }
      case SA_ST_BF16: {
        uint16_t v;
        memcpy(&v, s, 2);
        uint32_t bits = (uint32_t)v << 16;
        memcpy(&dst[i], &bits, 4);
        break;
      }
      case SA_ST_I64: { int64_t v; memcpy(&v, s, 8); dst[i] = (float)v; break; }
      case SA_ST_I32: { int32_t v; memcpy(&v, s, 4); dst[i] = (float)v; break; }
      case SA_ST_I16: { int16_t v; memcpy(&v, s, 2); dst[i] = (float)v; break; }
      case SA_ST_I8: dst[i] = (float)(int8_t)s[0]; break;
      case SA_ST_U8: dst[i] = (float)s[0]; break;
      case SA_ST_BOOL: dst[i] = s[0] ? 1.0f : 0.0f; break;
      default: SA_ASSERT(!"unknown dtype");
    }
  }
}

/* --- writer --- */

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

int sa_safetensors_write(const char *path, const sa_safetensors_entry *t, int n, sa_err *e) {
  uint64_t *nbytes = sa_calloc(n > 0 ? (size_t)n : 1, sizeof *nbytes, e);
  if (!nbytes) return -1;
  for (int i = 0; i < n; i++) {
    size_t nl = t[i].name ? strlen(t[i].name) : 0;
    if (!nl || nl >= SA_SAFETENSORS_NAME_MAX || !strcmp(t[i].name, "__metadata__") ||
        !valid_utf8(t[i].name)) {
      free(nbytes);
      return sa_err_set(e, "%s: tensor %d: bad name", path, i);
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(t[i].name, t[j].name)) {
        free(nbytes);
        return sa_err_set(e, "%s: duplicate tensor name '%s'", path, t[i].name);
      }
    if (t[i].dtype < 0 || t[i].dtype >= SA_ST_DTYPE_COUNT || t[i].ndim < 0 ||
        t[i].ndim > SA_SAFETENSORS_MAX_DIMS) {
      free(nbytes);
      return sa_err_set(e, "%s: tensor '%s': bad dtype or rank", path, t[i].name);
    }
    uint64_t numel = 1, esz = dtype_sizes[t[i].dtype];
    for (int d = 0; d < t[i].ndim; d++) {
      uint64_t s = (uint64_t)t[i].shape[d];
      if (t[i].shape[d] < 0 || s > DIM_MAX || (s && numel > BYTES_MAX / esz / s)) {
        free(nbytes);
        return sa_err_set(e, "%s: tensor '%s': bad shape", path, t[i].name);
      }
      numel *= s;
    }
    nbytes[i] = numel * esz;
  }
  /* Header into memory first: its length comes before it. */
  char *hdr = NULL;
  size_t hlen = 0;
  FILE *mf = open_memstream(&hdr, &hlen);
  if (!mf) {
    free(nbytes);
    return sa_err_set(e, "%s: out of memory", path);
  }
  fputs("{\"__metadata__\":{\"format\":\"pt\"}", mf);
  uint64_t off = 0;
  for (int i = 0; i < n; i++) {
    fputc(',', mf);
    json_string(mf, t[i].name);
    fprintf(mf, ":{\"dtype\":\"%s\",\"shape\":[", dtype_names[t[i].dtype]);
    for (int d = 0; d < t[i].ndim; d++)
      fprintf(mf, "%s%lld", d ? "," : "", (long long)t[i].shape[d]);
    fprintf(mf, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
            (unsigned long long)(off + nbytes[i]));
    off += nbytes[i];
  }
  fputc('}', mf);
  if (fclose(mf)) {
    free(hdr);
    free(nbytes);
    return sa_err_set(e, "%s: out of memory", path);
  }
  size_t padded = (hlen + 7) / 8 * 8;
  sa_out o;
  if (sa_out_open(&o, path, e)) {
    free(hdr);
    free(nbytes);
    return -1;
  }
  uint64_t h64 = padded;
  fwrite(&h64, 8, 1, o.f);
  fwrite(hdr, 1, hlen, o.f);
  for (size_t i = hlen; i < padded; i++) fputc(' ', o.f);
  for (int i = 0; i < n; i++)
    if (nbytes[i]) fwrite(t[i].data, 1, (size_t)nbytes[i], o.f);
  free(hdr);
  free(nbytes);
  return sa_out_commit(&o, e);
}
