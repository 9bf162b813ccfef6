/* fuzz_transcripts: libFuzzer harness for the transcripts.tsv reader
 * (sa_testset_read_transcripts, path only: through a scratch file). The first input byte is
 * the number of utterances feats.bin would hold, the rest is the file. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_testset.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  atexit(fuzz_scratch_cleanup);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *path = fuzz_scratch_write(".tsv", data + 1, size - 1);
  sa_testset ts;
  memset(&ts, 0, sizeof ts);
  ts.n_utts = data[0] % 16;
  sa_err e = {{0}};
  if (sa_testset_read_transcripts(path, &ts, &e) != 0) {
    fuzz_check_error(&e, path);
    FUZZ_CHECK(ts.ids == NULL && ts.refs == NULL);
    return 0;
  }
  for (int64_t i = 0; i < ts.n_utts; i++) {
    FUZZ_CHECK(ts.ids[i] && ts.ids[i][0] && ts.refs[i]);
    FUZZ_CHECK(!strchr(ts.ids[i], '\t') && !strchr(ts.ids[i], '\n'));
    const char *r = ts.refs[i];
    /* words re-joined with single spaces: no leading, trailing or double blanks */
    FUZZ_CHECK(r[0] != ' ' && !strstr(r, "  ") && !strchr(r, '\t') && !strchr(r, '\n'));
    FUZZ_CHECK(!r[0] || r[strlen(r) - 1] != ' ');
  }
  sa_testset_free(&ts);
  return 0;
}
