/* sa_func: bit-exact int8 GEMM of the array (docs/timing.md §1–3).
 *
 * Fast path (x86 with AVX2): W is packed once into panels of 16 output columns, each a
 * sequence of K-pairs holding (w[2p][n], w[2p+1][n]) as int16 pairs, so that
 * _mm256_madd_epi16 against a broadcast pair (x[m][2p], x[m][2p+1]) yields 8 exact int32
 * two-term sums per instruction (|sum| <= 2*128*128, never saturates); the sums over K are
 * added with _mm256_add_epi32, i.e. modulo 2^32, exactly the array's wrap-around. A 6 x 16
 * register-blocked micro-kernel runs over cache blocks of K (KC_PAIRS pairs) and M (MC
 * rows) in the BLIS loop order. K-pairs that belong only to pruned tiles are skipped
 * (each panel keeps its runs of live pairs), so pruned models also run faster.
 * Fast path (x86 with AVX-512 VNNI, preferred): W is packed into panels of 32 columns of
 * K-quads, 4 int8 weights per int32 lane, for vpdpbusd, which multiplies unsigned by signed
 * bytes and adds the four products to an int32 lane without saturation (modulo 2^32). X is
 * fed as x + 128 (unsigned) and every column starts from -128 * sum_k w[k][n], so the sum
 * is exactly sum x*w modulo 2^32 (the array's wrap-around). An 8 x 32 micro-kernel in the
 * same BLIS loop order; K-quads of pruned tiles only are skipped as above.
 * Portable path: an i-k-j loop over the masked int8 copy with unsigned accumulation.
 * The kernel is chosen when the weights are packed (the best this CPU runs); the test hook
 * sa_func_use_kernel forces a lower one.
 * fp32 x int8 (sa_func_gemm_f32): per output row and tile, the tile's partial sums over its
 * rows in order, then added into the row; vectorised across columns only, so each output's
 * order of operations is the documented one. This file is compiled as ISO C (-std=c11),
 * where GCC does not contract a*b+c into a fused multiply-add (-ffp-contract=off). */
#include "sa_func.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SA_FUNC_X86 1
#else
#define SA_FUNC_X86 0
#endif

enum {
  VNR = 32,       /* VNNI: output columns per panel (two 16-lane int32 vectors) */
  VMR = 8,        /* VNNI: rows of the micro-kernel */
  VKC = 256,      /* VNNI: K-quads per cache block: a panel slice is 256*128 B = 32 KiB */
  VMC = 48,       /* VNNI: rows per cache block: 48*256*4 B = 48 KiB of packed X */
  NR = 16,        /* output columns per panel (two 8-lane int32 vectors) */
  MR = 6,         /* rows of the micro-kernel */
  KC_PAIRS = 256, /* K-pairs per cache block: a panel slice is 256*64 B = 16 KiB (L1) */
  MC = 48,        /* rows per cache block: 48*256*4 B = 48 KiB of packed X (L1/L2) */
};

struct sa_func_weights {
  int64_t k, n;
  int kernel;        /* sa_func_kernel the weights are packed for */
  int64_t grp;       /* K values per packed group: 2 (avx2) or 4 (vnni); 1 portable */
  int64_t kp;        /* K-groups: ceil(k/grp) */
  int64_t nr;        /* columns per panel */
  int64_t np;        /* panels: ceil(n/nr) */
  int16_t *w16;      /* avx2: np x kp x (NR x 2) int16, masked */
  int8_t *w8;        /* vnni: np x kp x (VNR x 4) int8, masked */
  int32_t *comp;     /* vnni: np*VNR column starts -128 * sum_k w (wrapping), 0 past n */
  int8_t *wm;        /* k x n int8, masked (portable path and tests) */
  int64_t *run_off;  /* np+1 offsets into runs */
  int64_t *runs;     /* [start, end) pairs of live K-groups per panel */
  int64_t tr, tc;    /* tile rows and columns (dense without a mask: k x n) */
  uint8_t *keep;     /* kt x nt kept flags (NULL: dense) */
};

static int forced = SA_FUNC_AUTO;

static int cpu_kernel(void) {
#if SA_FUNC_X86
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = SA_FUNC_PORTABLE;
    if (__builtin_cpu_supports("avx2")) cached = SA_FUNC_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
      cached = SA_FUNC_VNNI;
  }
  return cached;
