/* sa_cycle: cycle model, tile by tile from the closed form (docs/timing.md §4–8). */
#include "sa_cycle.h"

#include <stdlib.h>
#include <string.h>

#include "sa_energy.h"
#include "sa_host.h"
#include "sa_mem.h"
#include "sa_timing.h"
#include "sa_workload.h"

void sa_counts_add(sa_counts *a, const sa_counts *b, int64_t times) {
  int64_t *pa = (int64_t *)a;
  const int64_t *pb = (const int64_t *)b;
  for (size_t i = 0; i < sizeof *a / sizeof(int64_t); i++) pa[i] += pb[i] * times;
}

void sa_time_add(sa_time *a, const sa_time *b, int64_t times) {
  a->array += b->array * times;
  a->weight_load += b->weight_load * times;
  a->compute += b->compute * times;
  a->fill_drain += b->fill_drain * times;
  a->stall_weights += b->stall_weights * times;
  a->stall_acts += b->stall_acts * times;
  a->stall_outputs += b->stall_outputs * times;
  a->accel += b->accel * times;
  a->host_gemm += b->host_gemm * (double)times;
}

int sa_cycle_command(const sa_config *cfg, int64_t m, int64_t k, int64_t n, const uint8_t *keep,
                     sa_counts *c, sa_time *t, sa_err *e) {
  const sa_hw *hw = &cfg->hw;
  const int64_t r = hw->rows, cl = hw->cols;
  const int dma = hw->integration == SA_INTEG_DMA;
  if (m < 1 || m > hw->acc_rows || k < 1 || n < 1)
    return sa_err_set(e, "GEMM command %lld x %lld x %lld: M must be 1..buffers.acc_rows (%lld), "
                      "K and N >= 1", (long long)m, (long long)k, (long long)n,
                      (long long)hw->acc_rows);
  if (dma && sa_mem_check(hw, m, k, e)) return -1;
  const int64_t kt_n = sa_timing_tiles_k(k, r), nt_n = sa_timing_tiles_n(n, cl);
  const int64_t s = sa_timing_stream_cycles(r, cl, m);
  uint8_t *seen = NULL;
  if (dma && !(seen = sa_calloc((size_t)kt_n, 1, e))) return -1;
  sa_counts lc;
  sa_time lt;
  memset(&lc, 0, sizeof lc);
  memset(&lt, 0, sizeof lt);
  sa_mem mem;
  if (dma) sa_mem_begin(&mem, hw, m, k, seen);
  int64_t kept = 0;
  for (int64_t nt = 0; nt < nt_n; nt++) {
    int64_t cols = n - nt * cl < cl ? n - nt * cl : cl;
    int64_t last = -1; /* last kept kt of the strip */
    for (int64_t kt = kt_n - 1; kt >= 0; kt--)
      if (!keep || keep[kt * nt_n + nt]) {
        last = kt;
        break;
      }
    if (last < 0) { /* whole strip pruned: Y = 0 there, no array work */
      if (dma) sa_mem_zero_strip(&mem, m * cols * 4, &lc);
      continue;
    }
    for (int64_t kt = 0; kt <= last; kt++) {
      if (keep && !keep[kt * nt_n + nt]) continue;
      int64_t rows = k - kt * r < r ? k - kt * r : r;
      kept++;
      lc.macs += m * rows * cols;
      if (dma) {
        sa_mem_tile tile = {kt, nt, rows, cols, kt == last};
        sa_mem_add_tile(&mem, &tile, &lc, &lt);
      } else {
        sa_host_cpu_fed_tile(hw, m, cols, &lc);
      }
    }
  }
  lt.array = kept ? r + kept * s : 0;
  SA_ASSERT(lt.array == sa_timing_command_cycles(r, cl, m, k, n, keep));
  lt.weight_load = kept ? r : 0;
  lt.compute = kept * m;
  lt.fill_drain = kept * (r + cl - 1);
  lc.commands = 1;
  lc.tiles = kt_n * nt_n;
  lc.tiles_kept = kept;
  lc.pe_active = kept * m * r * cl;
  lc.pe_idle = r * cl * lt.array - lc.pe_active;
  lc.reg_weight = 2 * r * cl * kept;
  lc.reg_act = kept * (m * r * cl + m * r * (r - 1) / 2);
  lc.reg_psum = 4 * kept * m * r * cl;
  if (dma) {
    lc.mask_bytes = (kt_n * nt_n + 7) / 8;
    sa_mem_end(&mem, lc.mask_bytes, &lc, &lt);
    lt.accel = lt.array + lt.stall_weights + lt.stall_acts + lt.stall_outputs;
    lt.host_gemm = sa_host_from_accel(cfg, (double)lt.accel) + cfg->host.command_cycles;
  } else {
    lt.accel = lt.array;
    lt.host_gemm = sa_host_cpu_fed_cycles(hw, &lc);
  }
  free(seen);
  sa_counts_add(c, &lc, 1);
  sa_time_add(t, &lt, 1);
  return 0;
}

