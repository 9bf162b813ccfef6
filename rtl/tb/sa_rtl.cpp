// sa_rtl: the C API of the RTL co-simulation harness (sa_rtl.h). One VerilatedContext and one
// model per handle; waves only when a trace file is given (from the size's traced model);
// assertion failures of the RTL become errors of the call that ran it; no exit() anywhere.
#include "sa_rtl.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "sa_rtl_cache.h"
#include "sa_rtl_model.h"
#include "sa_rtl_print.h"

// The FST reader of the GTKWave library that Verilator's runtime compiles in (used to turn
// an FST trace into VCD).
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "gtkwave/fstapi.h"

#define SA_RTL_SIZE(r, c) extern "C" SaRtlModel *sa_rtl_make_##r##x##c(VerilatedContext *ctx);
#define SA_RTL_TRACED(r, c) \
  extern "C" SaRtlModel *sa_rtl_make_##r##x##c##_trace(VerilatedContext *ctx);
#include "sa_rtl_sizes.h"
#undef SA_RTL_SIZE
#undef SA_RTL_TRACED

namespace {

struct SizeEntry {
  int rows, cols;
  SaRtlModel *(*make)(VerilatedContext *);
};

// Models built for speed, one per size; traced models (waves) of the sizes in rtl_trace.
const SizeEntry kSizes[] = {
#define SA_RTL_SIZE(r, c) {r, c, sa_rtl_make_##r##x##c},
#define SA_RTL_TRACED(r, c)
#include "sa_rtl_sizes.h"
#undef SA_RTL_SIZE
#undef SA_RTL_TRACED
    {0, 0, nullptr},
};
const int kNSizes = static_cast<int>(sizeof kSizes / sizeof kSizes[0]) - 1;

const SizeEntry kTraced[] = {
#define SA_RTL_SIZE(r, c)
#define SA_RTL_TRACED(r, c) {r, c, sa_rtl_make_##r##x##c##_trace},
#include "sa_rtl_sizes.h"
#undef SA_RTL_SIZE
#undef SA_RTL_TRACED
    {0, 0, nullptr},
};
const int kNTraced = static_cast<int>(sizeof kTraced / sizeof kTraced[0]) - 1;

// Seed of the random initial values of unreset state (--x-initial unique): fixed, so runs
// repeat; any dependence of the results on those values is a co-simulation mismatch.
const int kRandSeed = 20261201;

// Where the Verilator runtime's printing goes while the harness runs a model (RAII:
// ModelScope); elsewhere it goes to stdout.
thread_local std::string *g_vl_out = nullptr;

// Entered by every call that evaluates, finishes or destroys a model: parts of the Verilator
// runtime act on the thread's current context, not the model's (an assertion's $error sets
// gotError there; a scope unregisters itself there on destruction), and with several handles
// on one thread that must be this handle's context.
struct ModelScope {
  ModelScope(VerilatedContext *ctx, std::string *out) : prev(g_vl_out) {
    g_vl_out = out;
    if (ctx) Verilated::threadContextp(ctx);
  }
  ~ModelScope() { g_vl_out = prev; }
  std::string *prev;
};

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

void put_err(char *err, size_t len, const std::string &msg) {
  if (err && len) snprintf(err, len, "%s", msg.c_str());
}

double thread_cpu_seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

}  // namespace

struct sa_rtl {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<SaRtlModel> model;
  std::string err;
  std::string vcd_path;  // VCD requested: FST goes to vcd_path + ".fst.tmp" until finish
  bool finished = false;
  bool failed = false;   // an assertion fired: the model's state is no longer trusted
  std::string vl_out;    // the runtime's messages (assertion failures) not yet reported
  std::vector<sa_rtl_tile_event> tiles;  // of the last run
  std::vector<sa_rtl_out_event> outs;    // of the last run
  std::vector<sa_rtl_ins_event> ins;     // of the last sa_rtl_run_cpu
  int perturb = 0;
  bool cpu_gaps = false;     // sa_rtl_cpu_source set: the CPU issues when cpu_src offers
  sa_rtl_source cpu_src{};
  sa_rtl_violation violate = SA_RTL_VIOLATE_NONE;
  sa_rtl_stats stats{};
};

