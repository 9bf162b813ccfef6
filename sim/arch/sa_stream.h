/* sa_stream: the cycle-level model of the accelerator's streaming operand interface
 * (docs/timing.md §6): the command's kept-tile, weight and activation streams and its output
 * stream, the on-chip storage behind them, and the stall rule. With always-ready streams it
 * gives the closed form of §5; with a seeded stalling source it gives the exact cycle of every
 * tile start and output beat the RTL must reproduce (sasp cosim --stall). */
#ifndef SA_STREAM_H
#define SA_STREAM_H

#include <stdint.h>

#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The streams of one command (docs/timing.md §6). */
enum { SA_STREAM_TILES, SA_STREAM_WEIGHTS, SA_STREAM_ACTS, SA_STREAM_OUT, SA_STREAM_N };

/* A seeded stall pattern shared by the RTL harness's sources and this model: in cycle c a
 * source without a pending beat offers its next one, and the output sink is ready, when
 * sa_stream_offer(s, stream, c) is 1. pct = 100 is an always-ready source and sink. */
typedef struct sa_stream_source {
  uint64_t seed;
  int pct; /* 1 ... 100: probability in per cent of an offer (ready) per cycle */
} sa_stream_source;

/* 1 with probability pct/100, a pure function of (seed, stream, cycle). */
int sa_stream_offer(const sa_stream_source *s, int stream, int64_t cycle);

typedef struct sa_stream_tile_ev {
  int64_t cycle, kt, nt; /* first stream cycle of a kept tile (the cycle it advances) */
} sa_stream_tile_ev;

typedef struct sa_stream_out_ev {
  int64_t cycle, nt, row; /* output beat: row `row` of strip nt, transferred in `cycle` */
} sa_stream_out_ev;

/* What one command did; filled by sa_stream_command, freed by sa_stream_trace_free. */
typedef struct sa_stream_trace {
  int64_t cycles;             /* acceptance to done */
  int64_t stalls;             /* cycles - closed form (§5) */
  int64_t n_tiles, n_outs;
  sa_stream_tile_ev *tiles;   /* n_tiles = T entries, in order */
  sa_stream_out_ev *outs;     /* n_outs = M x (strips with a kept tile) entries, in order */
} sa_stream_trace;

/* Runs one command Y[M x N] = X[M x K] W[K x N] (keep: KT*NT bytes, 1 = kept, NULL = dense)
 * on an R x C array through the streaming interface with source src (NULL: always ready),
 * cycle by cycle. Returns 0 with *tr filled, or -1 with e set (bad sizes, pct out of range,
 * out of memory, or more than 10^9 cycles). */
int sa_stream_command(int64_t rows, int64_t cols, int64_t m, int64_t k, int64_t n,
                      const uint8_t *keep, const sa_stream_source *src, sa_stream_trace *tr,
                      sa_err *e);

void sa_stream_trace_free(sa_stream_trace *tr);

#ifdef __cplusplus
}
#endif

#endif
