/* sa_pool: the sweep's worker pool — one fork()ed process per point, at most opts->jobs at a
 * time, progress on stderr (an updating line with ETA, or one line per finished point). A
 * worker reports its error through a pipe and exits 1; workers die with the sweep; SIGINT and
 * SIGTERM stop the pool cleanly. Internal to sim/sweep. */
#ifndef SA_POOL_H
#define SA_POOL_H

#include "sa_err.h"
#include "sa_point.h"

/* What a pool run did. */
typedef struct sa_pool_stats {
  int ran;          /* points finished and written */
  int failed;       /* points whose worker failed (the first failure is in e) */
  int not_run;      /* points never started (after a failure or an interruption) */
  int interrupted;  /* SIGINT or SIGTERM received (the signal number), else 0 */
} sa_pool_stats;

/* Runs the points todo[0..n) of c; done0 of total points were finished before (progress).
 * Progress on stderr as c->o->progress says (SA_SWEEP_PROGRESS_*); a finished point whose
 * RTL check could not run (rtl_check skipped while sweep.rtl_check is not off) is said on
 * stderr in every mode. On the first failure starts no new point, waits for the running ones
 * and returns -1 with that failure ("point ID: ...") in e. SIGINT/SIGTERM during the run stop
 * the workers (their points are lost, finished ones kept) and return -1 with st->interrupted
 * set. Returns 0 when every point was written. st is filled in every case. */
int sa_pool_run(const sa_point_ctx *c, const int *todo, int n, int done0, int total,
                sa_pool_stats *st, sa_err *e);

#endif