void sa_rtl_vl_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (!g_vl_out) {
    vprintf(fmt, ap);
  } else {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (g_vl_out->size() < 8192) *g_vl_out += buf;
  }
  va_end(ap);
}

namespace {

// After simulating: if an assertion fired, makes its first message the error of r and marks
// r failed; true if so. Verilator prints "[TIME] %Error: FILE:LINE: Assertion failed in
// TOP.sa_top.HIER.NAME_A: [ASSERT FAILED] ..." (sa_assert.svh); that becomes "RTL assertion
// NAME_A failed WHERE (sa_top.HIER, FILE:LINE)", or the raw line if it reads otherwise.
bool assertion_failed(sa_rtl *r, const std::string &where) {
  if (!r->ctx->gotError()) return false;
  std::string line = r->vl_out.substr(0, r->vl_out.find('\n'));
  size_t p = line.find("%Error: ");
  if (p != std::string::npos) line = line.substr(p + 8);
  const std::string tag = ": Assertion failed in ";
  size_t a = line.find(tag);
  size_t b = a == std::string::npos ? a : line.find(':', a + tag.size());
  size_t dot = b == std::string::npos ? b : line.rfind('.', b);
  if (dot != std::string::npos && dot > a + tag.size()) {
    std::string loc = line.substr(0, a), hier = line.substr(a + tag.size(), dot - a - tag.size());
    const std::string top = "sa_top.sa_top";  // the model's name, then the top module
    if (hier.compare(0, top.size(), top) == 0) hier = hier.substr(7);
    r->err = "RTL assertion " + line.substr(dot + 1, b - dot - 1) + " failed " + where + " (" +
             hier + ", " + loc + ")";
  } else {
    r->err = "RTL assertion failed " + where + ": " + (line.empty() ? "(no message)" : line);
  }
  int n = 0;
  for (size_t i = 0; (i = r->vl_out.find("Assertion failed", i)) != std::string::npos; i++) n++;
  if (n > 1) r->err += format("; %d assertions failed in all", n);
  r->failed = true;
  return true;
}

}  // namespace

