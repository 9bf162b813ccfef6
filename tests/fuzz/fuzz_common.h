/* fuzz_common: helpers shared by the libFuzzer harnesses of tests/fuzz — invariant checks
 * that abort (so libFuzzer records the input) and a scratch file for path-only readers. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_err.h"

/* A broken contract: print where and abort, so libFuzzer saves the input as a crash. */
#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: fuzz contract violated: %s\n", __FILE__,         \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* The error contract of every reader: a non-empty one-line message that starts with the
 * name of the input it is about ("NAME: ..." or "NAME:LINE:COL: ..."). */
static inline void fuzz_check_error(const sa_err *e, const char *name) {
  size_t n = strlen(name);
  if (!e->msg[0] || strchr(e->msg, '\n') || strncmp(e->msg, name, n) != 0 || e->msg[n] != ':') {
    fprintf(stderr, "bad error message (want \"%s: ...\" on one line): \"%s\"\n", name,
            e->msg);
    abort();
  }
}

/* A per-process scratch file for readers that only take a path: fuzz_scratch_write
 * replaces its content with data and returns its path. */
static char fuzz_scratch_path[256];

static inline const char *fuzz_scratch_write(const char *suffix, const void *data, size_t len) {
  if (!fuzz_scratch_path[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_scratch_path, sizeof fuzz_scratch_path, "%s/sasp-fuzz-%ld%s",
             tmp && tmp[0] ? tmp : "/tmp", (long)getpid(), suffix);
  }
  FILE *f = fopen(fuzz_scratch_path, "wb");
  if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    perror(fuzz_scratch_path);
    abort();
  }
  return fuzz_scratch_path;
}

/* Removes the scratch file at exit (registered by the harnesses that use it). */
static inline void fuzz_scratch_cleanup(void) {
  if (fuzz_scratch_path[0]) unlink(fuzz_scratch_path);
}

#endif
