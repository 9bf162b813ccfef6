/* sa_system: the SystemC/TLM-2.0 system model (sim/sc/, docs/system.md) — host CPU, shared
 * interconnect, banked DRAM, DMA engine, cpu_fed instruction path and the accelerator with a
 * C-model or RTL back-end — behind a plain C API. The types are always visible; the functions
 * exist only in builds with SystemC (SA_HAVE_SYSTEMC). 'sasp sim --system sc' drives it. */
#ifndef SA_SYSTEM_H
#define SA_SYSTEM_H

#include <stdint.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_err.h"
#include "sa_json.h"
#include "sa_manifest.h"
#include "sa_mask.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SA_SYSTEM_BACKEND_C, SA_SYSTEM_BACKEND_RTL } sa_system_backend;

/* One simulated inference. run has exactly the fields and meaning of the fast model's
 * sa_run_result (counts from the cycle model; stalls, accel, host_gemm, host_system, energy
 * from the simulation), so the same report code prints both. */
typedef struct sa_system_result {
  sa_run_result run;          /* owned: free with sa_system_result_free */
  int backend;                /* sa_system_backend that timed the array */
  double fast_host_system;    /* the fast model's host_system for the same inputs */
  double diff;                /* run.host_system / fast_host_system - 1 */
  double span_accel_clocks;   /* simulated span of the inference (host, transfers and array
                                 together, = run.host_system host cycles) counted in
                                 accelerator clock periods; the array is busy only
                                 run.time.accel of them */
  int64_t transactions;       /* data transactions on the interconnect */
  int64_t bus_bytes;          /* bytes carried by the interconnect */
  int64_t bus_busy_cycles;    /* cycles with at least one byte on the interconnect */
  int64_t dram_busy_cycles;   /* bank-cycles with a bank transferring (sum over banks) */
  int64_t wait_bus_cycles;    /* transfer-cycles a ready transfer got no interconnect share */
  int64_t wait_bank_cycles;   /* transfer-cycles a ready transfer found its bank taken */
  int64_t latency_cycles;     /* exposed interconnect + DRAM latency (once per DMA stream) */
  int64_t instr_transactions; /* cpu_fed: instruction-group transactions on the narrow path */
  double bus_util;            /* bus_bytes / (bus_bytes_per_cycle x span_accel_clocks) */
  double dram_util;           /* DRAM bytes / (dram_bytes_per_cycle x banks x span_accel_clocks) */
  double bus_util_accel;      /* bus_bytes / (bus_bytes_per_cycle x accelerator busy cycles) */
  int64_t backend_commands;   /* commands timed by the back-end (RTL: distinct shapes+masks) */
  double wall_seconds;        /* host time the simulation took */
} sa_system_result;

/* Most weight tiles (kept or pruned, over all commands of an inference) the system model
 * simulates: it steps every tile and, with DMA, every busy interconnect cycle (about 2e4
 * tiles/s), so larger workloads are refused up front rather than left running for hours
 * (docs/system.md 7); the fast model has no such limit. */
#define SA_SYSTEM_MAX_TILES ((int64_t)100000000)

/* Simulates one inference of man (every layer x count, split along M by buffers.acc_rows,
 * then the host ops) on cfg's system with masks (NULL: dense; as sa_cycle_run_workload).
 * backend: SA_SYSTEM_BACKEND_C times each command with the C cycle model, _RTL runs each
 * command on the Verilator RTL (same cycles required, else an error naming the command).
 * trace_csv: NULL, or a file that receives one row per interconnect transaction (written
 * atomically). Fills *out (free with sa_system_result_free). Returns 0, or -1 with e filled
 * (bad mask/shape or counts beyond 64 bits as the fast model reports them, more than
 * SA_SYSTEM_MAX_TILES tiles, a DMA transfer larger than one interconnect transaction carries,
 * RTL not built for the array size, trace file not writable); nothing to free then. Can be called repeatedly in one process, but not
 * from two threads at once (each call replaces the SystemC kernel context). */
int sa_system_run(const sa_config *cfg, const sa_manifest *man, const sa_maskset *masks,
                  int backend, const char *trace_csv, sa_system_result *out, sa_err *e);

void sa_system_result_free(sa_system_result *r);

/* 1 when the RTL back-end can run an R x C array in this build. */
int sa_system_rtl_available(int64_t rows, int64_t cols);

/* Writes a "system" key (model, back-end, agreement with the fast model, interconnect and
 * DRAM utilisation and waits) into the current JSON object. */
void sa_system_json(sa_json *j, const sa_config *cfg, const sa_system_result *r);

/* Prints the system section (same figures as sa_system_json) to f. */
void sa_system_print(FILE *f, const sa_config *cfg, const sa_system_result *r);

#ifdef __cplusplus
}
#endif

#endif
