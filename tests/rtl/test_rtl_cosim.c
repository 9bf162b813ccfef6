/* Randomised co-simulation of one RTL array size against the C model: random shapes (K, N,
 * M not multiples of the array, M = 1), masks (none pruned, all pruned, single tile,
 * checkerboard, random, sparse over a large grid), extreme values, the worked example of
 * docs/timing.md, K and N beyond any buffer (2048), size limits, every random case also
 * through a seeded stalling source (docs/timing.md §6), the perturbation hooks (each
 * comparison must fail), seeded protocol violations (the RTL's assertions must fire, and none
 * may fire otherwise), and waves where the size has a traced model. Integration cpu_fed
 * (docs/timing.md §8.1): the same kinds of shapes, masks and extreme values through the CPU
 * port (every instruction's kind, cycle, flag and returned word, the counts, Y), the read
 * instruction, its perturbation hooks and its protocol assertion.
 * usage: test_rtl_cosim ROWS COLS [SEED [CASES]]; the seed is printed to reproduce a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_cosim.h"
#include "sa_func.h"
#include "sa_rng.h"
#include "sa_rtl.h"
#include "sa_test.h"
#include "sa_timing.h"

static uint64_t rng_state;
static uint64_t rnd(void) { return sa_rng_splitmix64(&rng_state); }
static int64_t rnd_range(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

enum { MASK_DENSE, MASK_NONE_PRUNED, MASK_ALL_PRUNED, MASK_SINGLE, MASK_CHECKER, MASK_RANDOM,
       MASK_KINDS };
static const char *const mask_names[] = {"dense(NULL)", "none-pruned", "all-pruned",
                                         "single-tile", "checkerboard", "random"};
enum { VAL_RANDOM, VAL_MIN, VAL_MAX, VAL_ALTERNATE, VAL_KINDS };
static const char *const val_names[] = {"random", "all -128", "all 127", "+-extremes"};

static void fill(int8_t *v, int64_t count, int kind, int is_w) {
  for (int64_t i = 0; i < count; i++) {
    switch (kind) {
      case VAL_MIN: v[i] = -128; break;
      case VAL_MAX: v[i] = 127; break;
      case VAL_ALTERNATE: v[i] = (int8_t)(((i + is_w) & 1) ? 127 : -128); break;
      default: v[i] = (int8_t)(rnd() & 0xff);
    }
  }
}

static int rows, cols;
static sa_rtl *rtl;
static int64_t stalled_runs, stall_cycles;

/* One command through sa_cosim_command, with an always-ready source (want_cycles checked
 * when >= 0) and then with a seeded stalling source; returns the first status (1 agree). */
static int run_case(const char *label, int64_t m, int64_t k, int64_t n, int mask_kind,
                    int xk, int wk, int64_t want_cycles) {
  int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
  sa_tilemask mask;
  sa_err e;
  CHECK(x && w);
  fill(x, m * k, xk, 0);
  fill(w, k * n, wk, 1);
  int have_mask = mask_kind != MASK_DENSE;
  if (have_mask) {
    CHECK(sa_tilemask_init(&mask, "t", k, n, rows, cols, &e) == 0);
    int64_t tiles = mask.kt * mask.nt, one = rnd_range(0, tiles - 1);
    for (int64_t t = 0; t < tiles; t++) {
      int64_t kt = t / mask.nt, nt = t % mask.nt;
      switch (mask_kind) {
        case MASK_ALL_PRUNED: mask.keep[t] = 0; break;
        case MASK_SINGLE: mask.keep[t] = t == one; break;
        case MASK_CHECKER: mask.keep[t] = (kt + nt) % 2 == 0; break;
        case MASK_RANDOM: mask.keep[t] = rnd() % 100 < 45; break;
        default: mask.keep[t] = 1;
      }
    }
  }
  char what[256], mis[512] = "";
  snprintf(what, sizeof what, "%s M=%lld K=%lld N=%lld mask %s x %s w %s", label,
           (long long)m, (long long)k, (long long)n, mask_names[mask_kind], val_names[xk],
           val_names[wk]);
  int64_t cyc = -1;
  int st = sa_cosim_command(rtl, x, w, m, k, n, have_mask ? &mask : NULL, NULL, what, 0, mis,
                            sizeof mis, &cyc, NULL, &e);
  if (st < 0) fprintf(stderr, "error: %s\n", e.msg);
  if (st == 0) fprintf(stderr, "%s\n", mis);
  CHECK_EQ_INT(st, 1);
  if (want_cycles >= 0) CHECK_EQ_INT(cyc, want_cycles);
  if (mask_kind == MASK_ALL_PRUNED) CHECK_EQ_INT(cyc, 0);
  /* the same command through a stalling source: values, schedule, output beats and cycles
   * as the stream model says */
  sa_stream_source src = {rnd(), (int)rnd_range(25, 90)};
  char what2[300];
  snprintf(what2, sizeof what2, "%s, stalling source (seed %llu, %d %%)", what,
           (unsigned long long)src.seed, src.pct);
  int64_t cyc2 = -1, want2 = -1;
  int st2 = sa_cosim_command(rtl, x, w, m, k, n, have_mask ? &mask : NULL, &src, what2, 0,
                             mis, sizeof mis, &cyc2, &want2, &e);
  if (st2 < 0) fprintf(stderr, "error: %s\n", e.msg);
  if (st2 == 0) fprintf(stderr, "%s\n", mis);
  CHECK_EQ_INT(st2, 1);
  CHECK(cyc2 >= cyc);
  stalled_runs++;
  stall_cycles += cyc2 - cyc;
  if (have_mask) sa_tilemask_free(&mask);
  free(x);
  free(w);
  return st;
}

