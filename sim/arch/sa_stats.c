/* sa_stats: overflow-checked accumulation of counts and times. */
#include "sa_stats.h"

#include <stddef.h>

#include "sa_err.h"

/* a + b * times into *out; 0, or -1 when it does not fit an int64. */
static int mul_add(int64_t a, int64_t b, int64_t times, int64_t *out) {
  int64_t p;
  if (__builtin_mul_overflow(b, times, &p) || __builtin_add_overflow(a, p, &p)) return -1;
  *out = p;
  return 0;
}

int sa_counts_add_checked(sa_counts *a, const sa_counts *b, int64_t times) {
  sa_counts r;
  int64_t *pr = (int64_t *)&r;
  const int64_t *pa = (const int64_t *)a, *pb = (const int64_t *)b;
  for (size_t i = 0; i < sizeof r / sizeof(int64_t); i++)
    if (mul_add(pa[i], pb[i], times, &pr[i])) return -1;
  *a = r;
  return 0;
}

int sa_time_add_checked(sa_time *a, const sa_time *b, int64_t times) {
  sa_time r = *a;
  if (mul_add(a->array, b->array, times, &r.array) ||
      mul_add(a->weight_load, b->weight_load, times, &r.weight_load) ||
      mul_add(a->compute, b->compute, times, &r.compute) ||
      mul_add(a->fill_drain, b->fill_drain, times, &r.fill_drain) ||
      mul_add(a->stall_weights, b->stall_weights, times, &r.stall_weights) ||
      mul_add(a->stall_acts, b->stall_acts, times, &r.stall_acts) ||
      mul_add(a->stall_outputs, b->stall_outputs, times, &r.stall_outputs) ||
      mul_add(a->accel, b->accel, times, &r.accel))
    return -1;
  r.host_gemm += b->host_gemm * (double)times;
  *a = r;
  return 0;
}

void sa_counts_add(sa_counts *a, const sa_counts *b, int64_t times) {
  SA_ASSERT(sa_counts_add_checked(a, b, times) == 0);
}

void sa_time_add(sa_time *a, const sa_time *b, int64_t times) {
  SA_ASSERT(sa_time_add_checked(a, b, times) == 0);
}
