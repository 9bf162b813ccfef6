/* sa_host: host CPU costs (docs/timing.md §8). */
#include "sa_host.h"

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t sa_host_acts_per_word(const sa_hw_cfg *hw) {
  return hw->bus_bits / (hw->act_type == SA_ACT_FP32 ? 32 : 8);
}

/* Bus words of inputs (and of returned outputs) per array step: the reference's MAX_ACT_COL
 * (square arrays); a rectangular array needs enough words for its R inputs and C outputs. */
int64_t sa_host_cpu_fed_words_per_step(const sa_hw_cfg *hw) {
  int64_t p = sa_host_acts_per_word(hw), a = ceil_div(hw->rows, p), b = ceil_div(hw->cols, p);
  return a > b ? a : b;
}

void sa_host_cpu_fed_tile(const sa_hw_cfg *hw, int64_t m, sa_counts *c) {
  const int64_t w = sa_host_cpu_fed_words_per_step(hw), steps = m + hw->rows + hw->cols - 1;
  c->ins_write_weights += hw->rows * ceil_div(hw->cols, hw->bus_bits / 8);
  /* W·steps − 1 instructions, every W-th (index W−1 mod W) a stream: steps − 1 streams */
  c->ins_stream += steps - 1;
  c->ins_queue += (w - 1) * steps;
  /* valid returned words: indices W·(R+C−1) − 1 … W·steps − 2, i.e. W·m of them */
  c->out_words += w * m;
  c->cpu_adds += w * m * sa_host_acts_per_word(hw);
}

/* Kept tiles of strip nt (all of them when keep is NULL). */
static int64_t strip_kept(const uint8_t *keep, int64_t kt_n, int64_t nt_n, int64_t nt) {
  if (!keep) return kt_n;
  int64_t n = 0;
  for (int64_t kt = 0; kt < kt_n; kt++) n += keep[kt * nt_n + nt] != 0;
  return n;
}

void sa_host_cpu_fed_walk(const sa_hw_cfg *hw, int64_t kt_n, int64_t nt_n, const uint8_t *keep,
                          sa_counts *c) {
  /* a tile's weight words: R rows of C int8 weights, bus_bits/8 per word as written */
  const int64_t tiles = kt_n * nt_n, words = hw->rows * ceil_div(hw->cols, hw->bus_bits / 8);
  int64_t kept = 0, live_strips = 0;
  for (int64_t nt = 0; nt < nt_n; nt++) {
    int64_t k = strip_kept(keep, kt_n, nt_n, nt);
    kept += k;
    live_strips += k > 0;
  }
  switch (hw->skip_format) {
  case SA_SKIP_INTERLEAVED: /* per column: offset word + bitmap; a bit test per tile */
    c->walk_strips += nt_n;
    c->walk_tiles += tiles;
    break;
  case SA_SKIP_WITH_FLAG: /* one flag bit per tile */
  case SA_SKIP_HIDDEN_KEY: /* the first word of every tile compared with the key */
    c->walk_tiles += tiles;
    break;
  case SA_SKIP_META_DATA: /* a flag per column; tile flags only in columns with kept tiles */
    c->walk_strips += nt_n;
    c->walk_tiles += live_strips * kt_n;
    break;
  case SA_SKIP_CSR: /* per tile row a pointer pair, per kept tile its column index */
    c->walk_strips += kt_n;
    c->walk_tiles += kept;
    break;
  case SA_SKIP_CSC: /* per tile column a pointer pair, per kept tile its row index */
    c->walk_strips += nt_n;
    c->walk_tiles += kept;
    break;
  case SA_SKIP_DYNAMIC: /* scan each tile's weight words until one is non-zero */
    c->walk_tiles += tiles;
    c->walk_words += (tiles - kept) * words + kept;
    break;
  default: /* non_pruned: nothing skipped; bitmap: walk not charged */
    break;
  }
}