/* The cpu_fed hardware of this array: int8 activations, the RTL's 32-bit bus. */
static sa_hw_cfg cpu_hw(void) {
  return (sa_hw_cfg){.rows = rows, .cols = cols, .bus_bits = SA_RTL_BUS_BITS,
                     .act_type = SA_ACT_INT8, .integration = SA_INTEG_CPU_FED};
}

static int64_t cpu_cases;

/* One command through the CPU port (sa_cosim_cpu_command); its instruction cycles must be
 * the C model's instruction count. */
static void run_cpu_case(const char *label, int64_t m, int64_t k, int64_t n, int mask_kind,
                         int xk, int wk) {
  int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
  sa_tilemask mask;
  sa_err e;
  CHECK(x && w);
  fill(x, m * k, xk, 0);
  fill(w, k * n, wk, 1);
  int have_mask = mask_kind != MASK_DENSE;
  if (have_mask) {
    CHECK(sa_tilemask_init(&mask, "t", k, n, rows, cols, &e) == 0);
    for (int64_t t = 0; t < mask.kt * mask.nt; t++)
      mask.keep[t] = mask_kind == MASK_ALL_PRUNED ? 0 : mask_kind == MASK_RANDOM ? rnd() % 2
                     : mask_kind == MASK_CHECKER  ? (t / mask.nt + t % mask.nt) % 2 == 0
                                                  : 1;
  }
  sa_hw_cfg hw = cpu_hw();
  char what[200], mis[512] = "";
  snprintf(what, sizeof what, "cpu_fed %s M=%lld K=%lld N=%lld mask %s values %s/%s", label,
           (long long)m, (long long)k, (long long)n, mask_names[mask_kind], val_names[xk],
           val_names[wk]);
  int64_t cyc = -1, want = -1;
  int st = sa_cosim_cpu_command(rtl, &hw, x, w, m, k, n, have_mask ? &mask : NULL, NULL, what, 0, mis,
                                sizeof mis, &cyc, &want, &e);
  if (st != 1) fprintf(stderr, "%s\n", st < 0 ? e.msg : mis);
  CHECK_EQ_INT(st, 1);
  CHECK_EQ_INT(cyc, want);
  cpu_cases++;
  if (have_mask) sa_tilemask_free(&mask);
  free(x);
  free(w);
}