#else
  return SA_FUNC_PORTABLE;
#endif
}

/* The kernel new packs use: the CPU's best, or the forced one. */
static int active_kernel(void) { return forced == SA_FUNC_AUTO ? cpu_kernel() : forced; }

int sa_func_use_kernel(int kernel) {
  if (kernel < SA_FUNC_AUTO || kernel > SA_FUNC_VNNI) return -1;
  if (kernel != SA_FUNC_AUTO && kernel > cpu_kernel()) return -1;
  forced = kernel;
  return 0;
}

static const char *kernel_label(int kernel) {
  switch (kernel) {
    case SA_FUNC_VNNI: return "avx512-vnni";
    case SA_FUNC_AVX2: return "avx2";
    default: return "portable";
  }
}

const char *sa_func_kernel_name(void) { return kernel_label(active_kernel()); }

int64_t sa_func_k(const sa_func_weights *pw) { return pw->k; }
int64_t sa_func_n(const sa_func_weights *pw) { return pw->n; }

static int32_t wrap32(uint32_t u) {
  int32_t r;
  memcpy(&r, &u, sizeof r);
  return r;
}

/* keep bit of weight (k, n) under mask (NULL: dense). */
static int kept(const sa_tilemask *mask, int64_t k, int64_t n) {
  if (!mask) return 1;
  return mask->keep[(k / mask->tile_rows) * mask->nt + n / mask->tile_cols] != 0;
}

static int check_mask(const sa_tilemask *mask, int64_t k, int64_t n, sa_err *e) {
  if (!mask) return 0;
  if (mask->k != k || mask->n != n)
    return sa_err_set(e, "tile mask '%s' is for a %lld x %lld GEMM, weights are %lld x %lld",
                      mask->name, (long long)mask->k, (long long)mask->n, (long long)k,
                      (long long)n);
  if (mask->tile_rows < 1 || mask->tile_cols < 1 || !mask->keep ||
      mask->kt != (k + mask->tile_rows - 1) / mask->tile_rows ||
      mask->nt != (n + mask->tile_cols - 1) / mask->tile_cols)
    return sa_err_set(e, "tile mask '%s': inconsistent tile grid (%lld x %lld tiles of %lld x %lld)",
                      mask->name, (long long)mask->kt, (long long)mask->nt,
                      (long long)mask->tile_rows, (long long)mask->tile_cols);
  return 0;
}

/* Finds, per panel, the runs of K-groups holding at least one kept weight (groups of grp
 * rows, panels of nr columns) into pw->runs / pw->run_off. */
static void find_runs(sa_func_weights *pw, const sa_tilemask *mask) {
  int64_t nruns = 0;
  for (int64_t p = 0; p < pw->np; p++) {
    pw->run_off[p] = nruns;
    int64_t c0 = p * pw->nr, c1 = c0 + pw->nr < pw->n ? c0 + pw->nr : pw->n;
    int in_run = 0;
    for (int64_t q = 0; q < pw->kp; q++) {
      int live = 0;
      for (int64_t kk = pw->grp * q; kk < pw->grp * (q + 1) && kk < pw->k && !live; kk++)
        for (int64_t c = c0; c < c1 && !live; c++) live = kept(mask, kk, c);
      if (live && !in_run) {
        pw->runs[2 * nruns] = q;
        in_run = 1;
      } else if (!live && in_run) {
        pw->runs[2 * nruns + 1] = q;
        nruns++;
        in_run = 0;
      }
    }
    if (in_run) {
      pw->runs[2 * nruns + 1] = pw->kp;
      nruns++;
    }
    SA_ASSERT(nruns - pw->run_off[p] <= pw->kp / 2 + 2);
  }
  pw->run_off[pw->np] = nruns;
}

