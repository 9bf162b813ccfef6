/* sa_report: prints a run of the cycle model (per-layer table and totals) and writes it as
 * JSON; shared by 'sasp sim' and the sweep. */
#ifndef SA_REPORT_H
#define SA_REPORT_H

#include <stdio.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Prints the per-layer table and the totals (cycles, stalls, counts, energy breakdown, area,
 * speed-ups). dense: the NULL-mask run of the same config (NULL: no dense speed-up). */
void sa_report_print(FILE *f, const sa_config *cfg, const sa_run_result *run,
                     const sa_run_result *dense);

/* Writes "totals", "energy_pj", "area_mm2", "speedup" and "layers" keys into the current
 * JSON object. */
void sa_report_json(sa_json *j, const sa_run_result *run, const sa_run_result *dense);

/* Writes more keys into the current JSON object; ctx is the caller's. */
typedef void sa_report_extra_fn(sa_json *j, const void *ctx);

/* Writes path atomically: provenance, the resolved config, the manifest and mask file names
 * (mask_path NULL: dense), sa_report_json and then extra(j, extra_ctx) unless extra is NULL
 * (e.g. the system model's section). Returns 0 or -1 with e filled (nothing written then). */
int sa_report_write_json(const char *path, const sa_config *cfg, const char *manifest_path,
                         const char *mask_path, const sa_run_result *run,
                         const sa_run_result *dense, sa_report_extra_fn *extra,
                         const void *extra_ctx, sa_err *e);

/* One figure of a JSON object: an exact integer (is_int) or a number. */
typedef struct sa_report_field {
  const char *key;
  int is_int;
  int64_t i;
  double num;
} sa_report_field;
#define SA_REPORT_INT(key, v) {(key), 1, (v), 0}
#define SA_REPORT_NUM(key, v) {(key), 0, 0, (v)}

/* Writes the n figures of f as keys of the current JSON object, or, when key is not NULL, as
 * a nested object under key. */
void sa_report_json_fields(sa_json *j, const char *key, const sa_report_field *f, int n);

#ifdef __cplusplus
}
#endif

#endif
