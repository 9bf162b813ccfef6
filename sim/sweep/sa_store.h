/* sa_store: a sweep's result directory on disk — the grid and its point ids, the
 * configuration fingerprint that guards resume and merge, point files (points/<id>.tsv),
 * grid.tsv and config.resolved.yaml. Every file is written atomically (sa_out). Internal to
 * sim/sweep. */
#ifndef SA_STORE_H
#define SA_STORE_H

#include <stddef.h>

#include "sa_config.h"
#include "sa_err.h"
#include "sa_rec.h"

/* Size limits of the files read back: point and grid files are small text; copies (masks)
 * are bounded only against runaway input. */
enum { SA_STORE_TEXT_MAX = 1 << 24 };
#define SA_STORE_COPY_MAX ((size_t)1 << 32)

/* The grid of a sweep: arrays x rates x every combination of the axes' values (sweep.axes).
 * Point i is shape i / (n_rates * n_combos), rate (i / n_combos) % n_rates, combination
 * i % n_combos; combination k takes value (k / stride_a) % n_values_a of axis a, the last
 * axis varying fastest (all in config order). Without axes n_combos is 1. */
typedef struct sa_grid {
  int n_shapes, n_rates, n_combos, n;
  const sa_shape *shapes;
  const double *rates;
  int n_axes;
  const sa_axis *axes;
} sa_grid;

/* Largest grid a sweep runs, and the longest point id (file names). */
enum { SA_GRID_MAX_POINTS = 100000, SA_GRID_ID_MAX = 240 };

/* Sets up g over the arrays, rates and axes of sw (n_combos, n). n is 0 when the grid holds
 * more than SA_GRID_MAX_POINTS points. */
void sa_grid_init(sa_grid *g, const sa_sweep_cfg *sw);

/* Shape, rate and the value index of axis a of point i. */
const sa_shape *sa_grid_shape(const sa_grid *g, int i);
double sa_grid_rate(const sa_grid *g, int i);
int sa_grid_value(const sa_grid *g, int i, int a);

/* "RxC-rateX" of point i, then "-VALUE" per axis (characters other than letters, digits and
 * ".+=_" as '_'): names its point and mask files. Fits SA_GRID_ID_MAX + 1 bytes when
 * sa_grid_check accepted g. */
void sa_grid_point_id(const sa_grid *g, int i, char *buf, size_t len);

/* Refuses axes the files cannot name: two values of one axis with the same file name, values
 * holding tabs or line breaks, ids longer than SA_GRID_ID_MAX. e names the axis by the
 * position of its key (file:line:col). Returns 0 or -1. */
int sa_grid_check(const sa_grid *g, sa_err *e);

/* The configuration of point i: base with the point's array shape, rate and axis values
 * (sa_config_set, so a 'tech' value loads its table), checked by sa_config_validate (which
 * also recomputes out->ignored). A combination the rules refuse is named by the axis value
 * the message is about: "FILE:LINE:COL: sweep.axes combination a=x, b=y: key 'a': problem".
 * Returns 0 or -1. */
int sa_grid_config(const sa_grid *g, const sa_config *base, int i, sa_config *out, sa_err *e);

/* "key=value, ..." of point i's axis values (config order; "" without axes), truncated to
 * len bytes. */
void sa_grid_combination(const sa_grid *g, int i, char *buf, size_t len);

/* Fingerprint of cfg without its grid, as 16 hex digits in out: FNV-1a 64 of the resolved
 * configuration with file paths made absolute (a resumed or merged directory must come from
 * the same hardware, technology, workload and pruning settings). Returns 0 or -1. */
int sa_store_fingerprint(const sa_config *cfg, char out[17], sa_err *e);

/* cfg as compact one-line JSON (malloc'd), for summary.json and grid.tsv; NULL on error. */
char *sa_store_config_json(const sa_config *cfg, sa_err *e);

/* Removes leftovers of killed writers (sa_out temporaries "NAME.tmp.XXXXXX") from dir and,
 * when all_results is set, every file ending in suffix (a fresh run). Returns 0 or -1. */
int sa_store_clean_dir(const char *dir, const char *suffix, int all_results, sa_err *e);

/* Point files: "sasp-sweep-point/1", then tab-separated lines
 *   fingerprint HEX | index I | rate R (%.17g) | seconds S | col NAME VALUE | note STAGE TEXT
 *   | axis KEY VALUE (one per sweep axis, in config order)
 * write_point writes r with fingerprint fp; read_point reads one back into r (every column
 * must be present) and its fingerprint into fp (17 bytes). Both return 0 or -1. */
int sa_store_write_point(const char *path, const sa_rec *r, const char *fp, sa_err *e);
int sa_store_read_point(const char *path, sa_rec *r, char *fp, sa_err *e);

/* DIR/points/<id>.tsv of point i in a malloc'd *out. Returns 0 or -1. */
int sa_store_point_path(const char *dir, const sa_grid *g, int i, char **out, sa_err *e);

/* grid.tsv: identical in every shard's directory (merge compares it): magic, fingerprint,
 * arrays, rates, one "axis KEY VALUE..." line per axis (none without axes) and the
 * configuration as JSON. Returns 0 or -1. */
int sa_store_write_grid(const char *path, const sa_grid *g, const char *fp, const char *cfg_json,
                        sa_err *e);

/* A grid read back from grid.tsv; owns its memory. */
typedef struct sa_grid_file {
  char *text;     /* whole file */
  char fp[17];
  int n_shapes, n_rates;
  sa_shape *shapes;
  double *rates;
  int n_axes;
  sa_axis *axes;  /* key and values only */
  char *cfg_json;
} sa_grid_file;

/* The grid of a grid file (points into gf). */
void sa_grid_file_grid(const sa_grid_file *gf, sa_grid *g);

/* Reads grid.tsv (every key once, limits as the config loader's). Returns 0, or -1 with e
 * filled and gf empty. */
int sa_store_read_grid(const char *path, sa_grid_file *gf, sa_err *e);
void sa_grid_file_free(sa_grid_file *gf);

/* Writes dir/config.resolved.yaml. Returns 0 or -1. */
int sa_store_write_resolved_yaml(const char *dir, const sa_config *cfg, sa_err *e);

#endif
