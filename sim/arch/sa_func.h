/* sa_func: the bit-exact functional model of the array (docs/timing.md §1–3): int8 x int8
 * products, int32 two's-complement wrap-around sums, pruned tiles contribute nothing; and the
 * fp32-activation datapath (array.act_type fp32, §1.1) in its fixed summation order. */
#ifndef SA_FUNC_H
#define SA_FUNC_H

#include <stdint.h>

#include "sa_err.h"
#include "sa_mask.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Weights of one GEMM, packed for the fast kernel with the tile mask already applied
 * (a pruned tile's weights are stored as 0, whatever the source held). Immutable after
 * sa_func_pack, so one packed object may be shared by several threads. */
typedef struct sa_func_weights sa_func_weights;

/* Packs W (K x N, row-major int8) for sa_func_gemm. mask == NULL: dense. A non-NULL mask
 * must describe a K x N GEMM (mask->k == k, mask->n == n) with tile_rows, tile_cols >= 1;
 * a mismatch is a recoverable error. k, n >= 1. Returns the packed weights (free with
 * sa_func_free), or NULL with a message in e (bad sizes, mask mismatch, out of memory). */
sa_func_weights *sa_func_pack(const int8_t *w, int64_t k, int64_t n, const sa_tilemask *mask,
                              sa_err *e);

/* Reduction size K and output features N of packed weights. */
int64_t sa_func_k(const sa_func_weights *pw);
int64_t sa_func_n(const sa_func_weights *pw);

/* Y[M x N] (int32, row-major) = X[M x K] (int8, row-major) . W, with int32 wrap-around,
 * exactly what the array computes (pruned tiles contribute 0). m >= 0; y must not overlap
 * x. Never fails. Single-threaded; callers may run several GEMMs in parallel. */
void sa_func_gemm(const sa_func_weights *pw, const int8_t *x, int64_t m, int32_t *y);

/* Y[M x N] (fp32, row-major) = X[M x K] (fp32, row-major) . W (the packed int8 weights), the
 * fp32 x int8 datapath (docs/timing.md §1.1), in its fixed order: every product x·w is an fp32
 * multiply (w exact in fp32), each tile's column sum runs down its rows r = 0 … R−1 from +0
 * with one fp32 add per row, and the CPU adds the kept tiles of a strip into the output in
 * visit order kt = 0 … KT−1, from +0 (no fused multiply-add anywhere). R is the mask's
 * tile_rows; dense weights packed without a mask are one tile of K rows. Pruned tiles are
 * skipped (they contribute nothing, not even a +0). m >= 0; y must not overlap x. Never fails. */
void sa_func_gemm_f32(const sa_func_weights *pw, const float *x, int64_t m, float *y);

/* Naive reference of sa_func_gemm_f32 (triple loop in the same order). */
void sa_func_gemm_f32_ref(const float *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
                          const sa_tilemask *mask, float *y);

/* Frees packed weights (NULL is fine). */
void sa_func_free(sa_func_weights *pw);

/* Naive reference of the same arithmetic: triple loop, tile mask tested per weight.
 * w row-major K x N; mask NULL = dense (otherwise it must match k, n). Never fails. */
void sa_func_gemm_ref(const int8_t *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
                      const sa_tilemask *mask, int32_t *y);

/* Kernels, slowest first. All give bit-identical results. */
enum { SA_FUNC_AUTO = -1, SA_FUNC_PORTABLE, SA_FUNC_AVX2, SA_FUNC_VNNI };

/* Name of the kernel that weights packed now use ("avx512-vnni", "avx2" or "portable"):
 * the best this CPU runs unless sa_func_use_kernel forced another. */
const char *sa_func_kernel_name(void);

/* Test and benchmark hook: weights packed from now on use kernel (SA_FUNC_AUTO: the CPU's
 * best); SA_FUNC_PORTABLE also makes sa_func_gemm run already packed weights portably.
 * Returns 0, or -1 (nothing changed) when this CPU cannot run kernel. Not thread-safe. */
int sa_func_use_kernel(int kernel);

#ifdef __cplusplus
}
#endif

#endif
