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
  bool perturb = false;
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
  // The prebuilt model (the traced one when waves are asked for), else the cache's.
  const bool traced = trace_path != nullptr;
  const SizeEntry *table = traced ? kTraced : kSizes;
  const int n_table = traced ? kNTraced : kNSizes;
  SaRtlFactory make = nullptr;
  for (int i = 0; i < n_table; i++)
    if (table[i].rows == rows && table[i].cols == cols) make = table[i].make;
  if (!make) {
    std::string msg;
    make = sa_rtl_cache_factory(rows, cols, traced, &msg);
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

void sa_rtl_limits(const sa_rtl *r, int64_t *max_m, int64_t *max_k, int64_t *max_n) {
  if (max_m) *max_m = r->model->max_m;
  if (max_k) *max_k = r->model->max_k;
  if (max_n) *max_n = r->model->max_n;
}

const char *sa_rtl_error(const sa_rtl *r) { return r->err.c_str(); }

const sa_rtl_tile_event *sa_rtl_tiles(const sa_rtl *r, int64_t *n) {
  *n = static_cast<int64_t>(r->tiles.size());
  return r->tiles.data();
}

void sa_rtl_perturb(sa_rtl *r, int on) { r->perturb = on != 0; }

void sa_rtl_violate(sa_rtl *r, sa_rtl_violation v) { r->violate = v; }

void sa_rtl_stats_get(const sa_rtl *r, sa_rtl_stats *out) { *out = r->stats; }

int sa_rtl_run(sa_rtl *r, const int8_t *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
               const uint8_t *keep, int32_t *y, int64_t *cycles) {
  SaRtlModel &md = *r->model;
  const int R = md.rows, C = md.cols;
  if (r->finished) {
    r->err = "the RTL simulation was already finished (sa_rtl_finish)";
    return -1;
  }
  if (r->failed) {
    r->err = "the RTL model stopped at a failed assertion; open a new one";
    return -1;
  }
  ModelScope scope(r->ctx.get(), &r->vl_out);
  const sa_rtl_violation violate = r->violate;
  r->violate = SA_RTL_VIOLATE_NONE;
  if (m < 1 || k < 1 || n < 1 || m > md.max_m || k > md.max_k || n > md.max_n) {
    r->err = format("GEMM M=%lld K=%lld N=%lld does not fit one command of the %dx%d RTL model "
                    "(1 <= M <= %lld, K <= %lld, N <= %lld)",
                    (long long)m, (long long)k, (long long)n, R, C, (long long)md.max_m,
                    (long long)md.max_k, (long long)md.max_n);
    return -1;
  }
  const int64_t kt_n = (k + R - 1) / R, nt_n = (n + C - 1) / C;
  uint64_t clocks = 0;

  // Activations: word (kt, m) at kt*MaxM + m, lane r = X[m][kt*R + r] (padding lanes 0).
  std::vector<int8_t> lanes(static_cast<size_t>(R > C ? R : C));
  for (int64_t kt = 0; kt < kt_n; kt++)
    for (int64_t i = 0; i < m; i++) {
      for (int rr = 0; rr < R; rr++) {
        int64_t kk = kt * R + rr;
        lanes[rr] = kk < k ? x[i * k + kk] : 0;
      }
      md.host_x(true, static_cast<uint32_t>(kt * md.max_m + i), lanes.data());
      md.tick();
      clocks++;
    }
  md.host_x(false, 0, nullptr);

  // Weights of kept tiles only: word ((kt*MaxNT + nt)*R + r), lane c = W[kt*R + r][nt*C + c].
  for (int64_t kt = 0; kt < kt_n; kt++)
    for (int64_t nt = 0; nt < nt_n; nt++) {
      if (keep && !keep[kt * nt_n + nt]) continue;
      for (int rr = 0; rr < R; rr++) {
        int64_t kk = kt * R + rr;
        for (int c = 0; c < C; c++) {
          int64_t nn = nt * C + c;
          lanes[c] = (kk < k && nn < n) ? w[kk * n + nn] : 0;
        }
        md.host_w(true, static_cast<uint32_t>((kt * md.max_nt + nt) * R + rr), lanes.data());
        md.tick();
        clocks++;
      }
    }
  md.host_w(false, 0, nullptr);

  // Mask: one word per strip, bit kt = keep (kt, nt).
  std::vector<uint32_t> words(static_cast<size_t>((md.max_kt + 31) / 32));
  for (int64_t nt = 0; nt < nt_n; nt++) {
    std::fill(words.begin(), words.end(), 0u);
    for (int64_t kt = 0; kt < kt_n; kt++)
      if (!keep || keep[kt * nt_n + nt]) words[kt / 32] |= 1u << (kt % 32);
    md.host_mask(true, static_cast<uint32_t>(nt), words.data());
    md.tick();
    clocks++;
  }
  md.host_mask(false, 0, nullptr);
  const std::string shape = format("(M=%lld K=%lld N=%lld on %dx%d)", (long long)m,
                                   (long long)k, (long long)n, R, C);
  if (assertion_failed(r, "loading the memories " + shape)) return -1;

  // Command: accepted on the rising edge where valid and ready are both high; then count
  // the cycles until done (done is high in cycle array_cycles after acceptance).
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_seconds();
  md.command(true, violate == SA_RTL_VIOLATE_CMD_RANGE ? 0u : static_cast<uint32_t>(m),
             static_cast<uint32_t>(k), static_cast<uint32_t>(n));
  if (!md.ready()) {
    r->err = "the RTL controller is not ready for a command";
    return -1;
  }
  md.tick();
  clocks++;
  md.command(false, 0, 0, 0);
  const int64_t limit = R + kt_n * nt_n * (m + R + C - 1) + 16;
  int64_t count = 0;
  r->tiles.clear();
  for (;;) {
    sa_rtl_tile_event ev{count, 0, 0};
    if (md.tile_start(&ev.kt, &ev.nt)) r->tiles.push_back(ev);
    if (md.done()) break;
    if (r->ctx->gotError()) break;
    if (count > limit) {
      r->err = format("the %dx%d RTL did not signal done within %lld cycles (M=%lld K=%lld "
                      "N=%lld)",
                      R, C, (long long)limit, (long long)m, (long long)k, (long long)n);
      return -1;
    }
    // Seeded protocol violations (sa_rtl_violate), committed once the command is running.
    if (count == 1 && violate == SA_RTL_VIOLATE_VALID_DROP)
      md.command(true, static_cast<uint32_t>(m), static_cast<uint32_t>(k),
                 static_cast<uint32_t>(n));
    if (count == 2 && violate == SA_RTL_VIOLATE_VALID_DROP) md.command(false, 0, 0, 0);
    if (count == 1 && violate == SA_RTL_VIOLATE_HOST_WRITE_BUSY)
      md.host_mask(true, 0, words.data());
    if (count == 2 && violate == SA_RTL_VIOLATE_HOST_WRITE_BUSY)
      md.host_mask(false, 0, nullptr);
    md.tick();
    count++;
  }
  auto t1 = std::chrono::steady_clock::now();
  r->stats.cpu_seconds_command += thread_cpu_seconds() - c0;
  if (assertion_failed(r, format("in cycle %lld of the command ", (long long)count) + shape))
    return -1;
  clocks += static_cast<uint64_t>(count);
  r->stats.clocks_command += static_cast<uint64_t>(count);
  r->stats.seconds_command += std::chrono::duration<double>(t1 - t0).count();
  *cycles = count;

  // Read back Y, strip by strip.
  std::vector<int32_t> row(static_cast<size_t>(C));
  for (int64_t nt = 0; nt < nt_n; nt++)
    for (int64_t i = 0; i < m; i++) {
      md.read_row(static_cast<uint32_t>(nt), static_cast<uint32_t>(i), row.data());
      for (int c = 0; c < C; c++) {
        int64_t nn = nt * C + c;
        if (nn < n) y[i * n + nn] = row[c];
      }
    }
  if (r->perturb) y[m * n - 1] ^= 1;
  r->stats.runs++;
  r->stats.clocks_total += clocks;
  return 0;
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
