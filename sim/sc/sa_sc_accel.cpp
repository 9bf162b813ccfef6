/* sa_sc_accel: the accelerator of the system model (docs/system.md §3): control and cpu_fed
 * instruction targets, the DMA engine (three channels on the interconnect) that moves the
 * traffic of sa_mem's schedule, and the two array back-ends (C cycle model, Verilator RTL). */
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include "sa_sc_model.h"

#include "sa_mem.h"
#include "sa_rng.h"
#include "sa_timing.h"
#ifdef SA_HAVE_RTL
#include "sa_rtl.h"
#endif

namespace sa_sc {

using sc_core::sc_time;

/* ---- back-ends ---- */

namespace {

struct c_backend : backend {
  const sa_config *cfg;
  explicit c_backend(const sa_config *c) : cfg(c) {}
  int run(const command &c, int64_t *cycles, sa_err *) override {
    *cycles = sa_timing_command_cycles(cfg->hw.rows, cfg->hw.cols, c.m, c.k, c.n, c.keep);
    commands++;
    return 0;
  }
};

#ifdef SA_HAVE_RTL
/* Runs each distinct command (same layer, shape and mask) once on the RTL with synthetic
 * operands — the array's timing does not depend on the values — and reuses its cycles. */
struct rtl_backend : backend {
  sa_rtl *r = nullptr;
  std::map<int64_t, int64_t> cache;
  uint64_t rng = 0;
  ~rtl_backend() override { sa_rtl_close(r); }
  int8_t next() { return (int8_t)(sa_rng_splitmix64(&rng) & 0xff); }
  int run(const command &c, int64_t *cycles, sa_err *e) override {
    auto it = cache.find(c.key);
    if (it != cache.end()) {
      *cycles = it->second;
      return 0;
    }
    int64_t mm, mk, mn;
    sa_rtl_limits(r, &mm, &mk, &mn);
    if (c.m > mm || c.k > mk || c.n > mn)
      return sa_err_set(e, "RTL back-end: command %lld x %lld x %lld exceeds the RTL model's "
                        "memories (M <= %lld, K <= %lld, N <= %lld)", (long long)c.m,
                        (long long)c.k, (long long)c.n, (long long)mm, (long long)mk,
                        (long long)mn);
    std::vector<int8_t> x((size_t)(c.m * c.k)), w((size_t)(c.k * c.n));
    std::vector<int32_t> y((size_t)(c.m * c.n));
    for (auto &v : x) v = next();
    for (auto &v : w) v = next();
    int64_t cyc = 0;
    if (sa_rtl_run(r, x.data(), w.data(), c.m, c.k, c.n, c.keep, nullptr, y.data(), &cyc))
      return sa_err_set(e, "RTL back-end: %s", sa_rtl_error(r));
    cache[c.key] = cyc;
    commands++;
    *cycles = cyc;
    return 0;
  }
};
#endif

}  // namespace

std::unique_ptr<backend> make_c_backend(const sa_config *cfg) {
  return std::unique_ptr<backend>(new c_backend(cfg));
}

int rtl_available(int64_t rows, int64_t cols) {
#ifdef SA_HAVE_RTL
  for (int i = 0; i < sa_rtl_n_sizes(); i++) {
    int r, c;
    sa_rtl_size(i, &r, &c);
    if (r == rows && c == cols) return 1;
  }
#else
  (void)rows;
  (void)cols;
#endif
  return 0;
}

std::unique_ptr<backend> make_rtl_backend(const sa_config *cfg, sa_err *e) {
#ifdef SA_HAVE_RTL
  char msg[512] = "";
  std::unique_ptr<rtl_backend> b(new rtl_backend);
  b->r = sa_rtl_open((int)cfg->hw.rows, (int)cfg->hw.cols, NULL, NULL, msg, sizeof msg);
  if (!b->r) {
    sa_err_set(e, "RTL back-end: %s", msg);
    return nullptr;
  }
  return std::unique_ptr<backend>(b.release());
#else
  sa_err_set(e, "RTL back-end: this sasp was built without the Verilator RTL "
             "(meson -Drtl=enabled); array %lldx%lld", (long long)cfg->hw.rows,
             (long long)cfg->hw.cols);
  return nullptr;
#endif
}

/* ---- accelerator ---- */

accel::accel(sc_core::sc_module_name n, const sa_config *cfg, const clocks *ck, backend *be,
             bus *b)
    : sc_module(n), ctl("ctl"), instr("instr"),
      dma{tlm_utils::simple_initiator_socket<accel>("dma_weights"),
          tlm_utils::simple_initiator_socket<accel>("dma_activations"),
          tlm_utils::simple_initiator_socket<accel>("dma_outputs")},
      cfg_(cfg), ck_(ck), be_(be), bus_(b) {
  e.msg[0] = 0;
  ctl.register_b_transport(this, &accel::ctl_transport);
  instr.register_b_transport(this, &accel::instr_transport);
  SC_HAS_PROCESS(accel);
  for (int ch = 0; ch < CH_COUNT; ch++) {
    sc_core::sc_spawn_options o;
    o.set_stack_size(64 * 1024);
    sc_core::sc_spawn([this, ch]() { channel(ch); }, sc_core::sc_gen_unique_name("chan"), &o);
  }
}

/* A DMA channel: one transfer at a time, as one TLM transaction on the interconnect. */
void accel::channel(int ch) {
  request &r = req_[ch];
  tlm::tlm_generic_payload p;
  xfer_ext ext;
  p.set_extension(&ext);
  for (;;) {
    wait(r.go);
    ext.kind = r.kind;
    ext.open = r.open;
    /* Each buffer region lives in its own bank when there are enough banks. */
    ext.bank = ch % (int)cfg_->system.dram_banks;
    p.set_command(ch == CH_OUTPUTS ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(0);
    p.set_data_ptr(nullptr);
    p.set_data_length((unsigned)r.bytes);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = sc_core::SC_ZERO_TIME;
    dma[ch]->b_transport(p, d);
    SA_ASSERT(p.get_response_status() == tlm::TLM_OK_RESPONSE);
    r.busy = false;
    r.t_done = sc_core::sc_time_stamp();
    r.done.notify();
  }
}

void accel::post(int ch, int kind, int64_t bytes, bool open) {
  request &r = req_[ch];
  SA_ASSERT(!r.busy);
  SA_ASSERT(bytes >= 0 && bytes <= max_transfer);
  r.t_done = sc_core::sc_time_stamp();
  if (bytes == 0) return;
  r.bytes = bytes;
  r.kind = kind;
  r.open = open;
  r.busy = true;
  r.go.notify();
}

/* Waits until the reads posted on the weight and activation channels are done and at least
 * min_cycles have passed since t0; the cycles beyond min_cycles are stall, charged to the
 * reads still running then, in order of completion (stall[XK_*]; the mask counts as
 * weights). The output channel drains in the background and is not waited for here. */
void accel::wait_reads(sc_time t0, int64_t min_cycles, int64_t *stall) {
  for (int ch = CH_WEIGHTS; ch <= CH_ACTS; ch++)
    while (req_[ch].busy) wait(req_[ch].done);
  sc_time t_min = t0 + ck_->accel_cycles(min_cycles);
  if (sc_core::sc_time_stamp() < t_min) wait(t_min - sc_core::sc_time_stamp());
  int idx[2] = {CH_WEIGHTS, CH_ACTS};
  if (req_[CH_ACTS].t_done < req_[CH_WEIGHTS].t_done) std::swap(idx[0], idx[1]);
  sc_time from = t_min;
  for (int i : idx) {
    request &r = req_[i];
    if (r.t_done > from) {
      int kind = r.kind == XK_MASK ? XK_WEIGHTS : r.kind;
      stall[kind] += (int64_t)std::llround(ck_->to_accel_cycles(r.t_done - from));
      from = r.t_done;
    }
    r.t_done = t0; /* forget this batch */
  }
}

/* Waits until the output channel has drained what it was given; the wait is an output
 * stall (the output buffer half it occupies is needed again). */
void accel::wait_outputs(int64_t *stall) {
  sc_time t0 = sc_core::sc_time_stamp();
  while (req_[CH_OUTPUTS].busy) wait(req_[CH_OUTPUTS].done);
  stall[XK_OUTPUTS] += (int64_t)std::llround(ck_->to_accel_cycles(sc_core::sc_time_stamp() - t0));
}

namespace {

/* The kept tiles of a command in visit order (strip by strip, each strip's K-blocks up to its
 * last kept one), made one at a time with their sa_mem traffic: w weight bytes, a activation
 * bytes fetched (residency), o output bytes that drain once the tile has closed its strip,
 * including the zeros of the fully pruned strips right after it. Holds the three tiles a DMA
 * step needs (t, t+1, t+2), never the whole command: memory does not grow with its size. */
class tile_stream {
 public:
  struct tile {
    int64_t w, a, o;
  };
  tile_stream(const sa_hw_cfg *hw, const command &c)
      : hw_(hw), c_(c), kt_n_(sa_timing_tiles_k(c.k, hw->rows)),
        nt_n_(sa_timing_tiles_n(c.n, hw->cols)), seen_((size_t)kt_n_, 0) {
    std::memset(&cnt_, 0, sizeof cnt_);
    std::memset(&tm_, 0, sizeof tm_);
    sa_mem_begin(&mem_, hw, c.m, c.k, seen_.data());
  }
  /* Tile i, or NULL past the last kept tile. i may be at most 2 beyond the oldest tile still
   * used. Tile i's o is final once tile i+1 has been asked for. */
  const tile *at(int64_t i) {
    SA_ASSERT(i >= made_ - (int64_t)RING);
    while (made_ <= i && make()) {
    }
    return i < made_ ? &ring_[(size_t)(i % (int64_t)RING)] : nullptr;
  }
  /* Zeros of the pruned strips before the first kept tile (all of them when none is kept);
   * final once tile 0 has been asked for. */
  int64_t initial() const { return initial_; }

 private:
  static const size_t RING = 3;
  bool kept(int64_t kt, int64_t nt) const { return !c_.keep || c_.keep[kt * nt_n_ + nt]; }
  /* Makes the next tile into the ring; false at the end of the command. */
  bool make() {
    const int64_t r = hw_->rows, cl = hw_->cols;
    while (nt_ < nt_n_) {
      const int64_t cols = std::min(cl, c_.n - nt_ * cl);
      if (last_ < 0) { /* entering strip nt_: find its last kept tile */
        for (int64_t kt = kt_n_ - 1; kt >= 0 && last_ < 0; kt--)
          if (kept(kt, nt_)) last_ = kt;
        if (last_ < 0) {
          (made_ ? ring_[(size_t)((made_ - 1) % (int64_t)RING)].o : initial_) += c_.m * cols * 4;
          nt_++;
          continue;
        }
        kt_ = 0;
      }
      while (!kept(kt_, nt_)) kt_++;
      const int64_t kt = kt_++;
      const bool closes = kt == last_;
      const int64_t rows = std::min(r, c_.k - kt * r);
      sa_mem_tile mt = {kt, nt_, rows, cols, closes};
      const int64_t before = cnt_.dram_read;
      sa_mem_add_tile(&mem_, &mt, &cnt_, &tm_);
      const int64_t w = rows * cols;
      ring_[(size_t)(made_ % (int64_t)RING)] = {w, cnt_.dram_read - before - w,
                                                closes ? c_.m * cols * 4 : 0};
      made_++;
      if (closes) {
        last_ = -1;
        nt_++;
      }
      return true;
    }
    return false;
  }
  const sa_hw_cfg *hw_;
  const command &c_;
  const int64_t kt_n_, nt_n_;
  std::vector<uint8_t> seen_; /* KT bytes: sa_mem's activation residency */
  sa_mem mem_;
  sa_counts cnt_;
  sa_time tm_;
  tile ring_[RING] = {};
  int64_t made_ = 0, initial_ = 0;
  int64_t nt_ = 0, kt_ = 0, last_ = -1; /* next tile: strip, K-block; strip's last kept */
};

}  // namespace

/* The DMA schedule of the fast memory model (sim/arch/sa_mem.c, docs/timing.md 7), as real
 * transfers: prologue — the mask (opens the stream: latencies once), then the weights of
 * tiles 0 and 1 and the activations of tile 0; tile 0's weight load; step t (tile t streams,
 * at least S cycles) reads the weights of tile t+2 and the activations of tile t+1; the
 * outputs of a finished strip (with the zeros of the pruned strips after it) drain on the
 * output channel from the next step on, in whatever interconnect/DRAM capacity the reads
 * leave, and must be out when the next strip finishes; epilogue: the last strip drains.
 * kept: the command's kept tiles. Returns 0, or -1 with e filled when a transfer exceeds
 * what one interconnect transaction carries (max_transfer). */
int accel::run_dma(const command &c, int64_t array_cycles, int64_t kept) {
  const int64_t r = cfg_->hw.rows;
  const int64_t tiles = sa_timing_tiles_k(c.k, r) * sa_timing_tiles_n(c.n, cfg_->hw.cols);
  tile_stream ts(&cfg_->hw, c);
  const int64_t s = kept ? (array_cycles - r) / kept : 0;
  const sc_time t_cmd = sc_core::sc_time_stamp();
  int64_t stall[XK_COUNT] = {0, 0, 0, 0};
  bus_->command++;
  const tile_stream::tile *t0 = ts.at(0), *t1 = ts.at(1);
  const int64_t mask_bytes = (tiles + 7) / 8;
  if (mask_bytes > max_transfer) return too_large(c, "mask", mask_bytes);
  if (ts.initial() > max_transfer) return too_large(c, "output", ts.initial());
  post(CH_WEIGHTS, XK_MASK, mask_bytes, true);
  wait_reads(sc_core::sc_time_stamp(), 0, stall);
  if (t0) {
    post(CH_WEIGHTS, XK_WEIGHTS, t0->w + (t1 ? t1->w : 0), false);
    post(CH_ACTS, XK_ACTS, t0->a, false);
    wait_reads(sc_core::sc_time_stamp(), 0, stall);
    wait(ck_->accel_cycles(r)); /* tile 0's weights shift into the shadow registers */
  }
  post(CH_OUTPUTS, XK_OUTPUTS, ts.initial(), false);
  for (int64_t t = 0; t < kept; t++) {
    sc_time ts0 = sc_core::sc_time_stamp();
    const tile_stream::tile *w2 = ts.at(t + 2), *a1 = ts.at(t + 1), *cur = ts.at(t);
    SA_ASSERT(cur);
    post(CH_WEIGHTS, XK_WEIGHTS, w2 ? w2->w : 0, false);
    post(CH_ACTS, XK_ACTS, a1 ? a1->a : 0, false);
    wait_reads(ts0, s, stall);
    if (cur->o) { /* tile t closed a strip: the previous one must be out */
      if (cur->o > max_transfer) return too_large(c, "output", cur->o);
      wait_outputs(stall);
      post(CH_OUTPUTS, XK_OUTPUTS, cur->o, false);
    }
  }
  SA_ASSERT(!ts.at(kept));
  wait_outputs(stall);
  last.array = array_cycles;
  last.stall_w = stall[XK_WEIGHTS];
  last.stall_a = stall[XK_ACTS];
  last.stall_o = stall[XK_OUTPUTS];
  last.accel = (int64_t)std::llround(ck_->to_accel_cycles(sc_core::sc_time_stamp() - t_cmd));
  SA_ASSERT(last.accel == last.array + last.stall_w + last.stall_a + last.stall_o);
  return 0;
}

int accel::too_large(const command &c, const char *what, int64_t bytes) {
  return sa_err_set(&e, "command %lld x %lld x %lld: its %s transfer of %lld bytes exceeds the "
                    "system model's largest interconnect transaction (%lld bytes, "
                    "docs/system.md 7)", (long long)c.m, (long long)c.k, (long long)c.n, what,
                    (long long)bytes, (long long)max_transfer);
}

/* Control target: a GEMM command. dma: blocks until done; cpu_fed: times the array with
 * the back-end (the host then drives it with instructions). The payload's data is a
 * command; its cycles come back in last. */
void accel::ctl_transport(tlm::tlm_generic_payload &p, sc_time &d) {
  if (d != sc_core::SC_ZERO_TIME) {
    wait(d);
    d = sc_core::SC_ZERO_TIME;
  }
  SA_ASSERT(p.get_data_length() == sizeof(command));
  const command &c = *reinterpret_cast<const command *>(p.get_data_ptr());
  last = command_time();
  int64_t cycles = 0;
  if (be_->run(c, &cycles, &e)) {
    err = 1;
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  int64_t kept = 0;
  const int64_t kt_n = sa_timing_tiles_k(c.k, cfg_->hw.rows);
  const int64_t nt_n = sa_timing_tiles_n(c.n, cfg_->hw.cols);
  for (int64_t i = 0; i < kt_n * nt_n; i++) kept += !c.keep || c.keep[i];
  const int64_t r = cfg_->hw.rows;
  if (kept ? cycles < r || (cycles - r) % kept : cycles != 0) {
    sa_err_set(&e, "array back-end: command %lld x %lld x %lld with %lld kept tiles took %lld "
               "cycles, not of the form R + T*S (docs/timing.md 5)", (long long)c.m,
               (long long)c.k, (long long)c.n, (long long)kept, (long long)cycles);
    err = 1;
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (cfg_->hw.integration == SA_INTEG_DMA) {
    if (run_dma(c, cycles, kept)) {
      err = 1;
      p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
  } else {
    last.array = last.accel = cycles;
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

/* Narrow path (cpu_fed): a group of identical custom instructions, one after the other,
 * each taking its configured host cycles. */
void accel::instr_transport(tlm::tlm_generic_payload &p, sc_time &d) {
  SA_ASSERT(p.get_data_length() == sizeof(instr_group));
  const instr_group &g = *reinterpret_cast<const instr_group *>(p.get_data_ptr());
  instr_transactions++;
  wait(d + ck_->host_cycles((double)g.count * (double)g.cycles_each));
  d = sc_core::SC_ZERO_TIME;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace sa_sc
