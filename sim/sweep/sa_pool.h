/* sa_pool: the sweep's worker pool — one fork()ed process per point, at most opts->jobs at a
 * time, a progress line with ETA on stderr. A worker reports its error through a pipe and
 * exits 1; workers die with the sweep. Internal to sim/sweep. */
#ifndef SA_POOL_H
#define SA_POOL_H

#include "sa_err.h"
#include "sa_point.h"

/* Runs the points todo[0..n) of c; done0 of total points were finished before (progress).
 * On the first failure starts no new point, waits for the running ones and returns -1 with
 * that failure ("point ID: ...") in e. Returns 0 when every point was written. */
int sa_pool_run(const sa_point_ctx *c, const int *todo, int n, int done0, int total, sa_err *e);

#endif