extern "C" {

int sa_rtl_n_sizes(void) { return kNSizes; }

void sa_rtl_size(int i, int *rows, int *cols) {
  bool ok = i >= 0 && i < kNSizes;
  *rows = ok ? kSizes[i].rows : 0;
  *cols = ok ? kSizes[i].cols : 0;
}

const char *sa_rtl_sizes_text(void) {
  static std::string text;
  if (text.empty())
    for (int i = 0; i < kNSizes; i++)
      text += format("%s%dx%d", i ? ", " : "", kSizes[i].rows, kSizes[i].cols);
  return text.c_str();
}

const char *sa_rtl_traced_text(void) {
  static std::string text;
  if (text.empty())
    for (int i = 0; i < kNTraced; i++)
      text += format("%s%dx%d", i ? ", " : "", kTraced[i].rows, kTraced[i].cols);
  return text.c_str();
}

int sa_rtl_size_ok(int rows, int cols) {
  return rows >= SA_RTL_MIN_SIDE && rows <= SA_RTL_MAX_SIDE && cols >= SA_RTL_MIN_SIDE &&
         cols <= SA_RTL_MAX_SIDE;
}

sa_rtl *sa_rtl_open(int rows, int cols, const char *trace_path, int *unavailable, char *err,
                    size_t err_len) {
  return sa_rtl_open_act(rows, cols, 0, trace_path, unavailable, err, err_len);
}

sa_rtl *sa_rtl_open_act(int rows, int cols, int act_fp32, const char *trace_path,
                        int *unavailable, char *err, size_t err_len) {
  if (unavailable) *unavailable = 0;
  if (!sa_rtl_size_ok(rows, cols)) {
    put_err(err, err_len,
            format("no RTL model of a %dx%d array: the RTL has %d ... %d rows and columns",
                   rows, cols, SA_RTL_MIN_SIDE, SA_RTL_MAX_SIDE));
    return nullptr;
  }
  if (trace_path && !ends_with(trace_path, ".fst") && !ends_with(trace_path, ".vcd")) {
    put_err(err, err_len,
            format("%s: name the trace FILE.fst or FILE.vcd", trace_path));
    return nullptr;
  }
  // The prebuilt model (the traced one when waves are asked for; int8 only), else the
  // cache's.
  const bool traced = trace_path != nullptr;
  const SizeEntry *table = traced ? kTraced : kSizes;
  const int n_table = traced ? kNTraced : kNSizes;
  SaRtlFactory make = nullptr;
  for (int i = 0; i < n_table && !act_fp32; i++)
    if (table[i].rows == rows && table[i].cols == cols) make = table[i].make;
  if (!make) {
    std::string msg;
    make = sa_rtl_cache_factory(rows, cols, act_fp32 != 0, traced, &msg);
    if (!make) {
      if (unavailable) *unavailable = 1;
      put_err(err, err_len, msg);
      return nullptr;
    }
  }
  std::unique_ptr<sa_rtl> r(new (std::nothrow) sa_rtl);
  if (!r) {
    put_err(err, err_len, "out of memory opening the RTL model");
    return nullptr;
  }
  ModelScope scope(nullptr, &r->vl_out);
  try {
    r->ctx.reset(new VerilatedContext);
    Verilated::threadContextp(r->ctx.get());
    // An assertion failure ($error) stops nothing: the harness checks gotError and reports.
    r->ctx->fatalOnError(false);
    r->ctx->randReset(2);
    r->ctx->randSeed(kRandSeed);
    if (trace_path) r->ctx->traceEverOn(true);
    r->model.reset(make(r->ctx.get()));
  } catch (const std::bad_alloc &) {
    put_err(err, err_len, format("out of memory building the %dx%d RTL model", rows, cols));
    return nullptr;
  }
  std::string fst_path;
  if (trace_path) {
    fst_path = trace_path;
    if (ends_with(trace_path, ".vcd")) {
      r->vcd_path = trace_path;
      fst_path += ".fst.tmp";
    }
  }
  if (trace_path && !r->model->trace_open(fst_path.c_str())) {
    put_err(err, err_len, format("%s: cannot open the trace file for writing", trace_path));
    r->model->finish();
    r->finished = true;
    remove(fst_path.c_str());
    return nullptr;
  }
  r->model->reset();
  if (assertion_failed(r.get(), "in reset")) {
    put_err(err, err_len, r->err);
    return nullptr;
  }
  return r.release();
}

void sa_rtl_shape(const sa_rtl *r, int *rows, int *cols) {
  *rows = r->model->rows;
  *cols = r->model->cols;
}

int sa_rtl_act_fp32(const sa_rtl *r) { return r->model->act_fp ? 1 : 0; }

void sa_rtl_cpu_source(sa_rtl *r, const sa_rtl_source *src) {
  r->cpu_gaps = src != nullptr;
  r->cpu_src = src ? *src : sa_rtl_source{};
}

void sa_rtl_limits(const sa_rtl *r, int64_t *max_m, int64_t *max_k, int64_t *max_n) {
  if (max_m) *max_m = r->model->max_m;
  if (max_k) *max_k = INT32_MAX;
  if (max_n) *max_n = INT32_MAX;
}

const char *sa_rtl_error(const sa_rtl *r) { return r->err.c_str(); }

const sa_rtl_tile_event *sa_rtl_tiles(const sa_rtl *r, int64_t *n) {
  *n = static_cast<int64_t>(r->tiles.size());
  return r->tiles.data();
}

const sa_rtl_out_event *sa_rtl_outs(const sa_rtl *r, int64_t *n) {
  *n = static_cast<int64_t>(r->outs.size());
  return r->outs.data();
}

const sa_rtl_ins_event *sa_rtl_ins(const sa_rtl *r, int64_t *n) {
  *n = static_cast<int64_t>(r->ins.size());
  return r->ins.data();
}

void sa_rtl_perturb(sa_rtl *r, int mask) { r->perturb = mask; }

void sa_rtl_violate(sa_rtl *r, sa_rtl_violation v) { r->violate = v; }

void sa_rtl_stats_get(const sa_rtl *r, sa_rtl_stats *out) { *out = r->stats; }

/* A handle that may run another command: not finished, not stopped by an assertion (else
 * r->err says which). */
static bool usable(sa_rtl *r) {
  if (r->finished) {
    r->err = "the RTL simulation was already finished (sa_rtl_finish)";
    return false;
  }
  if (r->failed) {
    r->err = "the RTL model stopped at a failed assertion; open a new one";
    return false;
  }
  return true;
}

int sa_rtl_run(sa_rtl *r, const int8_t *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
               const uint8_t *keep, const sa_rtl_source *src, int32_t *y, int64_t *cycles) {
  SaRtlModel &md = *r->model;
  const int R = md.rows, C = md.cols;
  if (!usable(r)) return -1;
  if (r->model->act_fp) {
    r->err = "the fp32 RTL model runs through its CPU port only (sa_rtl_run_cpu_f32)";
    return -1;
  }
  ModelScope scope(r->ctx.get(), &r->vl_out);
  const sa_rtl_violation violate = r->violate;
  r->violate = SA_RTL_VIOLATE_NONE;
  if (m < 1 || k < 1 || n < 1 || m > md.max_m || k > INT32_MAX || n > INT32_MAX) {
    r->err = format("GEMM M=%lld K=%lld N=%lld does not fit one command of the %dx%d RTL model "
                    "(1 <= M <= %lld, 1 <= K, N < 2^31)",
                    (long long)m, (long long)k, (long long)n, R, C, (long long)md.max_m);
    return -1;
  }
  const int64_t kt_n = (k + R - 1) / R, nt_n = (n + C - 1) / C;
  // The kept tiles in visit order: strips outer, down each strip (docs/timing.md §2).
  std::vector<int64_t> tkt, tnt;
  for (int64_t nt = 0; nt < nt_n; nt++)
    for (int64_t kt = 0; kt < kt_n; kt++)
      if (!keep || keep[kt * nt_n + nt]) tkt.push_back(kt), tnt.push_back(nt);
  const int64_t T = static_cast<int64_t>(tkt.size());
  if (T > INT32_MAX) {
    r->err = format("%lld kept tiles do not fit the command's 32-bit count", (long long)T);
    return -1;
  }
  for (int64_t i = 0; i < m * n; i++) y[i] = 0;  // strips without a kept tile stay 0

  // Command: accepted on the rising edge where valid and ready are both high.
  const std::string shape = format("(M=%lld K=%lld N=%lld on %dx%d)", (long long)m,
                                   (long long)k, (long long)n, R, C);
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_seconds();
  md.command(true, violate == SA_RTL_VIOLATE_CMD_RANGE ? 0u : static_cast<uint32_t>(m),
             static_cast<uint32_t>(k), static_cast<uint32_t>(n), static_cast<uint32_t>(T));
  if (!md.ready()) {
    r->err = "the RTL controller is not ready for a command";
    return -1;
  }
  md.tick();
  md.command(false, 0, 0, 0, 0);

  // The sources: next beat of each input stream and whether it is offered (held until it
  // transfers). Weight beat i of tile u is its row R-1-i; activation beat i is row i.
  int64_t d_next = 0, w_next = 0, x_next = 0;
  const int64_t w_total = T * R, x_total = T * m;
  bool d_pend = false, w_pend = false, x_pend = false;
  std::vector<int8_t> wl(static_cast<size_t>(C)), xl(static_cast<size_t>(R));
  std::vector<int32_t> ol(static_cast<size_t>(C));
  auto offer = [&](int stream, int64_t cyc) {
    return !src || src->offer(src->ctx, stream, cyc) != 0;
  };
  const int64_t S = m + R + C - 1;
  const int64_t limit = (R + T * S + 16) * (src ? 1000 : 1) + 16;
  int64_t count = 0, stalled = 0;
  r->tiles.clear();
  r->outs.clear();
  bool dropped = false;  // SA_RTL_VIOLATE_STREAM_DROP committed (valid low for one edge)
  int64_t dropped_at = -2;  // the weight source stays silent in cycle dropped_at + 1
  for (;; count++) {
    if (md.done()) break;
    if (r->ctx->gotError()) break;
    if (count > limit) {
      r->err = format("the %dx%d RTL did not signal done within %lld cycles (M=%lld K=%lld "
                      "N=%lld)",
                      R, C, (long long)limit, (long long)m, (long long)k, (long long)n);
      return -1;
    }
    if (!d_pend && d_next < T && offer(SA_RTL_TILES, count)) {
      d_pend = true;
      md.tile_in(true, static_cast<uint32_t>(tkt[d_next]), static_cast<uint32_t>(tnt[d_next]));
    }
    if (!w_pend && w_next < w_total && count != dropped_at + 1 && offer(SA_RTL_WEIGHTS, count)) {
      w_pend = true;
      int64_t u = w_next / R, kk = tkt[u] * R + (R - 1 - w_next % R);
      for (int c = 0; c < C; c++) {
        int64_t nn = tnt[u] * C + c;
        wl[c] = (kk < k && nn < n) ? w[kk * n + nn] : 0;
      }
      md.w_in(true, wl.data());
    }
    if (!x_pend && x_next < x_total && offer(SA_RTL_ACTS, count)) {
      x_pend = true;
      int64_t u = x_next / m, row = x_next % m;
      for (int rr = 0; rr < R; rr++) {
        int64_t kk = tkt[u] * R + rr;
        xl[rr] = kk < k ? x[row * k + kk] : 0;
      }
      md.x_in(true, xl.data());
    }
    // Seeded protocol violations (sa_rtl_violate), committed once the command is running.
    if (count == 1 && violate == SA_RTL_VIOLATE_VALID_DROP)
      md.command(true, static_cast<uint32_t>(m), static_cast<uint32_t>(k),
                 static_cast<uint32_t>(n), static_cast<uint32_t>(T));
    if (count == 2 && violate == SA_RTL_VIOLATE_VALID_DROP) md.command(false, 0, 0, 0, 0);
    md.out_ready(offer(SA_RTL_OUT, count));
    md.settle();
    // a weight beat offered while the stream is not ready, withdrawn in the next cycle
    if (violate == SA_RTL_VIOLATE_STREAM_DROP && !dropped && w_pend && !md.w_ready()) {
      md.tick();  // the loop's count++ counts this cycle
      md.w_in(false, nullptr);
      w_pend = false;
      dropped = true;
      dropped_at = count;
      continue;
    }
    bool d_fire = d_pend && md.tile_ready(), w_fire = w_pend && md.w_ready(),
         x_fire = x_pend && md.x_ready();
    sa_rtl_tile_event ev{count, 0, 0};
    if (md.tile_start(&ev.kt, &ev.nt)) r->tiles.push_back(ev);
    if (md.out_valid() && offer(SA_RTL_OUT, count)) {
      sa_rtl_out_event oe{count, 0, 0};
      md.out_beat(&oe.row, &oe.nt, ol.data());
      r->outs.push_back(oe);
      if (oe.row >= 0 && oe.row < m && oe.nt >= 0 && oe.nt < nt_n)
        for (int c = 0; c < C; c++) {
          int64_t nn = oe.nt * C + c;
          if (nn < n) y[oe.row * n + nn] = ol[c];
        }
    }
    stalled += md.stall();
    md.tick();
    if (d_fire) d_pend = false, d_next++, md.tile_in(false, 0, 0);
    if (w_fire) w_pend = false, w_next++, md.w_in(false, nullptr);
    if (x_fire) x_pend = false, x_next++, md.x_in(false, nullptr);
  }
  md.out_ready(false);
  auto t1 = std::chrono::steady_clock::now();
  r->stats.cpu_seconds_command += thread_cpu_seconds() - c0;
  if (assertion_failed(r, format("in cycle %lld of the command ", (long long)count) + shape))
    return -1;
  r->stats.clocks_command += static_cast<uint64_t>(count);
  r->stats.clocks_stalled += static_cast<uint64_t>(stalled);
  r->stats.seconds_command += std::chrono::duration<double>(t1 - t0).count();
  *cycles = count;
  if (r->perturb & SA_RTL_PERTURB_VALUE) y[m * n - 1] ^= 1;
  if (r->perturb & SA_RTL_PERTURB_CYCLES) (*cycles)++;
  if ((r->perturb & SA_RTL_PERTURB_SCHEDULE) && !r->tiles.empty()) r->tiles.back().cycle++;
  if ((r->perturb & SA_RTL_PERTURB_OUTPUT) && !r->outs.empty()) r->outs.back().cycle++;
  r->stats.runs++;
  r->stats.clocks_total += static_cast<uint64_t>(count) + 1;
  return 0;
}

namespace {

// sa_rtl_run_cpu (x8, y8) and sa_rtl_run_cpu_f32 (x32, y32): the same instruction stream;
// fp32 moves one activation a word and adds the returned fp32 outputs in float.
int run_cpu(sa_rtl *r, const int8_t *x8, const float *x32, const int8_t *w, int64_t m,
            int64_t k, int64_t n, const uint8_t *keep, int reads, int32_t *y8, float *y32,
            int64_t *cycles) {
  SaRtlModel &md = *r->model;
  const bool fp = x32 != nullptr;
  const int R = md.rows, C = md.cols, Pw = SA_RTL_BUS_LANES, P = fp ? 1 : SA_RTL_BUS_LANES;
  if (!usable(r)) return -1;
  if (md.act_fp != fp) {
    r->err = format("the %dx%d RTL model has %s activations; this run gives it %s", R, C,
                    md.act_fp ? "fp32" : "int8", fp ? "fp32" : "int8");
    return -1;
  }
  ModelScope scope(r->ctx.get(), &r->vl_out);
  const sa_rtl_violation violate = r->violate;
  r->violate = SA_RTL_VIOLATE_NONE;
  if (m < 1 || k < 1 || n < 1 || m > INT32_MAX || k > INT32_MAX || n > INT32_MAX) {
    r->err = format("GEMM M=%lld K=%lld N=%lld out of range for the %dx%d RTL's CPU port "
                    "(1 <= M, K, N < 2^31)",
                    (long long)m, (long long)k, (long long)n, R, C);
    return -1;
  }
  const int64_t kt_n = (k + R - 1) / R, nt_n = (n + C - 1) / C;
  const int64_t W = std::max((R + P - 1) / P, (C + P - 1) / P), steps = m + R + C - 1;
  const int64_t first_valid = W * (R + C - 1) - 1;
  for (int64_t i = 0; i < m * n; i++) {
    if (fp) y32[i] = 0.0f;
    else y8[i] = 0;
  }
  const std::string shape = format("(M=%lld K=%lld N=%lld on %dx%d, cpu_fed%s)", (long long)m,
                                   (long long)k, (long long)n, R, C, fp ? ", fp32" : "");
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_seconds();
  r->ins.clear();
  r->err.clear();
  md.cpu_mode(true);
  int64_t count = 0;
  bool pending = false;  // the instruction of the last cycle awaits its returned word
  // One cycle: collect the returned word of the last cycle's instruction, offer this one
  // (op < 0: none) until it is accepted.
  auto cycle = [&](int op, uint32_t data) -> bool {
    for (int64_t wait = 0;; wait++) {
      if (r->ctx->gotError()) return false;
      if (wait > 1000) {
        r->err = format("the RTL's CPU port did not accept an instruction within 1000 cycles "
                        "(cycle %lld) %s", (long long)count, shape.c_str());
        return false;
      }
      md.ins(op >= 0, op < 0 ? 0 : op, data);
      md.settle();
      bool flag;
      uint32_t word;
      int32_t lanes[SA_RTL_BUS_LANES];
      bool valid = md.rsp(&flag, &word, lanes);
      if (pending) {
        if (!valid) {
          r->err = format("the RTL's CPU port returned no word in cycle %lld for the "
                          "instruction accepted in cycle %lld %s",
                          (long long)count, (long long)r->ins.back().cycle, shape.c_str());
          return false;
        }
        sa_rtl_ins_event &ev = r->ins.back();
        ev.rsp_cycle = count;
        ev.flag = flag;
        ev.word = word;
        std::copy(lanes, lanes + SA_RTL_BUS_LANES, ev.lanes);
        pending = false;
      }
      bool fire = op >= 0 && md.ins_ready();
      md.tick();
      if (fire) {
        sa_rtl_ins_event ev{count, -1, op, 0, 0, {0, 0, 0, 0}};
        r->ins.push_back(ev);
        pending = true;
      }
      count++;
      if (fire || op < 0) return true;
    }
  };
  // One instruction, after the idle cycles of a CPU that does not issue every cycle.
  auto issue = [&](int op, uint32_t data) -> bool {
    while (r->cpu_gaps && !r->cpu_src.offer(r->cpu_src.ctx, SA_RTL_CPU_INS, count))
      if (!cycle(-1, 0)) return false;
    return cycle(op, data);
  };
  bool ok = true;
  std::vector<std::pair<size_t, int64_t>> streams;  // per kept tile: first queue/stream, nt
  for (int64_t nt = 0; nt < nt_n && ok; nt++) {
    for (int64_t kt = 0; kt < kt_n && ok; kt++) {
      if (keep && !keep[kt * nt_n + nt]) continue;
      // weights: row R-1 first, ceil(C/Pw) words of Pw weights per row (the seeded violation
      // writes one word only)
      const bool half = violate == SA_RTL_VIOLATE_CPU_HALF_WEIGHTS && streams.empty();
      for (int rr = R - 1; rr >= 0 && ok && !(half && rr < R - 1); rr--) {
        int64_t kk = kt * R + rr;
        for (int c0w = 0; c0w < C && ok && !(half && c0w > 0); c0w += Pw) {
          uint32_t word = 0;
          for (int p = 0; p < Pw && c0w + p < C; p++) {
            int64_t nn = nt * C + c0w + p;
            int8_t v = (kk < k && nn < n) ? w[kk * n + nn] : 0;
            word |= static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * p);
          }
          ok = issue(SA_RTL_INS_WRITE, word);
        }
      }
      // W*steps - 1 queue/stream instructions; the valid returned words add into Y
      streams.emplace_back(r->ins.size(), nt);
      for (int64_t i = 0; i < W * steps - 1 && ok; i++) {
        int64_t s = i / W, pos = i % W;
        uint32_t word = 0;
        for (int p = 0; p < P; p++) {
          int64_t rr = pos * P + p, kk = kt * R + rr;
          const bool in = s < m && rr < R && kk < k;
          if (fp) {
            float v = in ? x32[s * k + kk] : 0.0f;
            memcpy(&word, &v, sizeof word);
          } else {
            int8_t v = in ? x8[s * k + kk] : 0;
            word |= static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * p);
          }
        }
        ok = issue(pos == W - 1 ? SA_RTL_INS_STREAM : SA_RTL_INS_QUEUE, word);
      }
      for (int c = 0; c < C && ok && reads; c++)
        ok = issue(SA_RTL_INS_READ, static_cast<uint32_t>(c));
    }
  }
  if (ok && pending) ok = cycle(-1, 0);  // the last word comes back
  // The CPU's adds (addActIn32), at int32 (fp32: in float, out = out + t, tiles of a strip
  // in kt order as docs/timing.md §1.1 fixes): valid words by index, row by row.
  for (size_t t = 0; ok && t < streams.size(); t++) {
    for (int64_t i = first_valid; i < W * steps - 1; i++) {
      const sa_rtl_ins_event &ev = r->ins[streams[t].first + static_cast<size_t>(i)];
      int64_t row = (i - first_valid) / W, g = (i - first_valid) % W;
      for (int p = 0; p < P; p++) {
        int64_t c = g * P + p, nn = streams[t].second * C + c;
        if (c >= C || nn >= n) continue;
        if (fp) {
          float t;
          memcpy(&t, &ev.lanes[p], sizeof t);
          y32[row * n + nn] = y32[row * n + nn] + t;
        } else {
          y8[row * n + nn] = static_cast<int32_t>(static_cast<uint32_t>(y8[row * n + nn]) +
                                                  static_cast<uint32_t>(ev.lanes[p]));
        }
      }
    }
  }
  md.ins(false, 0, 0);
  md.cpu_mode(false);
  r->stats.cpu_seconds_command += thread_cpu_seconds() - c0;
  if (assertion_failed(r, format("in cycle %lld of the cpu_fed run ", (long long)count) + shape))
    return -1;
  if (!ok) {
    if (r->err.empty()) r->err = "the RTL's CPU port never accepted an instruction " + shape;
    return -1;
  }
  auto t1 = std::chrono::steady_clock::now();
  r->stats.clocks_command += static_cast<uint64_t>(count);
  r->stats.seconds_command += std::chrono::duration<double>(t1 - t0).count();
  *cycles = r->ins.empty() ? 0 : r->ins.back().cycle + 1;
  if (r->perturb & SA_RTL_PERTURB_VALUE) {
    if (fp) {
      uint32_t u;
      memcpy(&u, &y32[m * n - 1], sizeof u);
      u ^= 1;
      memcpy(&y32[m * n - 1], &u, sizeof u);
    } else {
      y8[m * n - 1] ^= 1;
    }
  }
  if ((r->perturb & SA_RTL_PERTURB_INS) && !r->ins.empty()) r->ins.back().cycle++;
  r->stats.runs++;
  r->stats.clocks_total += static_cast<uint64_t>(count);
  return 0;
}

}  // namespace

