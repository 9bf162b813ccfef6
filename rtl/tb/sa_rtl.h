/* sa_rtl: C API of the Verilator-compiled RTL array (the SystemVerilog in rtl/) for co-simulation: run one
 * GEMM command on the RTL of an R x C array through its streaming interface (docs/timing.md
 * §6), fed by an always-ready or a stalling source, and get its int32 outputs, exact cycles
 * and the cycle of every tile start and output beat. */
#ifndef SA_RTL_H
#define SA_RTL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_rtl sa_rtl;

/* Statistics of an open model, summed over its runs. */
typedef struct sa_rtl_stats {
  uint64_t runs;            /* commands run */
  uint64_t clocks_total;    /* clock cycles simulated (command issue and run) */
  uint64_t clocks_command;  /* clock cycles between command acceptance and done */
  uint64_t clocks_stalled;  /* of those, stall cycles (a needed stream beat missing) */
  double seconds_command;   /* wall time spent simulating those command cycles */
  double cpu_seconds_command; /* CPU time of this thread in them (what a loaded machine
                                 cannot steal) */
} sa_rtl_stats;

/* One kept tile's stream phase as the RTL ran it: the cycle (counted from acceptance, as
 * docs/timing.md §4 does) in which it began, and the tile. */
typedef struct sa_rtl_tile_event {
  int64_t cycle, kt, nt;
} sa_rtl_tile_event;

/* One beat of the output stream: row `row` of strip nt, transferred in `cycle`. */
typedef struct sa_rtl_out_event {
  int64_t cycle, nt, row;
} sa_rtl_out_event;

/* The streams of a command, numbered as sa_stream.h numbers them, and the CPU's instruction
 * issue (sa_rtl_cpu_source). */
enum { SA_RTL_TILES, SA_RTL_WEIGHTS, SA_RTL_ACTS, SA_RTL_OUT, SA_RTL_CPU_INS };

/* A source for the streams: offer(ctx, stream, cycle) says whether, in that cycle (counted
 * from acceptance), an input stream without a pending beat offers its next one (a beat,
 * once offered, is held until it transfers) and whether the output sink is ready. */
typedef struct sa_rtl_source {
  int (*offer)(void *ctx, int stream, int64_t cycle);
  void *ctx;
} sa_rtl_source;

/* Array sides the RTL supports (any R x C with both in range; sa_rtl_size_ok). */
#define SA_RTL_MIN_SIDE 2
#define SA_RTL_MAX_SIDE 256
int sa_rtl_size_ok(int rows, int cols);

/* Number of array sizes compiled into this build (prebuilt, the rtl_sizes meson option), and
 * the i-th (0 <= i < n). Every other supported size is built on first use (sa_rtl_open). */
int sa_rtl_n_sizes(void);
void sa_rtl_size(int i, int *rows, int *cols);
/* "4x4, 8x16" (the built sizes, comma separated; "" if none). Static storage. */
const char *sa_rtl_sizes_text(void);
/* The sizes that also have a prebuilt traced model (waves; meson option rtl_trace), as
 * above; waves of other sizes come from a traced model built on demand. */
const char *sa_rtl_traced_text(void);

/* Creates and resets the RTL model of an R x C array: a prebuilt one, else the one in the
 * per-user model cache, built there first if needed (Verilator and the C++ compiler run;
 * progress on stderr; concurrent processes build it once; rtl/README.md "Models built on
 * demand"). Models are built for speed and run the RTL's assertions. trace_path: NULL for no
 * waves, else a wave file of every cycle simulated until sa_rtl_finish, from the size's traced
 * model (prebuilt for the sizes of the rtl_trace meson option, else built on demand like the
 * others): "FILE.fst" (written directly) or "FILE.vcd" (the model writes FST to
 * FILE.vcd.fst.tmp, converted to VCD by sa_rtl_finish).
 * Returns NULL with a one-line message in err (err_len bytes, may be 0) when the size is
 * outside the RTL's range, the trace name ends in neither .fst nor .vcd or cannot be opened,
 * an assertion fails in reset, memory runs out, or the model cannot be had (verilator, make
 * or the compiler missing, the build failed: the message names its log); *unavailable (may
 * be NULL) is set to 1 in that last case only, else 0. Free with sa_rtl_close. */
sa_rtl *sa_rtl_open(int rows, int cols, const char *trace_path, int *unavailable, char *err,
                    size_t err_len);

/* sa_rtl_open for either data path: act_fp32 0 = int8 activations (sa_rtl_open), 1 = fp32
 * activations and partial sums (docs/timing.md §1.1). fp32 models are never prebuilt (always
 * from the model cache) and run through the CPU port only (sa_rtl_run_cpu_f32). */
