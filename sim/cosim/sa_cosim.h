/* sa_cosim: co-simulation of the Verilator RTL array against the C model. Every output value
 * of every command is compared with sa_func_gemm and every command's cycle count with
 * sa_timing_command_cycles (docs/timing.md); the first mismatch is named precisely. */
#ifndef SA_COSIM_H
#define SA_COSIM_H

#include <stdint.h>
#include <stdio.h>

#include "sa_config.h"
#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_model.h"
#include "sa_stream.h"

typedef struct sa_cosim_summary {
  int64_t gemms;            /* GEMMs (manifest layers) checked */
  int64_t commands;         /* commands run: each GEMM split along M by hw.acc_rows */
  int64_t cycles_compared;  /* command cycle counts compared (one per command) */
  int64_t values_compared;  /* output values compared */
  int64_t rtl_cycles;       /* sum of the RTL's command cycles */
  int pass;                 /* 1 when every value and every cycle count agreed */
  int rtl_unavailable;      /* 1 when the run failed because no RTL model could be had */
  char first_mismatch[512]; /* "" when pass */
} sa_cosim_summary;

/* Test hook masks (the values of sa_rtl.h's SA_RTL_PERTURB_*): what the RTL harness
 * falsifies so that a comparison must fail. */
enum {
  SA_COSIM_PERTURB_VALUE = 1,     /* one output bit */
  SA_COSIM_PERTURB_CYCLES = 2,    /* the cycle count */
  SA_COSIM_PERTURB_SCHEDULE = 4,  /* a tile start cycle */
  SA_COSIM_PERTURB_OUTPUT = 8,    /* an output beat's cycle */
  SA_COSIM_PERTURB_INS = 16,      /* cpu_fed: an instruction's cycle */
};

typedef struct sa_cosim_opts {
  int64_t sample;           /* 0: every GEMM; else this many GEMMs, a deterministic sample */
  uint64_t seed;            /* activations, the sample and synthetic weights derive from it */
  const char *trace;        /* wave file of the whole run (.fst or .vcd), or NULL */
  FILE *table;              /* per-GEMM table printed here, or NULL */
  int perturb;              /* test hook: SA_COSIM_PERTURB_* mask applied to every command */
  int stall_pct;            /* 0: always-ready streams; 1..99: a stalling source and sink
                               offering a beat with this probability per cycle (sa_stream);
                               cpu_fed: a CPU issuing an instruction with this probability
                               per cycle (sa_cosim_cpu_command) */
} sa_cosim_opts;

/* 1 when this build contains the RTL (Verilator harness); sa_cosim_sizes lists the prebuilt
 * sizes ("4x4, 8x16"); every other size from 2x2 to 256x256 is built on first use. */
int sa_cosim_available(void);
const char *sa_cosim_sizes(void);

/* Checks the GEMMs of man on the RTL of the cfg->hw.rows x cfg->hw.cols array against the C
 * model. Weights: model's layer weights quantised to int8 per docs/asr.md "Quantisation"
 * (per output column, symmetric, round half away from zero, clamp +-127); model NULL: uniform
 * pseudo-random int8 in [-127, 127] from the seed. Activations: uniform pseudo-random int8
 * in [-128, 127] (the full range, so extremes are exercised) from splitmix64(seed, layer);
 * array.act_type fp32 (integration cpu_fed only): sa_cosim_f32_activation from that stream,
 * on the fp32 RTL model (sa_cosim_cpu_command_f32).
 * Masks: the maskset's mask for each layer by name (tile shape must be R x C), dense when
 * masks is NULL or has no entry for the layer. The sample picks opts->sample distinct layers
 * by a seeded shuffle and checks them in manifest order.
 * Returns 0 when the check ran (out->pass says whether everything agreed; the first mismatch
 * names GEMM, command, tile and element or cycle count), -1 with a message in e when it could
 * not run (no RTL in this build or for that size, a mask that does not fit, a command of more
 * rows than the RTL holds, out of memory); out->rtl_unavailable is then 1 when the reason is
 * that no RTL model could be had (built without RTL, verilator missing, the on-demand build
 * failed). */
int sa_cosim_run(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                 const sa_maskset *masks, const sa_cosim_opts *opts, sa_cosim_summary *out,
                 sa_err *e);

/* One pseudo-random fp32 activation of the fp32 co-simulation from the splitmix64 stream
 * *state: sign uniform; with probability 1/32 a zero (+0 or -0), 1/32 a subnormal (uniform
 * 23-bit fraction), else a normal number of exponent uniform in 2^-8 .. 2^7 and uniform
 * 23-bit fraction, so products with int8 weights and their sums round (docs/timing.md §8.1). */
float sa_cosim_f32_activation(uint64_t *state);

/* sa_cosim_run without table, trace or perturbation: the sweep's entry point. sample 0 =
 * all GEMMs. */
