/* sa_cosim: RTL vs C-model co-simulation (sa_cosim.h). */
#include "sa_cosim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sa_func.h"
#include "sa_hash.h"
#include "sa_host.h"
#include "sa_rng.h"
#include "sa_stream.h"
#include "sa_timing.h"

#ifdef SA_HAVE_RTL
#include "sa_rtl.h"
#endif

int sa_cosim_available(void) {
#ifdef SA_HAVE_RTL
  return 1;
#else
  return 0;
#endif
}

const char *sa_cosim_sizes(void) {
#ifdef SA_HAVE_RTL
  return sa_rtl_sizes_text();
#else
  return "";
#endif
}

int sa_cosim_check(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                   const sa_maskset *masks, int sample, uint64_t seed, sa_cosim_summary *out,
                   sa_err *e) {
  sa_cosim_opts o;
  memset(&o, 0, sizeof o);
  o.sample = sample;
  o.seed = seed;
  return sa_cosim_run(cfg, man, model, masks, &o, out, e);
}

/* Which layers are checked (a calloc'd flag per manifest layer): all, or a seeded partial
 * Fisher-Yates shuffle of sample of them, checked in manifest order. NULL when out of memory. */
static char *choose_layers(const sa_manifest *man, int64_t sample, uint64_t seed, sa_err *e) {
  int nl = man->n_layers;
  char *chosen = sa_calloc((size_t)(nl ? nl : 1), 1, e);
  if (!chosen) return NULL;
  if (sample <= 0 || sample >= nl) {
    memset(chosen, 1, (size_t)nl);
    return chosen;
  }
  int *idx = sa_malloc((size_t)nl * sizeof *idx, e);
  if (!idx) {
    free(chosen);
    return NULL;
  }
  for (int i = 0; i < nl; i++) idx[i] = i;
  uint64_t s = seed ^ 0x73616d706c65ull;
  for (int i = 0; i < sample; i++) {
    int j = i + (int)(sa_rng_splitmix64(&s) % (uint64_t)(nl - i));
    int t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
    chosen[idx[i]] = 1;
  }
  free(idx);
  return chosen;
}


/* int8 weights of layer li: quantised per docs/asr.md, or synthetic from the seed. */
static int layer_weights(const sa_model *model, int li, int64_t k, int64_t n, uint64_t seed,
                         int8_t *w, sa_err *e) {
  if (!model) {
    uint64_t s = seed ^ (0x5741u + (uint64_t)li * 0x100000001b3ull);
    for (int64_t i = 0; i < k * n; i++) w[i] = (int8_t)((int)(sa_rng_splitmix64(&s) % 255) - 127);
    return 0;
  }
  if (li >= sa_model_n_layers(model) || sa_model_layer_k(model, li) != k ||
      sa_model_layer_n(model, li) != n)
    return sa_err_set(e, "layer %d: the model's weights do not match the manifest's K=%lld "
                      "N=%lld", li, (long long)k, (long long)n);
  const float *wf = sa_model_weight(model, li);
  for (int64_t c = 0; c < n; c++) {
    double mx = 0;
    for (int64_t r = 0; r < k; r++) mx = fmax(mx, fabs((double)wf[r * n + c]));
    double s = mx > 0 ? mx / 127.0 : 1.0;
    for (int64_t r = 0; r < k; r++) {
      double q = round((double)wf[r * n + c] / s);
      w[r * n + c] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
    }
  }
  return 0;
}

/* The key hashes what the RTL and the C model are given, field by field: the hw keys the
 * check reads, then per checked GEMM its index (activations derive from seed and index),
 * shape, int8 weights and tile mask. */
int sa_cosim_key(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                 const sa_maskset *masks, int sample, uint64_t seed, char key[17], sa_err *e) {
  const sa_hw_cfg *hw = &cfg->hw;
  const int64_t head[] = {2, /* version of what is hashed */
                          hw->rows, hw->cols, hw->integration, hw->act_type, hw->acc_rows,
                          hw->bus_bits, (int64_t)seed};
  uint64_t h = sa_hash_fnv1a(head, sizeof head);
  char *chosen = choose_layers(man, sample, seed, e);
  int8_t *w = NULL;
  int rc = chosen ? 0 : -1;
  for (int li = 0; li < man->n_layers && !rc; li++) {
    if (!chosen[li]) continue;
    const sa_layer *l = &man->layers[li];
    const int64_t shape[] = {li, l->m, l->k, l->n};
    h = sa_hash_fnv1a_from(h, shape, sizeof shape);
    free(w);
    w = sa_malloc((size_t)(l->k * l->n), e);
    if (!w || layer_weights(model, li, l->k, l->n, seed, w, e)) {
      rc = -1;
      break;
    }
    h = sa_hash_fnv1a_from(h, w, (size_t)(l->k * l->n));
    const sa_tilemask *mask = masks ? sa_maskset_find(masks, l->name) : NULL;
    if (mask) {
      const int64_t mshape[] = {mask->k, mask->n, mask->tile_rows, mask->tile_cols};
      h = sa_hash_fnv1a_from(h, mshape, sizeof mshape);
      h = sa_hash_fnv1a_from(h, mask->keep, (size_t)(mask->kt * mask->nt));
    } else {
      h = sa_hash_fnv1a_from(h, "dense", 5);
    }
  }
  free(w);
  free(chosen);
  if (!rc) snprintf(key, 17, "%016llx", (unsigned long long)h);
  return rc;
}