sa_rtl *sa_rtl_open_act(int rows, int cols, int act_fp32, const char *trace_path,
                        int *unavailable, char *err, size_t err_len);

/* 1 when r is an fp32 model (sa_rtl_open_act), else 0. */
int sa_rtl_act_fp32(const sa_rtl *r);

/* The array shape of r. */
void sa_rtl_shape(const sa_rtl *r, int *rows, int *cols);

/* Largest M one command may have on this model (its activation buffer and accumulators);
 * K and N are bounded only by the 32-bit tile coordinates (reported as 2^31 - 1). */
void sa_rtl_limits(const sa_rtl *r, int64_t *max_m, int64_t *max_k, int64_t *max_n);

/* Runs one command Y[m x n] = X[m x k] . W[k x n] (x, w row-major int8; y row-major int32,
 * m*n values) with tile mask keep (KT*NT bytes, index kt*NT + nt, 1 = kept; NULL = dense) as
 * docs/timing.md §6 defines: issues the command {M, K, N, T}, then plays the source of the
 * kept-tile, weight and activation streams and the sink of the output stream, as src says
 * (NULL: always ready), counts the clock cycles from acceptance to done into *cycles and
 * collects Y from the output beats (0 in strips with no kept tile).
 * Returns 0, or -1 (message in sa_rtl_error) when a size is out of range (1 <= m <= max_m,
 * k, n >= 1), the RTL never signals done, or an RTL assertion fails ("RTL assertion NAME_A
 * failed in cycle C of the command (M=.. K=.. N=.. on RxC) (sa_top.u_ctrl, FILE:LINE)");
 * after an assertion failure every later run fails too. */
int sa_rtl_run(sa_rtl *r, const int8_t *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
               const uint8_t *keep, const sa_rtl_source *src, int32_t *y, int64_t *cycles);

/* The stream phases of the last successful sa_rtl_run, in the order they ran; *n gets the
 * count. Owned by r, valid until the next run. */
const sa_rtl_tile_event *sa_rtl_tiles(const sa_rtl *r, int64_t *n);

/* The output beats of the last successful sa_rtl_run, in order (as sa_rtl_tiles). */
const sa_rtl_out_event *sa_rtl_outs(const sa_rtl *r, int64_t *n);

/* The message of the last failed call on r. */
const char *sa_rtl_error(const sa_rtl *r);

/* Integration cpu_fed (docs/timing.md §8.1; rtl/sa_cpu_if.sv): the custom-instruction port
 * of the model, SA_RTL_BUS_BITS wide (the RTL's BusW), int8 activations and weights. */
#define SA_RTL_BUS_BITS 32
#define SA_RTL_BUS_LANES 4 /* int8 lanes per bus word */
enum { SA_RTL_INS_WRITE, SA_RTL_INS_QUEUE, SA_RTL_INS_STREAM, SA_RTL_INS_READ };

/* One instruction as the RTL ran it: its kind, the cycle it was accepted (counted from the
 * first instruction of the run), the cycle its word came back, the word (P int8 lanes, the
 * outputs saturated to int8; a read's int32; fp32 models: one fp32 output), the valid flag,
 * and the int32 outputs behind the word's lanes (what the word narrows; fp32: lanes[0] = the
 * word's bits). */
typedef struct sa_rtl_ins_event {
  int64_t cycle, rsp_cycle;
  int op, flag;
  uint32_t word;
  int32_t lanes[SA_RTL_BUS_LANES];
} sa_rtl_ins_event;

/* Runs Y[m x n] = X[m x k] . W[k x n] as the reference system's CPU does (docs/timing.md
 * §8.1): per kept tile in visit order, R*ceil(C/4) weight writes (row R-1 first, 4 weights a
 * word, 0 past K and N), then W*steps - 1 queue/stream instructions (W = max(ceil(R/4),
 * ceil(C/4)), steps = m + R + C - 1; word j of step s carries X[s][kt*R + 4j ..] (0 past m
 * and K), every W-th a stream), one per cycle as the port accepts them. Y adds up the int32
 * outputs behind the lanes of the returned words the CPU treats as valid (indices
 * W*(R+C-1) - 1 on within a tile: row (i - that)/W, lanes 4*((i - that) % W) ..), as
 * addActIn32 does with the int8 words. reads: after each tile's stream, additionally issue
 * one read instruction per output column (lane c of the last output row; not part of §8.1's
 * count; a test of the read instruction). *cycles gets the cycle after the last accepted
 * instruction (= the instruction count with a port that never stalls and a CPU that issues
 * every cycle; sa_rtl_cpu_source adds its idle cycles). Returns 0, or -1
 * (sa_rtl_error) as sa_rtl_run. Events: sa_rtl_ins. */
