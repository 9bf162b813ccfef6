/* host_kernels: the host-side code of the reference system's transformer block and of its
 * cpu_fed driver (gem5-X/TiC-SAT), written out as plain C so their dynamic instruction counts
 * can be measured (scripts/host-costs runs each kernel under valgrind's callgrind at two sizes
 * and takes the difference per element; docs/host-costs.md). Not part of the simulator.
 *
 * usage: host_kernels KERNEL N [NT]   runs kernel k_KERNEL once on N units (elements, bus
 *                                words, custom instructions or tiles) and prints a checksum
 *                                so nothing is optimised away; the walks lay N tiles out as
 *                                N/NT x NT (default NT 16) and print the kept count.
 *
 * The custom instructions are stood in for by one instruction each (asm volatile mov), so
 * a loop's count minus one per instruction is the code around it. Activations: fp32 (v2) or
 * int8 with a per-tensor scale (v1: dequantised on load, quantised on store, as an int8
 * pipeline must). Row lengths are the reference block's: d_model 512, sequence 128. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

enum { D_MODEL = 512, SEQ = 128 };

static float *fa, *fb, *fc, *gam, *bet, *scl;
static int8_t *qa, *qb, *qc;
static int32_t *acc;
static uint32_t *words, *meta;
static uint8_t *keep;
static volatile uint32_t sink_u;
static volatile float sink_f;

/* ---- custom instructions (one instruction each) ---- */
#if defined(__aarch64__)
#define SA_MOV32 "mov %w0, %w1"
#define SA_PARAM_WRITE "mov w9, %w0"
#define SA_RUN_TILE "mov x9, %0"
#define SA_SCRATCH "x9"
#elif defined(__x86_64__)
#define SA_MOV32 "mov %1, %0"
#define SA_PARAM_WRITE "mov %0, %%eax"
#define SA_RUN_TILE "mov %0, %%rax"
#define SA_SCRATCH "rax"
#else
#error "host_kernels: stand-ins for the custom instructions exist for AArch64 and x86-64 only"
#endif
static inline uint32_t smm_queue(uint32_t in) {
  uint32_t out;
  __asm__ volatile(SA_MOV32 : "=r"(out) : "r"(in));
  return out;
}
static inline uint32_t smm_stream(uint32_t in) {
  uint32_t out;
  __asm__ volatile(SA_MOV32 : "=r"(out) : "r"(in));
  return out;
}
static inline void smm_param_write(uint32_t w) { __asm__ volatile(SA_PARAM_WRITE ::"r"(w) : SA_SCRATCH); }

static int8_t q8(float v, float inv_s) {
  float r = nearbyintf(v * inv_s);
  return (int8_t)(r > 127.f ? 127.f : r < -127.f ? -127.f : r);
}

