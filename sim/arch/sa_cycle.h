/* sa_cycle: the cycle model of the accelerator (docs/timing.md §4–8). Walks the kept tiles of
 * each GEMM command in visit order, closed form per tile (runs of identical tiles of dense
 * commands summed at once, §7.7), counting every action in checked 64-bit integers; the memory
 * model (sa_mem) adds DMA stalls, the host model (sa_host) prices cpu_fed instructions and the
 * non-GEMM work, the energy model (sa_energy) prices the counts. */
#ifndef SA_CYCLE_H
#define SA_CYCLE_H

#include <stdint.h>

#include "sa_config.h"
#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest value a command's conservative count bound may reach (docs/timing.md §7.7). */
#define SA_CYCLE_MAX_COUNT ((int64_t)1 << 62)

/* Cycle-model result of one command Y[M x N] = X[M x K] W[K x N] on cfg's array, mask keep
 * (KT*NT bytes, 1 = kept; NULL = dense). Adds its counts and time to *c / *t (so callers
 * can accumulate; zero them first). M must be 1..hw.acc_rows. The memory model and the
 * cpu_fed instruction model follow cfg->hw.integration. Returns 0, or -1 with e filled
 * when the array cannot run the command (a buffer too small for one tile, M too large). */
int sa_cycle_command(const sa_config *cfg, int64_t m, int64_t k, int64_t n, const uint8_t *keep,
                     sa_counts *c, sa_time *t, sa_err *e);

/* Runs the whole workload of man (every layer x count, split along M by hw.acc_rows, plus
 * the host ops) with masks (NULL: dense; otherwise every manifest layer must have a mask with
 * its k, n and the array's R x C tiles, as sasp prune writes them). Fills *out (free with
 * sa_run_result_free). Returns 0, or -1 with e filled naming the layer (nothing to free),
 * also when a count or cycle total would exceed 64 bits (never wraps). */
int sa_cycle_run_workload(const sa_config *cfg, const sa_manifest *man, const sa_maskset *masks,
                          sa_run_result *out, sa_err *e);

void sa_run_result_free(sa_run_result *r);

/* The steps of sa_cycle_run_workload that another model of the same workload (the SystemC
 * system model) shares. _init: zeroes *out, sets the array fields and allocates one zeroed
 * layer result per manifest layer with its name, role, shape, count and tile grid; returns 0
 * or -1 with e filled (nothing to free); free with sa_run_result_free. _sum_layers: prices
 * each layer's energy (its GEMMs only) and adds the layers into out->counts and out->time;
 * returns 0, or -1 with e filled naming the layer at which a total would exceed 64 bits.
 * _finish: once out->host_ops and out->host_system are set, fills host_only, seconds, the
 * inference's energy (host ops included) and the area. */
int sa_run_result_init(const sa_config *cfg, const sa_manifest *man, sa_run_result *out,
                       sa_err *e);
int sa_run_result_sum_layers(const sa_config *cfg, sa_run_result *out, sa_err *e);
/* Sets lr's footprint (weight and skip-metadata bytes, sa_host_footprint) for mask keep
 * (NULL: dense; none for role attn_matmul, whose operand is an activation); _sum_layers adds
 * it into out. */
void sa_run_result_footprint(const sa_config *cfg, sa_layer_result *lr, const uint8_t *keep);
void sa_run_result_finish(const sa_config *cfg, const sa_manifest *man, sa_run_result *out);

/* Speed-ups of a run: vs the same array dense (dense must be the NULL-mask run of the same
 * config and manifest) and vs host-only execution. */
double sa_run_speedup_vs_dense(const sa_run_result *run, const sa_run_result *dense);
double sa_run_speedup_vs_host(const sa_run_result *run);

#ifdef __cplusplus
}
#endif

#endif
