/* sa_host: the host CPU (docs/timing.md §8): custom-instruction costs of integration cpu_fed,
 * the transformer's non-GEMM work (manifest host_ops x per-element costs) and host-only
 * execution, all in host cycles. */
#ifndef SA_HOST_H
#define SA_HOST_H

#include <stdint.h>

#include "sa_config.h"
#include "sa_stats.h"
#include "sa_manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cpu_fed: counts the instructions the CPU issues for one kept tile of a command with m rows
 * (cols = real output columns of the tile) into c. */
void sa_host_cpu_fed_tile(const sa_hw_cfg *hw, int64_t m, int64_t cols, sa_counts *c);

/* cpu_fed: host cycles of the instructions counted in c (instruction counts x hw.instr_*). */
double sa_host_cpu_fed_cycles(const sa_hw_cfg *hw, const sa_counts *c);

/* Host cycles per element of host op kind op (sa_hostop_kind). */
double sa_host_op_cost(const sa_host_cfg *h, int op);

/* Host cycles of all host_ops of man (elements x count x cost). */
double sa_host_ops_cycles(const sa_host_cfg *h, const sa_manifest *man);

/* Host cycles of every weight GEMM of man run on the host: sum of m*k*n*count x gemm_mac. */
double sa_host_gemm_only_cycles(const sa_host_cfg *h, const sa_manifest *man);

/* Converts accelerator cycles to host cycles (x host.clock_mhz / hw.clock_mhz). */
double sa_host_from_accel(const sa_config *cfg, double accel_cycles);

#ifdef __cplusplus
}
#endif

#endif