/* ---- host ops of the block, fp32 (v2) ---- */
NOINLINE static void k_add_fp32(long n) { /* residual add */
  for (long i = 0; i < n; i++) fc[i] = fa[i] + fb[i];
}
NOINLINE static void k_bias_fp32(long n) { /* per-channel weight scale and bias of a GEMM output */
  for (long i = 0; i < n / D_MODEL; i++)
    for (long j = 0; j < D_MODEL; j++) fc[i * D_MODEL + j] = fa[i * D_MODEL + j] * scl[j] + bet[j];
}
NOINLINE static void k_layernorm_fp32(long n) {
  for (long r = 0; r < n / D_MODEL; r++) {
    const float *x = fa + r * D_MODEL;
    float *y = fc + r * D_MODEL, mean = 0, var = 0;
    for (long j = 0; j < D_MODEL; j++) mean += x[j];
    mean /= D_MODEL;
    for (long j = 0; j < D_MODEL; j++) var += (x[j] - mean) * (x[j] - mean);
    float inv = 1.0f / sqrtf(var / D_MODEL + 1e-5f);
    for (long j = 0; j < D_MODEL; j++) y[j] = (x[j] - mean) * inv * gam[j] + bet[j];
  }
}
NOINLINE static void k_softmax_fp32(long n) { /* scores / sqrt(d_q), then softmax per row */
  const float s = 1.0f / sqrtf(128.0f);
  for (long r = 0; r < n / SEQ; r++) {
    float *x = fa + r * SEQ, *y = fc + r * SEQ, mx = -INFINITY, sum = 0;
    for (long j = 0; j < SEQ; j++) {
      x[j] *= s;
      if (x[j] > mx) mx = x[j];
    }
    for (long j = 0; j < SEQ; j++) sum += y[j] = expf(x[j] - mx);
    float inv = 1.0f / sum;
    for (long j = 0; j < SEQ; j++) y[j] *= inv;
  }
}
NOINLINE static void k_transpose_fp32(long n) { /* SEQ x (n/SEQ) -> (n/SEQ) x SEQ */
  long c = n / SEQ;
  for (long i = 0; i < SEQ; i++)
    for (long j = 0; j < c; j++) fc[j * SEQ + i] = fa[i * c + j];
}
NOINLINE static void k_relu_fp32(long n) {
  for (long i = 0; i < n; i++) fc[i] = fa[i] > 0 ? fa[i] : 0;
}
NOINLINE static void k_gelu_fp32(long n) {
  for (long i = 0; i < n; i++) {
    float x = fa[i];
    fc[i] = 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
  }
}
NOINLINE static void k_argmax_fp32(long n) {
  long best = 0;
  for (long i = 1; i < n; i++)
    if (fa[i] > fa[best]) best = i;
  sink_u = (uint32_t)best;
}
NOINLINE static void k_mac_fp32(long n) { /* activation x activation dot products */
  float s = 0;
  for (long i = 0; i < n; i++) s += fa[i] * fb[i];
  sink_f = s;
}
NOINLINE static void k_mac_fp32_int8(long n) { /* host-only GEMM, v2: fp32 x int8 weight */
  float s = 0;
  for (long i = 0; i < n; i++) s += fa[i] * (float)qb[i];
  sink_f = s;
}
NOINLINE static void k_mac_int8(long n) { /* host-only GEMM, v1: int8 x int8 -> int32 */
  int32_t s = 0;
  for (long i = 0; i < n; i++) s += (int32_t)qa[i] * (int32_t)qb[i];
  sink_u = (uint32_t)s;
}

/* ---- the same ops on an int8 pipeline (v1): dequantise on load, quantise on store ---- */
NOINLINE static void k_add_int8(long n) {
  const float sa = 0.02f, sb = 0.03f, inv = 1.0f / 0.04f;
  for (long i = 0; i < n; i++) qc[i] = q8(qa[i] * sa + qb[i] * sb, inv);
}
NOINLINE static void k_bias_int8(long n) { /* int32 array output -> scaled + bias -> int8 */
  const float inv = 1.0f / 0.05f;
  for (long i = 0; i < n / D_MODEL; i++)
    for (long j = 0; j < D_MODEL; j++)
      qc[i * D_MODEL + j] = q8((float)acc[i * D_MODEL + j] * scl[j] + bet[j], inv);
}
NOINLINE static void k_layernorm_int8(long n) {
  const float s = 0.05f, inv_o = 1.0f / 0.03f;
  for (long r = 0; r < n / D_MODEL; r++) {
    const int8_t *x = qa + r * D_MODEL;
    int8_t *y = qc + r * D_MODEL;
    float mean = 0, var = 0;
    for (long j = 0; j < D_MODEL; j++) mean += x[j] * s;
    mean /= D_MODEL;
    for (long j = 0; j < D_MODEL; j++) var += (x[j] * s - mean) * (x[j] * s - mean);
    float inv = 1.0f / sqrtf(var / D_MODEL + 1e-5f);
    for (long j = 0; j < D_MODEL; j++) y[j] = q8((x[j] * s - mean) * inv * gam[j] + bet[j], inv_o);
  }
}
NOINLINE static void k_softmax_int8(long n) {
  const float s = 0.05f / sqrtf(128.0f), inv_o = 127.0f;
  for (long r = 0; r < n / SEQ; r++) {
    const int8_t *x = qa + r * SEQ;
    int8_t *y = qc + r * SEQ;
    float *t = fc + r * SEQ, mx = -INFINITY, sum = 0;
    for (long j = 0; j < SEQ; j++) {
      t[j] = x[j] * s;
      if (t[j] > mx) mx = t[j];
    }
    for (long j = 0; j < SEQ; j++) sum += t[j] = expf(t[j] - mx);
    float inv = inv_o / sum;
    for (long j = 0; j < SEQ; j++) y[j] = q8(t[j], 1.0f / inv);
  }
}
NOINLINE static void k_transpose_int8(long n) {
  long c = n / SEQ;
  for (long i = 0; i < SEQ; i++)
    for (long j = 0; j < c; j++) qc[j * SEQ + i] = qa[i * c + j];
}
NOINLINE static void k_quantize(long n) { /* fp32 -> int8 */
  const float inv = 1.0f / 0.05f;
  for (long i = 0; i < n; i++) qc[i] = q8(fa[i], inv);
}
NOINLINE static void k_dequantize(long n) { /* int32 -> fp32 */
  for (long i = 0; i < n / D_MODEL; i++)
    for (long j = 0; j < D_MODEL; j++) fc[i * D_MODEL + j] = (float)acc[i * D_MODEL + j] * scl[j];
}

