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
  bool act_fp = false;  // fp32 activations and partial sums (ActFp; CPU port only)
  int64_t max_m = 0;  // rows per command (the activation buffer and accumulators)

  // Opens a wave file (the context must have traceEverOn). Returns false if it failed.
  virtual bool trace_open(const char *path) = 0;
  // Applies reset for two cycles.
  virtual void reset() = 0;
  // One clock cycle: rising edge (the design samples inputs; outputs are settled after it),
  // then the clock falls and the harness changes inputs for the next cycle. Nothing in
  // sa_top is clocked on the falling edge, so it is evaluated with the next settle(),
  // command() or cpu_mode() (one eval() fewer per cycle: each settles every input-dependent
  // net of the design again).
  virtual void tick() = 0;
  // Settles combinational outputs after inputs changed (and the clock fell).
  virtual void settle() = 0;
  virtual void command(bool valid, uint32_t m, uint32_t k, uint32_t n, uint32_t tiles) = 0;
  virtual bool ready() = 0;
  virtual bool done() = 0;
  // Input streams: drive valid and the beat; *_ready after settle().
  virtual void tile_in(bool valid, uint32_t kt, uint32_t nt) = 0;
  virtual bool tile_ready() = 0;
  virtual void w_in(bool valid, const int8_t *lanes) = 0;  // cols lanes
  virtual bool w_ready() = 0;
  virtual void x_in(bool valid, const int8_t *lanes) = 0;  // rows lanes
  virtual bool x_ready() = 0;
  // Output stream: the sink's ready; the beat (row, strip, cols lanes) when out_valid().
  virtual void out_ready(bool ready) = 0;
  virtual bool out_valid() = 0;
  virtual void out_beat(int64_t *row, int64_t *nt, int32_t *lanes) = 0;
  // True in the first stream cycle of a kept tile, which is returned in kt, nt.
  virtual bool tile_start(int64_t *kt, int64_t *nt) = 0;
  virtual bool stall() = 0;
  // CPU port (integration cpu_fed, rtl/sa_cpu_if.sv): the mode pin, one instruction offered
  // (kind, one 32-bit bus word), its ready, and the returned word of the last cycle's
  // instruction (valid, flag, word, the int32 outputs behind its 4 lanes).
  virtual void cpu_mode(bool on) = 0;
  virtual void ins(bool valid, int op, uint32_t data) = 0;
  virtual bool ins_ready() = 0;
  virtual bool rsp(bool *flag, uint32_t *word, int32_t *lanes) = 0;
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
    top_->cpu_mode_i = 0;
    top_->ins_valid_i = 0;
    top_->cmd_valid_i = 0;
    top_->tile_valid_i = 0;
    top_->w_valid_i = 0;
    top_->x_valid_i = 0;
    top_->out_ready_i = 0;
    eval();
    tick();
    tick();
    top_->rst_ni = 1;
    eval();
  }

  void tick() override {
    // A tick right after another (reset, waits) must evaluate the previous falling edge
    // first, or the model would see no rising edge now.
    if (fell_) eval();
    ctx_->timeInc(1);
    top_->clk_i = 1;
    eval();
    ctx_->timeInc(1);
    top_->clk_i = 0;  // evaluated with the next inputs (see tick() above)
    fell_ = true;
  }

  void settle() override { eval(); }

  void command(bool valid, uint32_t m, uint32_t k, uint32_t n, uint32_t tiles) override {
    top_->cmd_valid_i = valid;
    top_->cmd_m_i = m;
    top_->cmd_k_i = k;
    top_->cmd_n_i = n;
    top_->cmd_tiles_i = tiles;
    eval();
  }

  bool ready() override { return top_->cmd_ready_o; }
  bool done() override { return top_->done_o; }

  void tile_in(bool valid, uint32_t kt, uint32_t nt) override {
    top_->tile_valid_i = valid;
    top_->tile_kt_i = kt;
    top_->tile_nt_i = nt;
  }
  bool tile_ready() override { return top_->tile_ready_o; }

  void w_in(bool valid, const int8_t *lanes) override {
    top_->w_valid_i = valid;
    if (valid) pack(lanes, cols, top_->w_data_i);
  }
  bool w_ready() override { return top_->w_ready_o; }

  void x_in(bool valid, const int8_t *lanes) override {
    top_->x_valid_i = valid;
    if (valid) pack(lanes, rows, top_->x_data_i);
  }
  bool x_ready() override { return top_->x_ready_o; }

  void out_ready(bool ready) override { top_->out_ready_i = ready; }
  bool out_valid() override { return top_->out_valid_o; }
  void out_beat(int64_t *row, int64_t *nt, int32_t *lanes) override {
    *row = top_->out_row_o;
    *nt = top_->out_nt_o;
    for (int c = 0; c < cols; c++)
      lanes[c] = static_cast<int32_t>(sa_rtl_ports::word(top_->out_data_o, c));
  }

  bool tile_start(int64_t *kt, int64_t *nt) override {
    *kt = top_->tile_kt_o;
    *nt = top_->tile_nt_o;
    return top_->tile_start_o;
  }
  bool stall() override { return top_->stall_o; }

  void cpu_mode(bool on) override {
    top_->cpu_mode_i = on;
    eval();
  }
  void ins(bool valid, int op, uint32_t data) override {
    top_->ins_valid_i = valid;
    top_->ins_op_i = static_cast<uint8_t>(op);
    top_->ins_data_i = data;
  }
  bool ins_ready() override { return top_->ins_ready_o; }
  bool rsp(bool *flag, uint32_t *word, int32_t *lanes) override {
    *flag = top_->rsp_flag_o;
    *word = static_cast<uint32_t>(top_->rsp_data_o);
    for (int p = 0; p < 4; p++)
      lanes[p] = static_cast<int32_t>(sa_rtl_ports::word(top_->rsp_psum_o, p));
    return top_->rsp_valid_o;
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

  // Evaluates; dumps waves once per time step (the falling edge's step shows the inputs of
  // the next cycle, set before it is evaluated).
  void eval() {
    top_->eval();
    fell_ = false;
#if VM_TRACE
    if (tfp_ && (!dumped_ || ctx_->time() > last_dump_)) {
      tfp_->dump(ctx_->time());
      last_dump_ = ctx_->time();
      dumped_ = true;
    }
#endif
  }

  bool fell_ = false;  // the clock fell since the last eval()
  VerilatedContext *ctx_;
  std::unique_ptr<VTop> top_;
  std::unique_ptr<VerilatedFstC> tfp_;
  uint64_t last_dump_ = 0;
  bool dumped_ = false;
};

#endif