sa_func_weights *sa_func_pack(const int8_t *w, int64_t k, int64_t n, const sa_tilemask *mask,
                              sa_err *e) {
  if (k < 1 || n < 1) {
    sa_err_set(e, "functional GEMM: bad weight shape %lld x %lld", (long long)k, (long long)n);
    return NULL;
  }
  if (check_mask(mask, k, n, e)) return NULL;
  sa_func_weights *pw = sa_calloc(1, sizeof *pw, e);
  if (!pw) return NULL;
  pw->k = k;
  pw->n = n;
  pw->kernel = active_kernel();
  pw->grp = pw->kernel == SA_FUNC_VNNI ? 4 : pw->kernel == SA_FUNC_AVX2 ? 2 : 1;
  pw->nr = pw->kernel == SA_FUNC_VNNI ? VNR : NR;
  pw->kp = (k + pw->grp - 1) / pw->grp;
  pw->np = (n + pw->nr - 1) / pw->nr;
  pw->wm = sa_malloc((size_t)(k * n), e);
  if (!pw->wm) {
    sa_func_free(pw);
    return NULL;
  }
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < n; j++) pw->wm[i * n + j] = kept(mask, i, j) ? w[i * n + j] : 0;
  pw->tr = mask ? mask->tile_rows : k;
  pw->tc = mask ? mask->tile_cols : n;
  if (mask) {
    if (!(pw->keep = sa_malloc((size_t)(mask->kt * mask->nt), e))) {
      sa_func_free(pw);
      return NULL;
    }
    memcpy(pw->keep, mask->keep, (size_t)(mask->kt * mask->nt));
  }
  if (pw->kernel == SA_FUNC_PORTABLE) return pw;
  pw->run_off = sa_calloc((size_t)pw->np + 1, sizeof(int64_t), e);
  /* at most one run per two groups, plus one */
  pw->runs = sa_calloc((size_t)(pw->np * (pw->kp / 2 + 2)), 2 * sizeof(int64_t), e);
  if (pw->kernel == SA_FUNC_VNNI) {
    pw->w8 = sa_calloc((size_t)(pw->np * pw->kp), VNR * 4, e);
    pw->comp = sa_calloc((size_t)pw->np, VNR * sizeof(int32_t), e);
  } else {
    pw->w16 = sa_calloc((size_t)(pw->np * pw->kp), NR * 2 * sizeof(int16_t), e);
  }
  if (!pw->run_off || !pw->runs || (pw->kernel == SA_FUNC_VNNI ? !pw->w8 || !pw->comp : !pw->w16)) {
    sa_func_free(pw);
    return NULL;
  }
  for (int64_t p = 0; p < pw->np; p++) {
    int64_t c0 = p * pw->nr, c1 = c0 + pw->nr < n ? c0 + pw->nr : n;
    for (int64_t q = 0; q < pw->kp; q++)
      for (int64_t kk = pw->grp * q; kk < pw->grp * (q + 1) && kk < k; kk++)
        for (int64_t c = c0; c < c1; c++) {
          int8_t v = pw->wm[kk * n + c];
          int64_t lane = (c - c0) * pw->grp + (kk - pw->grp * q);
          if (pw->kernel == SA_FUNC_VNNI) pw->w8[(p * pw->kp + q) * VNR * 4 + lane] = v;
          else pw->w16[(p * pw->kp + q) * NR * 2 + lane] = v;
        }
  }
  if (pw->kernel == SA_FUNC_VNNI)
    for (int64_t c = 0; c < n; c++) {
      uint32_t sum = 0;
      for (int64_t kk = 0; kk < k; kk++) sum += (uint32_t)(int32_t)pw->wm[kk * n + c];
      pw->comp[c] = wrap32(0u - 128u * sum);
    }
  find_runs(pw, mask);
  return pw;
}

void sa_func_free(sa_func_weights *pw) {
  if (!pw) return;
  free(pw->w16);
  free(pw->w8);
  free(pw->comp);
  free(pw->wm);
  free(pw->run_off);
  free(pw->runs);
  free(pw->keep);
  free(pw);
}

void sa_func_gemm_ref(const int8_t *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
                      const sa_tilemask *mask, int32_t *y) {
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      uint32_t acc = 0;
      for (int64_t kk = 0; kk < k; kk++)
        if (kept(mask, kk, j))
          acc += (uint32_t)((int32_t)x[i * k + kk] * (int32_t)w[kk * n + j]);
      y[i * n + j] = wrap32(acc);
    }
}

