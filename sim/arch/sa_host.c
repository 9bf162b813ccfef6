/* sa_host: host CPU costs (docs/timing.md §8). */
#include "sa_host.h"

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

void sa_host_cpu_fed_tile(const sa_hw_cfg *hw, int64_t m, int64_t cols, sa_counts *c) {
  int64_t lanes = hw->bus_bits / 8; /* int8 values per bus transfer (bus_bits >= 8) */
  c->ins_write_weights += ceil_div(hw->rows * hw->cols, lanes);
  c->ins_queue_input += ceil_div(m * hw->rows, lanes);
  c->ins_stream += m + hw->rows + hw->cols - 1;
  c->ins_read_output += m * cols;
  c->cpu_accumulates += m * cols;
}

double sa_host_cpu_fed_cycles(const sa_hw_cfg *hw, const sa_counts *c) {
  return (double)c->ins_write_weights * (double)hw->instr_write_weights +
         (double)c->ins_queue_input * (double)hw->instr_queue_input +
         (double)c->ins_stream * (double)hw->instr_stream +
         (double)c->ins_read_output * (double)hw->instr_read_output +
         (double)c->cpu_accumulates * (double)hw->cpu_accumulate;
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
    s += (double)l->m * (double)l->k * (double)l->n * (double)l->count * h->gemm_mac;
  }
  return s;
}

double sa_host_from_accel(const sa_config *cfg, double accel_cycles) {
  return accel_cycles * cfg->host.clock_mhz / cfg->hw.clock_mhz;
}