static int find_mask(const sa_config *cfg, const sa_maskset *masks, const sa_layer *l,
                     const sa_tilemask **out, sa_err *e) {
  *out = NULL;
  if (!masks) return 0;
  const sa_tilemask *mk = sa_maskset_find(masks, l->name);
  if (!mk) return sa_err_set(e, "mask set has no mask for layer '%s'", l->name);
  if (mk->k != l->k || mk->n != l->n)
    return sa_err_set(e, "mask of layer '%s' is for a %lld x %lld GEMM, the manifest says %lld x %lld",
                      l->name, (long long)mk->k, (long long)mk->n, (long long)l->k,
                      (long long)l->n);
  if (mk->tile_rows != cfg->hw.rows || mk->tile_cols != cfg->hw.cols)
    return sa_err_set(e, "mask of layer '%s' has %lldx%lld tiles, the array is %lldx%lld", l->name,
                      (long long)mk->tile_rows, (long long)mk->tile_cols,
                      (long long)cfg->hw.rows, (long long)cfg->hw.cols);
  *out = mk;
  return 0;
}

int sa_cycle_run_workload(const sa_config *cfg, const sa_manifest *man, const sa_maskset *masks,
                          sa_run_result *out, sa_err *e) {
  memset(out, 0, sizeof *out);
  out->rows = cfg->hw.rows;
  out->cols = cfg->hw.cols;
  out->integration = cfg->hw.integration;
  out->n_layers = man->n_layers;
  out->layers = sa_calloc((size_t)(man->n_layers ? man->n_layers : 1), sizeof *out->layers, e);
  if (!out->layers) return -1;
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    sa_layer_result *lr = &out->layers[i];
    snprintf(lr->name, sizeof lr->name, "%s", l->name);
    lr->role = l->role;
    lr->m = l->m;
    lr->k = l->k;
    lr->n = l->n;
    lr->count = l->count;
    lr->kt = sa_timing_tiles_k(l->k, cfg->hw.rows);
    lr->nt = sa_timing_tiles_n(l->n, cfg->hw.cols);
    const sa_tilemask *mk;
    if (find_mask(cfg, masks, l, &mk, e)) goto fail;
    lr->pruned = mk != NULL;
    sa_wl_cmd g[2];
    int ng = sa_workload_split(l, cfg->hw.acc_rows, g);
    for (int j = 0; j < ng; j++) {
      sa_counts gc;
      sa_time gt;
      memset(&gc, 0, sizeof gc);
      memset(&gt, 0, sizeof gt);
      if (sa_cycle_command(cfg, g[j].m, g[j].k, g[j].n, mk ? mk->keep : NULL, &gc, &gt, e)) {
        sa_err_prefix(e, "layer '%s'", l->name);
        goto fail;
      }
      sa_counts_add(&lr->counts, &gc, g[j].times * l->count);
      sa_time_add(&lr->time, &gt, g[j].times * l->count);
    }
    sa_energy_compute(cfg, &lr->counts, &lr->time, 0, &lr->energy);
    sa_counts_add(&out->counts, &lr->counts, 1);
    sa_time_add(&out->time, &lr->time, 1);
  }
  out->host_ops = sa_host_ops_cycles(&cfg->host, man);
  out->host_system = out->host_ops + out->time.host_gemm;
  out->host_only = out->host_ops + sa_host_gemm_only_cycles(&cfg->host, man);
  out->seconds = out->host_system / (cfg->host.clock_mhz * 1e6);
  sa_energy_compute(cfg, &out->counts, &out->time, out->host_ops, &out->energy);
  sa_energy_area(cfg, &out->area_pe_mm2, &out->area_buf_mm2, &out->area_ctrl_mm2);
  out->area_mm2 = out->area_pe_mm2 + out->area_buf_mm2 + out->area_ctrl_mm2;
  return 0;
fail:
  sa_run_result_free(out);
  return -1;
}

void sa_run_result_free(sa_run_result *r) {
  if (!r) return;
  free(r->layers);
  r->layers = NULL;
  r->n_layers = 0;
}

double sa_run_speedup_vs_dense(const sa_run_result *run, const sa_run_result *dense) {
  return run->host_system > 0 ? dense->host_system / run->host_system : 0;
}

double sa_run_speedup_vs_host(const sa_run_result *run) {
  return run->host_system > 0 ? run->host_only / run->host_system : 0;
}
