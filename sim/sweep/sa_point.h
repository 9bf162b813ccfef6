/* sa_point: one point of a sweep through its stages — prune (mask written to masks/),
 * cycle/energy model (dense and pruned), WER engine, RTL check — and its point file. Runs in
 * a worker process on a copy-on-write copy of what every point shares. Internal to
 * sim/sweep. */
#ifndef SA_POINT_H
#define SA_POINT_H

#include "sa_calib.h"
#include "sa_config.h"
#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_rec.h"
#include "sa_store.h"
#include "sa_sweep.h"

/* What every point of one run shares. */
typedef struct sa_point_ctx {
  const sa_config *cfg;
  const sa_sweep_opts *o;
  sa_grid g;
  char fp[17];                       /* configuration fingerprint */
  const char *points_dir, *masks_dir;
  const char *rtl_work_dir;          /* OUT/rtl-work (identical RTL work run once), or NULL */
  sa_manifest *man;
  sa_model *model;                   /* the worker's copy-on-write copy is pruned in place */
  sa_calib calib;                    /* calibration statistics (calib.n = 0: none loaded) */
  int calib_measured;                /* 1: measured now, to be cached (sa_point_save_calib) */
  int engine_threads;                /* WER engine threads of one worker */
  char wer_missing[SA_REC_NOTE_MAX]; /* why no WER column ("" when there is one) */
} sa_point_ctx;

/* Loads what every point shares into c (c->man already loaded): the model, calibration
 * statistics when prune.calibration or prune.statistics is set or the strategy needs them
 * (read from OUT/calib.safetensors when it holds them, else measured); writes nothing; decides whether WER can be measured.
 * Returns 0 or -1. */
int sa_point_load_shared(sa_point_ctx *c, sa_err *e);

/* Writes freshly measured statistics to OUT/calib.safetensors (the cache the next run over the
 * same directory reads: --resume, more shards); nothing when they were read. Returns 0 or -1. */
int sa_point_save_calib(const sa_point_ctx *c, sa_err *e);

/* Frees the manifest, model and statistics of c (safe on a partly loaded c). */
void sa_point_free_shared(sa_point_ctx *c);

/* Runs point i through every stage and writes points/<id>.tsv (and masks/<id>.mask). Prunes
 * c->model in place: call it in a worker process. Returns 0 or -1 with e filled. */
int sa_point_run(const sa_point_ctx *c, int i, sa_err *e);

/* Monotonic clock in seconds. */
double sa_point_now_s(void);

/* Online CPUs, clamped to [1, SA_ENGINE_MAX_THREADS]. */
int sa_point_online_cpus(void);

#endif
