/* sa_sc_bus: the interconnect and the DRAM of the system model (docs/system.md §2), and the
 * shared pieces (time base, transfer extension, transaction trace). */
#include <algorithm>
#include <cmath>

#include "sa_sc_model.h"

namespace sa_sc {

using sc_core::sc_time;

const char *xfer_kind_name(int k) {
  switch (k) {
  case XK_MASK: return "mask";
  case XK_WEIGHTS: return "weights";
  case XK_ACTS: return "activations";
  case XK_OUTPUTS: return "outputs";
  default: break;
  }
  SA_ASSERT(0 && "unknown transfer kind");
  return "";
}

tlm::tlm_extension_base *xfer_ext::clone() const { return new xfer_ext(*this); }

void xfer_ext::copy_from(const tlm::tlm_extension_base &o) {
  *this = static_cast<const xfer_ext &>(o);
}

sc_time clocks::host_cycles(double n) const {
  return sc_time::from_value((sc_dt::uint64)std::llround(n * (double)host.value()));
}

double clocks::to_host_cycles(const sc_time &t) const {
  return (double)t.value() / (double)host.value();
}

double clocks::to_accel_cycles(const sc_time &t) const {
  return (double)t.value() / (double)acc.value();
}

void txn_trace::row(int64_t id, int initiator, int kind, int bank, int64_t bytes, double t_req,
                double t_ready, double t_first, double t_done, int64_t wait_bus,
                int64_t wait_bank, int64_t cmd) {
  if (!f) return;
  static const char *const init_names[CH_COUNT] = {"dma.weights", "dma.activations",
                                                   "dma.outputs"};
  SA_ASSERT(initiator >= 0 && initiator < CH_COUNT);
  fprintf(f, "%lld,%lld,%s,%s,%d,%lld,%.17g,%.17g,%.17g,%.17g,%lld,%lld\n", (long long)id,
          (long long)cmd, init_names[initiator], xfer_kind_name(kind), bank, (long long)bytes,
          t_req, t_ready, t_first, t_done, (long long)wait_bus, (long long)wait_bank);
}

/* ---- DRAM ---- */

dram::dram(sc_core::sc_module_name n, const sa_config *cfg, const clocks *ck)
    : sc_module(n), tgt("tgt"), cfg_(cfg), ck_(ck),
      last_((size_t)cfg->system.dram_banks), used_((size_t)cfg->system.dram_banks, false) {
  tgt.register_b_transport(this, &dram::b_transport);
}

void dram::b_transport(tlm::tlm_generic_payload &p, sc_time &d) {
  xfer_ext *x = nullptr;
  p.get_extension(x);
  SA_ASSERT(x && x->bank >= 0 && x->bank < cfg_->system.dram_banks);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  if (p.get_command() == tlm::TLM_IGNORE_COMMAND) { /* opening a stream: row activation */
    d += ck_->accel_cycles(cfg_->hw.dram_latency_cycles);
    return;
  }
  /* One data cycle: the bank gives up to its bandwidth to one transfer per cycle. */
  size_t b = (size_t)x->bank;
  sc_time cyc = sc_core::sc_time_stamp() + d;
  if (used_[b] && last_[b] == cyc) {
    x->served = 0;
    return;
  }
  used_[b] = true;
  last_[b] = cyc;
  x->served = std::min(x->offer, cfg_->hw.dram_bytes_per_cycle);
  bytes += x->served;
  busy_bank_cycles++;
}

/* ---- interconnect ---- */

bus::bus(sc_core::sc_module_name n, int n_init, const sa_config *cfg, const clocks *ck,
         txn_trace *tr)
    : sc_module(n), to_dram("to_dram"), cfg_(cfg), ck_(ck), tr_(tr) {
  for (int i = 0; i < n_init; i++) {
    char name[32];
    snprintf(name, sizeof name, "tgt_%d", i);
    tgt.emplace_back(new tlm_utils::simple_target_socket_tagged<bus>(name));
    tgt.back()->register_b_transport(this, &bus::b_transport, i);
  }
  SC_HAS_PROCESS(bus);
  SC_THREAD(engine);
}

/* Blocking: returns when the last byte of the transfer has crossed the interconnect. */
void bus::b_transport(int id, tlm::tlm_generic_payload &p, sc_time &d) {
  xfer_ext *ext = nullptr;
  p.get_extension(ext);
  SA_ASSERT(ext);
  if (d != sc_core::SC_ZERO_TIME) {
    wait(d);
    d = sc_core::SC_ZERO_TIME;
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  int64_t n = (int64_t)p.get_data_length();
  if (n == 0) return;
  xfer x;
  x.init = id;
  x.id = next_id_++;
  x.bytes = n;
  x.rem = (double)n;
  x.bank = ext->bank;
  x.kind = ext->kind;
  x.t_req = sc_core::sc_time_stamp();
  x.t_ready = x.t_req;
  if (ext->open) { /* the stream's first request pays the path and the row latency */
    tlm::tlm_generic_payload op;
    xfer_ext oe = *ext;
    op.set_command(tlm::TLM_IGNORE_COMMAND);
    op.set_data_length(0);
    op.set_extension(&oe);
    sc_time dl = ck_->accel_cycles(cfg_->system.bus_latency_cycles);
    to_dram->b_transport(op, dl);
    op.clear_extension(&oe);
    x.t_ready += dl;
    latency += (int64_t)std::llround(ck_->to_accel_cycles(dl));
  }
  active_.push_back(&x);
  transactions++;
  ev_new_.notify(sc_core::SC_ZERO_TIME);
  wait(x.done);
}

/* One iteration per accelerator cycle while transfers are pending: arbitration order, then
 * each transfer in turn gets min(its remaining bytes, what is left of the path this cycle)
 * offered to its bank, which serves one transfer per cycle at dram_bytes_per_cycle. */
void bus::engine() {
  const double width = cfg_->system.bus_bytes_per_cycle;
  const int n_init = (int)tgt.size();
  tlm::tlm_generic_payload p;
  xfer_ext ext;
  p.set_extension(&ext);
  std::vector<xfer *> order;
  for (;;) {
    if (active_.empty()) {
      wait(ev_new_);
      continue;
    }
    sc_time now = sc_core::sc_time_stamp();
    sc_time first_ready = active_[0]->t_ready;
    for (xfer *x : active_) first_ready = std::min(first_ready, x->t_ready);
    if (first_ready > now) { /* everyone is still in its latency: skip ahead */
      wait(first_ready - now, ev_new_);
      continue;
    }
    wait(ck_->acc);
    sc_time start = sc_core::sc_time_stamp() - ck_->acc; /* the cycle [start, start+1) */
    order.clear();
    for (xfer *x : active_)
      if (x->t_ready <= start) order.push_back(x);
    int first = cfg_->system.arbitration == SA_ARB_ROUND_ROBIN ? rr_next_ : 0;
    std::stable_sort(order.begin(), order.end(), [&](const xfer *a, const xfer *b) {
      int ra = (a->init - first + n_init) % n_init, rb = (b->init - first + n_init) % n_init;
      return ra < rb;
    });
    double left = width;
    int first_served = -1;
    for (xfer *x : order) {
      if (left <= 0) {
        x->wait_bus++;
        wait_bus++;
        continue;
      }
      ext.bank = x->bank;
      ext.kind = x->kind;
      ext.offer = std::min(x->rem, left);
      ext.served = 0;
      p.set_command(x->kind == XK_OUTPUTS ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      p.set_data_length((unsigned)std::ceil(ext.offer));
      sc_time d = sc_core::SC_ZERO_TIME; /* the bank tags the cycle by the current time */
      to_dram->b_transport(p, d);
      if (ext.served <= 0) {
        x->wait_bank++;
        wait_bank++;
        continue;
      }
      if (!x->started) {
        x->started = true;
        x->t_first = start;
      }
      x->rem -= ext.served;
      left -= ext.served;
      bytes += ext.served;
      if (first_served < 0) first_served = x->init;
    }
    if (first_served >= 0) {
      busy_cycles++;
      rr_next_ = (first_served + 1) % n_init;
    }
    now = sc_core::sc_time_stamp();
    for (size_t i = 0; i < active_.size();) {
      xfer *x = active_[i];
      if (x->rem <= 1e-9 * (double)x->bytes) {
        if (tr_)
          tr_->row(x->id, x->init, x->kind, x->bank, x->bytes, ck_->to_accel_cycles(x->t_req),
                   ck_->to_accel_cycles(x->t_ready), ck_->to_accel_cycles(x->t_first),
                   ck_->to_accel_cycles(now), x->wait_bus, x->wait_bank, command);
        x->done.notify();
        active_.erase(active_.begin() + (long)i);
      } else {
        i++;
      }
    }
  }
}

}  // namespace sa_sc
