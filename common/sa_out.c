/* sa_out: temporary-file-and-rename writer. */
#define _POSIX_C_SOURCE 200809L
#include "sa_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sa_out_open(sa_out *o, const char *path, sa_err *e) {
  memset(o, 0, sizeof *o);
  size_t n = strlen(path);
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    /* a device, FIFO or directory (/dev/stdout, /dev/full): written in place, never
     * replaced by a rename */
    o->path = sa_strdup(path, e);
    if (!o->path) return -1;
    o->f = fopen(path, "wb");
    if (o->f) return 0;
    sa_err_set(e, "%s: cannot open: %s", path, strerror(errno));
    goto fail;
  }
  o->path = sa_strdup(path, e);
  o->tmp = sa_malloc(n + 16, e);
  if (!o->path || !o->tmp) goto fail;
  snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    sa_err_set(e, "%s: cannot create: %s", path, strerror(errno));
    goto fail;
  }
  fchmod(fd, 0644);
  o->f = fdopen(fd, "wb");
  if (!o->f) {
    sa_err_set(e, "%s: cannot open: %s", path, strerror(errno));
    close(fd);
    unlink(o->tmp);
    goto fail;
  }
  return 0;
fail:
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof *o);
  return -1;
}

int sa_out_commit(sa_out *o, sa_err *e) {
  int rc = 0;
  if (!o->f) return sa_err_set(e, "internal: commit of a file that is not open");
  if (ferror(o->f) || fflush(o->f) != 0 || (o->tmp && fsync(fileno(o->f)) != 0)) {
    sa_err_set(e, "%s: write failed: %s", o->path, strerror(errno ? errno : EIO));
    rc = -1;
  }
  if (fclose(o->f) != 0 && rc == 0) {
    sa_err_set(e, "%s: write failed: %s", o->path, strerror(errno));
    rc = -1;
  }
  o->f = NULL;
  if (rc == 0 && o->tmp && rename(o->tmp, o->path) != 0) {
    sa_err_set(e, "%s: cannot rename into place: %s", o->path, strerror(errno));
    rc = -1;
  }
  if (rc && o->tmp) unlink(o->tmp);
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof *o);
  return rc;
}

void sa_out_abort(sa_out *o) {
  if (o->f) fclose(o->f);
  if (o->tmp) unlink(o->tmp);
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof *o);
}

int sa_out_write_file(const char *path, const void *data, size_t len, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  fwrite(data, 1, len, o.f);
  return sa_out_commit(&o, e);
}

int sa_out_mkdirs(const char *path, sa_err *e) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) return sa_err_set(e, "%s: bad directory name", path);
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    char c = buf[i];
    buf[i] = 0;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return sa_err_set(e, "%s: cannot create directory: %s", buf, strerror(errno));
    buf[i] = c;
  }
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return sa_err_set(e, "%s: not a directory", path);
  return 0;
}
