/* sa_sc_accel: the accelerator of the system model (docs/system.md §3): control and cpu_fed
 * instruction targets, the DMA engine (three channels on the interconnect) that moves the
 * traffic of sa_mem's schedule, and the two array back-ends (C cycle model, Verilator RTL). */
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include "sa_sc_model.h"

extern "C" {
#include "sa_mem.h"
#include "sa_timing.h"
#ifdef SA_HAVE_RTL
#include "sa_rtl.h"
#endif
}

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
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  ~rtl_backend() override { sa_rtl_close(r); }
  int8_t next() {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int8_t)(rng & 0xff);
  }
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
    if (sa_rtl_run(r, x.data(), w.data(), c.m, c.k, c.n, c.keep, y.data(), &cyc))
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
  b->r = sa_rtl_open((int)cfg->hw.rows, (int)cfg->hw.cols, NULL, msg, sizeof msg);
  if (!b->r) {
    sa_err_set(e, "RTL back-end: %s (built sizes: %s)", msg, sa_rtl_sizes_text());
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
  SA_ASSERT(bytes >= 0 && bytes <= (int64_t)0xffffffffu);
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

/* The DMA schedule of the fast memory model (sim/sa_mem.c, docs/timing.md 7), as real
 * transfers: prologue — the mask (opens the stream: latencies once), then the weights of
 * tiles 0 and 1 and the activations of tile 0; tile 0's weight load; step t (tile t streams,
 * at least S cycles) reads the weights of tile t+2 and the activations of tile t+1; the
 * outputs of a finished strip (with the zeros of the pruned strips after it) drain on the
 * output channel from the next step on, in whatever interconnect/DRAM capacity the reads
 * leave, and must be out when the next strip finishes; epilogue: the last strip drains. */
void accel::run_dma(const command &c, int64_t array_cycles) {
  const sa_hw *hw = &cfg_->hw;
  const int64_t r = hw->rows, cl = hw->cols;
  const int64_t kt_n = sa_timing_tiles_k(c.k, r), nt_n = sa_timing_tiles_n(c.n, cl);
  struct tile {
    int64_t w, a, o; /* o: bytes that drain once this tile has closed its strip */
  };
  std::vector<tile> tiles;
  std::vector<uint8_t> seen((size_t)kt_n, 0);
  sa_mem mem;
  sa_counts cnt;
  sa_time tm;
  std::memset(&cnt, 0, sizeof cnt);
  std::memset(&tm, 0, sizeof tm);
  sa_mem_begin(&mem, hw, c.m, c.k, seen.data());
  int64_t initial = 0; /* zeros of pruned strips before the first kept tile */
  for (int64_t nt = 0; nt < nt_n; nt++) {
    int64_t cols = std::min(cl, c.n - nt * cl);
    int64_t last = -1;
    for (int64_t kt = kt_n - 1; kt >= 0; kt--)
      if (!c.keep || c.keep[kt * nt_n + nt]) {
        last = kt;
        break;
      }
    if (last < 0) {
      (tiles.empty() ? initial : tiles.back().o) += c.m * cols * 4;
      continue;
    }
    for (int64_t kt = 0; kt <= last; kt++) {
      if (c.keep && !c.keep[kt * nt_n + nt]) continue;
      int64_t rows = std::min(r, c.k - kt * r);
      sa_mem_tile mt = {kt, nt, rows, cols, kt == last};
      int64_t before = cnt.dram_read;
      sa_mem_add_tile(&mem, &mt, &cnt, &tm); /* its fetched activation bytes (residency) */
      int64_t w = rows * cols;
      tiles.push_back({w, cnt.dram_read - before - w, kt == last ? c.m * cols * 4 : 0});
    }
  }
  const int64_t n_t = (int64_t)tiles.size();
  const int64_t s = n_t ? (array_cycles - r) / n_t : 0;
  const sc_time t_cmd = sc_core::sc_time_stamp();
  int64_t stall[XK_COUNT] = {0, 0, 0, 0};
  bus_->command++;
  post(CH_WEIGHTS, XK_MASK, (kt_n * nt_n + 7) / 8, true);
  wait_reads(sc_core::sc_time_stamp(), 0, stall);
  if (n_t) {
    post(CH_WEIGHTS, XK_WEIGHTS, tiles[0].w + (n_t > 1 ? tiles[1].w : 0), false);
    post(CH_ACTS, XK_ACTS, tiles[0].a, false);
    wait_reads(sc_core::sc_time_stamp(), 0, stall);
    wait(ck_->accel_cycles(r)); /* tile 0's weights shift into the shadow registers */
  }
  post(CH_OUTPUTS, XK_OUTPUTS, initial, false);
  for (int64_t t = 0; t < n_t; t++) {
    sc_time t0 = sc_core::sc_time_stamp();
    post(CH_WEIGHTS, XK_WEIGHTS, t + 2 < n_t ? tiles[(size_t)t + 2].w : 0, false);
    post(CH_ACTS, XK_ACTS, t + 1 < n_t ? tiles[(size_t)t + 1].a : 0, false);
    wait_reads(t0, s, stall);
    if (tiles[(size_t)t].o) { /* tile t closed a strip: the previous one must be out */
      wait_outputs(stall);
      post(CH_OUTPUTS, XK_OUTPUTS, tiles[(size_t)t].o, false);
    }
  }
  wait_outputs(stall);
  last.array = array_cycles;
  last.stall_w = stall[XK_WEIGHTS];
  last.stall_a = stall[XK_ACTS];
  last.stall_o = stall[XK_OUTPUTS];
  last.accel = (int64_t)std::llround(ck_->to_accel_cycles(sc_core::sc_time_stamp() - t_cmd));
  SA_ASSERT(last.accel == last.array + last.stall_w + last.stall_a + last.stall_o);
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
    run_dma(c, cycles);
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
