/* sa_sweep: the sweep driver — every (array shape, pruning rate) point through pruner, cycle/
 * energy model, WER engine and RTL check in fork()ed workers; results in DIR (docs/guide.md). */
#ifndef SA_SWEEP_H
#define SA_SWEEP_H

#include <stdint.h>
#include <stdio.h>

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

/* The content key of a point's RTL check (sa_cosim_key over the same arguments the check
 * gets, with its sample): 16 hex digits, equal for byte-identical RTL work. Returns 0, or -1
 * with e filled. */
typedef int (*sa_sweep_rtl_key_fn)(const sa_config *cfg, const sa_manifest *man,
                                   const sa_model *model, const sa_maskset *ms, char key[17],
                                   sa_err *e);

/* Progress on stderr: none, one updating line (a terminal), one line per finished point. */
enum { SA_SWEEP_PROGRESS_NONE, SA_SWEEP_PROGRESS_LINE, SA_SWEEP_PROGRESS_POINTS };

typedef struct sa_sweep_opts {
  const char *out_dir;       /* result directory (created) */
  int jobs;                  /* worker processes, >= 1 */
  int resume;                /* 1: keep finished points of out_dir; 0: start afresh */
  int shard_k, shard_n;      /* this run computes points i with i % shard_n == shard_k - 1 */
  int progress;              /* SA_SWEEP_PROGRESS_* */
  sa_sweep_rtl_fn rtl;       /* NULL: RTL not built */
  const char *rtl_missing;   /* why rtl is NULL (goes into the results) */
  /* NULL: every point runs its own check; else points of one run whose keys are equal run
   * the co-simulation once (the first to get there; the others wait for it and take its
   * outcome: OUT/rtl-work/KEY.txt, removed when the run ends) */
  sa_sweep_rtl_key_fn rtl_key;
} sa_sweep_opts;

/* Per array: the best speed-up whose WER stays within 1 point of the dense model's. */
typedef struct sa_sweep_best {
  int64_t rows, cols;
  int found;                 /* 0: no point qualifies (or no WER / no rate-0 point) */
  double dense_wer;          /* WER at rate 0 (-1: no rate-0 point with WER) */
  char speedup[48], rate[48], rate_achieved[48], wer[48]; /* as in points.csv */
  char strategy[256];        /* "key=value, ..." of the axes ("" without axes) */
} sa_sweep_best;

typedef struct sa_sweep_report {
  int points_grid;           /* points of the whole grid */
  int points_shard;          /* points of this shard */
  int points_resumed;        /* finished points found in out_dir and kept */
  int points_run;            /* points computed by this run */
  int points_failed;         /* points whose computation failed (the first one is in e) */
  int points_not_run;        /* points not started (after a failure or an interruption) */
  int interrupted;           /* the signal that stopped the run (SIGINT, SIGTERM), else 0 */
  int points_rtl_pass;       /* points of this directory whose RTL check passed */
  int points_rtl_fail;       /* ... failed */
  int points_rtl_off;        /* ... was off by configuration (sweep.rtl_check: off) */
  int points_rtl_unchecked;  /* points whose RTL check could not run (rtl_check not off) */
  char rtl_unchecked_why[512]; /* the first reason */
  int rtl_runs;              /* co-simulations run by this run (distinct rtl_work keys) */
  char no_wer[512];          /* why the WER columns are empty ("" when WER was measured) */
  int started;              /* 1 once the run began writing out_dir */
  int kept_dir;              /* a failed run that had started: 1 when out_dir holds finished
                                points (marked INCOMPLETE, resumable), 0 when what the run
                                created was removed */
  int n_best;                /* best[] per array, in grid order (tables written only) */
  sa_sweep_best best[SA_MAX_SHAPES];
  double wall_s;             /* wall time of this run */
} sa_sweep_report;

/* Checks cfg's sweep before it runs: the grid checks of sa_sweep_run, every combination of
 * the axes' values through the configuration's rules (sa_config_validate: an error names the
 * axis value, file:line:col, and the combination), and the keys a combination makes ignored
 * by its integration beyond those of cfg itself: one warning line each on warn
 * ("FILE:LINE:COL: warning: key 'a.b' is ignored by integration X (sweep.axes combination
 * ...)"; warn may be NULL), or with strict an error. Returns 0, or -1 with e filled. */
int sa_sweep_check(const sa_config *cfg, int strict, FILE *warn, sa_err *e);

/* Runs the sweep of cfg into o->out_dir. Rejects a bad grid (no rate, duplicate rates, axes
 * over keys the grid sets or the sweep loads once, an oversize grid, bad shard), a directory
 * holding points of a different configuration when resuming, and any point whose stage fails
 * (the other running points finish, no new ones start, points.csv and summary.json are then
 * not written). The model is loaded before anything is written. While it runs, out_dir holds
 * a file INCOMPLETE (removed on success): after a failure or SIGINT/SIGTERM it stays when
 * some point is finished (so --resume continues, and merge and plot refuse the directory);
 * when none is, what the run created is removed (rep->kept_dir says which). On success
 * writes, atomically: points/<id>.tsv (one per point), masks/<id>.mask, grid.tsv,
 * config.resolved.yaml, points.csv (the points of this directory sorted by rows, cols, rate
 * and axis values) and summary.json. Returns 0, or -1 with e filled. rep (may be NULL) is
 * filled in every case. */
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

/* 1 when dir holds an unfinished sweep (the file INCOMPLETE). */
int sa_sweep_incomplete(const char *dir);

/* Runs the plotting script (sasp_plot.py: $SASP_PLOT_SCRIPT, else installed beside the binary,
 * else the source tree's scripts/; sa_version_find_data) with /usr/bin/python3 on dir, passing
 * the n_args (<= 64) options args (may be NULL) after it. Refuses an unfinished sweep.
 * Returns 0 when the plots were written, 1 when python3 or matplotlib is missing (reason in
 * e), 2 when the script refused its options and 3 when it refused its input (its message is
 * on stderr), -1 on any other failure (e filled). */
int sa_sweep_plot(const char *dir, const char *const *args, int n_args, sa_err *e);

/* Columns of points.csv, in order: the number of them and the i-th name, unit and meaning. */
int sa_sweep_n_columns(void);
const char *sa_sweep_column_name(int i);
const char *sa_sweep_column_unit(int i);
const char *sa_sweep_column_doc(int i);

#endif
