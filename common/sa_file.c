/* sa_file: whole-file reader and path join. */
#include "sa_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sa_out.h"

/* "16 MiB", "4 GiB" or "1000 bytes": limits as people write them. */
static void fmt_limit(size_t max, char *buf, size_t len) {
  static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  size_t v = max;
  while (u < 4 && v >= 1024 && v % 1024 == 0) v /= 1024, u++;
  snprintf(buf, len, "%zu %s", v, unit[u]);
}

void *sa_file_read(const char *path, size_t max, size_t *len, sa_err *e) {
  SA_ASSERT(max < (size_t)-1 / 2);
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    sa_err_set(e, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  int have_st = fstat(fileno(f), &st) == 0;
  if (have_st && S_ISDIR(st.st_mode)) {
    fclose(f);
    sa_err_set(e, "%s: is a directory, not a file", path);
    return NULL;
  }
  /* A regular file is read in one go; a pipe or a file that grows meanwhile grows the buffer
   * geometrically. Up to max + 1 bytes are read: one byte past max tells a file of exactly
   * max bytes from a longer one. */
  size_t cap = 1 << 16;
  if (have_st && S_ISREG(st.st_mode) && st.st_size >= 0) cap = (size_t)st.st_size + 1;
  if (cap > max + 1) cap = max + 1;
  size_t n = 0;
  int oom = 0;
  char *b = sa_malloc(cap + 1, e);
  if (!b) oom = 1;
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
  int bad = !oom && ferror(f);
  fclose(f);
  if (oom || bad || n > max) {
    free(b);
    char lim[32];
    fmt_limit(max, lim, sizeof lim);
    if (oom) sa_err_prefix(e, "%s", path);
    else if (bad) sa_err_set(e, "%s: read error", path);
    else sa_err_set(e, "%s: larger than %s", path, lim);
    return NULL;
  }
  b[n] = 0;
  *len = n;
  return b;
}

int sa_file_copy(const char *from, const char *to, size_t max, sa_err *e) {
  size_t len;
  char *buf = sa_file_read(from, max, &len, e);
  if (!buf) return -1;
  int rc = sa_out_write_file(to, buf, len, e);
  free(buf);
  return rc;
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
