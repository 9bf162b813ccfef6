/* sa_sc_model: the SystemC/TLM-2.0 modules of the system model (docs/system.md): interconnect,
 * DRAM, accelerator (DMA engine, cpu_fed instruction port, array back-end) and host CPU.
 * Internal to sim/sc/; C code uses sim/sc/sa_system.h. All timing figures come from sa_config. */
#ifndef SA_SC_MODEL_H
#define SA_SC_MODEL_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_mask.h"

namespace sa_sc {

/* Kinds of data transfer (trace and stall attribution). */
enum xfer_kind { XK_MASK, XK_WEIGHTS, XK_ACTS, XK_OUTPUTS, XK_COUNT };
const char *xfer_kind_name(int k);

/* Largest transfer one interconnect transaction carries: a TLM payload's data length is an
 * unsigned int (docs/system.md 7). */
const int64_t max_transfer = (int64_t)0xffffffffu;

/* DMA channels = interconnect initiators, in fixed-priority order (0 highest). */
enum dma_chan { CH_WEIGHTS, CH_ACTS, CH_OUTPUTS, CH_COUNT };

/* Carried by every data transaction: what it is, where it goes, and what the target did. */
struct xfer_ext : tlm::tlm_extension<xfer_ext> {
  int kind = XK_WEIGHTS;
  int bank = 0;
  bool open = false;     /* first transfer of a DMA stream: pays the latencies */
  double served = 0;     /* DRAM -> interconnect: bytes the bank delivered this cycle */
  double offer = 0;      /* interconnect -> DRAM: bytes it can carry for it this cycle */
  tlm::tlm_extension_base *clone() const override;
  void copy_from(const tlm::tlm_extension_base &o) override;
};

/* Time base: accelerator and host clock periods, exact in the kernel's resolution. */
struct clocks {
  sc_core::sc_time acc, host;
  double acc_mhz, host_mhz;
  sc_core::sc_time accel_cycles(int64_t n) const { return acc * (double)n; }
  sc_core::sc_time host_cycles(double n) const;
  double to_host_cycles(const sc_core::sc_time &t) const;
  double to_accel_cycles(const sc_core::sc_time &t) const;
};

/* Transaction trace: one CSV row per finished transfer (NULL file: off). */
struct txn_trace {
  FILE *f = nullptr;
  void row(int64_t id, int initiator, int kind, int bank, int64_t bytes, double t_req,
           double t_ready, double t_first, double t_done, int64_t wait_bus, int64_t wait_bank,
           int64_t command);
};

/* DRAM: dram_banks banks; each bank delivers up to dram_bytes_per_cycle bytes per
 * accelerator cycle to one transfer; an opening transaction costs dram_latency_cycles. */
struct dram : sc_core::sc_module {
  tlm_utils::simple_target_socket<dram> tgt;
  dram(sc_core::sc_module_name n, const sa_config *cfg, const clocks *ck);
  double bytes = 0;
  int64_t busy_bank_cycles = 0;

 private:
  void b_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &d);
  const sa_config *cfg_;
  const clocks *ck_;
  std::vector<sc_core::sc_time> last_;   /* per bank: start of the cycle it last served */
  std::vector<bool> used_;
};

/* Interconnect: n_init initiators share one data path of bus_bytes_per_cycle bytes per
 * accelerator cycle to the DRAM; each cycle the arbiter (round_robin or fixed priority by
 * initiator index) hands out the path and the banks; bus_latency_cycles once per stream. */
struct bus : sc_core::sc_module {
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<bus>>> tgt;
  tlm_utils::simple_initiator_socket<bus> to_dram;
  bus(sc_core::sc_module_name n, int n_init, const sa_config *cfg, const clocks *ck,
      txn_trace *tr);
  int64_t transactions = 0, busy_cycles = 0, wait_bus = 0, wait_bank = 0, latency = 0;
  double bytes = 0;
  int64_t command = 0;   /* tag for the trace: index of the command being served */