float sa_cosim_f32_activation(uint64_t *state) {
  const uint64_t r = sa_rng_splitmix64(state);
  const uint32_t sign = (uint32_t)(r >> 63) << 31, frac = (uint32_t)(r >> 8) & 0x7fffffu;
  const unsigned kind = (unsigned)(r & 31);
  uint32_t u;
  if (kind == 0) u = sign;                     /* +-0 */
  else if (kind == 1) u = sign | frac;         /* subnormal */
  else u = sign | (uint32_t)(127 - 8 + (int)((r >> 32) & 15)) << 23 | frac; /* 2^-8 .. 2^7 */
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

#ifndef SA_HAVE_RTL

int sa_cosim_run(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                 const sa_maskset *masks, const sa_cosim_opts *opts, sa_cosim_summary *out,
                 sa_err *e) {
  (void)cfg, (void)man, (void)model, (void)masks, (void)opts;
  memset(out, 0, sizeof *out);
  out->rtl_unavailable = 1;
  return sa_err_set(e, "built without RTL (needs verilator; configure with -Drtl=enabled)");
}

#else

/* Lists up to 8 kept kt of strip nt ("kt 0,2,5", "none kept"). */
static void strip_tiles(const sa_tilemask *mask, int64_t kt_n, int64_t nt_n, int64_t nt,
                        char *buf, size_t len) {
  size_t off = (size_t)snprintf(buf, len, "kept kt");
  int shown = 0;
  int64_t kept = 0;
  for (int64_t kt = 0; kt < kt_n; kt++) {
    if (mask && !mask->keep[kt * nt_n + nt]) continue;
    kept++;
    if (shown < 8 && off < len) {
      off += (size_t)snprintf(buf + off, len - off, "%s%lld", shown ? "," : " ", (long long)kt);
      shown++;
    }
  }
  if (!kept) snprintf(buf, len, "no kept tile");
  else if (kept > shown && off < len) snprintf(buf + off, len - off, ",... (%lld of %lld)",
                                               (long long)kept, (long long)kt_n);
}

static int offer_cb(void *ctx, int stream, int64_t cycle) {
  return sa_stream_offer((const sa_stream_source *)ctx, stream, cycle);
}

/* 0 if mask (NULL: dense) is one of a K x N GEMM on R x C tiles; else -1 with e set. */
static int mask_misfit(const sa_tilemask *mask, int64_t k, int64_t n, int rows, int cols,
                       const char *what, sa_err *e) {
  if (!mask || (mask->k == k && mask->n == n && mask->tile_rows == rows &&
                mask->tile_cols == cols))
    return 0;
  return sa_err_set(e, "%s: mask of a %lldx%lld GEMM with %lldx%lld tiles does not fit "
                    "K=%lld N=%lld on a %dx%d array", what, (long long)mask->k,
                    (long long)mask->n, (long long)mask->tile_rows, (long long)mask->tile_cols,
                    (long long)k, (long long)n, rows, cols);
}

int sa_cosim_command(sa_rtl *rtl, const int8_t *x, const int8_t *w, int64_t m, int64_t k,
                     int64_t n, const sa_tilemask *mask, const sa_stream_source *src,
                     const char *what, int64_t row0, char *mismatch, size_t mismatch_len,
                     int64_t *rtl_cycles, int64_t *model_cycles, sa_err *e) {
  int rows, cols;
  sa_rtl_shape(rtl, &rows, &cols);
  if (mask_misfit(mask, k, n, rows, cols, what, e)) return -1;
  const uint8_t *keep = mask ? mask->keep : NULL;
  int64_t kt_n = sa_timing_tiles_k(k, rows), nt_n = sa_timing_tiles_n(n, cols);
  int32_t *y_rtl = sa_malloc((size_t)(m * n) * sizeof *y_rtl, e);
  int32_t *y_ref = sa_malloc((size_t)(m * n) * sizeof *y_ref, e);
  sa_func_weights *pw = NULL;
  sa_stream_trace tr;
  memset(&tr, 0, sizeof tr);
  int rc = -1;
  if (!y_rtl || !y_ref) goto done;
  pw = sa_func_pack(w, k, n, mask, e);
  if (!pw) goto done;
  sa_func_gemm(pw, x, m, y_ref);
  if (sa_stream_command(rows, cols, m, k, n, keep, src, &tr, e)) goto done;
  if (model_cycles) *model_cycles = tr.cycles;
  int64_t got_cycles = 0;
  sa_rtl_source rs = {offer_cb, (void *)src};
  if (sa_rtl_run(rtl, x, w, m, k, n, keep, src ? &rs : NULL, y_rtl, &got_cycles)) {
    sa_err_set(e, "%s: %s", what, sa_rtl_error(rtl));
    goto done;
  }
  if (rtl_cycles) *rtl_cycles = got_cycles;
  const char *srcname = src ? "stalling source" : "always-ready source";
  rc = 1;
  for (int64_t i = 0; i < m * n && rc; i++) {
    if (y_rtl[i] == y_ref[i]) continue;
    int64_t r = i / n, c = i % n;
    char tiles[160];
    strip_tiles(mask, kt_n, nt_n, c / cols, tiles, sizeof tiles);
    snprintf(mismatch, mismatch_len,
             "%s: Y[%lld][%lld] RTL %lld != C model %lld (tile column nt=%lld, %s; output "
             "tile rows %lld..%lld)",
             what, (long long)(row0 + r), (long long)c, (long long)y_rtl[i],
             (long long)y_ref[i], (long long)(c / cols), tiles, (long long)row0,
             (long long)(row0 + m - 1));
    rc = 0;
  }
  /* the tile schedule: kept tiles in visit order (nt outer, kt inner), each streaming from
   * the cycle the stream model says (R + t*S with an always-ready source, §4) */
  int64_t nev;
  const sa_rtl_tile_event *ev = sa_rtl_tiles(rtl, &nev);
  for (int64_t t = 0; t < tr.n_tiles && rc; t++) {
    const sa_stream_tile_ev *want = &tr.tiles[t];
    if (t >= nev) {
      snprintf(mismatch, mismatch_len,
               "%s: kept tile (kt=%lld, nt=%lld), #%lld in visit order, was never streamed by "
               "the RTL (it streamed %lld tiles)",
               what, (long long)want->kt, (long long)want->nt, (long long)t, (long long)nev);
      rc = 0;
    } else if (ev[t].kt != want->kt || ev[t].nt != want->nt || ev[t].cycle != want->cycle) {
      snprintf(mismatch, mismatch_len,
               "%s: stream phase #%lld: RTL streamed tile (kt=%lld, nt=%lld) from cycle %lld, "
               "the C model (%s) streams tile (kt=%lld, nt=%lld) from cycle %lld",
               what, (long long)t, (long long)ev[t].kt, (long long)ev[t].nt,
               (long long)ev[t].cycle, srcname, (long long)want->kt, (long long)want->nt,
               (long long)want->cycle);
      rc = 0;
    }
  }
  if (rc && nev > tr.n_tiles) {
    snprintf(mismatch, mismatch_len,
             "%s: the RTL streamed %lld tiles but only %lld are kept (extra: tile (kt=%lld, "
             "nt=%lld) from cycle %lld)",
             what, (long long)nev, (long long)tr.n_tiles, (long long)ev[tr.n_tiles].kt,
             (long long)ev[tr.n_tiles].nt, (long long)ev[tr.n_tiles].cycle);
    rc = 0;
  }
  /* every output beat: which row of which strip, in which cycle */
  int64_t nout;
  const sa_rtl_out_event *oe = sa_rtl_outs(rtl, &nout);
  for (int64_t i = 0; i < tr.n_outs && rc; i++) {
    const sa_stream_out_ev *want = &tr.outs[i];
    if (i >= nout || oe[i].nt != want->nt || oe[i].row != want->row ||
        oe[i].cycle != want->cycle) {
      snprintf(mismatch, mismatch_len,
               "%s: output beat #%lld: RTL %s, the C model (%s) sends row %lld of strip nt=%lld "
               "in cycle %lld",
               what, (long long)i, i >= nout ? "sent none" : "differs", srcname,
               (long long)(row0 + want->row), (long long)want->nt, (long long)want->cycle);
      if (i < nout) {
        size_t l = strlen(mismatch);
        snprintf(mismatch + l, mismatch_len - l, " (RTL: row %lld of nt=%lld in cycle %lld)",
                 (long long)(row0 + oe[i].row), (long long)oe[i].nt, (long long)oe[i].cycle);
      }
      rc = 0;
    }
  }
  if (rc && nout > tr.n_outs) {
    snprintf(mismatch, mismatch_len, "%s: the RTL sent %lld output beats, the C model %lld",
             what, (long long)nout, (long long)tr.n_outs);
    rc = 0;
  }
  if (rc && got_cycles != tr.cycles) {
    int64_t kept = 0;
    for (int64_t t = 0; t < kt_n * nt_n; t++) kept += !keep || keep[t];
    snprintf(mismatch, mismatch_len,
             "%s: cycles RTL %lld != C model %lld (M=%lld K=%lld N=%lld, %lld of %lld tiles "
             "kept, closed form R + T*(M+R+C-1) = %lld, %s: %lld stall cycles)",
             what, (long long)got_cycles, (long long)tr.cycles, (long long)m, (long long)k,
             (long long)n, (long long)kept, (long long)(kt_n * nt_n),
             (long long)sa_timing_command_cycles(rows, cols, m, k, n, keep), srcname,
             (long long)tr.stalls);
    rc = 0;
  }
  /* the always-ready stream model is the closed form (tests/model/test_stream.c) */
  SA_ASSERT(src || tr.cycles == sa_timing_command_cycles(rows, cols, m, k, n, keep));
done:
  sa_stream_trace_free(&tr);
  sa_func_free(pw);
  free(y_rtl);
  free(y_ref);
  return rc;
}

static const char *const ins_name[] = {"write", "queue", "stream", "read"};

/* The cycle after `after` in which the CPU issues its next instruction: every cycle without
 * src, else the next one src offers (sa_stream_offer on SA_RTL_CPU_INS, as the harness). */
static int64_t cpu_issue_next(const sa_stream_source *src, int64_t after) {
  int64_t c = after + 1;
  while (src && !sa_stream_offer(src, SA_RTL_CPU_INS, c)) c++;
  return c;
}

/* The cycle of instruction i (0-based) of a run. */
static int64_t cpu_issue_cycle(const sa_stream_source *src, int64_t i) {
  int64_t c = -1;
  for (int64_t j = 0; j <= i; j++) c = cpu_issue_next(src, c);
  return c;
}

static int8_t sat8(int64_t v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }

/* One cpu_fed co-simulation's operands, as the per-datatype pieces below see them. */
typedef struct cpu_job {
  const void *x;  /* int8_t or float, M x K row-major */
  const int8_t *w;
  int64_t m, k, n, row0;
  int rows, cols;
  const char *what;
} cpu_job;

/* What differs between the int8 and the fp32 cpu_fed co-simulation: the C reference and the
 * RTL run (by fp32), the check of one valid returned word and of the added-up outputs
 * (1 = same). */
typedef struct cpu_dtype {
  size_t y_size; /* one output's bytes */
  int fp32;      /* sa_func_gemm_f32 on R x C tiles even unmasked, sa_rtl_run_cpu_f32 */
  int (*word)(const cpu_job *job, const sa_rtl_ins_event *v, int64_t i, int op, int64_t kt,
              int64_t nt, int64_t mm, int64_t g, char *mismatch, size_t mismatch_len);
  int (*y)(const cpu_job *job, const void *y_rtl, const void *y_ref, char *mismatch,
           size_t mismatch_len);
} cpu_dtype;

/* sa_cosim_cpu_command(_f32): job without its rows and cols (the RTL's). */
static int cpu_command(sa_rtl *rtl, const sa_hw_cfg *hw, const cpu_dtype *dt, cpu_job jb,
                       const sa_tilemask *mask, const sa_stream_source *src, char *mismatch,
                       size_t mismatch_len, int64_t *rtl_cycles, int64_t *model_cycles,
                       sa_err *e) {
  const cpu_job *job = &jb;
  sa_rtl_shape(rtl, &jb.rows, &jb.cols);
  const int rows = jb.rows, cols = jb.cols;
  const char *tag = dt->fp32 ? "fp32 " : "";
  if (rows != hw->rows || cols != hw->cols || hw->bus_bits != SA_RTL_BUS_BITS ||
      hw->act_type != (dt->fp32 ? SA_ACT_FP32 : SA_ACT_INT8) ||
      (dt->fp32 && !sa_rtl_act_fp32(rtl)))
    return sa_err_set(e, "%s: %scpu_fed co-simulation needs %s activations and a %d-bit bus "
                      "on the RTL's %s%dx%d array (got %lldx%lld, bus_bits %lld)", jb.what, tag,
                      dt->fp32 ? "fp32" : "int8", SA_RTL_BUS_BITS, tag, rows, cols,
                      (long long)hw->rows, (long long)hw->cols, (long long)hw->bus_bits);
  const int64_t m = job->m, k = job->k, n = job->n;
  const char *what = job->what;
  if (mask_misfit(mask, k, n, rows, cols, what, e)) return -1;
  const uint8_t *keep = mask ? mask->keep : NULL;
  const int64_t kt_n = sa_timing_tiles_k(k, rows), nt_n = sa_timing_tiles_n(n, cols);
  const int64_t P = SA_RTL_BUS_LANES, W = sa_host_cpu_fed_words_per_step(hw);
  const int64_t steps = m + rows + cols - 1, first_valid = W * (rows + cols - 1) - 1;
  const int64_t ww = rows * ((cols + P - 1) / P);
  void *y_rtl = sa_malloc((size_t)(m * n) * dt->y_size, e);
  void *y_ref = sa_malloc((size_t)(m * n) * dt->y_size, e);
  sa_func_weights *pw = NULL;
  sa_tilemask dense;
  memset(&dense, 0, sizeof dense);
  int rc = -1;
  if (!y_rtl || !y_ref) goto done;
  /* dense: every R x C tile kept, so that the C model sums R rows per tile as the array
   * does (§1.1; sa_func packs unmasked weights as one tile of K rows) */
  if (dt->fp32 && !mask &&
      sa_tilemask_init(&dense, "dense", k, n, rows, cols, e)) goto done;
  pw = sa_func_pack(job->w, k, n, mask || !dt->fp32 ? mask : &dense, e);
  if (!pw) goto done;
  if (dt->fp32)
    sa_func_gemm_f32(pw, job->x, m, y_ref);
  else
    sa_func_gemm(pw, job->x, m, y_ref);
  /* the C model's counts (sa_host_cpu_fed_tile per kept tile) */
  sa_counts want;
  memset(&want, 0, sizeof want);
  int64_t kept = 0;
  for (int64_t t = 0; t < kt_n * nt_n; t++)
    if (!keep || keep[t]) kept++, sa_host_cpu_fed_tile(hw, m, &want);
  const int64_t n_ins = want.ins_write_weights + want.ins_queue + want.ins_stream;
  /* the CPU's idle cycles: instruction i goes out in the i-th cycle src offers one */
  const int64_t model_total = cpu_issue_cycle(src, n_ins - 1) + 1;
  if (model_cycles) *model_cycles = model_total;
  int64_t got_cycles = 0;
  sa_rtl_source cpu_src = {offer_cb, (void *)src};
  sa_rtl_cpu_source(rtl, src ? &cpu_src : NULL);
  int run_rc = dt->fp32 ? sa_rtl_run_cpu_f32(rtl, job->x, job->w, m, k, n, keep, 0, y_rtl,
                                             &got_cycles)
                        : sa_rtl_run_cpu(rtl, job->x, job->w, m, k, n, keep, 0, y_rtl,
                                         &got_cycles);
  sa_rtl_cpu_source(rtl, NULL);
  if (run_rc) {
    sa_err_set(e, "%s: %s", what, sa_rtl_error(rtl));
    goto done;
  }
  if (rtl_cycles) *rtl_cycles = got_cycles;
  int64_t nev;
  const sa_rtl_ins_event *ev = sa_rtl_ins(rtl, &nev);
  rc = 1;
  /* the instruction stream: per kept tile ww writes, then W*steps - 1 queue/stream (every
   * W-th a stream); instruction i accepted in the i-th cycle the CPU issues (cycle i when it
   * issues every cycle), its word back in the next cycle, valid from index first_valid of the
   * tile's stream on (§8.1) */
  int64_t got[4] = {0, 0, 0, 0}, valid_words = 0, i = 0, at = -1;
  for (int64_t nt = 0; nt < nt_n && rc; nt++) {
    for (int64_t kt = 0; kt < kt_n && rc; kt++) {
      if (keep && !keep[kt * nt_n + nt]) continue;
      for (int64_t j = 0; j < ww + W * steps - 1 && rc; j++, i++) {
        int64_t q = j - ww;  /* index in the tile's queue/stream instructions */
        int op = q < 0 ? SA_RTL_INS_WRITE : (q % W == W - 1 ? SA_RTL_INS_STREAM
                                                            : SA_RTL_INS_QUEUE);
        int valid = q >= first_valid;
        if (i >= nev) {
          snprintf(mismatch, mismatch_len, "%s: instruction #%lld (%s of tile kt=%lld nt=%lld) "
                   "never ran on the RTL (it ran %lld)", what, (long long)i, ins_name[op],
                   (long long)kt, (long long)nt, (long long)nev);
          rc = 0;
          break;
        }
        const sa_rtl_ins_event *v = &ev[i];
        at = cpu_issue_next(src, at); /* the C model's cycle of instruction i */
        if (v->op != op || v->cycle != at || v->rsp_cycle != at + 1 || v->flag != valid) {
          snprintf(mismatch, mismatch_len,
                   "%s: instruction #%lld (tile kt=%lld nt=%lld): RTL %s accepted in cycle %lld, "
                   "word back in cycle %lld, %s; the C model: %s in cycle %lld, word back in "
                   "cycle %lld, %s", what, (long long)i, (long long)kt, (long long)nt,
                   ins_name[v->op & 3], (long long)v->cycle, (long long)v->rsp_cycle,
                   v->flag ? "valid" : "not valid", ins_name[op], (long long)at,
                   (long long)(at + 1), valid ? "valid" : "not valid");
          rc = 0;
          break;
        }
        got[op]++;
        if (!valid) continue;
        valid_words++;
        rc = dt->word(job, v, i, op, kt, nt, (q - first_valid) / W, (q - first_valid) % W,
                      mismatch, mismatch_len);
      }
    }
  }
  if (rc && nev != n_ins) {
    snprintf(mismatch, mismatch_len, "%s: the RTL ran %lld instructions, the C model %lld",
             what, (long long)nev, (long long)n_ins);
    rc = 0;
  }
  if (rc && (got[SA_RTL_INS_WRITE] != want.ins_write_weights ||
             got[SA_RTL_INS_QUEUE] != want.ins_queue || got[SA_RTL_INS_STREAM] != want.ins_stream ||
             valid_words != want.out_words)) {
    snprintf(mismatch, mismatch_len, "%s: instruction counts RTL write %lld queue %lld stream "
             "%lld valid words %lld; the C model (sa_host_cpu_fed_tile, %lld kept tiles) %lld "
             "%lld %lld %lld", what, (long long)got[0], (long long)got[1], (long long)got[2],
             (long long)valid_words, (long long)kept, (long long)want.ins_write_weights,
             (long long)want.ins_queue, (long long)want.ins_stream, (long long)want.out_words);
    rc = 0;
  }
  if (rc && got_cycles != model_total) {
    snprintf(mismatch, mismatch_len, "%s: cpu_fed cycles RTL %lld != C model %lld (%lld custom "
             "instructions, one per cycle the CPU issues)", what, (long long)got_cycles,
             (long long)model_total, (long long)n_ins);
    rc = 0;
  }
  if (rc) rc = dt->y(job, y_rtl, y_ref, mismatch, mismatch_len);
done:
  sa_tilemask_free(&dense);
  sa_func_free(pw);
  free(y_rtl);
  free(y_ref);
  return rc;
}

/* The word: P outputs of row mm (lane group g) of the tile's partial sums, saturated to int8. */
static int i8_word(const cpu_job *job, const sa_rtl_ins_event *v, int64_t i, int op, int64_t kt,
                   int64_t nt, int64_t mm, int64_t g, char *mismatch, size_t mismatch_len) {
  const int8_t *x = job->x, *w = job->w;
  const int64_t k = job->k, n = job->n;
  int rc = 1;
  for (int64_t p = 0; p < SA_RTL_BUS_LANES && rc; p++) {
    int64_t c = g * SA_RTL_BUS_LANES + p, nn = nt * job->cols + c;
    int64_t sum = 0;
    for (int64_t r = 0; r < job->rows && c < job->cols && nn < n; r++) {
      int64_t kk = kt * job->rows + r;
      if (kk < k) sum += (int64_t)x[mm * k + kk] * w[kk * n + nn];
    }
    int8_t byte = (int8_t)(v->word >> (8 * p));
    if (v->lanes[p] != (int32_t)sum || byte != sat8(sum)) {
      snprintf(mismatch, mismatch_len,
               "%s: instruction #%lld (%s, tile kt=%lld nt=%lld) returned lane %lld = "
               "int32 %lld / int8 %d; the C model: row %lld column %lld partial sum "
               "%lld, saturated %d", job->what, (long long)i, ins_name[op], (long long)kt,
               (long long)nt, (long long)p, (long long)v->lanes[p], byte,
               (long long)(job->row0 + mm), (long long)nn, (long long)sum, sat8(sum));
      rc = 0;
    }
  }
  return rc;
}

static int i8_y(const cpu_job *job, const void *y_rtl_v, const void *y_ref_v, char *mismatch,
                size_t mismatch_len) {
  const int32_t *y_rtl = y_rtl_v, *y_ref = y_ref_v;
  const int64_t n = job->n;
  for (int64_t j = 0; j < job->m * n; j++) {
    if (y_rtl[j] == y_ref[j]) continue;
    snprintf(mismatch, mismatch_len, "%s: Y[%lld][%lld] RTL %lld != C model %lld (cpu_fed: the "
             "int32 outputs behind the returned words, added up)", job->what,
             (long long)(job->row0 + j / n), (long long)(j % n), (long long)y_rtl[j],
             (long long)y_ref[j]);
    return 0;
  }
  return 1;
}

static const cpu_dtype cpu_i8 = {sizeof(int32_t), 0, i8_word, i8_y};

int sa_cosim_cpu_command(sa_rtl *rtl, const sa_hw_cfg *hw, const int8_t *x, const int8_t *w,
                         int64_t m, int64_t k, int64_t n, const sa_tilemask *mask,
                         const sa_stream_source *src, const char *what, int64_t row0, char *mismatch, size_t mismatch_len,
                         int64_t *rtl_cycles, int64_t *model_cycles, sa_err *e) {
  const cpu_job job = {x, w, m, k, n, row0, 0, 0, what};
  return cpu_command(rtl, hw, &cpu_i8, job, mask, src, mismatch, mismatch_len, rtl_cycles,
                     model_cycles, e);
}

static float f32_of(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/* Equal fp32 results: the same bits, or both NaN (the RTL's one NaN vs the CPU's). */
static int f32_same(uint32_t a, uint32_t b) {
  const int an = (a & 0x7f800000u) == 0x7f800000u && (a & 0x7fffffu);
  const int bn = (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu);
  return an || bn ? an && bn : a == b;
}

/* P = 1 (W = max(R, C)): each valid word is one fp32 output, row mm, column c of the tile,
 * equal in bits to the tile's column sum in the order of §1.1 */
static int f32_word(const cpu_job *job, const sa_rtl_ins_event *v, int64_t i, int op, int64_t kt,
                    int64_t nt, int64_t mm, int64_t c, char *mismatch, size_t mismatch_len) {
  const float *x = job->x;
  const int8_t *w = job->w;
  const int64_t k = job->k, n = job->n, nn = nt * job->cols + c;
  float t = 0.0f; /* +0 past the array's or N's columns (zero weights, finite x) */
  for (int64_t r = 0; r < job->rows && c < job->cols && nn < n; r++) {
    int64_t kk = kt * job->rows + r;
    if (kk < k) {
      float p = x[mm * k + kk] * (float)w[kk * n + nn];
      t = t + p;
    }
  }
  if (f32_same(v->word, f32_bits(t)) && (uint32_t)v->lanes[0] == v->word) return 1;
  snprintf(mismatch, mismatch_len,
           "%s: instruction #%lld (%s, tile kt=%lld nt=%lld) returned fp32 %08x (%.9g; "
           "output port %08x); the C model: row %lld column %lld partial sum %08x "
           "(%.9g)", job->what, (long long)i, ins_name[op], (long long)kt, (long long)nt,
           (unsigned)v->word, (double)f32_of(v->word), (unsigned)v->lanes[0],
           (long long)(job->row0 + mm), (long long)nn, (unsigned)f32_bits(t), (double)t);
  return 0;
}

static int f32_y(const cpu_job *job, const void *y_rtl_v, const void *y_ref_v, char *mismatch,
                 size_t mismatch_len) {
  const float *y_rtl = y_rtl_v, *y_ref = y_ref_v;
  const int64_t n = job->n;
  for (int64_t j = 0; j < job->m * n; j++) {
    if (f32_same(f32_bits(y_rtl[j]), f32_bits(y_ref[j]))) continue;
    snprintf(mismatch, mismatch_len, "%s: Y[%lld][%lld] RTL %08x (%.9g) != C model %08x (%.9g) "
             "(cpu_fed fp32: the returned outputs added up, sa_func_gemm_f32)", job->what,
             (long long)(job->row0 + j / n), (long long)(j % n), (unsigned)f32_bits(y_rtl[j]),
             (double)y_rtl[j], (unsigned)f32_bits(y_ref[j]), (double)y_ref[j]);
    return 0;
  }
  return 1;
}

static const cpu_dtype cpu_f32 = {sizeof(float), 1, f32_word, f32_y};

int sa_cosim_cpu_command_f32(sa_rtl *rtl, const sa_hw_cfg *hw, const float *x, const int8_t *w,
                             int64_t m, int64_t k, int64_t n, const sa_tilemask *mask,
                             const sa_stream_source *src, const char *what, int64_t row0, char *mismatch,
                             size_t mismatch_len, int64_t *rtl_cycles, int64_t *model_cycles,
                             sa_err *e) {
  const cpu_job job = {x, w, m, k, n, row0, 0, 0, what};
  return cpu_command(rtl, hw, &cpu_f32, job, mask, src, mismatch, mismatch_len, rtl_cycles,
                     model_cycles, e);
}

int sa_cosim_run(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                 const sa_maskset *masks, const sa_cosim_opts *opts, sa_cosim_summary *out,
                 sa_err *e) {
  memset(out, 0, sizeof *out);
  out->pass = 1;
  const int rows = (int)cfg->hw.rows, cols = (int)cfg->hw.cols;
  const int fp32 = cfg->hw.act_type == SA_ACT_FP32;
  if (fp32 && cfg->hw.integration != SA_INTEG_CPU_FED)
    return sa_err_set(e, "%s: array.act_type fp32 is co-simulated through the CPU port "
                      "(integration cpu_fed) only", cfg->path);
  if (masks && (masks->tile_rows != rows || masks->tile_cols != cols))
    return sa_err_set(e, "masks have %lldx%lld tiles but the array is %dx%d",
                      (long long)masks->tile_rows, (long long)masks->tile_cols, rows, cols);
  if (cfg->hw.integration == SA_INTEG_CPU_FED && cfg->hw.bus_bits != SA_RTL_BUS_BITS) {
    out->rtl_unavailable = 1;
    return sa_err_set(e, "%s: cpu_fed.bus_bits %lld: the RTL's CPU port is %d bits wide; no "
                      "RTL model co-simulates another bus", cfg->path,
                      (long long)cfg->hw.bus_bits, SA_RTL_BUS_BITS);
  }
  char err[512];
  sa_rtl *rtl = sa_rtl_open_act(rows, cols, fp32, opts->trace, &out->rtl_unavailable, err,
                                sizeof err);
  if (!rtl) return sa_err_set(e, "%s", err);
  if (opts->perturb) sa_rtl_perturb(rtl, opts->perturb);
  int64_t max_m, max_k, max_n;
  sa_rtl_limits(rtl, &max_m, &max_k, &max_n);
  int64_t cmd_rows = cfg->hw.acc_rows;
  int rc = -1;
  int8_t *x = NULL, *w = NULL;
  float *xf = NULL;
  char *chosen = NULL;
  if (cmd_rows > max_m) {
    sa_err_set(e, "%s: hw.acc_rows = %lld exceeds the RTL model's %lld rows per command",
               cfg->path, (long long)cmd_rows, (long long)max_m);
    goto done;
  }
  int nl = man->n_layers;
  chosen = choose_layers(man, opts->sample, opts->seed, e);
  if (!chosen) goto done;
  if (opts->table)
    fprintf(opts->table, "%-24s %6s %5s %5s %11s %4s %12s %12s %10s  %s\n", "gemm", "M", "K",
            "N", "tiles kept", "cmds", "cycles RTL", "cycles C", "values", "result");
  for (int li = 0; li < nl; li++) {
    if (!chosen[li]) continue;
    const sa_layer *l = &man->layers[li];
    if (l->k > max_k || l->n > max_n) {
      sa_err_set(e, "GEMM '%s' (K=%lld N=%lld) exceeds the RTL's 32-bit tile coordinates",
                 l->name, (long long)l->k, (long long)l->n);
      goto done;
    }
    const sa_tilemask *mask = masks ? sa_maskset_find(masks, l->name) : NULL;
    if (mask && (mask->k != l->k || mask->n != l->n)) {
      sa_err_set(e, "mask '%s' is for a %lldx%lld GEMM but the manifest says K=%lld N=%lld",
                 l->name, (long long)mask->k, (long long)mask->n, (long long)l->k,
                 (long long)l->n);
      goto done;
    }
    free(x);
    free(xf);
    free(w);
    xf = NULL;
    x = sa_malloc((size_t)(l->m * l->k), e);
    w = sa_malloc((size_t)(l->k * l->n), e);
    if (!x || !w) goto done;
    if (layer_weights(model, li, l->k, l->n, opts->seed, w, e)) goto done;
    uint64_t s = opts->seed ^ ((uint64_t)(li + 1) * 0x9e3779b97f4a7c15ull);
    if (fp32) {
      xf = sa_malloc((size_t)(l->m * l->k) * sizeof *xf, e);
      if (!xf) goto done;
      for (int64_t i = 0; i < l->m * l->k; i++) xf[i] = sa_cosim_f32_activation(&s);
    } else {
      for (int64_t i = 0; i < l->m * l->k; i++) x[i] = (int8_t)(sa_rng_splitmix64(&s) & 0xff);
    }
    int64_t kt_n = sa_timing_tiles_k(l->k, rows), nt_n = sa_timing_tiles_n(l->n, cols);
    int64_t kept = 0;
    for (int64_t t = 0; t < kt_n * nt_n; t++) kept += !mask || mask->keep[t];
    int64_t cyc_rtl = 0, cyc_c = 0, cmds = 0;
    int ok = 1;
    for (int64_t r0 = 0; r0 < l->m; r0 += cmd_rows) {
      int64_t mm = l->m - r0 < cmd_rows ? l->m - r0 : cmd_rows;
      char what[256], mis[512];
      snprintf(what, sizeof what, "GEMM '%s' command %lld (rows %lld..%lld)", l->name,
               (long long)cmds, (long long)r0, (long long)(r0 + mm - 1));
      int64_t c = 0, cm = 0;
      /* a stalling source: its own seeded pattern per command */
      sa_stream_source ss = {opts->seed ^ ((uint64_t)(li + 1) << 32) ^ (uint64_t)cmds,
                             opts->stall_pct};
      const sa_stream_source *sp = opts->stall_pct ? &ss : NULL;
      int st = fp32 ? sa_cosim_cpu_command_f32(rtl, &cfg->hw, xf + r0 * l->k, w, mm, l->k,
                                               l->n, mask, sp, what, r0, mis, sizeof mis, &c,
                                               &cm, e)
               : cfg->hw.integration == SA_INTEG_CPU_FED
                   ? sa_cosim_cpu_command(rtl, &cfg->hw, x + r0 * l->k, w, mm, l->k, l->n,
                                          mask, sp, what, r0, mis, sizeof mis, &c, &cm, e)
                   : sa_cosim_command(rtl, x + r0 * l->k, w, mm, l->k, l->n, mask,
                                      opts->stall_pct ? &ss : NULL, what, r0, mis, sizeof mis,
                                      &c, &cm, e);
      if (st < 0) goto done;
      cmds++;
      cyc_rtl += c;
      cyc_c += cm;
      out->commands++;
      out->cycles_compared++;
      out->values_compared += mm * l->n;
      if (!st && ok) {
        ok = 0;
        if (out->pass) snprintf(out->first_mismatch, sizeof out->first_mismatch, "%s", mis);
        out->pass = 0;
        if (opts->table) fprintf(opts->table, "  MISMATCH %s\n", mis);
      }
    }
    out->gemms++;
    out->rtl_cycles += cyc_rtl;
    if (opts->table) {
      char kbuf[32];
      snprintf(kbuf, sizeof kbuf, "%lld/%lld", (long long)kept, (long long)(kt_n * nt_n));
      fprintf(opts->table, "%-24s %6lld %5lld %5lld %11s %4lld %12lld %12lld %10lld  %s\n",
              l->name, (long long)l->m, (long long)l->k, (long long)l->n, kbuf,
              (long long)cmds, (long long)cyc_rtl, (long long)cyc_c,
              (long long)(l->m * l->n), ok ? "ok" : "MISMATCH");
    }
  }
  if (sa_rtl_finish(rtl)) {
    sa_err_set(e, "%s", sa_rtl_error(rtl));
    goto done;
  }
  rc = 0;
done:
  free(chosen);
  free(x);
  free(xf);
  free(w);
  sa_rtl_close(rtl);
  return rc;
}

#endif
