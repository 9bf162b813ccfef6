/* fuzz_crc: lets a harness feed a checksummed format twice — as given, and with its trailing
 * CRC-32 recomputed — so the fuzzer reaches the parsing behind the checksum. */
#ifndef FUZZ_CRC_H
#define FUZZ_CRC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A malloc'd copy of data whose last 4 bytes are the little-endian CRC-32 of the rest, or
 * NULL when size < 4. */
static inline uint8_t *fuzz_fix_crc(const uint8_t *data, size_t size) {
  if (size < 4) return NULL;
  uint8_t *c = malloc(size);
  if (!c) abort();
  memcpy(c, data, size);
  uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
  crc = (uint32_t)crc32(crc, c, (uInt)(size - 4));
  for (int i = 0; i < 4; i++) c[size - 4 + i] = (uint8_t)(crc >> (8 * i));
  return c;
}

#endif
