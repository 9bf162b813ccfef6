/* fuzz_wav: libFuzzer harness for the WAV reader (sa_feat_read_wav, path only: through a
 * scratch file); accepted audio up to 1 s also goes through the log-mel front end. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_feat.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  atexit(fuzz_scratch_cleanup);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_scratch_write(".wav", data, size);
  int16_t *pcm = NULL;
  int64_t n = -1;
  sa_err e = {{0}};
  if (sa_feat_read_wav(path, &pcm, &n, &e) != 0) {
    fuzz_check_error(&e, path);
    return 0;
  }
  FUZZ_CHECK(n >= 0 && (size_t)n * 2 <= size);
  if (n <= SA_FEAT_RATE) {
    float *feat = NULL;
    int64_t frames = -1;
    if (sa_feat_logmel(pcm, n, &feat, &frames, &e) == 0) {
      FUZZ_CHECK(frames == sa_feat_n_frames(n) && frames >= 1);
      for (int64_t i = 0; i < frames * SA_FEAT_MELS; i++) FUZZ_CHECK(feat[i] == feat[i]);
      free(feat);
    } else {
      FUZZ_CHECK(sa_feat_n_frames(n) == 0);
    }
  }
  free(pcm);
  return 0;
}
