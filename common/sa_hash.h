/* sa_hash: FNV-1a 64, the one non-cryptographic hash of sasp — configuration fingerprints,
 * calibration cache keys, hash tables of names. Header-only (a loop over bytes). */
#ifndef SA_HASH_H
#define SA_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FNV-1a 64 of n bytes at p. */
static inline uint64_t sa_hash_fnv1a(const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  uint64_t h = 0xcbf29ce484222325ull; /* = 1469598103934665603 */
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

#ifdef __cplusplus
}
#endif

#endif