/* Portable kernel: i-k-j with unsigned (wrapping) accumulation in y. */
static void gemm_portable(const sa_func_weights *pw, const int8_t *x, int64_t m, int32_t *y) {
  const int64_t k = pw->k, n = pw->n;
  enum { NB = 1024 };
  for (int64_t i = 0; i < m; i++) {
    uint32_t *yr = (uint32_t *)(y + i * n);
    for (int64_t j0 = 0; j0 < n; j0 += NB) {
      int64_t j1 = j0 + NB < n ? j0 + NB : n;
      for (int64_t j = j0; j < j1; j++) yr[j] = 0;
      for (int64_t kk = 0; kk < k; kk++) {
        int32_t xv = x[i * k + kk];
        if (!xv) continue;
        const int8_t *wr = pw->wm + kk * n;
        for (int64_t j = j0; j < j1; j++) yr[j] += (uint32_t)(xv * (int32_t)wr[j]);
      }
    }
  }
}

#if SA_FUNC_X86
/* Packs X[m0.., k-pairs q0..q1) into xb as int16 (a K-pair is two consecutive int16, read
 * as one 32-bit lane; K past k is 0), rows padded with zeros up to a multiple of MR. The
 * plain int8 -> int16 loop vectorises (sign extension). */
static void pack_x(const int8_t *x, int64_t k, int64_t m0, int64_t mc, int64_t q0, int64_t q1,
                   int16_t *xb) {
  int64_t nk = 2 * (q1 - q0), mcp = (mc + MR - 1) / MR * MR;
  int64_t k0 = 2 * q0, k1 = 2 * q1 < k ? 2 * q1 : k;
  for (int64_t r = 0; r < mcp; r++) {
    int16_t *d = xb + r * nk;
    if (r >= mc) {
      memset(d, 0, (size_t)nk * sizeof *d);
      continue;
    }
    const int8_t *s = x + (m0 + r) * k;
    for (int64_t kk = k0; kk < k1; kk++) d[kk - k0] = s[kk];
    for (int64_t kk = k1; kk < k0 + nk; kk++) d[kk - k0] = 0;
  }
}

/* 6 x 16 micro-kernel: y rows [0, mr), columns [0, nr) (row stride ldy) = (first ? 0 : y) +
 * X(6 rows, pairs of each run) . W(panel), wrapping. xb rows have stride 2*nq int16,
 * starting at pair q0; wp points at the panel's pair 0. */
__attribute__((target("avx2"))) static void micro_avx2(const int16_t *xb, int64_t nq,
                                                       int64_t q0, const int16_t *wp,
                                                       const int64_t *runs, int64_t nruns,
                                                       int first, int32_t *y, int64_t ldy,
                                                       int mr, int nr) {
  __m256i c00 = _mm256_setzero_si256(), c01 = _mm256_setzero_si256();
  __m256i c10 = _mm256_setzero_si256(), c11 = _mm256_setzero_si256();
  __m256i c20 = _mm256_setzero_si256(), c21 = _mm256_setzero_si256();
  __m256i c30 = _mm256_setzero_si256(), c31 = _mm256_setzero_si256();
  __m256i c40 = _mm256_setzero_si256(), c41 = _mm256_setzero_si256();
  __m256i c50 = _mm256_setzero_si256(), c51 = _mm256_setzero_si256();
  const int64_t ld = 2 * nq; /* int16 per packed row */
  for (int64_t r = 0; r < nruns; r++) {
    int64_t a = runs[2 * r], b = runs[2 * r + 1];
    const int16_t *w = wp + a * NR * 2;
    const int16_t *x0 = xb + 2 * (a - q0);
    for (int64_t q = a; q < b; q++, w += NR * 2, x0 += 2) {
      __m256i w0 = _mm256_loadu_si256((const __m256i *)w);
      __m256i w1 = _mm256_loadu_si256((const __m256i *)(w + 16));
      __m256i xv;
      int32_t pr;
#define ROW(i, lo, hi)                                  \
  memcpy(&pr, x0 + (i) * ld, sizeof pr);                \
  xv = _mm256_set1_epi32(pr);                           \
  lo = _mm256_add_epi32(lo, _mm256_madd_epi16(xv, w0)); \
  hi = _mm256_add_epi32(hi, _mm256_madd_epi16(xv, w1));
      ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21)
      ROW(3, c30, c31) ROW(4, c40, c41) ROW(5, c50, c51)
#undef ROW
    }
  }
  __m256i acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                        {c30, c31}, {c40, c41}, {c50, c51}};
  if (nr == NR) {
    for (int i = 0; i < mr; i++) {
      __m256i *d = (__m256i *)(y + i * ldy);
      if (first) {
        _mm256_storeu_si256(d, acc[i][0]);
        _mm256_storeu_si256(d + 1, acc[i][1]);
      } else {
        _mm256_storeu_si256(d, _mm256_add_epi32(_mm256_loadu_si256(d), acc[i][0]));
        _mm256_storeu_si256(d + 1, _mm256_add_epi32(_mm256_loadu_si256(d + 1), acc[i][1]));
      }
    }
  } else {
    int32_t t[NR];
    for (int i = 0; i < mr; i++) {
      _mm256_storeu_si256((__m256i *)t, acc[i][0]);
      _mm256_storeu_si256((__m256i *)(t + 8), acc[i][1]);
      uint32_t *d = (uint32_t *)(y + i * ldy);
      for (int j = 0; j < nr; j++) d[j] = (first ? 0u : d[j]) + (uint32_t)t[j];
    }
  }
}