int sa_rtl_run_cpu(sa_rtl *r, const int8_t *x, const int8_t *w, int64_t m, int64_t k,
                   int64_t n, const uint8_t *keep, int reads, int32_t *y, int64_t *cycles);

/* sa_rtl_run_cpu on an fp32 model: x row-major fp32, one activation per queue/stream word
 * (P = 1, so W = max(R, C)); every returned word is one fp32 output (its bits in word and
 * lanes[0]); y (m*n floats) adds the valid words' outputs in float, zeroed first, each
 * strip's kept tiles in kt order (out = out + t, docs/timing.md §1.1), so it equals
 * sa_func_gemm_f32 bit for bit when the RTL is right. An int8 model refuses (-1), as
 * sa_rtl_run_cpu refuses an fp32 one and sa_rtl_run does. */
int sa_rtl_run_cpu_f32(sa_rtl *r, const float *x, const int8_t *w, int64_t m, int64_t k,
                       int64_t n, const uint8_t *keep, int reads, float *y, int64_t *cycles);

/* A CPU that does not issue an instruction every cycle (the reference CPU spends loop
 * instructions between its custom ones): in later sa_rtl_run_cpu(_f32) runs, the next
 * instruction is offered in cycle c (counted from the run's first cycle) only when
 * src->offer(src->ctx, SA_RTL_CPU_INS, c) is 1; other cycles offer none (ins_valid_i low,
 * while the word of the last instruction still comes back). NULL: one every cycle (the
 * default). The source is copied. */
void sa_rtl_cpu_source(sa_rtl *r, const sa_rtl_source *src);

/* The instructions of the last successful sa_rtl_run_cpu(_f32), in order (as sa_rtl_tiles). */
const sa_rtl_ins_event *sa_rtl_ins(const sa_rtl *r, int64_t *n);

/* Test hooks: while set, sa_rtl_run falsifies what it returns, so tests can prove that each
 * comparison against the C model is able to fail: VALUE flips bit 0 of Y[m-1][n-1], CYCLES
 * adds one to the cycle count, SCHEDULE moves the last tile start one cycle later, OUTPUT
 * the last output beat one cycle later. A mask of these (0 = off). */
enum {
  SA_RTL_PERTURB_VALUE = 1, /* (fp32: bit 0 of Y[m-1][n-1]'s bits) */
  SA_RTL_PERTURB_CYCLES = 2,
  SA_RTL_PERTURB_SCHEDULE = 4,
  SA_RTL_PERTURB_OUTPUT = 8,
  SA_RTL_PERTURB_INS = 16, /* sa_rtl_run_cpu: the last instruction accepted one cycle later */
};
void sa_rtl_perturb(sa_rtl *r, int mask);

/* Test hook: a protocol violation the harness commits in the next sa_rtl_run only, to prove
 * that the RTL's assertions catch it (that run then fails with the assertion's message). */
typedef enum sa_rtl_violation {
  SA_RTL_VIOLATE_NONE,
  SA_RTL_VIOLATE_CMD_RANGE,        /* the command is issued with M = 0 (CmdMInRange_A) */
  SA_RTL_VIOLATE_VALID_DROP,       /* a second command is offered while busy and withdrawn
                                      before it is accepted (CmdValidHeld_A) */
  SA_RTL_VIOLATE_STREAM_DROP,      /* the weight source withdraws an offered beat before it
                                      is accepted (WValidHeld_A) */
  SA_RTL_VIOLATE_CPU_HALF_WEIGHTS, /* sa_rtl_run_cpu: the CPU writes one word of the first
                                      tile's weights, then queues/streams
                                      (StreamNeedsWeights_A) */
} sa_rtl_violation;
void sa_rtl_violate(sa_rtl *r, sa_rtl_violation v);

void sa_rtl_stats_get(const sa_rtl *r, sa_rtl_stats *out);

/* Ends the simulation: final blocks, the trace closed (and converted, for .vcd). Returns 0, or
 * -1 with a message in sa_rtl_error when the trace could not be written. Runs after this
 * are not traced. Called by sa_rtl_close if not called before. */
int sa_rtl_finish(sa_rtl *r);

/* Finishes the simulation (sa_rtl_finish, its error ignored) and frees r. NULL is fine. */
void sa_rtl_close(sa_rtl *r);

#ifdef __cplusplus
}
#endif

#endif