int sa_cosim_check(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                   const sa_maskset *masks, int sample, uint64_t seed, sa_cosim_summary *out,
                   sa_err *e);

/* Content key of the work sa_cosim_check(cfg, man, model, masks, sample, seed, ...) does: 16
 * hex digits of an FNV-1a 64 over everything the RTL and the C model are given (array,
 * integration, act_type, acc_rows, bus_bits, the seed, and per checked GEMM its index, M, K,
 * N, int8 weights and tile mask). Equal keys mean byte-identical co-simulations, so a sweep
 * runs each key once (docs/guide.md, column rtl_work). Works without the RTL too. Returns 0,
 * or -1 with e filled (out of memory, weights not matching the manifest). */
int sa_cosim_key(const sa_config *cfg, const sa_manifest *man, const sa_model *model,
                 const sa_maskset *masks, int sample, uint64_t seed, char key[17], sa_err *e);

#ifdef SA_HAVE_RTL
typedef struct sa_rtl sa_rtl;
/* Runs one command Y[m x n] = X[m x k] W[k x n] on rtl and on the C model (mask NULL =
 * dense; otherwise a k x n mask of the RTL's tile shape), both fed by src (NULL: always
 * ready; docs/timing.md §6), and compares every value (sa_func_gemm), the tile schedule
 * (which kept tile streams from which cycle), every output beat (row, strip, cycle) and the
 * cycle count with the stream model (sa_stream_command, which is the closed form of §5 for
 * an always-ready source). Messages start with what and name rows as row0 + i (the command's
 * place in its GEMM). Returns 1 when they agree, 0 on a mismatch (described in mismatch), -1
 * with a message in e when the command could not run. *rtl_cycles and *model_cycles get the
 * RTL's and the C model's counts (either may be NULL). */
int sa_cosim_command(sa_rtl *rtl, const int8_t *x, const int8_t *w, int64_t m, int64_t k,
                     int64_t n, const sa_tilemask *mask, const sa_stream_source *src,
                     const char *what, int64_t row0, char *mismatch, size_t mismatch_len,
                     int64_t *rtl_cycles, int64_t *model_cycles, sa_err *e);

/* Integration cpu_fed (docs/timing.md §8.1): runs the command through the RTL's CPU port
 * (sa_rtl_run_cpu, the harness issuing the reference CPU's instruction stream) and compares
 * every instruction (kind, the cycle it was accepted, the cycle its word came back, the valid
 * flag), every valid returned word (its int32 outputs bit-exact against the tile's partial
 * sums, its int8 lanes against those saturated), the instruction counts of each kind and the
 * valid words with sa_host_cpu_fed_tile, the instruction cycles with their count, and Y with
 * sa_func_gemm. hw: int8 activations, bus_bits SA_RTL_BUS_BITS. src NULL: the CPU issues an
 * instruction every cycle (instruction i in cycle i); else a CPU that issues only in the
 * cycles sa_stream_offer(src, SA_RTL_CPU_INS, c) offers (idle cycles between instructions,
 * as the reference CPU's loop code; sa_rtl_cpu_source), and every instruction's cycle is
 * the C model's shifted by those gaps. Returns as sa_cosim_command; *model_cycles is the C
 * model's cycle count: the custom instructions plus the CPU's idle cycles between them. */
int sa_cosim_cpu_command(sa_rtl *rtl, const sa_hw_cfg *hw, const int8_t *x, const int8_t *w,
                         int64_t m, int64_t k, int64_t n, const sa_tilemask *mask,
                         const sa_stream_source *src, const char *what, int64_t row0, char *mismatch, size_t mismatch_len,
                         int64_t *rtl_cycles, int64_t *model_cycles, sa_err *e);
/* sa_cosim_cpu_command on an fp32 model (sa_rtl_open_act) with fp32 activations x (hw:
 * act_type fp32, bus_bits SA_RTL_BUS_BITS): the same instruction stream checks (kinds, both
 * cycles, flags, counts with sa_host_cpu_fed_tile, total cycles); every valid word is one fp32
 * output, compared in bits with the tile's column sum in the order of docs/timing.md §1.1
 * (+0 past N), and Y (the words added in float, kt order) with sa_func_gemm_f32. NaN equals
 * any NaN. src as sa_cosim_cpu_command. Returns as sa_cosim_command. */
int sa_cosim_cpu_command_f32(sa_rtl *rtl, const sa_hw_cfg *hw, const float *x, const int8_t *w,
                             int64_t m, int64_t k, int64_t n, const sa_tilemask *mask,
                             const sa_stream_source *src, const char *what, int64_t row0, char *mismatch,
                             size_t mismatch_len, int64_t *rtl_cycles, int64_t *model_cycles,
                             sa_err *e);
#endif

#endif
