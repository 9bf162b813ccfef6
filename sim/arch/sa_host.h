/* sa_host: the host CPU (docs/timing.md §8): the instruction stream of integration cpu_fed
 * (the reference system's kernel) with its skip-encoding walk and footprint,
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

/* cpu_fed, one kept tile of a command with m rows (docs/timing.md §8.1, the reference
 * kernel's loop counts): R·⌈C/Pw⌉ weight writes; W·(m+R+C−1) − 1 queue/stream instructions
 * (W = max(⌈R/P⌉, ⌈C/P⌉) per step, every W-th a stream); W·m returned words holding valid
 * outputs, each added by software (P element adds). P = bus_bits / activation bits,
 * Pw = bus_bits / 8. Edge tiles cost what a full tile costs. Adds to c. */
void sa_host_cpu_fed_tile(const sa_hw_cfg *hw, int64_t m, sa_counts *c);

/* Bus words in (and returned) per array step, W = max(⌈R/P⌉, ⌈C/P⌉) (the reference's
 * MAX_ACT_COL for square arrays). */
int64_t sa_host_cpu_fed_words_per_step(const sa_hw_cfg *hw);

/* Activations per bus word P (bus_bits / 8 or / 32 for array.act_type fp32). */
int64_t sa_host_acts_per_word(const sa_hw_cfg *hw);

/* cpu_fed: the events of walking the skip encoding (hw.skip_format) of one command with
 * kt_n x nt_n tiles, keep as in sa_cycle_command (NULL: all kept), into c (§8.3). */
void sa_host_cpu_fed_walk(const sa_hw_cfg *hw, int64_t kt_n, int64_t nt_n, const uint8_t *keep,
                          sa_counts *c);

/* Footprint of one layer's weights in memory: stored weight bytes and skip-metadata bytes of
 * a K x N GEMM on cfg's array with mask keep (NULL: dense) — cpu_fed: in hw.skip_format
 * (§8.3); dma: the real bytes of the kept tiles and the bitmap mask (§7.1). */
void sa_host_footprint(const sa_hw_cfg *hw, int64_t k, int64_t n, const uint8_t *keep,
                       int64_t *weight_bytes, int64_t *meta_bytes);

/* cpu_fed: host cycles of the instructions, adds and walk events counted in c (§8.2). */
double sa_host_cpu_fed_cycles(const sa_hw_cfg *hw, const sa_counts *c);

/* Host cycles per element of host op kind op (sa_hostop_kind). */
double sa_host_op_cost(const sa_host_cfg *h, int op);

/* Host cycles of all host_ops of man (elements x count x cost). */
double sa_host_ops_cycles(const sa_host_cfg *h, const sa_manifest *man);

/* Host cycles of every GEMM layer of man run on the host: sum of m*k*n*count x gemm_mac
 * (x attn_mac for role attn_matmul, the activation x activation products). */
double sa_host_gemm_only_cycles(const sa_host_cfg *h, const sa_manifest *man);

/* Converts accelerator cycles to host cycles (x host.clock_mhz / hw.clock_mhz). */
double sa_host_from_accel(const sa_config *cfg, double accel_cycles);

#ifdef __cplusplus
}
#endif

#endif
