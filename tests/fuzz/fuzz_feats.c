/* fuzz_feats: libFuzzer harness for the test-set feature reader (sa_testset_parse_feats), run
 * on each input as given and with its CRC-32 fixed; every accepted utterance is converted. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "fuzz_crc.h"
#include "sa_testset.h"

static void check(const uint8_t *data, size_t size) {
  sa_testset ts;
  sa_err e = {{0}};
  if (sa_testset_parse_feats(data, size, "fuzz.feats", &ts, &e) != 0) {
    fuzz_check_error(&e, "fuzz.feats");
    FUZZ_CHECK(ts.n_utts == 0 && ts.data == NULL);
    return;
  }
  FUZZ_CHECK(ts.n_utts >= 0 && ts.n_mels >= 1 && ts.n_mels <= SA_TESTSET_MAX_MELS);
  FUZZ_CHECK(ts.scale > 0);
  int64_t pos = 0;
  for (int64_t i = 0; i < ts.n_utts; i++) {
    FUZZ_CHECK(ts.n_frames[i] >= 1 && ts.offset[i] == pos);
    int64_t n = ts.n_frames[i] * ts.n_mels;
    FUZZ_CHECK(n <= (int64_t)size); /* at least one byte per value (version 2: int8) */
    pos += n;
    float *f = malloc((size_t)n * sizeof *f);
    FUZZ_CHECK(f);
    sa_testset_feats(&ts, i, f);
    free(f);
  }
  sa_testset_free(&ts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check(data, size);
  uint8_t *fixed = fuzz_fix_crc(data, size);
  if (fixed) {
    check(fixed, size);
    free(fixed);
  }
  return 0;
}
