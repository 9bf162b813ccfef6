/* sa_timing: the closed-form cycle count of one GEMM command on the array, exactly as
 * docs/timing.md specifies. The C cycle model and the RTL must both equal it. */
#ifndef SA_TIMING_H
#define SA_TIMING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tiles along K and N for an R x C array. */
int64_t sa_timing_tiles_k(int64_t k, int64_t rows);
int64_t sa_timing_tiles_n(int64_t n, int64_t cols);

/* Cycles of one tile's stream phase: M + R + C - 1. */
int64_t sa_timing_stream_cycles(int64_t rows, int64_t cols, int64_t m);

/* Array cycles of one command Y[M x N] = X[M x K] W[K x N] on an R x C array with kept
 * tiles given by keep (KT*NT bytes, 1 = kept; NULL = all kept). M must not exceed the
 * accumulator depth; callers split larger GEMMs into commands.
 * Result: 0 when no tile is kept, else R + T * (M + R + C - 1) with T kept tiles. */
int64_t sa_timing_command_cycles(int64_t rows, int64_t cols, int64_t m, int64_t k, int64_t n,
                                 const uint8_t *keep);

#ifdef __cplusplus
}
#endif

#endif
