/* sa_rng: the seeded pseudo-random generators of sasp, so that every synthetic input (weights,
 * co-simulation operands, sampled GEMMs) is reproducible from a seed and defined once.
 * splitmix64 (Steele, Lea, Flood 2014) hashes a seed into a stream; xoshiro256** (Blackman,
 * Vigna 2018), seeded by splitmix64, draws long streams (synthetic weights). Header-only:
 * the inner loops draw one value per weight. */
#ifndef SA_RNG_H
#define SA_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Next value of the splitmix64 stream whose state is *state (any 64-bit value). */
static inline uint64_t sa_rng_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* A well-mixed 64-bit hash of x (the first value of the splitmix64 stream seeded with x):
 * derives independent seeds from (seed, index) combinations. */
static inline uint64_t sa_rng_mix(uint64_t x) { return sa_rng_splitmix64(&x); }

/* xoshiro256** state. */
typedef struct sa_rng {
  uint64_t s[4];
} sa_rng;

/* Seeds r from seed through splitmix64 (the generator's authors' recommendation). */
static inline void sa_rng_seed(sa_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = sa_rng_splitmix64(&seed);
}

/* Next 64-bit value. */
static inline uint64_t sa_rng_next(sa_rng *r) {
  uint64_t *s = r->s, t = s[1] << 17;
  uint64_t x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return res;
}

/* Uniform double in (0, 1] (never 0, so log() of it is finite). */
static inline double sa_rng_unit(sa_rng *r) {
  return ((double)(sa_rng_next(r) >> 11) + 1.0) * 0x1.0p-53;
}

#ifdef __cplusplus
}
#endif

#endif
