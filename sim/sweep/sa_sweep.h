/* sa_sweep: the sweep driver — every (array shape, pruning rate) point through pruner, cycle/
 * energy model, WER engine and RTL check in fork()ed workers; results in DIR (docs/guide.md). */
#ifndef SA_SWEEP_H
#define SA_SWEEP_H

#include <stdint.h>

#include "sa_config.h"
#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_model.h"

/* Outcome of the RTL co-simulation check of one point. */
typedef enum { SA_SWEEP_RTL_SKIPPED, SA_SWEEP_RTL_PASS, SA_SWEEP_RTL_FAIL } sa_sweep_rtl_status;

typedef struct sa_sweep_rtl {
  int status;                /* sa_sweep_rtl_status */
  int64_t gemms;             /* GEMM commands co-simulated */
  int64_t cycles_compared;   /* command cycle counts compared with the closed form */
  int64_t values_compared;   /* output values compared with the C model */
  char note[512];            /* why skipped, or the first mismatch */
} sa_sweep_rtl;

/* The RTL check of one point (the co-simulation lives in the sasp executable, which hands it
 * in): checks the GEMMs of man with the pruned model and its masks ms on a
 * cfg->hw.rows x cfg->hw.cols array, all of them when cfg->sweep.rtl_check is all, else
 * cfg->sweep.rtl_sample chosen with cfg->sweep.seed (which the sweep sets per point, derived
 * from the configured seed, the shape and the rate). Fills *out (a mismatch is status FAIL,
 * not an error; a shape without a compiled RTL model is SKIPPED with the reason in note).
 * Returns 0, or -1 with e filled when the check could not run. */
typedef int (*sa_sweep_rtl_fn)(const sa_config *cfg, const sa_manifest *man,
                               const sa_model *model, const sa_maskset *ms, sa_sweep_rtl *out,
                               sa_err *e);

typedef struct sa_sweep_opts {
  const char *out_dir;       /* result directory (created) */
  int jobs;                  /* worker processes, >= 1 */
  int resume;                /* 1: keep finished points of out_dir; 0: start afresh */
  int shard_k, shard_n;      /* this run computes points i with i % shard_n == shard_k - 1 */
  int progress;              /* 1: progress line with ETA on stderr */
  sa_sweep_rtl_fn rtl;       /* NULL: RTL not built */
  const char *rtl_missing;   /* why rtl is NULL (goes into the results) */
} sa_sweep_opts;

typedef struct sa_sweep_report {
  int points_grid;           /* points of the whole grid */
  int points_shard;          /* points of this shard */
  int points_resumed;        /* finished points found in out_dir and kept */
  int points_run;            /* points computed by this run */
  int points_rtl_fail;       /* points of this directory whose RTL check failed */
  int points_rtl_unchecked;  /* points whose RTL check was asked for but could not run */
  char rtl_unchecked[512];   /* the first such point's reason */
  char no_wer[512];          /* why the WER columns are empty ("" when WER was measured) */
  double wall_s;             /* wall time of this run */
} sa_sweep_report;

/* Runs the sweep of cfg into o->out_dir. Rejects a bad grid (no rate, duplicate rates, bad
 * shard), a directory holding points of a different configuration when resuming, and any
 * point whose stage fails (the other running points finish, no new ones start, points.csv
 * and summary.json are then not written). On success writes, atomically:
 * points/<id>.tsv (one per point), masks/<id>.mask, grid.tsv, config.resolved.yaml,
 * points.csv (the points of this directory sorted by rows, cols, rate) and summary.json.
 * Returns 0, or -1 with e filled. rep may be NULL. */
int sa_sweep_run(const sa_config *cfg, const sa_sweep_opts *o, sa_sweep_report *rep,
                 sa_err *e);

/* Merges the result directories of the shards of one sweep into out: every grid point must
 * be found in exactly one directory, or in several with identical results; the grids and
 * configurations must be the same. Writes out/points/, masks/, grid.tsv,
 * config.resolved.yaml, points.csv (byte-identical to an unsharded run) and summary.json.
 * Returns 0, or -1 with e filled and nothing written under out. */
int sa_sweep_merge(const char *const *dirs, int n_dirs, const char *out, sa_err *e);

/* Parses "K/N" (1 <= K <= N). Returns 0 or -1 with e filled. */
int sa_sweep_parse_shard(const char *text, int *k, int *n, sa_err *e);

/* Runs the plotting script (sasp_plot.py: $SASP_PLOT_SCRIPT, else installed beside the binary,
 * else the source tree's scripts/; sa_version_find_data) with /usr/bin/python3 on dir.
 * Returns 0 when the plots were written, 1 when python3 or matplotlib is missing (reason in
 * e), -1 on any other failure (e filled). */
int sa_sweep_plot(const char *dir, sa_err *e);

/* Columns of points.csv, in order: the number of them and the i-th name, unit and meaning. */
int sa_sweep_n_columns(void);
const char *sa_sweep_column_name(int i);
const char *sa_sweep_column_unit(int i);
const char *sa_sweep_column_doc(int i);

#endif
