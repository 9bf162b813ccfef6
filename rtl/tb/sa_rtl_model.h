// sa_rtl_model: the per-size part of the Verilator harness. SaRtlModel is the size-independent
// interface sa_rtl.cpp drives; SaRtlModelImpl<VTop> implements it for one Verilated sa_top
// class (port widths differ between sizes, so port access goes through overloads). Compiled
// per model with that model's VM_TRACE: only traced models can open a wave file.
#ifndef SA_RTL_MODEL_H
#define SA_RTL_MODEL_H

#include <cstdint>
#include <memory>
#include <vector>

#include "verilated.h"
#include "verilated_fst_c.h"

class SaRtlModel {
 public:
  virtual ~SaRtlModel() = default;
  int rows = 0, cols = 0;
  int64_t max_m = 0, max_k = 0, max_n = 0;
  int64_t max_kt = 0, max_nt = 0;

  // Opens a wave file (the context must have traceEverOn). Returns false if it failed.
  virtual bool trace_open(const char *path) = 0;
  // Applies reset for two cycles.
  virtual void reset() = 0;
  // One clock cycle: rising edge (the design samples inputs), then falling edge, where the
  // harness changes inputs for the next cycle.
  virtual void tick() = 0;
  virtual void host_x(bool we, uint32_t addr, const int8_t *lanes) = 0;  // rows lanes
  virtual void host_w(bool we, uint32_t addr, const int8_t *lanes) = 0;  // cols lanes
  virtual void host_mask(bool we, uint32_t nt, const uint32_t *words) = 0;  // max_kt bits
  virtual void command(bool valid, uint32_t m, uint32_t k, uint32_t n) = 0;
  virtual bool ready() = 0;
  virtual bool done() = 0;
  // True in the first stream cycle of a kept tile, which is returned in kt, nt.
  virtual bool tile_start(int64_t *kt, int64_t *nt) = 0;
  // Reads row m of strip nt of the output buffer (cols values), settling combinationally.
  virtual void read_row(uint32_t nt, uint32_t m, int32_t *out) = 0;
  virtual void finish() = 0;
};

namespace sa_rtl_ports {

// Packs little-endian 32-bit words into a port of any Verilated width.
template <class T>
inline void put(T &port, const uint32_t *w, int nwords) {
  uint64_t v = w[0];
  if (nwords > 1 && sizeof(T) > 4) v |= static_cast<uint64_t>(w[1]) << 32;
  port = static_cast<T>(v);
}
template <std::size_t N>
inline void put(VlWide<N> &port, const uint32_t *w, int nwords) {
  for (std::size_t i = 0; i < N; i++) port[i] = static_cast<int>(i) < nwords ? w[i] : 0;
}

template <class T>
inline uint32_t word(const T &port, int i) {
  return static_cast<uint32_t>(static_cast<uint64_t>(port) >> (32 * i));
}
template <std::size_t N>
inline uint32_t word(const VlWide<N> &port, int i) {
  return port[i];
}

}  // namespace sa_rtl_ports

template <class VTop>
class SaRtlModelImpl : public SaRtlModel {
 public:
  explicit SaRtlModelImpl(VerilatedContext *ctx) : ctx_(ctx), top_(new VTop(ctx, "sa_top")) {}

  bool trace_open(const char *path) override {
#if VM_TRACE
    tfp_.reset(new VerilatedFstC);
    top_->trace(tfp_.get(), 99);
    tfp_->open(path);
    return tfp_->isOpen();
#else
    (void)path;
    return false;
#endif
  }

  void reset() override {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->cmd_valid_i = 0;
    top_->host_x_we_i = 0;
    top_->host_w_we_i = 0;
    top_->host_mask_we_i = 0;
    eval();
    tick();
    tick();
    top_->rst_ni = 1;
    eval();
  }

  void tick() override {
    ctx_->timeInc(1);
    top_->clk_i = 1;
    eval();
    ctx_->timeInc(1);
    top_->clk_i = 0;
    eval();
  }

  void host_x(bool we, uint32_t addr, const int8_t *lanes) override {
    top_->host_x_we_i = we;
    if (!we) return;
    top_->host_x_addr_i = addr;
    pack(lanes, rows, top_->host_x_wdata_i);
  }

  void host_w(bool we, uint32_t addr, const int8_t *lanes) override {
    top_->host_w_we_i = we;
    if (!we) return;
    top_->host_w_addr_i = addr;
    pack(lanes, cols, top_->host_w_wdata_i);
  }

  void host_mask(bool we, uint32_t nt, const uint32_t *words) override {
    top_->host_mask_we_i = we;
    if (!we) return;
    top_->host_mask_nt_i = nt;
    sa_rtl_ports::put(top_->host_mask_wdata_i, words, static_cast<int>((max_kt + 31) / 32));
  }

  void command(bool valid, uint32_t m, uint32_t k, uint32_t n) override {
    top_->cmd_valid_i = valid;
    top_->cmd_m_i = m;
    top_->cmd_k_i = k;
    top_->cmd_n_i = n;
    eval();
  }

  bool ready() override { return top_->cmd_ready_o; }
  bool done() override { return top_->done_o; }
  bool tile_start(int64_t *kt, int64_t *nt) override {
    *kt = top_->tile_kt_o;
    *nt = top_->tile_nt_o;
    return top_->tile_start_o;
  }

  void read_row(uint32_t nt, uint32_t m, int32_t *out) override {
    top_->host_rd_strip_i = nt;
    top_->host_rd_row_i = m;
    top_->eval();
    for (int c = 0; c < cols; c++)
      out[c] = static_cast<int32_t>(sa_rtl_ports::word(top_->host_rd_data_o, c));
  }

  void finish() override {
    top_->final();
    if (tfp_) tfp_->close();
    tfp_.reset();
  }

 private:
  template <class P>
  void pack(const int8_t *lanes, int n, P &port) {
    uint32_t w[64] = {0};  // up to 256 lanes
    for (int i = 0; i < n; i++)
      w[i / 4] |= static_cast<uint32_t>(static_cast<uint8_t>(lanes[i])) << (8 * (i % 4));
    sa_rtl_ports::put(port, w, (n + 3) / 4);
  }

  // Evaluates; dumps waves once per time step (input changes between clock edges show up
  // at the next edge's dump).
  void eval() {
    top_->eval();
#if VM_TRACE
    if (tfp_ && (!dumped_ || ctx_->time() > last_dump_)) {
      tfp_->dump(ctx_->time());
      last_dump_ = ctx_->time();
      dumped_ = true;
    }
#endif
  }

  VerilatedContext *ctx_;
  std::unique_ptr<VTop> top_;
  std::unique_ptr<VerilatedFstC> tfp_;
  uint64_t last_dump_ = 0;
  bool dumped_ = false;
};

#endif
