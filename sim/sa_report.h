/* sa_report: prints a run of the cycle model (per-layer table and totals) and writes it as
 * JSON; shared by 'sasp sim' and the sweep. */
#ifndef SA_REPORT_H
#define SA_REPORT_H

#include <stdio.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_json.h"

/* Prints the per-layer table and the totals (cycles, stalls, counts, energy breakdown, area,
 * speed-ups). dense: the NULL-mask run of the same config (NULL: no dense speed-up). */
void sa_report_print(FILE *f, const sa_config *cfg, const sa_run_result *run,
                     const sa_run_result *dense);

/* Writes "totals", "energy_pj", "area_mm2", "speedup" and "layers" keys into the current
 * JSON object. */
void sa_report_json(sa_json *j, const sa_run_result *run, const sa_run_result *dense);

/* Writes path atomically: provenance, the resolved config, the manifest and mask file names
 * (mask_path NULL: dense) and sa_report_json. Returns 0 or -1 with e filled (nothing
 * written then). */
int sa_report_write_json(const char *path, const sa_config *cfg, const char *manifest_path,
                         const char *mask_path, const sa_run_result *run,
                         const sa_run_result *dense, sa_err *e);

#endif
