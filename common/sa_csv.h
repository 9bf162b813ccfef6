/* sa_csv: RFC 4180 CSV fields onto a FILE. Empty cells mark unavailable figures. */
#ifndef SA_CSV_H
#define SA_CSV_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_csv {
  FILE *f;
  int col; /* fields written in the current row */
} sa_csv;

void sa_csv_init(sa_csv *c, FILE *f);
void sa_csv_str(sa_csv *c, const char *s); /* NULL or "" writes an empty cell */
void sa_csv_int(sa_csv *c, int64_t v);
/* %.*g with the given significant digits; NaN writes an empty cell. */
void sa_csv_num(sa_csv *c, double v, int digits);
void sa_csv_fixed(sa_csv *c, double v, int decimals); /* %.*f; NaN -> empty */
void sa_csv_empty(sa_csv *c);
void sa_csv_eol(sa_csv *c);

#ifdef __cplusplus
}
#endif

#endif