 private:
  struct xfer {
    int init;
    int64_t id, bytes;
    double rem;
    int bank, kind;
    sc_core::sc_time t_req, t_ready, t_first;
    bool started = false;
    int64_t wait_bus = 0, wait_bank = 0;
    sc_core::sc_event done;
  };
  void b_transport(int id, tlm::tlm_generic_payload &p, sc_core::sc_time &d);
  void engine();
  const sa_config *cfg_;
  const clocks *ck_;
  txn_trace *tr_;
  std::vector<xfer *> active_;
  sc_core::sc_event ev_new_;
  int rr_next_ = 0;
  int64_t next_id_ = 0;
};

/* One command handed from the host to the accelerator (control path). */
struct command {
  int64_t m, k, n;
  const uint8_t *keep;    /* KT*NT, NULL dense */
  int64_t key;            /* identifies identical commands (back-end cache) */
};

/* What the accelerator measured for one command (accelerator cycles). */
struct command_time {
  int64_t array = 0, stall_w = 0, stall_a = 0, stall_o = 0, accel = 0;
};

/* The array back-end: cycles from acceptance to done of one command. */
struct backend {
  virtual ~backend() = default;
  virtual int run(const command &c, int64_t *cycles, sa_err *e) = 0;
  int64_t commands = 0;   /* commands actually timed (cache misses) */
};
std::unique_ptr<backend> make_c_backend(const sa_config *cfg);
/* NULL with e filled when the RTL is not built (or not for this size). */
std::unique_ptr<backend> make_rtl_backend(const sa_config *cfg, sa_err *e);
int rtl_available(int64_t rows, int64_t cols);

/* The accelerator: a control target (GEMM commands, blocking until done), the narrow
 * instruction target of cpu_fed, and the DMA engine's three initiator channels. */
struct accel : sc_core::sc_module {
  tlm_utils::simple_target_socket<accel> ctl;
  tlm_utils::simple_target_socket<accel> instr;
  tlm_utils::simple_initiator_socket<accel> dma[CH_COUNT];
  accel(sc_core::sc_module_name n, const sa_config *cfg, const clocks *ck, backend *be,
        bus *b);
  command_time last;      /* of the command just finished */
  int64_t instr_transactions = 0;
  int err = 0;            /* set when the back-end failed; e holds the message */
  sa_err e;

 private:
  struct request {
    int64_t bytes = 0;
    int kind = XK_WEIGHTS;
    bool open = false;
    bool busy = false;
    sc_core::sc_time t_done;
    sc_core::sc_event go, done;
  };
  void ctl_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &d);
  void instr_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &d);
  void channel(int ch);
  void post(int ch, int kind, int64_t bytes, bool open);
  int run_dma(const command &c, int64_t array_cycles, int64_t kept);
  int too_large(const command &c, const char *what, int64_t bytes);
  void wait_reads(sc_core::sc_time t0, int64_t min_cycles, int64_t *stall);
  void wait_outputs(int64_t *stall);
  const sa_config *cfg_;
  const clocks *ck_;
  backend *be_;
  bus *bus_;
  request req_[CH_COUNT];
};

/* Payload of a cpu_fed instruction-group transaction (narrow path). */
struct instr_group {
  int64_t count;          /* instructions */
  double cycles_each;     /* host cycles per instruction: hw.instr_* + the issuing loop's */
};

/* The host CPU: walks the schedule — each layer x count, its commands (dma: issue cost
 * host.command_cycles then wait for done; cpu_fed: the instruction stream of every kept
 * tile plus the accumulation work) — then the host ops at their per-element costs. */
struct host : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<host> ctl;
  tlm_utils::simple_initiator_socket<host> instr;
  host(sc_core::sc_module_name n, const sa_config *cfg, const clocks *ck,
       const sa_manifest *man, const sa_maskset *masks, sa_run_result *res, accel *acc);
  int err = 0;
  sa_err e;
  double host_ops = 0;     /* host cycles of the host ops */
  sc_core::sc_time t_end;

 private:
  void run();
  int one_command(const command &c, sa_layer_result *lr, int64_t times);
  const sa_config *cfg_;
  const clocks *ck_;
  const sa_manifest *man_;
  const sa_maskset *masks_;
  sa_run_result *res_;
  accel *acc_;
};

}  // namespace sa_sc

#endif
