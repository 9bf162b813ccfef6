/* Tests of the mask file: round trip, tile-shape check, truncation, corruption, crafted
 * files with a valid checksum but bad content. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sa_file.h"
#include "sa_mask.h"
#include "sa_test.h"

static char path[256];

static void fix_crc(uint8_t *b, size_t len) {
  uint32_t c = (uint32_t)crc32(0, b, (uInt)(len - 4));
  memcpy(b + len - 4, &c, 4);
}

static void make_set(sa_maskset *ms) {
  sa_err e;
  memset(ms, 0, sizeof *ms);
  ms->tile_rows = 4;
  ms->tile_cols = 3;
  ms->n = 2;
  ms->masks = calloc(2, sizeof *ms->masks);
  CHECK(sa_tilemask_init(&ms->masks[0], "enc.0.ff1", 10, 7, 4, 3, &e) == 0); /* 3 x 3 tiles */
  CHECK(sa_tilemask_init(&ms->masks[1], "b", 64, 33, 4, 3, &e) == 0);        /* 16 x 11 */
  CHECK_EQ_INT(ms->masks[0].kt, 3);
  CHECK_EQ_INT(ms->masks[0].nt, 3);
  CHECK_EQ_INT(sa_tilemask_kept(&ms->masks[0]), 9);
  unsigned x = 12345;
  for (int i = 0; i < 2; i++)
    for (int64_t t = 0; t < ms->masks[i].kt * ms->masks[i].nt; t++) {
      x = x * 1103515245u + 12345u;
      ms->masks[i].keep[t] = (x >> 16) & 1;
    }
}