/* Intersects the panel's runs with [q0, q1) into out; returns the number of runs. */
static int64_t clip_runs(const int64_t *runs, int64_t nruns, int64_t q0, int64_t q1,
                         int64_t *out) {
  int64_t c = 0;
  for (int64_t r = 0; r < nruns; r++) {
    int64_t a = runs[2 * r] > q0 ? runs[2 * r] : q0;
    int64_t b = runs[2 * r + 1] < q1 ? runs[2 * r + 1] : q1;
    if (a < b) {
      out[2 * c] = a;
      out[2 * c + 1] = b;
      c++;
    }
  }
  return c;
}

static void gemm_avx2(const sa_func_weights *pw, const int8_t *x, int64_t m, int32_t *y) {
  const int64_t k = pw->k, n = pw->n;
  int16_t xb[MC * KC_PAIRS * 2];
  int64_t clipped[2 * (KC_PAIRS / 2 + 2)];
  for (int64_t q0 = 0; q0 < pw->kp; q0 += KC_PAIRS) {
    int64_t q1 = q0 + KC_PAIRS < pw->kp ? q0 + KC_PAIRS : pw->kp;
    for (int64_t m0 = 0; m0 < m; m0 += MC) {
      int64_t mc = m0 + MC < m ? MC : m - m0;
      pack_x(x, k, m0, mc, q0, q1, xb);
      for (int64_t p = 0; p < pw->np; p++) {
        const int64_t *runs = pw->runs + 2 * pw->run_off[p];
        int64_t nr_all = pw->run_off[p + 1] - pw->run_off[p];
        int64_t nruns = clip_runs(runs, nr_all, q0, q1, clipped);
        /* the first K block writes every output (0 without live pairs); later ones add */
        int first = q0 == 0;
        if (!nruns && !first) continue;
        int nr = (int)(n - p * NR < NR ? n - p * NR : NR);
        const int16_t *wp = pw->w16 + p * pw->kp * NR * 2;
        for (int64_t i = 0; i < mc; i += MR) {
          int mr = (int)(mc - i < MR ? mc - i : MR);
          micro_avx2(xb + i * 2 * (q1 - q0), q1 - q0, q0, wp, clipped, nruns, first,
                     y + (m0 + i) * n + p * NR, n, mr, nr);
        }
      }
    }
  }
}

/* VNNI: packs X[m0.., k-quads q0..q1) into xb as 4 bytes x + 128 per uint32 (K past k: 0,
 * whose weights are 0), rows padded with zeros up to a multiple of VMR. */
