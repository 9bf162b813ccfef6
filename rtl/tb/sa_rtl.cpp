// sa_rtl: the C API of the RTL co-simulation harness (sa_rtl.h). One VerilatedContext and one
// model per handle; waves only when a trace file is given; no exit() anywhere.
#include "sa_rtl.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "sa_rtl_cache.h"
#include "sa_rtl_model.h"

// The FST reader of the GTKWave library that Verilator's runtime compiles in (used to turn
// an FST trace into VCD).
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "gtkwave/fstapi.h"

#define SA_RTL_SIZE(r, c) extern "C" SaRtlModel *sa_rtl_make_##r##x##c(VerilatedContext *ctx);
#include "sa_rtl_sizes.h"
#undef SA_RTL_SIZE

namespace {

struct SizeEntry {
  int rows, cols;
  SaRtlModel *(*make)(VerilatedContext *);
};

const SizeEntry kSizes[] = {
#define SA_RTL_SIZE(r, c) {r, c, sa_rtl_make_##r##x##c},
#include "sa_rtl_sizes.h"
#undef SA_RTL_SIZE
    {0, 0, nullptr},
};
const int kNSizes = static_cast<int>(sizeof kSizes / sizeof kSizes[0]) - 1;

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
  std::vector<sa_rtl_tile_event> tiles;  // of the last run
  std::vector<sa_rtl_out_event> outs;    // of the last run
  int perturb = 0;
  sa_rtl_stats stats{};
};

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
  SaRtlFactory make = nullptr;
  for (int i = 0; i < kNSizes; i++)
    if (kSizes[i].rows == rows && kSizes[i].cols == cols) make = kSizes[i].make;
  if (!make) {
    std::string msg;
    make = sa_rtl_cache_factory(rows, cols, &msg);
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
  try {
    r->ctx.reset(new VerilatedContext);
    r->ctx->randReset(0);
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
  return r.release();
}

void sa_rtl_shape(const sa_rtl *r, int *rows, int *cols) {
  *rows = r->model->rows;
  *cols = r->model->cols;
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

void sa_rtl_perturb(sa_rtl *r, int mask) { r->perturb = mask; }

void sa_rtl_stats_get(const sa_rtl *r, sa_rtl_stats *out) { *out = r->stats; }

int sa_rtl_run(sa_rtl *r, const int8_t *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
               const uint8_t *keep, const sa_rtl_source *src, int32_t *y, int64_t *cycles) {
  SaRtlModel &md = *r->model;
  const int R = md.rows, C = md.cols;
  if (r->finished) {
    r->err = "the RTL simulation was already finished (sa_rtl_finish)";
    return -1;
  }
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
  auto t0 = std::chrono::steady_clock::now();
  md.command(true, static_cast<uint32_t>(m), static_cast<uint32_t>(k), static_cast<uint32_t>(n),
             static_cast<uint32_t>(T));
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
  for (;; count++) {
    if (md.done()) break;
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
    if (!w_pend && w_next < w_total && offer(SA_RTL_WEIGHTS, count)) {
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
    md.out_ready(offer(SA_RTL_OUT, count));
    md.settle();
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

int sa_rtl_finish(sa_rtl *r) {
  if (r->finished) return 0;
  r->finished = true;
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
  delete r;
}

}  // extern "C"
