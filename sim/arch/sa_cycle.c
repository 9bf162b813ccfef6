/* sa_cycle: cycle model, tile by tile from the closed form (docs/timing.md §4–8); dense
 * commands in time independent of their size and every total overflow-checked (§7.7). */
#include "sa_cycle.h"

#include <stdlib.h>
#include <string.h>

#include "sa_energy.h"
#include "sa_host.h"
#include "sa_mem.h"
#include "sa_timing.h"
#include "sa_workload.h"

/* Upper bound of every count and time of one command with tiles tiles (kept or not), summed
 * over the per-tile bounds of docs/timing.md §7.3 (both integrations) plus the prologue: the
 * command's int64 arithmetic cannot overflow while it is below SA_CYCLE_MAX_COUNT. */
static double command_bound(const sa_hw_cfg *hw, int64_t m, double tiles) {
  const double r = (double)hw->rows, c = (double)hw->cols, md = (double)m;
  const double s = md + r + c - 1, bw = hw->dram_bytes_per_cycle;
  const double io = r * c + md * r + 4 * md * c; /* weight, activation and output bytes */
  double per_tile = r * c * (r + s)              /* array cycles x R*C: pe_active, pe_idle */
                    + 4 * md * r * c + md * r * (r + c)  /* reg_psum, reg_act */
                    + 2 * r * c + 4 * io + s     /* reg_weight, buffers, DRAM, cpu_fed */
                    + io / bw + 4                /* stalls of a step, output stalls */
                    + 4 * (r + c) * s + 3 * r * c;  /* cpu_fed instructions, adds, walk */
  return tiles * per_tile + (double)hw->dram_latency_cycles + (tiles / 8 + 2) / bw + 3 * io / bw +
         r + 16;
}

/* Dense commands: every tile kept, counted in closed form (sa_mem_add_dense for dma). */
static void dense_command(const sa_hw_cfg *hw, sa_mem *mem, int64_t m, int64_t k, int64_t n,
                          int64_t kt_n, int64_t nt_n, sa_counts *lc, sa_time *lt) {
  lc->macs = m * k * n;
  if (mem) {
    sa_mem_add_dense(mem, k, n, lc, lt);
    return;
  }
  sa_counts tile; /* cpu_fed: every tile issues the same stream (edge tiles are padded) */
  memset(&tile, 0, sizeof tile);
  sa_host_cpu_fed_tile(hw, m, &tile);
  sa_counts_add(lc, &tile, kt_n * nt_n);
}

/* Masked commands: the kept tiles one by one, in visit order (linear in the mask's size). */
static int64_t masked_command(const sa_hw_cfg *hw, sa_mem *mem, int64_t m, int64_t k, int64_t n,
                              int64_t kt_n, int64_t nt_n, const uint8_t *keep, sa_counts *lc,
                              sa_time *lt) {
  const int64_t r = hw->rows, cl = hw->cols;
  int64_t kept = 0;
  for (int64_t nt = 0; nt < nt_n; nt++) {
    int64_t cols = n - nt * cl < cl ? n - nt * cl : cl;
    int64_t last = -1; /* last kept kt of the strip */
    for (int64_t kt = kt_n - 1; kt >= 0; kt--)
      if (keep[kt * nt_n + nt]) {
        last = kt;
        break;
      }
    if (last < 0) { /* whole strip pruned: Y = 0 there, no array work */
      if (mem) sa_mem_zero_strip(mem, m * cols * 4, lc);
      continue;
    }
    for (int64_t kt = 0; kt <= last; kt++) {
      if (!keep[kt * nt_n + nt]) continue;
      int64_t rows = k - kt * r < r ? k - kt * r : r;
      kept++;
      lc->macs += m * rows * cols;
      if (mem) {
        sa_mem_tile tile = {kt, nt, rows, cols, kt == last};
        sa_mem_add_tile(mem, &tile, lc, lt);
      } else {
        sa_host_cpu_fed_tile(hw, m, lc);
      }
    }
  }
  return kept;
}