static void pack_x_u8(const int8_t *x, int64_t k, int64_t m0, int64_t mc, int64_t q0,
                      int64_t q1, uint32_t *xb) {
  int64_t nq = q1 - q0, mcp = (mc + VMR - 1) / VMR * VMR;
  for (int64_t r = 0; r < mcp; r++) {
    uint32_t *d = xb + r * nq;
    if (r >= mc) {
      memset(d, 0, (size_t)nq * sizeof *d);
      continue;
    }
    const int8_t *s = x + (m0 + r) * k;
    int64_t full = q1 * 4 <= k ? q1 : k / 4; /* quads wholly inside K */
    int64_t q = q0;
    for (; q < full; q++) {
      uint32_t v;
      memcpy(&v, s + 4 * q, 4);
      d[q - q0] = v ^ 0x80808080u;
    }
    for (; q < q1; q++) {
      uint32_t v = 0;
      for (int64_t b = 0; b < 4 && 4 * q + b < k; b++)
        v |= (uint32_t)((uint8_t)s[4 * q + b] ^ 0x80u) << (8 * b);
      d[q - q0] = v;
    }
  }
}

#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

/* 8 x 32 micro-kernel: y rows [0, mr), columns [0, nr) (row stride ldy) = start + X(8 rows,
 * quads of each run) . W(panel), wrapping; start is comp (first K block) or y itself. */
VNNI_TARGET static void micro_vnni(const uint32_t *xb, int64_t nq, int64_t q0,
                                   const int8_t *wp, const int64_t *runs, int64_t nruns,
                                   const int32_t *comp, int32_t *y, int64_t ldy, int mr,
                                   int nr) {
  __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512();
  __m512i c10 = _mm512_setzero_si512(), c11 = _mm512_setzero_si512();
  __m512i c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512();
  __m512i c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();
  __m512i c40 = _mm512_setzero_si512(), c41 = _mm512_setzero_si512();
  __m512i c50 = _mm512_setzero_si512(), c51 = _mm512_setzero_si512();
  __m512i c60 = _mm512_setzero_si512(), c61 = _mm512_setzero_si512();
  __m512i c70 = _mm512_setzero_si512(), c71 = _mm512_setzero_si512();
  for (int64_t r = 0; r < nruns; r++) {
    int64_t a = runs[2 * r], b = runs[2 * r + 1];
    const int8_t *w = wp + a * VNR * 4;
    const int32_t *x0 = (const int32_t *)xb + (a - q0);
    for (int64_t q = a; q < b; q++, w += VNR * 4, x0++) {
      __m512i w0 = _mm512_loadu_si512((const void *)w);
      __m512i w1 = _mm512_loadu_si512((const void *)(w + 64));
      __m512i xv;
#define ROW(i, lo, hi)                          \
  xv = _mm512_set1_epi32(x0[(i) * nq]);         \
  lo = _mm512_dpbusd_epi32(lo, xv, w0);         \
  hi = _mm512_dpbusd_epi32(hi, xv, w1);
      ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21) ROW(3, c30, c31)
      ROW(4, c40, c41) ROW(5, c50, c51) ROW(6, c60, c61) ROW(7, c70, c71)
#undef ROW
    }
  }
  __m512i acc[VMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                         {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71}};
  __mmask16 k0 = nr >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nr) - 1);
  __mmask16 k1 = nr >= 32 ? (__mmask16)0xffff : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
  __m512i s0 = comp ? _mm512_maskz_loadu_epi32(k0, comp) : _mm512_setzero_si512();
  __m512i s1 = comp ? _mm512_maskz_loadu_epi32(k1, comp + 16) : _mm512_setzero_si512();
  for (int i = 0; i < mr; i++) {
    int32_t *d = y + i * ldy;
    __m512i b0 = comp ? s0 : _mm512_maskz_loadu_epi32(k0, d);
    __m512i b1 = comp ? s1 : _mm512_maskz_loadu_epi32(k1, d + 16);
    _mm512_mask_storeu_epi32(d, k0, _mm512_add_epi32(b0, acc[i][0]));
    _mm512_mask_storeu_epi32(d + 16, k1, _mm512_add_epi32(b1, acc[i][1]));
  }
}