/* ---- the cpu_fed driver (processMultiplication and the skip walks) ---- */
NOINLINE static void k_weight_writes(long n) { /* n weight words, 4 int8 each */
  const uint32_t *w = words;
  for (long i = 0; i < n; i++) smm_param_write(w[i]);
}
/* The queue/stream loop of one tile: n instructions, W = 4 words per step (a 16x16 int8 or a
 * 4x4 fp32 array); inputs from the activation rows while real rows remain, then zeros;
 * valid returned words (from index first on) are handed to the add, here only counted, so
 * the loop's own cost is measured apart from the adds (k_add_words_*). */
NOINLINE static void k_stream_loop(long n) {
  const long w = 4, first = w * 31 - 1, rows = n / w - 31;
  const uint32_t *in = words;
  uint32_t valid = 0;
  for (long i = 0; i < n; i++) {
    long step = i / w;
    uint32_t x = step < rows ? in[i] : 0;
    uint32_t out = (i % w == w - 1) ? smm_stream(x) : smm_queue(x);
    if (i >= first) valid += out;
  }
  sink_u = valid;
}
/* addActIn32: one returned word added into the output, per element. */
NOINLINE static void k_add_words_int8(long n) { /* n words of 4 int8 outputs */
  for (long i = 0; i < n; i++) {
    uint32_t v = words[i];
    int8_t *o = qc + 4 * i;
    for (int b = 0; b < 4; b++) o[b] = (int8_t)(o[b] + (int8_t)(v >> (8 * b)));
  }
}
NOINLINE static void k_add_words_fp32(long n) { /* n words of 1 fp32 output */
  const float *v = (const float *)words;
  for (long i = 0; i < n; i++) fc[i] += v[i];
}

/* Stands for the work on a kept tile (processMultiplication): one instruction, subtracted
 * per kept tile by scripts/host-costs. */
static inline void run_tile(const void *p) { __asm__ volatile(SA_RUN_TILE ::"r"(p) : SA_SCRATCH); }