void sa_host_footprint(const sa_hw_cfg *hw, int64_t k, int64_t n, const uint8_t *keep,
                       int64_t *weight_bytes, int64_t *meta_bytes) {
  const int64_t r = hw->rows, cl = hw->cols, kt_n = ceil_div(k, r), nt_n = ceil_div(n, cl);
  const int64_t tiles = kt_n * nt_n, tile_bytes = r * cl;
  int64_t kept = 0, real = 0; /* kept tiles, and their unpadded bytes */
  for (int64_t kt = 0; kt < kt_n; kt++)
    for (int64_t nt = 0; nt < nt_n; nt++)
      if (!keep || keep[kt * nt_n + nt]) {
        kept++;
        real += (k - kt * r < r ? k - kt * r : r) * (n - nt * cl < cl ? n - nt * cl : cl);
      }
  if (hw->integration == SA_INTEG_DMA) {
    *weight_bytes = real;
    *meta_bytes = ceil_div(tiles, 8);
    return;
  }
  *weight_bytes = kept * tile_bytes; /* the reference stores whole (padded) tiles */
  switch (hw->skip_format) {
  case SA_SKIP_INTERLEAVED: *meta_bytes = nt_n * 4 * (1 + ceil_div(kt_n, 32)); break;
  case SA_SKIP_WITH_FLAG: *meta_bytes = 4 * ceil_div(tiles, 32); break;
  case SA_SKIP_META_DATA: *meta_bytes = 4 * ceil_div(nt_n + tiles, 32); break;
  case SA_SKIP_HIDDEN_KEY: *meta_bytes = 4 * (tiles - kept); break;
  case SA_SKIP_CSR: *meta_bytes = 4 * (kt_n + 1) + 4 * kept; break;
  case SA_SKIP_CSC: *meta_bytes = 4 * (nt_n + 1) + 4 * kept; break;
  case SA_SKIP_BITMAP: *meta_bytes = ceil_div(tiles, 8); break;
  default: /* dynamic, non_pruned: every tile stored, zeros included; no metadata */
    *weight_bytes = tiles * tile_bytes;
    *meta_bytes = 0;
    break;
  }
}

double sa_host_cpu_fed_cycles(const sa_hw_cfg *hw, const sa_counts *c) {
  return (double)c->ins_write_weights * ((double)hw->instr_write_weights + hw->loop_weight) +
         (double)c->ins_queue * ((double)hw->instr_queue + hw->loop_stream) +
         (double)c->ins_stream * ((double)hw->instr_stream + hw->loop_stream) +
         (double)c->cpu_adds * (hw->act_type == SA_ACT_FP32 ? hw->add_fp32 : hw->add_int8) +
         (double)c->walk_strips * hw->walk_strip[hw->skip_format] +
         (double)c->walk_tiles * hw->walk_tile[hw->skip_format] +
         (double)c->walk_words * hw->walk_word;
}

double sa_host_op_cost(const sa_host_cfg *h, int op) {
  switch (op) {
  case SA_HOSTOP_LAYERNORM: return h->layernorm;
  case SA_HOSTOP_SOFTMAX: return h->softmax;
  case SA_HOSTOP_GELU: return h->gelu;
  case SA_HOSTOP_RELU: return h->relu;
  case SA_HOSTOP_ADD: return h->add;
  case SA_HOSTOP_QUANTIZE: return h->quantize;
  case SA_HOSTOP_DEQUANTIZE: return h->dequantize;
  case SA_HOSTOP_ARGMAX: return h->argmax;
  case SA_HOSTOP_ATTN_MATMUL: return h->attn_mac;
  case SA_HOSTOP_CONV_PAD: return h->conv_pad;
  default: break;
  }
  SA_ASSERT(0 && "unknown host op");
  return 0;
}

double sa_host_ops_cycles(const sa_host_cfg *h, const sa_manifest *man) {
  double s = 0;
  for (int i = 0; i < man->n_hostops; i++) {
    const sa_hostop *o = &man->hostops[i];
    s += (double)o->elements * (double)o->count * sa_host_op_cost(h, o->op);
  }
  return s;
}

double sa_host_gemm_only_cycles(const sa_host_cfg *h, const sa_manifest *man) {
  double s = 0;
  for (int i = 0; i < man->n_layers; i++) {
    const sa_layer *l = &man->layers[i];
    /* an activation x activation product costs what the host op attn_matmul does */
    s += (double)l->m * (double)l->k * (double)l->n * (double)l->count *
         (l->role == SA_ROLE_ATTN_MATMUL ? h->attn_mac : h->gemm_mac);
  }
  return s;
}

double sa_host_from_accel(const sa_config *cfg, double accel_cycles) {
  return accel_cycles * cfg->host.clock_mhz / cfg->hw.clock_mhz;
}