int sa_cycle_command(const sa_config *cfg, int64_t m, int64_t k, int64_t n, const uint8_t *keep,
                     sa_counts *c, sa_time *t, sa_err *e) {
  const sa_hw_cfg *hw = &cfg->hw;
  const int64_t r = hw->rows, cl = hw->cols;
  const int dma = hw->integration == SA_INTEG_DMA;
  if (m < 1 || m > hw->acc_rows || k < 1 || n < 1)
    return sa_err_set(e, "GEMM command %lld x %lld x %lld: M must be 1..buffers.acc_rows (%lld), "
                      "K and N >= 1", (long long)m, (long long)k, (long long)n,
                      (long long)hw->acc_rows);
  if (dma && sa_mem_check(hw, m, k, e)) return -1;
  const int64_t kt_n = sa_timing_tiles_k(k, r), nt_n = sa_timing_tiles_n(n, cl);
  if (command_bound(hw, m, (double)kt_n * (double)nt_n) > (double)SA_CYCLE_MAX_COUNT)
    return sa_err_set(e, "GEMM command %lld x %lld x %lld: too large, its counts could exceed "
                      "2^62 (docs/timing.md §7.7)", (long long)m, (long long)k, (long long)n);
  const int64_t s = sa_timing_stream_cycles(r, cl, m);
  uint8_t *seen = NULL;
  if (dma && keep && !(seen = sa_calloc((size_t)kt_n, 1, e))) return -1;
  sa_counts lc;
  sa_time lt;
  memset(&lc, 0, sizeof lc);
  memset(&lt, 0, sizeof lt);
  sa_mem mem;
  if (dma) sa_mem_begin(&mem, hw, m, k, seen);
  /* non_pruned: the CPU runs every tile, the pruned ones as stored zeros */
  if (!dma && hw->skip_format == SA_SKIP_NON_PRUNED) keep = NULL;
  int64_t kept = kt_n * nt_n;
  if (keep) kept = masked_command(hw, dma ? &mem : NULL, m, k, n, kt_n, nt_n, keep, &lc, &lt);
  else dense_command(hw, dma ? &mem : NULL, m, k, n, kt_n, nt_n, &lc, &lt);
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
  lc.reg_act = kept * (m * r * cl + m * r * (r - 1) / 2) * (hw->act_type == SA_ACT_FP32 ? 4 : 1);
  lc.reg_psum = 4 * kept * m * r * cl;
  if (dma) {
    lc.mask_bytes = (kt_n * nt_n + 7) / 8;
    sa_mem_end(&mem, lc.mask_bytes, &lc, &lt);
    lt.accel = lt.array + lt.stall_weights + lt.stall_acts + lt.stall_outputs;
    lt.host_gemm = sa_host_from_accel(cfg, (double)lt.accel) + cfg->host.command_cycles;
  } else {
    sa_host_cpu_fed_walk(hw, kt_n, nt_n, keep, &lc);
    lt.accel = lt.array;
    lt.host_gemm = sa_host_cpu_fed_cycles(hw, &lc);
  }
  free(seen);
  sa_counts nc = *c;
  sa_time ntm = *t;
  if (sa_counts_add_checked(&nc, &lc, 1) || sa_time_add_checked(&ntm, &lt, 1))
    return sa_err_set(e, "GEMM command %lld x %lld x %lld: the accumulated counts exceed 64 bits "
                      "(too large)", (long long)m, (long long)k, (long long)n);
  *c = nc;
  *t = ntm;
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
  if (sa_prune_check_skippable(l, mk, e)) return -1;
  *out = mk;
  return 0;
}

int sa_run_result_init(const sa_config *cfg, const sa_manifest *man, sa_run_result *out,
                       sa_err *e) {
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
  }
  return 0;
}

void sa_run_result_footprint(const sa_config *cfg, sa_layer_result *lr, const uint8_t *keep) {
  if (lr->role == SA_ROLE_ATTN_MATMUL) { /* its operand is an activation: nothing stored */
    lr->weight_bytes = lr->meta_bytes = 0;
    return;
  }
  sa_host_footprint(&cfg->hw, lr->k, lr->n, keep, &lr->weight_bytes, &lr->meta_bytes);
}

int sa_run_result_sum_layers(const sa_config *cfg, sa_run_result *out, sa_err *e) {
  for (int i = 0; i < out->n_layers; i++) {
    sa_layer_result *lr = &out->layers[i];
    if (__builtin_add_overflow(out->weight_bytes, lr->weight_bytes, &out->weight_bytes) ||
        __builtin_add_overflow(out->meta_bytes, lr->meta_bytes, &out->meta_bytes))
      return sa_err_set(e, "layer '%s': the weight footprint of layers 0 to %d exceeds 64 bits "
                        "(too large)", lr->name, i);
    sa_energy_compute(cfg, &lr->counts, &lr->time, 0, &lr->energy);
    if (sa_counts_add_checked(&out->counts, &lr->counts, 1) ||
        sa_time_add_checked(&out->time, &lr->time, 1))
      return sa_err_set(e, "layer '%s': the counts of layers 0 to %d together exceed 64 bits "
                        "(too large)", lr->name, i);
  }
  return 0;
}

void sa_run_result_finish(const sa_config *cfg, const sa_manifest *man, sa_run_result *out) {
  out->host_only = out->host_ops + sa_host_gemm_only_cycles(&cfg->host, man);
  out->seconds = out->host_system / (cfg->host.clock_mhz * 1e6);
  sa_energy_compute(cfg, &out->counts, &out->time, out->host_ops, &out->energy);
  sa_energy_area(cfg, &out->area_pe_mm2, &out->area_buf_mm2, &out->area_ctrl_mm2);
  out->area_mm2 = out->area_pe_mm2 + out->area_buf_mm2 + out->area_ctrl_mm2;
}

int sa_cycle_run_workload(const sa_config *cfg, const sa_manifest *man, const sa_maskset *masks,
                          sa_run_result *out, sa_err *e) {
  if (sa_run_result_init(cfg, man, out, e)) return -1;
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    sa_layer_result *lr = &out->layers[i];
    const sa_tilemask *mk;
    if (find_mask(cfg, masks, l, &mk, e)) goto fail;
    lr->pruned = mk != NULL;
    sa_run_result_footprint(cfg, lr, mk ? mk->keep : NULL);
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
      int64_t times;
      if (__builtin_mul_overflow(g[j].times, l->count, &times) ||
          sa_counts_add_checked(&lr->counts, &gc, times) ||
          sa_time_add_checked(&lr->time, &gt, times)) {
        sa_err_set(e, "layer '%s': %lld x %lld x %lld GEMM, count %lld: its counts exceed 64 bits "
                   "(too large)", l->name, (long long)l->m, (long long)l->k, (long long)l->n,
                   (long long)l->count);
        goto fail;
      }
    }
  }
  if (sa_run_result_sum_layers(cfg, out, e)) goto fail;
  out->host_ops = sa_host_ops_cycles(&cfg->host, man);
  out->host_system = out->host_ops + out->time.host_gemm;
  sa_run_result_finish(cfg, man, out);
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