static void gemm_vnni(const sa_func_weights *pw, const int8_t *x, int64_t m, int32_t *y) {
  const int64_t k = pw->k, n = pw->n;
  uint32_t xb[VMC * VKC];
  int64_t clipped[2 * (VKC / 2 + 2)];
  for (int64_t q0 = 0; q0 < pw->kp; q0 += VKC) {
    int64_t q1 = q0 + VKC < pw->kp ? q0 + VKC : pw->kp;
    for (int64_t m0 = 0; m0 < m; m0 += VMC) {
      int64_t mc = m0 + VMC < m ? VMC : m - m0;
      pack_x_u8(x, k, m0, mc, q0, q1, xb);
      for (int64_t p = 0; p < pw->np; p++) {
        const int64_t *runs = pw->runs + 2 * pw->run_off[p];
        int64_t nr_all = pw->run_off[p + 1] - pw->run_off[p];
        int64_t nruns = clip_runs(runs, nr_all, q0, q1, clipped);
        /* the first K block writes every output (from comp); later ones only add */
        const int32_t *comp = q0 == 0 ? pw->comp + p * VNR : NULL;
        if (!nruns && !comp) continue;
        int nr = (int)(n - p * VNR < VNR ? n - p * VNR : VNR);
        const int8_t *wp = pw->w8 + p * pw->kp * VNR * 4;
        for (int64_t i = 0; i < mc; i += VMR) {
          int mr = (int)(mc - i < VMR ? mc - i : VMR);
          micro_vnni(xb + i * (q1 - q0), q1 - q0, q0, wp, clipped, nruns, comp,
                     y + (m0 + i) * n + p * VNR, n, mr, nr);
        }
      }
    }
  }
}
#endif

void sa_func_gemm(const sa_func_weights *pw, const int8_t *x, int64_t m, int32_t *y) {
  SA_ASSERT(pw && m >= 0);
  if (m == 0) return;
#if SA_FUNC_X86
  /* the packed kernel, unless a test forced the portable one since */
  if (forced != SA_FUNC_PORTABLE && pw->kernel == SA_FUNC_VNNI) {
    gemm_vnni(pw, x, m, y);
    return;
  }
  if (forced != SA_FUNC_PORTABLE && pw->kernel == SA_FUNC_AVX2) {
    gemm_avx2(pw, x, m, y);
    return;
  }
#endif
  gemm_portable(pw, x, m, y);
}

/* ---- fp32 activations x int8 weights ---- */

void sa_func_gemm_f32_ref(const float *x, const int8_t *w, int64_t m, int64_t k, int64_t n,
                          const sa_tilemask *mask, float *y) {
  const int64_t tr = mask ? mask->tile_rows : k;
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      float out = 0.0f;
      for (int64_t k0 = 0; k0 < k; k0 += tr) {
        if (!kept(mask, k0, j)) continue;
        float t = 0.0f;
        for (int64_t kk = k0; kk < k0 + tr && kk < k; kk++) {
          float p = x[i * k + kk] * (float)w[kk * n + j];
          t = t + p;
        }
        out = out + t;
      }
      y[i * n + j] = out;
    }
}

void sa_func_gemm_f32(const sa_func_weights *pw, const float *x, int64_t m, float *y) {
  SA_ASSERT(pw && m >= 0);
  enum { JB = 256 };
  const int64_t k = pw->k, n = pw->n, tr = pw->tr, tc = pw->tc, nt_n = (n + tc - 1) / tc;
  float t[JB];
  for (int64_t i = 0; i < m; i++) {
    const float *xr = x + i * k;
    float *yr = y + i * n;
    for (int64_t j = 0; j < n; j++) yr[j] = 0.0f;
    for (int64_t k0 = 0, kt = 0; k0 < k; k0 += tr, kt++) {
      const int64_t k1 = k0 + tr < k ? k0 + tr : k;
      for (int64_t j0 = 0; j0 < n; j0 += JB) { /* columns in blocks; a block may span strips */
        const int64_t j1 = j0 + JB < n ? j0 + JB : n;
        for (int64_t j = j0; j < j1; j++) t[j - j0] = 0.0f;
        for (int64_t kk = k0; kk < k1; kk++) {
          const float xv = xr[kk];
          const int8_t *wr = pw->wm + kk * n;
          for (int64_t j = j0; j < j1; j++) {
            float p = xv * (float)wr[j];
            t[j - j0] = t[j - j0] + p;
          }
        }
        for (int64_t j = j0; j < j1; j++)
          if (!pw->keep || pw->keep[kt * nt_n + j / tc]) yr[j] = yr[j] + t[j - j0];
      }
    }
  }
}
