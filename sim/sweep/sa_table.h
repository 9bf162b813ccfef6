/* sa_table: the tables of a sweep directory — points.csv (one row per point, the columns of
 * sa_rec) and summary.json (provenance, grid, shard, columns with units, why columns are
 * empty, every point) — written the same way by a sweep and by a merge. Internal to
 * sim/sweep. */
#ifndef SA_TABLE_H
#define SA_TABLE_H

#include "sa_err.h"
#include "sa_rec.h"
#include "sa_store.h"
#include "sa_sweep.h"

/* What summary.json says beside the points. */
typedef struct sa_table_info {
  const char *config_path;     /* NULL for a merge */
  const char *cfg_json;        /* the configuration as JSON text */
  const char *fp;              /* fingerprint */
  const sa_grid *g;
  int shard_k, shard_n;
  const char *const *merged;   /* merge: source directories, else NULL */
  int n_merged;
  const sa_sweep_report *rep;  /* sweep only, else NULL */
  int jobs;
  const char *workload_note;   /* e.g. synthetic weights, or NULL */
} sa_table_info;

/* Sorts recs[0..n) (rows, cols, rate) and writes dir/points.csv and dir/summary.json
 * atomically. Returns 0 or -1. */
int sa_table_write(const char *dir, const sa_table_info *si, sa_rec *recs, int n, sa_err *e);

#endif
