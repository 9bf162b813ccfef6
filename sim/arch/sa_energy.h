/* sa_energy: energy and area of a run (docs/timing.md §7.4): action counts x the per-action
 * table of the technology file (cfg->tech), broken down by component. */
#ifndef SA_ENERGY_H
#define SA_ENERGY_H

#include "sa_config.h"
#include "sa_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* pJ per byte of an SRAM of size_bytes: e_sram_byte_8kib x (size / 8 KiB)^sram_size_exponent. */
double sa_energy_sram_pj_byte(const sa_tech_cfg *t, double size_bytes);

/* Energy of counts c and time t with host_ops host cycles of non-GEMM work (0 for one layer).
 * Components: mac = macs x e_mac; reg = register bytes x e_reg; wbuf/abuf/obuf = bytes read
 * and written x the size-scaled SRAM energy of one half of that buffer; dram = bytes x
 * e_dram; clock = R*C x accelerator busy cycles x e_clock; leak = R*C x runtime (host_ops +
 * host_gemm, converted to accelerator cycles) x e_leak; host = host busy cycles x e_host
 * (host_ops + command overhead for dma, + the instruction cycles for cpu_fed). */
void sa_energy_compute(const sa_config *cfg, const sa_counts *c, const sa_time *t,
                       double host_ops, sa_energy *out);

/* Area in mm^2: PEs (R*C*a_pe), scratchpads (both halves of the three buffers x a_sram_byte;
 * none for cpu_fed) and the controller. */
void sa_energy_area(const sa_config *cfg, double *pe_mm2, double *buf_mm2, double *ctrl_mm2);

#ifdef __cplusplus
}
#endif

#endif
