/* test_reader_limits: readers given headers that claim absurd sizes (a tensor of 2^60
 * elements, 2^62 mask tiles, 2^32 utterances, a 2^63-byte safetensors header) reject them
 * from the size of the input alone — a clear message, never an attempt to allocate. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sa_mask.h"
#include "sa_safetensors.h"
#include "sa_test.h"
#include "sa_testset.h"

/* The reader's message must not come from a failed allocation. */
static void check_rejected(int rc, const sa_err *e, const char *want) {
  CHECK(rc == -1);
  CHECK(!strstr(e->msg, "out of memory"));
  CHECK_CONTAINS(e->msg, want);
  printf("  rejected: %s\n", e->msg);
}

static size_t st_build(uint8_t *buf, size_t cap, const char *json, size_t data_len) {
  size_t h = strlen(json), pad = (8 - h % 8) % 8;
  size_t n = 8 + h + pad + data_len;
  if (n > cap) abort();
  uint64_t hl = h + pad;
  for (int i = 0; i < 8; i++) buf[i] = (uint8_t)(hl >> (8 * i));
  memcpy(buf + 8, json, h);
  memset(buf + 8 + h, ' ', pad);
  memset(buf + 8 + h + pad, 0, data_len);
  return n;
}

static void safetensors_limits(void) {
  static uint8_t buf[4096];
  sa_safetensors *st = NULL;
  sa_err e;
  /* 2^60 elements of F32 in 16 bytes */
  size_t n = st_build(buf, sizeof buf,
                      "{\"w\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824],"
                      "\"data_offsets\":[0,16]}}", 16);
  check_rejected(sa_safetensors_read_buffer(buf, n, "t2e60", &st, &e), &e, "t2e60");
  CHECK(st == NULL);
  /* a shape whose element count overflows 64 bits */
  n = st_build(buf, sizeof buf,
               "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,4294967296],"
               "\"data_offsets\":[0,8]}}", 8);
  check_rejected(sa_safetensors_read_buffer(buf, n, "overflow", &st, &e), &e, "overflow");
  /* a header length of 2^63 */
  memset(buf, 0, 16);
  buf[7] = 0x80;
  check_rejected(sa_safetensors_read_buffer(buf, 16, "hdr2e63", &st, &e), &e, "hdr2e63");
  /* data offsets past the end of the file */
  n = st_build(buf, sizeof buf,
               "{\"w\":{\"dtype\":\"I8\",\"shape\":[4096],\"data_offsets\":[0,4096]}}", 8);
  check_rejected(sa_safetensors_read_buffer(buf, n, "short", &st, &e), &e, "short");
}

static void put(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static size_t fix_crc(uint8_t *buf, size_t body) {
  put(buf + body, (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)body), 4);
  return body + 4;
}

static void mask_limits(void) {
  uint8_t buf[256];
  sa_maskset ms;
  sa_err e;
  /* one layer of (2^31-1) x (2^31-1) with 1x1 tiles: 2^62 tiles, 2^59 bitmap bytes */
  memcpy(buf, "SASPMASK", 8);
  put(buf + 8, 1, 4);
  put(buf + 12, 1, 4);
  put(buf + 16, 1, 8);
  put(buf + 24, 1, 8);
  put(buf + 32, 1, 2);
  buf[34] = 'w';
  put(buf + 35, 2147483647, 8);
  put(buf + 43, 2147483647, 8);
  memset(buf + 51, 0xff, 8);
  size_t n = fix_crc(buf, 59);
  check_rejected(sa_maskset_read_buffer(buf, n, "m2e62", 0, 0, &ms, &e), &e, "m2e62");
  /* a million layers claimed by a 40-byte file */
  put(buf + 12, 1u << 20, 4);
  n = fix_crc(buf, 36);
  check_rejected(sa_maskset_read_buffer(buf, n, "mlayers", 0, 0, &ms, &e), &e, "mlayers");
  /* a layer count of 2^32 - 1 */
  put(buf + 12, 0xffffffffu, 4);
  n = fix_crc(buf, 36);
  check_rejected(sa_maskset_read_buffer(buf, n, "mcount", 0, 0, &ms, &e), &e, "mcount");
}

static void feats_limits(void) {
  uint8_t buf[64];
  sa_testset ts;
  sa_err e;
  memcpy(buf, "SASPFEAT", 8);
  put(buf + 8, 1, 4);
  put(buf + 12, 0xffffffffu, 4); /* 2^32 - 1 utterances */
  put(buf + 16, 40, 4);
  float scale = 100.0f;
  memcpy(buf + 20, &scale, 4);
  put(buf + 24, 0xffffffffu, 4); /* the first claims 2^32 - 1 frames */
  size_t n = fix_crc(buf, 28);
  check_rejected(sa_testset_parse_feats(buf, n, "f2e32", &ts, &e), &e, "f2e32");
  put(buf + 16, 0xffffffffu, 4); /* 2^32 - 1 mel bins */
  n = fix_crc(buf, 28);
  check_rejected(sa_testset_parse_feats(buf, n, "fmels", &ts, &e), &e, "fmels");
}

int main(void) {
  safetensors_limits();
  mask_limits();
  feats_limits();
  return sa_test_done("reader-limits");
}
