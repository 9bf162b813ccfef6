/* sa_csv: CSV field writer with quoting. */
#include "sa_csv.h"

#include <math.h>
#include <string.h>

void sa_csv_init(sa_csv *c, FILE *f) {
  c->f = f;
  c->col = 0;
}

static void sep(sa_csv *c) {
  if (c->col++) fputc(',', c->f);
}

void sa_csv_str(sa_csv *c, const char *s) {
  sep(c);
  if (!s) return;
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, c->f);
    return;
  }
  fputc('"', c->f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', c->f);
    fputc(*s, c->f);
  }
  fputc('"', c->f);
}

void sa_csv_int(sa_csv *c, int64_t v) {
  sep(c);
  fprintf(c->f, "%lld", (long long)v);
}

void sa_csv_num(sa_csv *c, double v, int digits) {
  sep(c);
  if (isfinite(v)) fprintf(c->f, "%.*g", digits, v);
}

void sa_csv_fixed(sa_csv *c, double v, int decimals) {
  sep(c);
  if (isfinite(v)) fprintf(c->f, "%.*f", decimals, v);
}

void sa_csv_empty(sa_csv *c) { sep(c); }

void sa_csv_eol(sa_csv *c) {
  fputc('\n', c->f);
  c->col = 0;
}
