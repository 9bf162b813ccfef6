/* sa_hash: FNV-1a 64, the one non-cryptographic hash of sasp — configuration fingerprints,
 * calibration cache keys, hash tables of names. Header-only (a loop over bytes). */
#ifndef SA_HASH_H
#define SA_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FNV-1a 64 of n bytes at p, starting from the state h (SA_HASH_FNV1A_BASIS for the
 * standard hash; a hash over several pieces passes the previous result). */
#define SA_HASH_FNV1A_BASIS 0xcbf29ce484222325ull
static inline uint64_t sa_hash_fnv1a_from(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

/* FNV-1a 64 of n bytes at p. */
static inline uint64_t sa_hash_fnv1a(const void *p, size_t n) {
  return sa_hash_fnv1a_from(SA_HASH_FNV1A_BASIS, p, n);
}

#ifdef __cplusplus
}
#endif

#endif