/* Skip walks over a KT x NT grid of 16x16 int8 tiles (256 B, 64 words). */
enum { TB = 256, TW = 64 };
static long walk_kt, walk_nt;
NOINLINE static void k_walk_interleaved(long n) {
  (void)n;
  const uint32_t *p = meta;
  for (long nt = 0; nt < walk_nt; nt++) {
    uint32_t next = p[0];
    const uint32_t *bm = p + 1, *tile = p + 1 + (walk_kt + 31) / 32;
    for (long kt = 0; kt < walk_kt; kt++)
      if (bm[kt >> 5] & (1u << (kt & 31))) {
        run_tile(tile);
        tile += TW;
      }
    p += next;
  }
}
NOINLINE static void k_walk_with_flag(long n) {
  const uint32_t *flags = meta, *tile = words;
  for (long i = 0; i < n; i++)
    if (!(flags[i >> 5] & (0x80000000u >> (i & 31)))) { /* MSB first, 1 = pruned */
      run_tile(tile);
      tile += TW;
    }
}
NOINLINE static void k_walk_meta_data(long n) {
  (void)n;
  const uint8_t *col = (const uint8_t *)meta, *tf = col + walk_nt;
  const uint32_t *tile = words;
  for (long nt = 0; nt < walk_nt; nt++) {
    if (!col[nt]) continue;
    for (long kt = 0; kt < walk_kt; kt++)
      if (tf[nt * walk_kt + kt]) {
        run_tile(tile);
        tile += TW;
      }
  }
}
NOINLINE static void k_walk_hidden_key(long n) {
  const uint32_t key = 0xdeadbeefu, *p = words;
  for (long i = 0; i < n; i++) {
    if (p[0] == key) {
      p += 1;
      continue;
    }
    run_tile(p);
    p += TW;
  }
}
NOINLINE static void k_walk_csc(long n) { /* ptr[NT+1], idx[kept]: per column its kept rows */
  (void)n;
  const uint32_t *ptr = meta, *idx = meta + walk_nt + 1;
  for (long nt = 0; nt < walk_nt; nt++)
    for (uint32_t j = ptr[nt]; j < ptr[nt + 1]; j++) run_tile(words + (size_t)idx[j] * TW);
}
NOINLINE static void k_walk_dynamic_zero(long n) { /* the same scan over all-zero tiles */
  const uint32_t *p = words;
  for (long i = 0; i < n; i++, p += TW) {
    int nz = 0;
    for (int w = 0; w < TW; w++)
      if (p[w]) {
        nz = 1;
        break;
      }
    if (nz) run_tile(p);
  }
}
NOINLINE static void k_walk_dynamic(long n) { /* scan each tile for a non-zero word */
  const uint32_t *p = words;
  for (long i = 0; i < n; i++, p += TW) {
    int nz = 0;
    for (int w = 0; w < TW; w++)
      if (p[w]) {
        nz = 1;
        break;
      }
    if (nz) run_tile(p);
  }
}

typedef struct kernel {
  const char *name;
  void (*fn)(long);
} kernel;

static const kernel kernels[] = {
    {"add_fp32", k_add_fp32}, {"bias_fp32", k_bias_fp32}, {"layernorm_fp32", k_layernorm_fp32},
    {"softmax_fp32", k_softmax_fp32}, {"transpose_fp32", k_transpose_fp32},
    {"relu_fp32", k_relu_fp32}, {"gelu_fp32", k_gelu_fp32}, {"argmax_fp32", k_argmax_fp32},
    {"mac_fp32", k_mac_fp32}, {"mac_fp32_int8", k_mac_fp32_int8}, {"mac_int8", k_mac_int8},
    {"add_int8", k_add_int8}, {"bias_int8", k_bias_int8}, {"layernorm_int8", k_layernorm_int8},
    {"softmax_int8", k_softmax_int8}, {"transpose_int8", k_transpose_int8},
    {"quantize", k_quantize}, {"dequantize", k_dequantize},
    {"weight_writes", k_weight_writes}, {"stream_loop", k_stream_loop},
    {"add_words_int8", k_add_words_int8}, {"add_words_fp32", k_add_words_fp32},
    {"walk_interleaved", k_walk_interleaved},
    {"walk_with_flag", k_walk_with_flag}, {"walk_meta_data", k_walk_meta_data},
    {"walk_hidden_key", k_walk_hidden_key}, {"walk_csc", k_walk_csc},
    {"walk_dynamic", k_walk_dynamic}, {"walk_dynamic_zero", k_walk_dynamic_zero},
};

/* Deterministic data; a 30 % pruned tile mask (xorshift), tile grids KT = n / NT. */
static void setup(long n) {
  size_t b = (size_t)n + 4096;
  fa = malloc(b * 4), fb = malloc(b * 4), fc = malloc(b * 4), acc = malloc(b * 4);
  gam = malloc(D_MODEL * 4), bet = malloc(D_MODEL * 4), scl = malloc(D_MODEL * 4);
  qa = malloc(b), qb = malloc(b), qc = calloc(b, 4);
  words = calloc(b * TW, 4), meta = calloc(b * (TW + 4) + 1024, 4), keep = malloc(b);
  if (!fa || !fb || !fc || !acc || !gam || !bet || !scl || !qa || !qb || !qc || !words || !meta ||
      !keep) {
    fprintf(stderr, "host_kernels: out of memory\n");
    exit(1);
  }
  uint32_t x = 12345;
  for (size_t i = 0; i < b; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    fa[i] = (float)(x % 2001) / 1000.0f - 1.0f;
    fb[i] = (float)((x >> 11) % 2001) / 1000.0f - 1.0f;
    fc[i] = 0;
    acc[i] = (int32_t)(x % 20001) - 10000;
    qa[i] = (int8_t)(x % 255 - 127), qb[i] = (int8_t)((x >> 8) % 255 - 127);
    keep[i] = x % 10 >= 3;
  }
  for (int j = 0; j < D_MODEL; j++) gam[j] = 1.0f + j * 1e-3f, bet[j] = j * 1e-3f, scl[j] = 0.01f;
  for (size_t i = 0; i < b * TW; i++) words[i] = 0x01020304u + (uint32_t)i;
}

