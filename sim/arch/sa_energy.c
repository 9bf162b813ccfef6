/* sa_energy: counts x the technology table (docs/timing.md §7.4). Counts are summed as
 * doubles: each fits an int64, their sums need not. */
#include "sa_energy.h"

#include <math.h>

#include "sa_host.h"

double sa_energy_sram_pj_byte(const sa_tech_cfg *t, double size_bytes) {
  return t->e_sram_byte_8kib * pow(size_bytes / 8192.0, t->sram_size_exponent);
}

void sa_energy_compute(const sa_config *cfg, const sa_counts *c, const sa_time *t,
                       double host_ops, sa_energy *out) {
  const sa_tech_cfg *tk = &cfg->tech;
  const sa_hw_cfg *hw = &cfg->hw;
  double pes = (double)(hw->rows * hw->cols);
  out->mac = (double)c->macs * (hw->act_type == SA_ACT_FP32 ? tk->e_mac_fp32 : tk->e_mac_int8);
  out->reg = ((double)c->reg_weight + (double)c->reg_act + (double)c->reg_psum) * tk->e_reg_byte;
  out->wbuf = ((double)c->wbuf_read + (double)c->wbuf_write) *
              sa_energy_sram_pj_byte(tk, hw->weight_buf_kib * 1024.0);
  out->abuf = ((double)c->abuf_read + (double)c->abuf_write) *
              sa_energy_sram_pj_byte(tk, hw->act_buf_kib * 1024.0);
  out->obuf = ((double)c->obuf_read + (double)c->obuf_write) *
              sa_energy_sram_pj_byte(tk, hw->out_buf_kib * 1024.0);
  out->dram = ((double)c->dram_read + (double)c->dram_write) * tk->e_dram_byte;
  out->clock = pes * (double)t->accel * tk->e_clock_pe_cycle;
  double runtime_accel = (host_ops + t->host_gemm) * hw->clock_mhz / cfg->host.clock_mhz;
  out->leak = pes * runtime_accel * tk->e_leak_pe_cycle;
  double host_busy = host_ops;
  if (hw->integration == SA_INTEG_CPU_FED) host_busy += t->host_gemm;
  else host_busy += (double)c->commands * cfg->host.command_cycles;
  out->host = host_busy * tk->e_host_cycle;
  out->total = out->mac + out->reg + out->wbuf + out->abuf + out->obuf + out->dram +
               out->clock + out->leak + out->host;
}

void sa_energy_area(const sa_config *cfg, double *pe_mm2, double *buf_mm2, double *ctrl_mm2) {
  const sa_tech_cfg *tk = &cfg->tech;
  const sa_hw_cfg *hw = &cfg->hw;
  *pe_mm2 = (double)(hw->rows * hw->cols) * (hw->act_type == SA_ACT_FP32 ? tk->a_pe_fp32 : tk->a_pe) / 1e6;
  double bytes = 0;
  if (hw->integration == SA_INTEG_DMA)
    bytes = 2.0 * 1024.0 * (hw->weight_buf_kib + hw->act_buf_kib + hw->out_buf_kib);
  *buf_mm2 = bytes * tk->a_sram_byte / 1e6;
  *ctrl_mm2 = tk->a_controller / 1e6;
}
