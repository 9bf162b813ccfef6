/* sa_out: result files written atomically. Data goes to a temporary file beside the
 * target; sa_out_commit flushes, syncs and renames it into place, so an interrupted or
 * failed run never leaves a half-written result under the real name. */
#ifndef SA_OUT_H
#define SA_OUT_H

#include <stdio.h>

#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_out {
  FILE *f;    /* write here between open and commit */
  char *path; /* final name */
  char *tmp;  /* temporary name in the same directory */
} sa_out;

/* Opens a temporary file for path (a path naming a device or FIFO, such as /dev/stdout, is
 * opened in place instead). Returns 0, or -1 with e filled (o is then empty). */
int sa_out_open(sa_out *o, const char *path, sa_err *e);

/* Flushes, syncs, closes and renames onto the final path. Any write error that happened
 * since open (disk full, I/O error) is reported here; the temporary file is then removed
 * and the target is left untouched. Returns 0 or -1. o is emptied either way. */
int sa_out_commit(sa_out *o, sa_err *e);

/* Discards the temporary file. Safe on an empty o. */
void sa_out_abort(sa_out *o);

/* Writes a whole buffer atomically to path. */
int sa_out_write_file(const char *path, const void *data, size_t len, sa_err *e);

/* Creates directory path (and parents) if missing. */
int sa_out_mkdirs(const char *path, sa_err *e);

#ifdef __cplusplus
}
#endif

#endif
