/* sa_json: streaming JSON writer. */
#include "sa_json.h"

#include <math.h>

#include "sa_err.h"
#include "sa_version.h"

void sa_json_init(sa_json *j, FILE *f, int indent) {
  j->f = f;
  j->depth = 0;
  j->first[0] = 1;
  j->after_key = 0;
  j->indent = indent;
}

static void newline(sa_json *j) {
  if (!j->indent) return;
  fputc('\n', j->f);
  for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
}

/* Separator before a value or key at the current level. */
static void sep(sa_json *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (!j->first[j->depth]) fputc(',', j->f);
  j->first[j->depth] = 0;
  if (j->depth > 0) newline(j);
}

static void open(sa_json *j, char c) {
  sep(j);
  fputc(c, j->f);
  SA_ASSERT(j->depth < 63);
  j->first[++j->depth] = 1;
  j->close[j->depth] = c == '{' ? '}' : ']';
}

void sa_json_obj(sa_json *j) { open(j, '{'); }
void sa_json_arr(sa_json *j) { open(j, '['); }

void sa_json_end(sa_json *j) {
  SA_ASSERT(j->depth > 0);
  int empty = j->first[j->depth];
  char c = j->close[j->depth];
  j->depth--;
  if (!empty) newline(j);
  fputc(c, j->f);
  if (j->depth == 0 && j->indent) fputc('\n', j->f);
}

static void put_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\t': fputs("\\t", f); break;
    case '\r': fputs("\\r", f); break;
    default:
      if (*p < 0x20) fprintf(f, "\\u%04x", *p);
      else fputc(*p, f);
    }
  }
  fputc('"', f);
}

void sa_json_key(sa_json *j, const char *key) {
  sep(j);
  put_string(j->f, key);
  fputs(j->indent ? ": " : ":", j->f);
  j->after_key = 1;
}

void sa_json_str(sa_json *j, const char *s) {
  sep(j);
  if (s) put_string(j->f, s);
  else fputs("null", j->f);
}

void sa_json_num(sa_json *j, double v) {
  sep(j);
  if (isfinite(v)) fprintf(j->f, "%.17g", v);
  else fputs("null", j->f);
}

void sa_json_int(sa_json *j, int64_t v) {
  sep(j);
  fprintf(j->f, "%lld", (long long)v);
}

void sa_json_bool(sa_json *j, int v) {
  sep(j);
  fputs(v ? "true" : "false", j->f);
}

void sa_json_null(sa_json *j) {
  sep(j);
  fputs("null", j->f);
}

void sa_json_provenance(sa_json *j) {
  sa_json_key(j, "sasp");
  sa_json_obj(j);
  sa_json_key(j, "version");
  sa_json_str(j, SA_VERSION);
  sa_json_key(j, "git");
  sa_json_str(j, SA_GIT_REV);
  sa_json_end(j);
}
