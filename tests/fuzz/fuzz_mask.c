/* fuzz_mask: libFuzzer harness for the tile-mask reader (sa_maskset_read_buffer), run on
 * each input as given and with its CRC-32 fixed, with and without a required tile shape. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "fuzz_crc.h"
#include "sa_mask.h"

static void check(const uint8_t *data, size_t size, int64_t want_r, int64_t want_c) {
  sa_maskset ms;
  sa_err e = {{0}};
  if (sa_maskset_read_buffer(data, size, "fuzz.mask", want_r, want_c, &ms, &e) != 0) {
    fuzz_check_error(&e, "fuzz.mask");
    FUZZ_CHECK(ms.n == 0 && ms.masks == NULL);
    return;
  }
  FUZZ_CHECK(ms.n >= 1 && ms.tile_rows >= 1 && ms.tile_cols >= 1);
  FUZZ_CHECK(!want_r || ms.tile_rows == want_r);
  FUZZ_CHECK(!want_c || ms.tile_cols == want_c);
  for (int i = 0; i < ms.n; i++) {
    const sa_tilemask *m = &ms.masks[i];
    FUZZ_CHECK(m->tile_rows == ms.tile_rows && m->tile_cols == ms.tile_cols);
    FUZZ_CHECK(m->kt == (m->k + m->tile_rows - 1) / m->tile_rows);
    FUZZ_CHECK(m->nt == (m->n + m->tile_cols - 1) / m->tile_cols);
    FUZZ_CHECK(m->kt * m->nt <= (int64_t)size * 8); /* one bit per tile in the file */
    int64_t kept = 0;
    for (int64_t t = 0; t < m->kt * m->nt; t++) {
      FUZZ_CHECK(m->keep[t] == 0 || m->keep[t] == 1);
      kept += m->keep[t];
    }
    FUZZ_CHECK(kept == sa_tilemask_kept(m));
    FUZZ_CHECK(sa_maskset_find(&ms, m->name) == m);
  }
  sa_maskset_free(&ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check(data, size, 0, 0);
  uint8_t *fixed = fuzz_fix_crc(data, size);
  if (fixed) {
    check(fixed, size, 0, 0);
    check(fixed, size, 16, 16);
    free(fixed);
  }
  return 0;
}
