/* sa_num: parsing numbers from text — command-line values, YAML scalars, result files — the
 * same way everywhere: the whole string, decimal, finite, within [lo, hi]. */
#ifndef SA_NUM_H
#define SA_NUM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses s as a decimal integer in [lo, hi] into *out. Returns 0, or -1 (empty, trailing
 * characters, overflow, out of range; *out untouched). */
int sa_num_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* Parses s as an unsigned decimal integer (digits only, no sign) up to 2^64 - 1 into *out
 * (seeds). Returns 0 or -1 (*out untouched). */
int sa_num_u64(const char *s, uint64_t *out);

/* Parses s as a finite number in [lo, hi] into *out. Returns 0 or -1 (*out untouched). */
int sa_num_f64(const char *s, double lo, double hi, double *out);

/* Describes the range of an integer or number in words, for messages: "an integer from 1 to
 * 1024", "a number from 0 to 1". */
void sa_num_describe(int integer, double lo, double hi, char *buf, int len);

#ifdef __cplusplus
}
#endif

#endif