/* Integration cpu_fed through the CPU port. */
static void cpu_fed_tests(int cases) {
  const int P = SA_RTL_BUS_LANES;
  const int64_t W = (rows + P - 1) / P > (cols + P - 1) / P ? (rows + P - 1) / P
                                                           : (cols + P - 1) / P;
  /* §8.4's closed forms: one dense tile, M rows: R*ceil(C/4) + W*(M+R+C-1) - 1 cycles */
  {
    int8_t x[3 * 256], w[256 * 256];
    fill(x, 3 * rows, VAL_RANDOM, 0);
    fill(w, rows * cols, VAL_RANDOM, 1);
    int32_t y[3 * 256];
    int64_t cyc = -1, nev;
    CHECK(sa_rtl_run_cpu(rtl, x, w, 3, rows, cols, NULL, 0, y, &cyc) == 0);
    CHECK_EQ_INT(cyc, rows * ((cols + P - 1) / P) + W * (3 + rows + cols - 1) - 1);
    for (int c = 0; c < cols; c++) {
      int32_t want = 0;
      for (int r = 0; r < rows; r++) want += x[2 * rows + r] * w[r * cols + c];
      CHECK_EQ_INT(y[2 * cols + c], want);
    }
    /* the read instruction: lane c of the last output row, at int32, and the valid flag */
    CHECK(sa_rtl_run_cpu(rtl, x, w, 3, rows, cols, NULL, 1, y, &cyc) == 0);
    const sa_rtl_ins_event *ev = sa_rtl_ins(rtl, &nev);
    CHECK_EQ_INT(nev, cyc);
    CHECK_EQ_INT(nev, rows * ((cols + P - 1) / P) + W * (3 + rows + cols - 1) - 1 + cols);
    for (int c = 0; c < cols && nev >= cols; c++) {
      const sa_rtl_ins_event *rd = &ev[nev - cols + c];
      CHECK_EQ_INT(rd->op, SA_RTL_INS_READ);
      CHECK_EQ_INT(rd->flag, 1);
      CHECK_EQ_INT((int32_t)rd->word, y[2 * cols + c]);
    }
  }
  /* saturation both ways: all 127 (sums > 127), 127 x -128 (sums < -128) */
  run_cpu_case("saturate+", 2, rows + 1, cols + 1, MASK_DENSE, VAL_MAX, VAL_MAX);
  run_cpu_case("saturate-", 2, rows, cols, MASK_DENSE, VAL_MAX, VAL_MIN);
  run_cpu_case("m1", 1, 2 * rows - 1, 2 * cols + 1, MASK_DENSE, VAL_RANDOM, VAL_RANDOM);
  for (int mk = 0; mk < MASK_KINDS; mk++)
    run_cpu_case("grid", 5, 3 * rows + 1, 2 * cols - 1, mk, VAL_RANDOM, VAL_ALTERNATE);
  for (int i = 0; i < cases; i++) {
    int64_t m = rnd() % 4 == 0 ? 1 : rnd_range(1, 2 * rows + 10);
    int64_t k = rnd_range(1, 4 * rows + 3), n = rnd_range(1, 4 * cols + 3);
    int mk = (int)rnd_range(0, MASK_KINDS - 1);
    char label[32];
    snprintf(label, sizeof label, "random #%d", i);
    run_cpu_case(label, m, k, n, mk, rnd() % 5 == 0 ? VAL_MAX : VAL_RANDOM, VAL_RANDOM);
  }
  /* the perturbation hooks: an instruction's cycle, a value */
  {
    int64_t m = 3, k = rows + 1, n = cols + 2;
    int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
    CHECK(x && w);
    fill(x, m * k, VAL_RANDOM, 0);
    fill(w, k * n, VAL_RANDOM, 1);
    sa_hw_cfg hw = cpu_hw();
    char mis[512] = "";
    sa_err e;
    sa_rtl_perturb(rtl, SA_RTL_PERTURB_INS);
    CHECK_EQ_INT(sa_cosim_cpu_command(rtl, &hw, x, w, m, k, n, NULL, NULL, "perturbed", 0, mis,
                                      sizeof mis, NULL, NULL, &e), 0);
    CHECK_CONTAINS(mis, "instruction #");
    CHECK_CONTAINS(mis, "the C model: ");
    sa_rtl_perturb(rtl, SA_RTL_PERTURB_VALUE);
    CHECK_EQ_INT(sa_cosim_cpu_command(rtl, &hw, x, w, m, k, n, NULL, NULL, "perturbed", 0, mis,
                                      sizeof mis, NULL, NULL, &e), 0);
    char want[64];
    snprintf(want, sizeof want, "Y[%lld][%lld] RTL", (long long)(m - 1), (long long)(n - 1));
    CHECK_CONTAINS(mis, want);
    sa_rtl_perturb(rtl, 0);
    CHECK_EQ_INT(sa_cosim_cpu_command(rtl, &hw, x, w, m, k, n, NULL, NULL, "unperturbed", 0, mis,
                                      sizeof mis, NULL, NULL, &e), 1);
    free(x);
    free(w);
  }
  /* a stream before the whole tile's weights are in trips StreamNeedsWeights_A */
  {
    char err[512];
    sa_rtl *v = sa_rtl_open(rows, cols, NULL, NULL, err, sizeof err);
    CHECK(v != NULL);
    if (v) {
      int8_t x1[2 * 256], w1[256 * 2];
      memset(x1, 1, sizeof x1);
      memset(w1, 1, sizeof w1);
      int32_t y1[4];
      int64_t cyc;
      sa_rtl_violate(v, SA_RTL_VIOLATE_CPU_HALF_WEIGHTS);
      CHECK(sa_rtl_run_cpu(v, x1, w1, 2, rows, 2, NULL, 0, y1, &cyc) == -1);
      printf("cpu_fed violation: %s\n", sa_rtl_error(v));
      CHECK_CONTAINS(sa_rtl_error(v), "StreamNeedsWeights_A");
      CHECK_CONTAINS(sa_rtl_error(v), "cpu_fed");
      sa_rtl_close(v);
    }
  }
  printf("cpu_fed: %lld commands through the CPU port agree\n", (long long)cpu_cases);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ROWS COLS [SEED [CASES]]\n", argv[0]);
    return 2;
  }
  rows = atoi(argv[1]);
  cols = atoi(argv[2]);
  uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
  int cases = argc > 4 ? atoi(argv[4]) : 40;
  rng_state = seed;
  printf("test_rtl_cosim %dx%d seed %llu cases %d (rerun: %s %d %d %llu %d)\n", rows, cols,
         (unsigned long long)seed, cases, argv[0], rows, cols, (unsigned long long)seed,
         cases);
  char err[512];
  rtl = sa_rtl_open(rows, cols, NULL, NULL, err, sizeof err);
  if (!rtl) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  int64_t max_m, max_k, max_n;
  sa_rtl_limits(rtl, &max_m, &max_k, &max_n);

  /* docs/timing.md worked example, scaled to this array: M=3, K=2.5R, N=1.5C. */
  {
    int64_t k = 2 * rows + rows / 2, n = cols + cols / 2, s = 3 + rows + cols - 1;
    run_case("worked example dense", 3, k, n, MASK_DENSE, VAL_RANDOM, VAL_RANDOM,
             rows + 6 * s);
    if (rows == 4 && cols == 4) {
      /* keep = [1,0, 0,0, 1,1]: 34 cycles (the document's numbers) */
      int8_t x[3 * 10], w[10 * 6];
      fill(x, 30, VAL_RANDOM, 0);
      fill(w, 60, VAL_RANDOM, 1);
      sa_tilemask mk;
      sa_err e;
      CHECK(sa_tilemask_init(&mk, "ex", 10, 6, 4, 4, &e) == 0);
      static const uint8_t keep[6] = {1, 0, 0, 0, 1, 1};
      memcpy(mk.keep, keep, 6);
      char mis[512];
      int64_t cyc = -1;
      CHECK_EQ_INT(sa_cosim_command(rtl, x, w, 3, 10, 6, &mk, NULL, "doc example", 0, mis,
                                    sizeof mis, &cyc, NULL, &e), 1);
      CHECK_EQ_INT(cyc, 34);
      sa_tilemask_free(&mk);
    }
  }
  /* every mask kind x value kind on one awkward shape, M = 1 included */
  for (int mk = 0; mk < MASK_KINDS; mk++)
    for (int v = 0; v < VAL_KINDS; v++)
      run_case("grid", v == 0 ? 1 : 5 + v, 3 * rows + 1, 2 * cols - 1, mk, v, (v + mk) % VAL_KINDS, -1);
  /* K = 1, N = 1, exact multiples */
  run_case("k1", 4, 1, cols, MASK_DENSE, VAL_RANDOM, VAL_RANDOM, rows + (4 + rows + cols - 1));
  run_case("n1", 2, rows, 1, MASK_NONE_PRUNED, VAL_MAX, VAL_MIN, rows + (2 + rows + cols - 1));
  run_case("multiple", 2 * rows, 2 * rows, 2 * cols, MASK_CHECKER, VAL_RANDOM, VAL_RANDOM, -1);
  /* random shapes */
  for (int i = 0; i < cases; i++) {
    int64_t m = rnd() % 4 == 0 ? 1 : rnd() % 8 == 0 ? rnd_range(100, 400) : rnd_range(1, 3 * rows + 20);
    int64_t k = rnd_range(1, 6 * rows + 3), n = rnd_range(1, 6 * cols + 3);
    int mk = (int)rnd_range(0, MASK_KINDS - 1);
    int xk = rnd() % 5 == 0 ? (int)rnd_range(1, VAL_KINDS - 1) : VAL_RANDOM;
    int wk = rnd() % 5 == 0 ? (int)rnd_range(1, VAL_KINDS - 1) : VAL_RANDOM;
    char label[32];
    snprintf(label, sizeof label, "random #%d", i);
    run_case(label, m, k, n, mk, xk, wk, -1);
  }
  /* a large grid, almost all pruned: no cycle for the pruned tiles; and K, N = 2048 (the
   * paper's feed-forward shapes) with nothing in the RTL sized by them */
  for (int big = 0; big < 2; big++) {
    int64_t k = big ? 2048 : 64 * rows + 3, n = big ? 2048 : 64 * cols + 1, m = big ? 3 : 2;
    int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
    sa_tilemask mk;
    sa_err e;
    CHECK(x && w && sa_tilemask_init(&mk, "big", k, n, rows, cols, &e) == 0);
    fill(x, m * k, VAL_RANDOM, 0);
    fill(w, k * n, VAL_RANDOM, 1);
    memset(mk.keep, 0, (size_t)(mk.kt * mk.nt));
    mk.keep[0] = 1;                                      /* (0, 0) */
    mk.keep[(mk.kt / 2) * mk.nt + mk.nt / 2] = 1;        /* middle */
    mk.keep[(mk.kt - 1) * mk.nt + mk.nt - 1] = 1;        /* last */
    if (big) /* a whole strip and a whole tile row kept too */
      for (int64_t t = 0; t < mk.kt * mk.nt; t++)
        if (t % mk.nt == 1 || t / mk.nt == 2) mk.keep[t] = 1;
    int64_t kept = 0;
    for (int64_t t = 0; t < mk.kt * mk.nt; t++) kept += mk.keep[t];
    char mis[512] = "";
    int64_t cyc = -1;
    int st = sa_cosim_command(rtl, x, w, m, k, n, &mk, NULL, big ? "K=N=2048" : "large sparse",
                              0, mis, sizeof mis, &cyc, NULL, &e);
    if (st != 1) fprintf(stderr, "%s\n", st < 0 ? e.msg : mis);
    CHECK_EQ_INT(st, 1);
    CHECK_EQ_INT(cyc, rows + kept * (m + rows + cols - 1));
    sa_tilemask_free(&mk);
    free(x);
    free(w);
  }
  /* the RTL's memory bounds are enforced with a message, not overrun */
  {
    int8_t x1[1] = {1}, w1[1] = {1};
    int32_t y1[1];
    int64_t cyc;
    CHECK(sa_rtl_run(rtl, x1, w1, max_m + 1, 1, 1, NULL, NULL, y1, &cyc) == -1);
    CHECK_CONTAINS(sa_rtl_error(rtl), "does not fit one command");
    CHECK(sa_rtl_run(rtl, x1, w1, 1, max_k + 1, 1, NULL, NULL, y1, &cyc) == -1);
    CHECK(sa_rtl_run(rtl, x1, w1, 1, 1, max_n + 1, NULL, NULL, y1, &cyc) == -1);
    CHECK(sa_rtl_run(rtl, x1, w1, 0, 1, 1, NULL, NULL, y1, &cyc) == -1);
  }
  /* the perturbation hooks: each falsified result must be reported, naming what */
  {
    int64_t m = 3, k = rows + 1, n = cols + 2;
    int8_t *x = malloc((size_t)(m * k)), *w = malloc((size_t)(k * n));
    fill(x, m * k, VAL_RANDOM, 0);
    fill(w, k * n, VAL_RANDOM, 1);
    char mis[512] = "", want[64];
    sa_err e;
    static const struct { int mask; const char *says; } hooks[] = {
        {SA_RTL_PERTURB_VALUE, "tile column nt=1"},
        {SA_RTL_PERTURB_CYCLES, "cycles RTL"},
        {SA_RTL_PERTURB_SCHEDULE, "stream phase #"},
        {SA_RTL_PERTURB_OUTPUT, "output beat #"},
    };
    for (int h = 0; h < 4; h++)
      for (int stall = 0; stall < 2; stall++) {
        sa_stream_source src = {77, 50};
        sa_rtl_perturb(rtl, hooks[h].mask);
        int st = sa_cosim_command(rtl, x, w, m, k, n, NULL, stall ? &src : NULL, "perturbed", 0,
                                  mis, sizeof mis, NULL, NULL, &e);
        sa_rtl_perturb(rtl, 0);
        CHECK_EQ_INT(st, 0);
        CHECK_CONTAINS(mis, hooks[h].says);
        if (hooks[h].mask == SA_RTL_PERTURB_VALUE) {
          snprintf(want, sizeof want, "Y[%lld][%lld]", (long long)(m - 1), (long long)(n - 1));
          CHECK_CONTAINS(mis, want);
        }
      }
    /* and the same command agrees again once the hooks are off */
    CHECK_EQ_INT(sa_cosim_command(rtl, x, w, m, k, n, NULL, NULL, "unperturbed", 0, mis,
                                  sizeof mis, NULL, NULL, &e), 1);
    free(x);
    free(w);
  }
  /* seeded protocol violations trip the named assertion, with a message saying where; the
   * handle refuses further runs; a fresh handle runs clean again */
  {
    static const struct {
      sa_rtl_violation v;
      const char *assertion;
    } viol[] = {
        {SA_RTL_VIOLATE_CMD_RANGE, "CmdMInRange_A"},
        {SA_RTL_VIOLATE_VALID_DROP, "CmdValidHeld_A"},
        {SA_RTL_VIOLATE_STREAM_DROP, "WValidHeld_A"},
    };
    /* 2 x 3R x 2: three kept tiles, so a weight beat waits for the stream to be ready */
    int8_t x1[2 * 3 * 256], w1[3 * 256 * 2];
    for (int i = 0; i < 2 * 3 * rows; i++) x1[i] = (int8_t)(i % 7 - 3);
    for (int i = 0; i < 3 * rows * 2; i++) w1[i] = (int8_t)(i % 5 - 2);
    int32_t y1[4];
    int64_t cyc;
    const int64_t vk = 3 * rows;
    for (size_t i = 0; i < sizeof viol / sizeof viol[0]; i++) {
      sa_rtl *v = sa_rtl_open(rows, cols, NULL, NULL, err, sizeof err);
      CHECK(v != NULL);
      if (!v) continue;
      CHECK(sa_rtl_run(v, x1, w1, 2, vk, 2, NULL, NULL, y1, &cyc) == 0);
      sa_rtl_violate(v, viol[i].v);
      CHECK(sa_rtl_run(v, x1, w1, 2, vk, 2, NULL, NULL, y1, &cyc) == -1);
      printf("violation %zu: %s\n", i, sa_rtl_error(v));
      CHECK_CONTAINS(sa_rtl_error(v), "RTL assertion ");
      CHECK_CONTAINS(sa_rtl_error(v), " failed in cycle ");
      CHECK_CONTAINS(sa_rtl_error(v), viol[i].assertion);
      char shape[48];
      snprintf(shape, sizeof shape, "M=2 K=%lld N=2", (long long)vk);
      CHECK_CONTAINS(sa_rtl_error(v), shape);
      CHECK(sa_rtl_run(v, x1, w1, 2, vk, 2, NULL, NULL, y1, &cyc) == -1);
      CHECK_CONTAINS(sa_rtl_error(v), "stopped at a failed assertion");
      sa_rtl_close(v);
    }
    /* the long-lived handle (another context on this thread) is unaffected */
    int8_t x2[4] = {1, 2, 3, 4}, w2[4] = {5, 6, 7, 8};
    CHECK(sa_rtl_run(rtl, x2, w2, 2, 2, 2, NULL, NULL, y1, &cyc) == 0);
    CHECK_EQ_INT(y1[0], 1 * 5 + 2 * 7);
  }
  cpu_fed_tests(cases / 10 > 4 ? cases / 10 : 4);
  /* sizes outside the RTL's range are refused with a message */
  CHECK(sa_rtl_open(3, 999, NULL, NULL, err, sizeof err) == NULL);
  CHECK_CONTAINS(err, "no RTL model of a 3x999 array: the RTL has 2 ... 256 rows and columns");
  CHECK(sa_rtl_open(rows, cols, "/tmp/waves.txt", NULL, err, sizeof err) == NULL);
  CHECK_CONTAINS(err, "name the trace FILE.fst or FILE.vcd");
  /* waves: an FST or VCD file is written when asked for, from the size's prebuilt traced
   * model (rtl_trace); other sizes would build one on demand in the user's model cache, which
   * this test leaves alone (test_cosim_cli.sh does that in a private cache) */
  char tag[32];
  snprintf(tag, sizeof tag, "%dx%d", rows, cols);
  int traced = 0;
  for (const char *t = sa_rtl_traced_text(); (t = strstr(t, tag)) != NULL; t++)
    if ((t == sa_rtl_traced_text() || t[-1] == ' ') && (t[strlen(tag)] == ',' ||
                                                       t[strlen(tag)] == 0))
      traced = 1;
  if (!traced) printf("%s has no prebuilt traced model: waves not checked here\n", tag);
  if (traced) {
    CHECK(sa_rtl_open(rows, cols, "/nonexistent-dir/w.fst", NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "cannot open the trace file");
  }
  for (int fmt = 0; traced && fmt < 2; fmt++) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/sasp-rtl-%d.%s", (int)getpid(), fmt ? "vcd" : "fst");
    sa_rtl *tr = sa_rtl_open(rows, cols, path, NULL, err, sizeof err);
    CHECK(tr != NULL);
    if (tr) {
      int8_t x1[2] = {3, -4}, w1[2] = {5, 7};
      int32_t y1[1];
      int64_t cyc;
      CHECK(sa_rtl_run(tr, x1, w1, 1, 2, 1, NULL, NULL, y1, &cyc) == 0);
      CHECK_EQ_INT(y1[0], 3 * 5 - 4 * 7);
      CHECK_EQ_INT(sa_rtl_finish(tr), 0);
      CHECK(sa_rtl_run(tr, x1, w1, 1, 2, 1, NULL, NULL, y1, &cyc) == -1);
      sa_rtl_close(tr);
      FILE *f = fopen(path, "rb");
      CHECK(f != NULL);
      if (f) {
        char head[4096] = "";
        size_t got = fread(head, 1, sizeof head - 1, f);
        fseek(f, 0, SEEK_END);
        CHECK(ftell(f) > 100);
        if (fmt) { /* VCD text naming the design's signals */
          head[got] = 0;
          CHECK_CONTAINS(head, "$scope");
          CHECK_CONTAINS(head, "cmd_valid_i");
        }
        fclose(f);
      }
      char tmp[80];
      snprintf(tmp, sizeof tmp, "%s.fst.tmp", path);
      CHECK(fopen(tmp, "rb") == NULL);
      remove(path);
    }
  }
  sa_rtl_stats st;
  sa_rtl_stats_get(rtl, &st);
  CHECK(st.runs > 0 && st.clocks_command > 0 && st.clocks_total > st.clocks_command);
  CHECK(st.clocks_stalled > 0 && stall_cycles > 0);
  printf("%llu commands, %llu command cycles (%llu stalled; %lld runs through a stalling source, "
         "%lld stall cycles) simulated\n",
         (unsigned long long)st.runs, (unsigned long long)st.clocks_command,
         (unsigned long long)st.clocks_stalled, (long long)stalled_runs,
         (long long)stall_cycles);
  sa_rtl_close(rtl);
  return sa_test_done("test_rtl_cosim");
}
