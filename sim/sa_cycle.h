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

/* Action counts (docs/timing.md §7.3). Bytes unless named otherwise. */
typedef struct sa_counts {
  int64_t commands;          /* GEMM commands issued */
  int64_t tiles;             /* weight tiles, kept or not */
  int64_t tiles_kept;        /* tiles executed */
  int64_t macs;              /* useful int8 MACs (edge padding excluded) */
  int64_t pe_active;         /* PE-cycles holding a streamed activation (T*M*R*C) */
  int64_t pe_idle;           /* R*C*array_cycles - pe_active */
  int64_t reg_weight;        /* shadow + active weight register bytes written (2*R*C per tile) */
  int64_t reg_act;           /* activation register bytes: PE pipeline + input skew */
  int64_t reg_psum;          /* partial-sum register bytes (4 per PE-cycle active) */
  int64_t wbuf_read, wbuf_write;   /* weight scratchpad (dma) */
  int64_t abuf_read, abuf_write;   /* activation scratchpad (dma) */
  int64_t obuf_read, obuf_write;   /* output/accumulator buffer (dma) */
  int64_t dram_read, dram_write;   /* DRAM traffic (dma; mask bytes included in dram_read) */
  int64_t mask_bytes;        /* mask bytes handed to the controller */
  /* cpu_fed: custom instructions and CPU work */
  int64_t ins_write_weights, ins_queue_input, ins_stream, ins_read_output, cpu_accumulates;
} sa_counts;

/* Time of one command / layer / workload. Accelerator cycles unless named host_. */
typedef struct sa_time {
  int64_t array;             /* closed form, = sa_timing_command_cycles summed */
  int64_t weight_load;       /* exposed weight load: R per command with kept tiles */
  int64_t compute;           /* T*M */
  int64_t fill_drain;        /* T*(R+C-1) */
  int64_t stall_weights;     /* dma: cycles the array waited for weights (and the mask) */
  int64_t stall_acts;        /* dma: ... for activations */
  int64_t stall_outputs;     /* dma: ... for output write-back */
  int64_t accel;             /* dma: array + stalls (accelerator busy) ; cpu_fed: array */
  double host_gemm;          /* GEMM time in host cycles: dma accel converted + command
                                overhead; cpu_fed the instruction cycles */
} sa_time;

typedef struct sa_energy {   /* pJ, by component (docs/timing.md §7.4) */
  double mac, reg, wbuf, abuf, obuf, dram, leak, clock, host;
  double total;
} sa_energy;

/* Everything computed for one manifest layer (all its count x commands). */
typedef struct sa_layer_result {
  char name[128];
  int role;                  /* sa_role */
  int64_t m, k, n, count;    /* shape from the manifest */
  int64_t kt, nt;            /* tile grid */
  int pruned;                /* 1 when a mask was applied to this layer */
  sa_counts counts;
  sa_time time;
  sa_energy energy;          /* of this layer's GEMMs (no host ops) */
} sa_layer_result;

typedef struct sa_run_result {
  int64_t rows, cols;
  int integration;           /* sa_integration */
  int n_layers;
  sa_layer_result *layers;   /* owned */
  sa_counts counts;          /* totals over layers */
  sa_time time;              /* totals over layers (GEMMs only) */
  double host_ops;           /* host cycles of the non-GEMM work */
  double host_system;        /* host cycles: host_ops + time.host_gemm */
  double host_only;          /* host cycles of the same inference without the accelerator */
  double seconds;            /* host_system / host clock */
  sa_energy energy;          /* per inference */
  double area_mm2;
  double area_pe_mm2, area_buf_mm2, area_ctrl_mm2;
} sa_run_result;

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
void sa_run_result_finish(const sa_config *cfg, const sa_manifest *man, sa_run_result *out);

/* a += b x times (counts and times). The _checked forms return 0, or -1 leaving a unchanged
 * when a result would not fit an int64; the plain forms are for callers whose sizes are
 * already bounded (overflow is an invariant failure there). */
int sa_counts_add_checked(sa_counts *a, const sa_counts *b, int64_t times);
int sa_time_add_checked(sa_time *a, const sa_time *b, int64_t times);
void sa_counts_add(sa_counts *a, const sa_counts *b, int64_t times);
void sa_time_add(sa_time *a, const sa_time *b, int64_t times);

/* Speed-ups of a run: vs the same array dense (dense must be the NULL-mask run of the same
 * config and manifest) and vs host-only execution. */
double sa_run_speedup_vs_dense(const sa_run_result *run, const sa_run_result *dense);
double sa_run_speedup_vs_host(const sa_run_result *run);

#endif
