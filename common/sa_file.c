/* sa_file: whole-file reader and path join. */
#include "sa_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void *sa_file_read(const char *path, size_t max, size_t *len, sa_err *e) {
  SA_ASSERT(max < (size_t)-1 / 2);
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    sa_err_set(e, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  /* grow geometrically up to max + 1 bytes of data: reading one byte past max tells a file
   * of exactly max bytes from a longer one */
  size_t cap = 1 << 16, n = 0;
  if (cap > max + 1) cap = max + 1;
  char *b = sa_malloc(cap + 1, e);
  int bad = 0, oom = !b;
  while (b) {
    if (n == cap) {
      if (cap > max) break;
      size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
      char *nb = sa_realloc(b, ncap + 1, e);
      if (!nb) {
        oom = 1;
        break;
      }
      b = nb;
      cap = ncap;
    }
    size_t got = fread(b + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  bad = !oom && ferror(f);
  fclose(f);
  if (oom || bad || n > max) {
    free(b);
    if (oom) sa_err_prefix(e, "%s", path);
    else if (bad) sa_err_set(e, "%s: read error", path);
    else sa_err_set(e, "%s: larger than the %zu-byte limit", path, max);
    return NULL;
  }
  b[n] = 0;
  *len = n;
  return b;
}

int sa_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *sa_path_join(const char *a, const char *b, sa_err *e) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = sa_malloc(n, e);
  if (p) snprintf(p, n, "%s/%s", a, b);
  return p;
}