static void test_round_trip(void) {
  sa_maskset ms, back;
  sa_err e;
  make_set(&ms);
  CHECK(sa_maskset_write(path, &ms, &e) == 0);
  CHECK(sa_maskset_read(path, 4, 3, &back, &e) == 0);
  CHECK_EQ_INT(back.n, 2);
  CHECK(back.tile_rows == 4 && back.tile_cols == 3);
  for (int i = 0; i < 2 && i < back.n; i++) {
    const sa_tilemask *a = &ms.masks[i], *b = sa_maskset_find(&back, a->name);
    CHECK(b && b->k == a->k && b->n == a->n && b->kt == a->kt && b->nt == a->nt &&
          !memcmp(a->keep, b->keep, (size_t)(a->kt * a->nt)));
  }
  CHECK(sa_maskset_find(&back, "nope") == NULL);
  sa_maskset_free(&back);
  /* any shape accepted with want 0, and the array shape enforced otherwise */
  CHECK(sa_maskset_read(path, 0, 0, &back, &e) == 0);
  sa_maskset_free(&back);
  CHECK(sa_maskset_read(path, 4, 4, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "tile shape 4x3 does not match the array 4x4");
  CHECK_EQ_INT(back.n, 0);
  /* the writer rejects an inconsistent set */
  ms.masks[1].tile_cols = 4;
  CHECK(sa_maskset_write(path, &ms, &e) == -1);
  ms.masks[1].tile_cols = 3;
  strcpy(ms.masks[1].name, ms.masks[0].name);
  CHECK(sa_maskset_write(path, &ms, &e) == -1);
  CHECK_CONTAINS(e.msg, "appears twice");
  sa_maskset_free(&ms);
}

static void test_corruption(void) {
  sa_maskset ms, back;
  sa_err e;
  make_set(&ms);
  CHECK(sa_maskset_write(path, &ms, &e) == 0);
  sa_maskset_free(&ms);
  size_t len;
  uint8_t *b = sa_file_read(path, 1 << 20, &len, &e);
  CHECK(b && len > 40);
  int ok = 1;
  for (size_t cut = 0; cut < len; cut++)
    if (sa_maskset_read_buffer(b, cut, "m", 0, 0, &back, &e) == 0) {
      ok = 0;
      sa_maskset_free(&back);
    }
  CHECK(ok); /* every truncation rejected */
  uint8_t *c = malloc(len);
  ok = 1;
  for (size_t i = 0; i < len; i++) {
    memcpy(c, b, len);
    c[i] ^= 0xFF;
    if (sa_maskset_read_buffer(c, len, "m", 0, 0, &back, &e) == 0) {
      ok = 0;
      sa_maskset_free(&back);
    }
  }
  CHECK(ok); /* every corrupted byte rejected (CRC-32 catches all bursts up to 32 bits) */
  memcpy(c, b, len);
  c[40] ^= 1;
  CHECK(sa_maskset_read_buffer(c, len, "m", 0, 0, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "checksum mismatch");
  memcpy(c, b, len);
  c[0] = 'X';
  CHECK(sa_maskset_read_buffer(c, len, "m", 0, 0, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "not a sasp mask file");

  /* valid checksum, bad content */
  struct {
    size_t off;
    uint8_t val;
    const char *want;
  } cases[] = {
      {8, 2, "version 2"},          /* version */
      {12, 0, "bad layer count"},   /* layer count 0 */
      {12, 200, "bad layer count"}, /* more layers than the file can hold */
      {16, 0, "bad tile shape"},    /* R = 0 */
      {32, 0, "bad name length"},   /* first name length 0 */
      {34, 0, "NUL byte"},          /* name byte */
      {43, 0, "bad dimensions"},    /* K = 0 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memcpy(c, b, len);
    c[cases[i].off] = cases[i].val;
    if (cases[i].off == 43) memset(c + 43, 0, 8);
    fix_crc(c, len);
    CHECK(sa_maskset_read_buffer(c, len, "m", 0, 0, &back, &e) == -1);
    CHECK_CONTAINS(e.msg, cases[i].want);
  }
  /* padding bits: layer 0 has 9 tiles in 2 bytes, bit 9..15 must be zero */
  memcpy(c, b, len);
  size_t bm = 32 + 2 + 9 + 16; /* first bitmap */
  c[bm + 1] |= 0x80;
  fix_crc(c, len);
  CHECK(sa_maskset_read_buffer(c, len, "m", 0, 0, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "padding bits");
  /* an extra byte before the checksum */
  uint8_t *d = malloc(len + 1);
  memcpy(d, b, len - 4);
  d[len - 4] = 0;
  fix_crc(d, len + 1);
  CHECK(sa_maskset_read_buffer(d, len + 1, "m", 0, 0, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "unexpected bytes");
  free(d);
  /* two layers of the same name */
  sa_maskset two = {4, 4, 2, calloc(2, sizeof(sa_tilemask))};
  CHECK(sa_tilemask_init(&two.masks[0], "a", 8, 8, 4, 4, &e) == 0);
  CHECK(sa_tilemask_init(&two.masks[1], "b", 8, 8, 4, 4, &e) == 0);
  CHECK(sa_maskset_write(path, &two, &e) == 0);
  sa_maskset_free(&two);
  size_t tl;
  uint8_t *t = sa_file_read(path, 1 << 20, &tl, &e);
  size_t second = 32 + 2 + 1 + 16 + 1; /* 4 tiles: one bitmap byte */
  CHECK(t && t[second] == 1 && t[second + 2] == 'b');
  t[second + 2] = 'a';
  fix_crc(t, tl);
  CHECK(sa_maskset_read_buffer(t, tl, "m", 0, 0, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "appears twice");
  free(t);
  CHECK(sa_maskset_read("/nonexistent/mask.bin", 0, 0, &back, &e) == -1);
  CHECK_CONTAINS(e.msg, "cannot open");
  free(c);
  free(b);
}

static void test_init_errors(void) {
  sa_tilemask m;
  sa_err e;
  CHECK(sa_tilemask_init(&m, "", 4, 4, 2, 2, &e) == -1);
  CHECK(sa_tilemask_init(&m, "x", 0, 4, 2, 2, &e) == -1);
  CHECK(sa_tilemask_init(&m, "x", 4, 4, 0, 2, &e) == -1);
  CHECK(sa_tilemask_init(&m, "x", 5, 9, 16, 16, &e) == 0);
  CHECK(m.kt == 1 && m.nt == 1 && m.keep[0] == 1);
  sa_tilemask_free(&m);
}

int main(void) {
  snprintf(path, sizeof path, "/tmp/sasp-test-mask-%d.bin", (int)getpid());
  test_round_trip();
  test_corruption();
  test_init_errors();
  remove(path);
  return sa_test_done("mask");
}