/* Skip metadata for n tiles as KT x NT = n/16 x 16 (the walks), tiles laid out per format. */
static void setup_walk(const char *name, long n, long nt_n) {
  walk_nt = nt_n, walk_kt = n / nt_n;
  if (!strcmp(name, "walk_interleaved")) {
    uint32_t *p = meta;
    long bw = (walk_kt + 31) / 32;
    for (long nt = 0; nt < walk_nt; nt++) {
      long kept = 0;
      for (long kt = 0; kt < walk_kt; kt++)
        if (keep[kt * walk_nt + nt]) {
          p[1 + kt / 32] |= 1u << (kt % 32);
          kept++;
        }
      p[0] = (uint32_t)(1 + bw + kept * TW);
      p += p[0];
    }
  } else if (!strcmp(name, "walk_with_flag")) {
    for (long i = 0; i < n; i++)
      if (!keep[i]) meta[i >> 5] |= 0x80000000u >> (i & 31);
  } else if (!strcmp(name, "walk_meta_data")) {
    uint8_t *col = (uint8_t *)meta, *tf = col + walk_nt;
    for (long nt = 0; nt < walk_nt; nt++)
      for (long kt = 0; kt < walk_kt; kt++)
        if ((tf[nt * walk_kt + kt] = keep[kt * walk_nt + nt])) col[nt] = 1;
  } else if (!strcmp(name, "walk_hidden_key")) {
    uint32_t *p = words;
    for (long i = 0; i < n; i++) {
      if (!keep[i]) {
        *p++ = 0xdeadbeefu;
        continue;
      }
      p += TW;
    }
  } else if (!strcmp(name, "walk_csc")) {
    uint32_t *ptr = meta, *idx = meta + walk_nt + 1, k = 0;
    for (long nt = 0; nt < walk_nt; nt++) {
      ptr[nt] = k;
      for (long kt = 0; kt < walk_kt; kt++)
        if (keep[kt * walk_nt + nt]) idx[k++] = (uint32_t)(kt * walk_nt + nt);
    }
    ptr[walk_nt] = k;
  } else if (!strcmp(name, "walk_dynamic")) {
    for (long i = 0; i < n; i++)
      if (!keep[i]) memset(words + i * TW, 0, TB);
  } else if (!strcmp(name, "walk_dynamic_zero")) {
    memset(words, 0, (size_t)n * TB);
  }
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: host_kernels KERNEL N [NT]\n");
    return 2;
  }
  long n = strtol(argv[2], NULL, 10), nt = argc == 4 ? strtol(argv[3], NULL, 10) : 16;
  if (n < 1 || n > (1L << 22) || nt < 1 || (!strncmp(argv[1], "walk_", 5) && n % nt)) {
    fprintf(stderr, "host_kernels: N must be 1 .. 2^22 (and for the walks a multiple of NT)\n");
    return 2;
  }
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
    if (!strcmp(argv[1], kernels[i].name)) {
      setup(n);
      setup_walk(argv[1], n, nt);
      kernels[i].fn(n);
      double s = sink_f + sink_u;
      for (long j = 0; j < n; j++) s += fc[j] + qc[j];
      long kept = 0;
      for (long j = 0; j < n; j++) kept += keep[j];
      printf("%s %ld checksum %.6g kept %ld\n", argv[1], n, s, kept);
      return 0;
    }
  fprintf(stderr, "host_kernels: unknown kernel '%s'\n", argv[1]);
  return 2;
}
