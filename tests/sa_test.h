/* sa_test: a tiny assertion helper for sasp's C tests. A failed check prints file:line
 * and the expression, the test goes on, and sa_test_done() returns non-zero. */
#ifndef SA_TEST_H
#define SA_TEST_H

#include <stdio.h>
#include <string.h>

static int sa_test_failures;
static int sa_test_checks;

#define CHECK(cond)                                                            \
  do {                                                                         \
    sa_test_checks++;                                                          \
    if (!(cond)) {                                                             \
      sa_test_failures++;                                                      \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
  do {                                                                         \
    long long sa_a_ = (long long)(a), sa_b_ = (long long)(b);                  \
    sa_test_checks++;                                                          \
    if (sa_a_ != sa_b_) {                                                      \
      sa_test_failures++;                                                      \
      fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n",        \
              __FILE__, __LINE__, #a, #b, sa_a_, sa_b_);                       \
    }                                                                          \
  } while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
  do {                                                                         \
    sa_test_checks++;                                                          \
    if (!strstr((hay), (needle))) {                                            \
      sa_test_failures++;                                                      \
      fprintf(stderr, "%s:%d: expected \"%s\" in \"%s\"\n", __FILE__,          \
              __LINE__, (needle), (hay));                                      \
    }                                                                          \
  } while (0)

static inline int sa_test_done(const char *name) {
  printf("%s: %d checks, %d failed\n", name, sa_test_checks, sa_test_failures);
  return sa_test_failures ? 1 : 0;
}

#endif
