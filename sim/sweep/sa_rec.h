/* sa_rec: the records of a sweep — the columns of points.csv (name, unit, meaning, the stage
 * that fills each) and one point's result with every value formatted once, so that point
 * files, points.csv and summary.json agree to the byte. Internal to sim/sweep. */
#ifndef SA_REC_H
#define SA_REC_H

#include <stdint.h>

#include "sa_config.h"

/* Stages of a point; each fills its columns or leaves them empty with a note saying why. */
enum { SA_STAGE_GRID, SA_STAGE_PRUNE, SA_STAGE_CYCLE, SA_STAGE_WER, SA_STAGE_RTL, SA_N_STAGES };

/* Columns of points.csv, in file order: a fixed head, then the details. */
enum {
  SA_COL_ROWS, SA_COL_COLS, SA_COL_RATE, SA_COL_RATE_ACH, SA_COL_CRIT, SA_COL_SCOPE,
  SA_COL_ARRAY_CYC, SA_COL_SYS_CYC, SA_COL_SPD_DENSE, SA_COL_SPD_HOST, SA_COL_ENERGY,
  SA_COL_ENERGY_RATIO, SA_COL_AREA, SA_COL_WER, SA_COL_WER_LO, SA_COL_WER_HI, SA_COL_RTL,
  /* more columns follow the fixed head */
  SA_COL_THRESH, SA_COL_INTEG, SA_COL_TECH, SA_COL_TILES_TOTAL, SA_COL_TILES_SEL,
  SA_COL_TILES_PRUNED, SA_COL_ACCEL_CYC, SA_COL_STALL_CYC, SA_COL_DENSE_SYS, SA_COL_HOST_ONLY,
  SA_COL_HOST_OPS, SA_COL_SECONDS, SA_COL_UTIL,
  SA_COL_E_MAC, SA_COL_E_REG, SA_COL_E_WBUF, SA_COL_E_ABUF, SA_COL_E_OBUF, SA_COL_E_DRAM,
  SA_COL_E_LEAK, SA_COL_E_CLOCK, SA_COL_E_HOST,
  SA_COL_A_PE, SA_COL_A_BUF, SA_COL_A_CTRL,
  SA_COL_WER_SUB, SA_COL_WER_INS, SA_COL_WER_DEL, SA_COL_WER_WORDS, SA_COL_WER_UTTS,
  SA_COL_RTL_GEMMS, SA_COL_RTL_CYC, SA_COL_RTL_VALUES,
  SA_COL_WEIGHT_B, SA_COL_META_B, SA_COL_FOOTPRINT_B, SA_COL_WER_ENGINE,
  SA_COL_RTL_WORK,
  SA_N_COLS
};

typedef struct sa_rec_column {
  const char *name;
  int stage; /* SA_STAGE_* that fills it */
  const char *unit;
  const char *doc;
} sa_rec_column;

extern const sa_rec_column sa_rec_columns[SA_N_COLS];
extern const char *const sa_rec_stage_names[SA_N_STAGES];

enum { SA_REC_VAL_MAX = 48, SA_REC_NOTE_MAX = 480 };

/* One point's result. */
typedef struct sa_rec {
  int index;                                /* point index in the grid */
  int64_t rows, cols;
  double rate;
  double seconds;                           /* wall time of the point (summary.json only) */
  char val[SA_N_COLS][SA_REC_VAL_MAX];      /* "" = unavailable */
  int n_axes;                               /* the sweep's axes: key and this point's value */
  char axis_key[SA_MAX_AXES][64];
  char axis_val[SA_MAX_AXES][SA_AXIS_VALUE_MAX];
  char note[SA_N_STAGES][SA_REC_NOTE_MAX];  /* why a stage's columns are empty ("" = not) */
} sa_rec;

/* Setters of column c. Integers as %lld; set_fixed with fixed decimals (ratios, fractions,
 * percentages; never "-0.000"); set_sig with significant digits (quantities spanning decades:
 * pJ, mm^2); set_str copies text shorter than SA_REC_VAL_MAX. Non-finite values abort. */
void sa_rec_set_int(sa_rec *r, int c, int64_t v);
void sa_rec_set_fixed(sa_rec *r, int c, double v, int decimals);
void sa_rec_set_sig(sa_rec *r, int c, double v, int digits);
void sa_rec_set_str(sa_rec *r, int c, const char *s);

/* Sets the note of a stage (printf format), flattened to one line without tabs. */
void sa_rec_set_note(sa_rec *r, int stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The RTL note of a point whose check is off by configuration (any other "skipped" is a
 * check that could not run). */
#define SA_REC_RTL_OFF_NOTE "sweep.rtl_check is off"

/* "pass", "fail" or "skipped" for an sa_sweep_rtl_status. */
const char *sa_rec_rtl_status_name(int status);

/* Index of the column or stage named name, or -1. */
int sa_rec_column_index(const char *name);
int sa_rec_stage_index(const char *name);

/* qsort order of points.csv: rows, cols, rate, then the index (axis values in config
 * order). */
int sa_rec_cmp(const void *a, const void *b);

/* 1 when a and b hold the same point with the same values and notes. */
int sa_rec_same(const sa_rec *a, const sa_rec *b);

#endif