int sa_rtl_run_cpu(sa_rtl *r, const int8_t *x, const int8_t *w, int64_t m, int64_t k,
                   int64_t n, const uint8_t *keep, int reads, int32_t *y, int64_t *cycles) {
  return run_cpu(r, x, nullptr, w, m, k, n, keep, reads, y, nullptr, cycles);
}

int sa_rtl_run_cpu_f32(sa_rtl *r, const float *x, const int8_t *w, int64_t m, int64_t k,
                       int64_t n, const uint8_t *keep, int reads, float *y, int64_t *cycles) {
  return run_cpu(r, nullptr, x, w, m, k, n, keep, reads, nullptr, y, cycles);
}

int sa_rtl_finish(sa_rtl *r) {
  if (r->finished) return 0;
  r->finished = true;
  ModelScope scope(r->ctx.get(), &r->vl_out);
  r->model->finish();
  if (r->vcd_path.empty()) return 0;
  // The model writes FST (one trace format per Verilated model); convert it to VCD with the
  // FST reader, into a temporary file renamed over the target only when complete.
  std::string fst = r->vcd_path + ".fst.tmp", part = r->vcd_path + ".part";
  void *xc = fstReaderOpen(fst.c_str());
  FILE *f = xc ? fopen(part.c_str(), "w") : nullptr;
  int rc = 0;
  if (!xc) {
    r->err = format("%s: cannot read the FST trace back", fst.c_str());
    rc = -1;
  } else if (!f) {
    r->err = format("%s: cannot write the VCD trace: %s", part.c_str(), strerror(errno));
    rc = -1;
  } else {
    fstReaderProcessHier(xc, f);
    fstReaderSetFacProcessMaskAll(xc);
    fstReaderIterBlocks(xc, nullptr, nullptr, f);
    if (ferror(f)) {
      r->err = format("%s: write error", part.c_str());
      rc = -1;
    }
  }
  if (f && fclose(f) && rc == 0) {
    r->err = format("%s: write error: %s", part.c_str(), strerror(errno));
    rc = -1;
  }
  if (xc) fstReaderClose(xc);
  if (rc == 0 && rename(part.c_str(), r->vcd_path.c_str())) {
    r->err = format("%s: %s", r->vcd_path.c_str(), strerror(errno));
    rc = -1;
  }
  if (rc) remove(part.c_str());
  remove(fst.c_str());
  return rc;
}

void sa_rtl_close(sa_rtl *r) {
  if (!r) return;
  sa_rtl_finish(r);
  ModelScope scope(r->ctx.get(), &r->vl_out);
  delete r;
}

}  // extern "C"
