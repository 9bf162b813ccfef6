/* sa_num: whole-string number parsing with ranges. */
#include "sa_num.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int sa_num_i64(const char *s, int64_t lo, int64_t hi, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end || errno || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int sa_num_u64(const char *s, uint64_t *out) {
  if (s[0] < '0' || s[0] > '9') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno) return -1;
  *out = v;
  return 0;
}

int sa_num_f64(const char *s, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

void sa_num_describe(int integer, double lo, double hi, char *buf, int len) {
  if (integer) snprintf(buf, (size_t)len, "an integer from %.0f to %.0f", lo, hi);
  else snprintf(buf, (size_t)len, "a number from %g to %g", lo, hi);
}
