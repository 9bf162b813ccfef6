/* sa_err: error messages, assertion failure and checked allocation. */
#include "sa_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long alloc_countdown; /* 0: disabled; otherwise the allocation that fails */

/* Messages are one line: control characters quoted from input (a newline inside a YAML
 * scalar, say) become '?'. */
static void one_line(char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

int sa_err_set(sa_err *e, const char *fmt, ...) {
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    one_line(e->msg);
  }
  return -1;
}

int sa_err_prefix(sa_err *e, const char *fmt, ...) {
  if (e) {
    char pre[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%.400s: %.600s", pre, old);
    one_line(e->msg);
  }
  return -1;
}

_Noreturn void sa_assert_fail(const char *file, int line, const char *cond) {
  fprintf(stderr, "%s:%d: internal error: assertion '%s' failed\n", file, line, cond);
  abort();
}

void sa_alloc_fail_after(long n) { alloc_countdown = n; }

static int injected_failure(void) {
  if (alloc_countdown <= 0) return 0;
  return --alloc_countdown == 0;
}

void *sa_malloc(size_t n, sa_err *e) {
  void *p = injected_failure() ? NULL : malloc(n ? n : 1);
  if (!p) sa_err_set(e, "out of memory (allocating %zu bytes)", n);
  return p;
}

void *sa_calloc(size_t count, size_t size, sa_err *e) {
  if (size && count > (size_t)-1 / size) {
    sa_err_set(e, "out of memory (allocation size overflows: %zu x %zu)", count, size);
    return NULL;
  }
  void *p = injected_failure() ? NULL : calloc(count ? count : 1, size ? size : 1);
  if (!p) sa_err_set(e, "out of memory (allocating %zu x %zu bytes)", count, size);
  return p;
}

void *sa_realloc(void *p, size_t n, sa_err *e) {
  void *q = injected_failure() ? NULL : realloc(p, n ? n : 1);
  if (!q) sa_err_set(e, "out of memory (allocating %zu bytes)", n);
  return q;
}

char *sa_strdup(const char *s, sa_err *e) {
  size_t n = strlen(s) + 1;
  char *d = sa_malloc(n, e);
  if (d) memcpy(d, s, n);
  return d;
}
