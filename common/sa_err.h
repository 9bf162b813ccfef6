/* sa_err: the two error tiers shared by every sasp module.
 * Recoverable errors (bad input, I/O, out of memory) are reported through an sa_err
 * filled with a one-line message naming file, line and key; broken invariants abort. */
#ifndef SA_ERR_H
#define SA_ERR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_err {
  char msg[1024];
} sa_err;

/* Formats a message into e (if non-NULL) and returns -1, so callers can
 * `return sa_err_set(e, ...)`. */
int sa_err_set(sa_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the existing message with "prefix: ". Returns -1. */
int sa_err_prefix(sa_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Broken invariant: prints file:line and the condition, then aborts. */
#define SA_ASSERT(cond)                                                        \
  do {                                                                         \
    if (!(cond)) sa_assert_fail(__FILE__, __LINE__, #cond);                    \
  } while (0)
#ifdef __cplusplus
[[noreturn]] void sa_assert_fail(const char *file, int line, const char *cond);
#else
_Noreturn void sa_assert_fail(const char *file, int line, const char *cond);
#endif

/* Allocation helpers: return NULL and fill e on failure (size overflow included). */
void *sa_malloc(size_t n, sa_err *e);
void *sa_calloc(size_t count, size_t size, sa_err *e);
void *sa_realloc(void *p, size_t n, sa_err *e);
char *sa_strdup(const char *s, sa_err *e);

/* Test hook: make the N-th allocation from now fail (0 disables). Used by fault-injection
 * tests through the SASP_FAIL_ALLOC environment variable read at start-up by the CLI. */
void sa_alloc_fail_after(long n);

#ifdef __cplusplus
}
#endif

#endif
