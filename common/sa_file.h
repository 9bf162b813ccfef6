/* sa_file: reading whole files and joining paths — the one file reader and path helper every
 * module uses (writing goes through sa_out, which is atomic). */
#ifndef SA_FILE_H
#define SA_FILE_H

#include <stddef.h>

#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the whole of path (at most max bytes) into a malloc'd buffer with one NUL byte after
 * the data (so text can be parsed in place; binary data may hold NULs of its own). *len gets
 * the data size without the NUL. Returns the buffer (the caller frees it), or NULL with
 * "PATH: problem" in e (cannot open, read error, larger than max, out of memory). */
void *sa_file_read(const char *path, size_t max, size_t *len, sa_err *e);

/* Copies from (at most max bytes, read as by sa_file_read) to to, atomically (sa_out).
 * Returns 0 or -1 with e filled (to untouched). */
int sa_file_copy(const char *from, const char *to, size_t max, sa_err *e);

/* 1 when path names an existing regular file (after symbolic links), else 0. */
int sa_file_exists(const char *path);

/* "a/b" in a malloc'd string (the caller frees it), or NULL with e filled. */
char *sa_path_join(const char *a, const char *b, sa_err *e);

#ifdef __cplusplus
}
#endif

#endif
