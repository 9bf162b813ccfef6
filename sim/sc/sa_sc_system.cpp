/* sa_sc_system: the host CPU module, the top level that builds and runs one system
 * simulation, and the C API of sim/sc/sa_system.h (docs/system.md). */
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "sa_sc_model.h"

#include "sa_host.h"
#include "sa_out.h"
#include "sa_report.h"
#include "sa_system.h"
#include "sa_timing.h"
#include "sa_workload.h"

namespace sa_sc {

using sc_core::sc_time;

/* ---- host CPU ---- */

host::host(sc_core::sc_module_name n, const sa_config *cfg, const clocks *ck,
           const sa_manifest *man, const sa_maskset *masks, sa_run_result *res, accel *acc)
    : sc_module(n), ctl("ctl"), instr("instr"), cfg_(cfg), ck_(ck), man_(man), masks_(masks),
      res_(res), acc_(acc) {
  e.msg[0] = 0;
  SC_HAS_PROCESS(host);
  SC_THREAD(run);
}

/* One command: dma — issue it (host.command_cycles), wait for done; cpu_fed — start it, walk
 * the skip encoding, then for every kept tile write its weights and issue the queue/stream
 * instructions for as many steps as the back-end's stream phase lasts (each carrying an input
 * word and returning an output word), adding the valid output words into the output. */
int host::one_command(const command &c, sa_layer_result *lr, int64_t) {
  const sa_hw_cfg *hw = &cfg_->hw;
  const sc_time t0 = sc_core::sc_time_stamp();
  tlm::tlm_generic_payload p;
  command cc = c;
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_data_ptr(reinterpret_cast<unsigned char *>(&cc));
  p.set_data_length(sizeof cc);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = hw->integration == SA_INTEG_DMA ? ck_->host_cycles(cfg_->host.command_cycles)
                                              : sc_core::SC_ZERO_TIME;
  ctl->b_transport(p, d);
  if (acc_->err || p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    e = acc_->e;
    return -1;
  }
  const command_time &ct = acc_->last;
  if (hw->integration == SA_INTEG_CPU_FED) {
    const int64_t kt_n = sa_timing_tiles_k(c.k, hw->rows), nt_n = sa_timing_tiles_n(c.n, hw->cols);
    sa_counts wc;
    std::memset(&wc, 0, sizeof wc);
    sa_host_cpu_fed_walk(hw, kt_n, nt_n, c.keep, &wc);
    wait(ck_->host_cycles(sa_host_cpu_fed_cycles(hw, &wc)));
  }
  if (hw->integration == SA_INTEG_CPU_FED && ct.array > 0) {
    const int64_t kt_n = sa_timing_tiles_k(c.k, hw->rows), nt_n = sa_timing_tiles_n(c.n, hw->cols);
    const int64_t w = sa_host_cpu_fed_words_per_step(hw);
    int64_t kept = 0;
    for (int64_t i = 0; i < kt_n * nt_n; i++) kept += !c.keep || c.keep[i];
    const int64_t steps = (ct.array - hw->rows) / kept;
    instr_group g;
    tlm::tlm_generic_payload q;
    q.set_command(tlm::TLM_WRITE_COMMAND);
    q.set_data_ptr(reinterpret_cast<unsigned char *>(&g));
    q.set_data_length(sizeof g);
    for (int64_t i = 0; i < kt_n * nt_n; i++) {
      if (c.keep && !c.keep[i]) continue;
      sa_counts tc;
      std::memset(&tc, 0, sizeof tc);
      sa_host_cpu_fed_tile(hw, c.m, &tc);
      /* W·steps − 1 queue/stream instructions, every W-th a stream (docs/timing.md §8.1) */
      const instr_group gs[3] = {
          {tc.ins_write_weights, (double)hw->instr_write_weights + hw->loop_weight},
          {(w - 1) * steps, (double)hw->instr_queue + hw->loop_stream},
          {steps - 1, (double)hw->instr_stream + hw->loop_stream}};
      for (const instr_group &x : gs) {
        g = x;
        sc_time dz = sc_core::SC_ZERO_TIME;
        q.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        instr->b_transport(q, dz);
      }
      sa_counts ac; /* the software adds, priced by sa_host_cpu_fed_cycles */
      std::memset(&ac, 0, sizeof ac);
      ac.cpu_adds = tc.cpu_adds;
      wait(ck_->host_cycles(sa_host_cpu_fed_cycles(hw, &ac)));
    }
  }
  sa_time t;
  std::memset(&t, 0, sizeof t);
  t.array = ct.array;
  t.stall_weights = ct.stall_w;
  t.stall_acts = ct.stall_a;
  t.stall_outputs = ct.stall_o;
  t.accel = ct.accel;
  t.host_gemm = ck_->to_host_cycles(sc_core::sc_time_stamp() - t0);
  if (sa_time_add_checked(&lr->time, &t, 1))
    return sa_err_set(&e, "the simulated cycles of its %lld x %lld x %lld commands exceed 64 bits "
                      "(too large)", (long long)c.m, (long long)c.k, (long long)c.n);
  return 0;
}

void host::run() {
  const sa_hw_cfg *hw = &cfg_->hw;
  for (int i = 0; i < man_->n_layers; i++) {
    const sa_layer *l = &man_->layers[i];
    sa_layer_result *lr = &res_->layers[i];
    const sa_tilemask *mk = masks_ ? sa_maskset_find(masks_, l->name) : nullptr;
    sa_wl_cmd g[2];
    int ng = sa_workload_split(l, hw->acc_rows, g);
    for (int j = 0; j < ng; j++) {
      sa_counts gc;
      sa_time gt;
      std::memset(&gc, 0, sizeof gc);
      std::memset(&gt, 0, sizeof gt);
      if (sa_cycle_command(cfg_, g[j].m, g[j].k, g[j].n, mk ? mk->keep : nullptr, &gc, &gt,
                           &e)) {
        sa_err_prefix(&e, "layer '%s'", l->name);
        err = 1;
        return;
      }
      /* Counts and the closed-form parts of the time from the cycle model; the array, stall,
       * busy and host times from the simulation (one_command). */
      sa_time closed;
      std::memset(&closed, 0, sizeof closed);
      closed.weight_load = gt.weight_load;
      closed.compute = gt.compute;
      closed.fill_drain = gt.fill_drain;
      int64_t reps;
      if (__builtin_mul_overflow(g[j].times, l->count, &reps) ||
          sa_counts_add_checked(&lr->counts, &gc, reps) ||
          sa_time_add_checked(&lr->time, &closed, reps)) {
        sa_err_set(&e, "layer '%s': %lld x %lld x %lld GEMM, count %lld: its counts exceed 64 "
                   "bits (too large)", l->name, (long long)l->m, (long long)l->k,
                   (long long)l->n, (long long)l->count);
        err = 1;
        return;
      }
      /* non_pruned (cpu_fed): the CPU runs the pruned tiles too, as stored zeros */
      const bool all = hw->integration == SA_INTEG_CPU_FED && hw->skip_format == SA_SKIP_NON_PRUNED;
      command c = {g[j].m, g[j].k, g[j].n, mk && !all ? mk->keep : nullptr, (int64_t)i * 2 + j};
      for (int64_t r = 0; r < reps; r++)
        if (one_command(c, lr, r)) {
          sa_err_prefix(&e, "layer '%s'", l->name);
          err = 1;
          return;
        }
    }
  }
  /* The non-GEMM work of the inference, op by op on the host. */
  for (int i = 0; i < man_->n_hostops; i++) {
    const sa_hostop *o = &man_->hostops[i];
    double cyc = (double)o->elements * (double)o->count * sa_host_op_cost(&cfg_->host, o->op);
    host_ops += cyc;
    wait(ck_->host_cycles(cyc));
  }
  t_end = sc_core::sc_time_stamp();
}

/* A fresh kernel context per simulation, so sa_system_run can be called repeatedly. */
static void fresh_context() {
  delete sc_core::sc_curr_simcontext;
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace sa_sc

using namespace sa_sc;

static const char *arb_name(int a) { return a == SA_ARB_FIXED ? "fixed" : "round_robin"; }

extern "C" int sa_system_rtl_available(int64_t rows, int64_t cols) {
  return rtl_available(rows, cols);
}

extern "C" void sa_system_result_free(sa_system_result *r) {
  if (r) sa_run_result_free(&r->run);
}

extern "C" int sa_system_run(const sa_config *cfg, const sa_manifest *man,
                             const sa_maskset *masks, int which, const char *trace_csv,
                             sa_system_result *out, sa_err *e) {
  std::memset(out, 0, sizeof *out);
  out->backend = which;
  auto wall0 = std::chrono::steady_clock::now();
  /* The fast model first: it validates masks and shapes with its own messages. */
  sa_run_result fast;
  if (sa_cycle_run_workload(cfg, man, masks, &fast, e)) return -1;
  out->fast_host_system = fast.host_system;
  if (fast.counts.tiles > SA_SYSTEM_MAX_TILES) {
    const sa_layer_result *big = &fast.layers[0];
    for (int i = 1; i < fast.n_layers; i++)
      if (fast.layers[i].counts.tiles > big->counts.tiles) big = &fast.layers[i];
    sa_err_set(e, "workload '%s': %lld weight tiles per inference (layer '%s': %lld) exceed the "
               "system model's limit of %lld simulated tiles (docs/system.md 7); the fast model "
               "(--system fast) has no such limit", man->name, (long long)fast.counts.tiles,
               big->name, (long long)big->counts.tiles, (long long)SA_SYSTEM_MAX_TILES);
    sa_run_result_free(&fast);
    return -1;
  }
  sa_run_result_free(&fast);
  std::unique_ptr<backend> be = which == SA_SYSTEM_BACKEND_RTL ? make_rtl_backend(cfg, e)
                                                               : make_c_backend(cfg);
  if (!be) return -1;
  sa_run_result *run = &out->run;
  if (sa_run_result_init(cfg, man, run, e)) return -1;
  for (int i = 0; i < man->n_layers; i++) {
    const sa_tilemask *mk = masks ? sa_maskset_find(masks, man->layers[i].name) : nullptr;
    run->layers[i].pruned = masks != nullptr;
    sa_run_result_footprint(cfg, &run->layers[i], mk ? mk->keep : nullptr);
  }
  sa_out tro;
  txn_trace tr;
  if (trace_csv) {
    if (sa_out_open(&tro, trace_csv, e)) {
      sa_run_result_free(run);
      return -1;
    }
    tr.f = tro.f;
    fprintf(tr.f, "id,command,initiator,kind,bank,bytes,t_request,t_ready,t_first,t_done,"
                  "wait_bus,wait_bank\n");
  }
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  fresh_context();
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  clocks ck;
  ck.acc_mhz = cfg->hw.clock_mhz;
  ck.host_mhz = cfg->host.clock_mhz;
  ck.acc = sc_time::from_value((sc_dt::uint64)std::llround(1e9 / cfg->hw.clock_mhz));
  ck.host = sc_time::from_value((sc_dt::uint64)std::llround(1e9 / cfg->host.clock_mhz));
  int rc = 0;
  {
    std::unique_ptr<dram> mem(new dram("dram", cfg, &ck));
    std::unique_ptr<bus> ic(new bus("interconnect", CH_COUNT, cfg, &ck, trace_csv ? &tr : nullptr));
    std::unique_ptr<accel> acc(new accel("accelerator", cfg, &ck, be.get(), ic.get()));
    std::unique_ptr<host> cpu(new host("host", cfg, &ck, man, masks, run, acc.get()));
    for (int ch = 0; ch < CH_COUNT; ch++) acc->dma[ch].bind(*ic->tgt[(size_t)ch]);
    ic->to_dram.bind(mem->tgt);
    cpu->ctl.bind(acc->ctl);
    cpu->instr.bind(acc->instr);
    sc_core::sc_start();
    if (cpu->err) {
      *e = cpu->e;
      rc = -1;
    } else {
      run->host_ops = cpu->host_ops;
      out->span_accel_clocks = ck.to_accel_cycles(cpu->t_end);
      run->host_system = ck.to_host_cycles(cpu->t_end);
      out->transactions = ic->transactions;
      out->bus_bytes = (int64_t)std::llround(ic->bytes);
      out->bus_busy_cycles = ic->busy_cycles;
      out->dram_busy_cycles = mem->busy_bank_cycles;
      out->wait_bus_cycles = ic->wait_bus;
      out->wait_bank_cycles = ic->wait_bank;
      out->latency_cycles = ic->latency;
      out->instr_transactions = acc->instr_transactions;
      double span = out->span_accel_clocks > 0 ? out->span_accel_clocks : 1;
      out->bus_util = ic->bytes / (cfg->system.bus_bytes_per_cycle * span);
      out->dram_util =
          mem->bytes / (cfg->hw.dram_bytes_per_cycle * (double)cfg->system.dram_banks * span);
      out->backend_commands = be->commands;
    }
  }
  fresh_context();
  if (!rc && sa_run_result_sum_layers(cfg, run, e)) rc = -1;
  if (trace_csv) {
    if (rc) sa_out_abort(&tro);
    else if (sa_out_commit(&tro, e)) rc = -1;
  }
  if (rc) {
    sa_run_result_free(run);
    return -1;
  }
  sa_run_result_finish(cfg, man, run);
  if (run->time.accel > 0)
    out->bus_util_accel =
        (double)out->bus_bytes / (cfg->system.bus_bytes_per_cycle * (double)run->time.accel);
  out->diff = out->fast_host_system > 0 ? run->host_system / out->fast_host_system - 1 : 0;
  out->wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return 0;
}

extern "C" void sa_system_json(sa_json *j, const sa_config *cfg, const sa_system_result *r) {
  sa_json_key(j, "system");
  sa_json_obj(j);
  sa_json_key(j, "model"), sa_json_str(j, "systemc");
  sa_json_key(j, "backend"), sa_json_str(j, r->backend == SA_SYSTEM_BACKEND_RTL ? "rtl" : "c");
  const sa_report_field top[] = {
      SA_REPORT_NUM("host_system_cycles", r->run.host_system),
      SA_REPORT_NUM("fast_host_system_cycles", r->fast_host_system),
      SA_REPORT_NUM("diff_vs_fast", r->diff),
      SA_REPORT_NUM("span_accel_clock_cycles", r->span_accel_clocks),
      SA_REPORT_INT("exposed_latency_cycles", r->latency_cycles)};
  sa_report_json_fields(j, nullptr, top, (int)(sizeof top / sizeof top[0]));
  sa_json_key(j, "interconnect");
  sa_json_obj(j);
  sa_json_key(j, "arbitration"), sa_json_str(j, arb_name(cfg->system.arbitration));
  const sa_report_field ic[] = {
      SA_REPORT_NUM("bytes_per_cycle", cfg->system.bus_bytes_per_cycle),
      SA_REPORT_INT("latency_cycles", cfg->system.bus_latency_cycles),
      SA_REPORT_INT("transactions", r->transactions),
      SA_REPORT_INT("bytes", r->bus_bytes),
      SA_REPORT_INT("busy_cycles", r->bus_busy_cycles),
      SA_REPORT_NUM("utilisation", r->bus_util),
      SA_REPORT_NUM("utilisation_accel_busy", r->bus_util_accel),
      SA_REPORT_INT("wait_cycles", r->wait_bus_cycles)};
  sa_report_json_fields(j, nullptr, ic, (int)(sizeof ic / sizeof ic[0]));
  sa_json_end(j);
  const sa_report_field mem[] = {
      SA_REPORT_NUM("bytes_per_cycle", cfg->hw.dram_bytes_per_cycle),
      SA_REPORT_INT("latency_cycles", cfg->hw.dram_latency_cycles),
      SA_REPORT_INT("banks", cfg->system.dram_banks),
      SA_REPORT_INT("busy_bank_cycles", r->dram_busy_cycles),
      SA_REPORT_NUM("utilisation", r->dram_util),
      SA_REPORT_INT("bank_wait_cycles", r->wait_bank_cycles)};
  sa_report_json_fields(j, "dram", mem, (int)(sizeof mem / sizeof mem[0]));
  const sa_report_field tail[] = {
      SA_REPORT_INT("instruction_transactions", r->instr_transactions),
      SA_REPORT_INT("backend_commands", r->backend_commands),
      SA_REPORT_NUM("wall_seconds", r->wall_seconds)};
  sa_report_json_fields(j, nullptr, tail, (int)(sizeof tail / sizeof tail[0]));
  sa_json_end(j);
}

extern "C" void sa_system_print(FILE *f, const sa_config *cfg, const sa_system_result *r) {
  fprintf(f, "system model: SystemC/TLM-2.0, array back-end %s\n",
          r->backend == SA_SYSTEM_BACKEND_RTL ? "RTL (Verilator)" : "C cycle model");
  fprintf(f, "  system cycles %.0f host (fast model %.0f, difference %+.4f %%)\n",
          r->run.host_system, r->fast_host_system, 100 * r->diff);
  fprintf(f, "  interconnect %g B/cycle, latency %lld, %s: %lld transactions, %lld B, "
             "busy %lld cycles, utilisation %.1f %% (%.1f %% while the accelerator is busy), "
             "waited %lld transfer-cycles\n",
          cfg->system.bus_bytes_per_cycle, (long long)cfg->system.bus_latency_cycles,
          arb_name(cfg->system.arbitration), (long long)r->transactions,
          (long long)r->bus_bytes, (long long)r->bus_busy_cycles, 100 * r->bus_util,
          100 * r->bus_util_accel, (long long)r->wait_bus_cycles);
  fprintf(f, "  DRAM %g B/cycle x %lld banks, latency %lld: busy %lld bank-cycles, "
             "utilisation %.1f %%, bank conflicts %lld transfer-cycles, exposed latency %lld\n",
          cfg->hw.dram_bytes_per_cycle, (long long)cfg->system.dram_banks,
          (long long)cfg->hw.dram_latency_cycles, (long long)r->dram_busy_cycles,
          100 * r->dram_util, (long long)r->wait_bank_cycles, (long long)r->latency_cycles);
  fprintf(f, "  simulated one inference: %.0f host cycles = %.6f s of system time = %.0f "
             "accelerator clock cycles (the accelerator busy %lld of them), in %.3f s of wall "
             "time (%lld commands timed by the back-end, %lld instruction transactions)\n",
          r->run.host_system, r->run.seconds, r->span_accel_clocks, (long long)r->run.time.accel,
          r->wall_seconds, (long long)r->backend_commands, (long long)r->instr_transactions);
}

/* libsystemc's main() calls sc_main; sasp has its own main and drives the kernel through
 * sa_system_run, so this entry point only exists to satisfy the library. */
int sc_main(int, char **) {
  fprintf(stderr, "sasp: the system model runs through 'sasp sim CONFIG --system sc'\n");
  return 2;
}
