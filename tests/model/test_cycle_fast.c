/* test_cycle_fast: the closed-form walk of dense commands (sa_mem_add_dense, steady-state runs
 * of tiles and strips summed at once) against the tile-by-tile walk on random small cases
 * (an all-ones mask takes the tile-by-tile path), a 10^6 x 10^6 GEMM in bounded time with
 * its closed-form traffic, and the overflow guards of the cycle model and the manifest. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_test.h"
#include "sa_timing.h"

static sa_config cfg;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static int64_t pick(int64_t lo, int64_t hi) { /* uniform in [lo, hi] */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return lo + (int64_t)(rng % (uint64_t)(hi - lo + 1));
}

static int load(const char *yaml) {
  sa_err e;
  char buf[2048];
  snprintf(buf, sizeof buf, "%sworkload: {manifest: ../tests/model/data/tiny.yaml}\n", yaml);
  int rc = sa_config_load_buffer(buf, strlen(buf), "test.yaml", "configs", &cfg, &e);
  if (rc) fprintf(stderr, "%s\n", e.msg);
  CHECK(rc == 0);
  return rc;
}

static int same(const sa_counts *a, const sa_counts *b, const sa_time *ta, const sa_time *tb) {
  return !memcmp(a, b, sizeof *a) && ta->array == tb->array &&
         ta->weight_load == tb->weight_load && ta->compute == tb->compute &&
         ta->fill_drain == tb->fill_drain && ta->stall_weights == tb->stall_weights &&
         ta->stall_acts == tb->stall_acts && ta->stall_outputs == tb->stall_outputs &&
         ta->accel == tb->accel && ta->host_gemm == tb->host_gemm;
}

/* Random arrays, buffers, bandwidths and shapes: dense (fast) == all-kept mask (per tile). */
static void fast_vs_walk(void) {
  static const char *const bws[] = {"0.05", "0.3", "0.5", "1", "1.5", "3", "16"};
  static const char *const kibs[] = {"0.0625", "0.125", "0.5", "2", "64"};
  uint8_t *ones = malloc(400 * 400);
  CHECK(ones != NULL);
  if (!ones) return;
  memset(ones, 1, 400 * 400);
  int cases = 0, failed = 0;
  for (int it = 0; it < 3000; it++) {
    int64_t r = pick(2, 6), c = pick(2, 6), acc = pick(1, 24);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "array: {rows: %lld, cols: %lld}\nintegration: %s\n"
             "buffers: {weight_kib: 0.0625, act_kib: %s, out_kib: %s, acc_rows: %lld}\n"
             "memory: {dram_bytes_per_cycle: %s, dram_latency_cycles: %lld}\n"
             "host: {command_cycles: 3}\ntech: tech/45nm.yaml\n",
             (long long)r, (long long)c, pick(0, 4) ? "dma" : "cpu_fed", kibs[pick(0, 4)],
             kibs[pick(0, 4)], (long long)acc, bws[pick(0, 6)], (long long)pick(0, 50));
    if (load(yaml)) break;
    int64_t m = pick(1, acc), k = pick(1, r * pick(1, 60)), n = pick(1, c * pick(1, 40));
    sa_counts c1, c2;
    sa_time t1, t2;
    sa_err e1, e2;
    memset(&c1, 0, sizeof c1);
    memset(&c2, 0, sizeof c2);
    memset(&t1, 0, sizeof t1);
    memset(&t2, 0, sizeof t2);
    int rc1 = sa_cycle_command(&cfg, m, k, n, NULL, &c1, &t1, &e1);
    int rc2 = sa_cycle_command(&cfg, m, k, n, ones, &c2, &t2, &e2);
    CHECK_EQ_INT(rc1, rc2);
    if (rc1 || rc2) continue; /* a buffer too small for this M: both refuse */
    cases++;
    if (!same(&c1, &c2, &t1, &t2)) {
      if (failed++ < 5)
        fprintf(stderr,
                "differs: %s M=%lld K=%lld N=%lld: stalls %lld/%lld/%lld vs %lld/%lld/%lld\n", yaml, (long long)m, (long long)k, (long long)n, (long long)t1.stall_weights,
                (long long)t1.stall_acts, (long long)t1.stall_outputs,
                (long long)t2.stall_weights, (long long)t2.stall_acts,
                (long long)t2.stall_outputs);
    }
  }
  CHECK_EQ_INT(failed, 0);
  CHECK(cases > 1500);
  free(ones);
}

/* 10^6 x 10^6 GEMM commands on the edge preset: done at once (a tile walk would take
 * minutes), traffic in closed form (activations not resident: fetched for every tile). */
static void huge_dense(void) {
  if (load("include: presets/edge-dma.yaml\n")) return;
  const int64_t m = 512, k = 1000000, n = 1000000, kt = k / 16, nt = n / 16;
  sa_counts c;
  sa_time t;
  sa_err e;
  memset(&c, 0, sizeof c);
  memset(&t, 0, sizeof t);
  CHECK(sa_cycle_command(&cfg, m, k, n, NULL, &c, &t, &e) == 0);
  CHECK_EQ_INT(c.macs, m * k * n);
  CHECK_EQ_INT(c.tiles_kept, kt * nt);
  CHECK_EQ_INT(c.mask_bytes, (kt * nt + 7) / 8);
  CHECK_EQ_INT(c.dram_read, c.mask_bytes + k * n + m * k * nt);
  CHECK_EQ_INT(c.dram_write, 4 * m * n);
  CHECK_EQ_INT(c.wbuf_write, k * n);
  CHECK_EQ_INT(c.abuf_read, m * k * nt);
  CHECK_EQ_INT(c.obuf_write, 4 * m * n * kt);
  CHECK_EQ_INT(t.array, 16 + kt * nt * (m + 31));
  CHECK(t.accel >= t.array);
  /* an odd shape: edge tiles along both K and N, activations resident */
  memset(&c, 0, sizeof c);
  memset(&t, 0, sizeof t);
  CHECK(sa_cycle_command(&cfg, 3, 1000003, 999999, NULL, &c, &t, &e) == 0);
  CHECK_EQ_INT(c.macs, (int64_t)3 * 1000003 * 999999);
  /* cpu_fed, the same shape */
  if (load("include: presets/edge-dma.yaml\nintegration: cpu_fed\n")) return;
  memset(&c, 0, sizeof c);
  memset(&t, 0, sizeof t);
  CHECK(sa_cycle_command(&cfg, m, k, n, NULL, &c, &t, &e) == 0);
  CHECK_EQ_INT(c.ins_stream, kt * nt * (m + 30));
  CHECK_EQ_INT(c.cpu_adds, kt * nt * m * 16);
}

/* Counts that cannot fit: rejected, never wrapped. */
static void overflow_guards(void) {
  if (load("include: presets/edge-dma.yaml\nintegration: cpu_fed\n"
           "array: {rows: 4096, cols: 4096}\nbuffers: {acc_rows: 1048576}\n"))
    return;
  sa_counts c;
  sa_time t;
  sa_err e;
  memset(&c, 0, sizeof c);
  memset(&t, 0, sizeof t);
  CHECK(sa_cycle_command(&cfg, 1 << 20, 2147483647, 2147483647, NULL, &c, &t, &e) == -1);
  CHECK_CONTAINS(e.msg, "too large");
  CHECK_EQ_INT(c.macs, 0);
  /* a command that fits, added to counts already near the limit */
  c.macs = INT64_MAX - 10;
  CHECK(sa_cycle_command(&cfg, 4, 4096, 4096, NULL, &c, &t, &e) == -1);
  CHECK_EQ_INT(c.macs, INT64_MAX - 10);
  CHECK_CONTAINS(e.msg, "exceed 64 bits");
  /* a layer that passes the manifest's 2^62 MAC limit but whose padded counts do not fit:
   * k = n = 1 on a 4096 x 4096 array (every tile 2^24 PE-cycles for one MAC) */
  char path[] = "/tmp/sasp-test-cycle-fast-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) return;
  close(fd);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs("format: sasp-manifest/1\nname: padded\nweights: synthetic:1\nschedule: {tokens: 1}\n"
        "layers:\n  - {name: thin, role: ff, weight: w, layout: out_in, k: 1, n: 1, "
        "m: 1099511627776, count: 1048576}\n",
        f);
  fclose(f);
  sa_manifest *man = NULL;
  CHECK(sa_manifest_load(path, &man, &e) == 0);
  if (!man) {
    remove(path);
    return;
  }
  sa_run_result run;
  CHECK(sa_cycle_run_workload(&cfg, man, NULL, &run, &e) == -1);
  CHECK_CONTAINS(e.msg, "layer 'thin'");
  CHECK_CONTAINS(e.msg, "too large");
  sa_manifest_free(man);
  /* the manifest refuses 2^62 MACs per inference, also summed over layers */
  f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) {
    remove(path);
    return;
  }
  fputs("format: sasp-manifest/1\nname: big\nweights: synthetic:1\nschedule: {tokens: 1}\n"
        "layers:\n  - {name: a, role: ff, weight: w, layout: out_in, k: 2147483647, n: 2147483647, "
        "m: 1, count: 1}\n  - {name: b, role: ff, weight: v, layout: out_in, k: 2147483647, "
        "n: 2147483647, m: 1, count: 1}\n",
        f);
  fclose(f);
  man = NULL;
  CHECK(sa_manifest_load(path, &man, &e) == -1);
  CHECK_CONTAINS(e.msg, ":7:5: key 'layers[1]'");
  CHECK_CONTAINS(e.msg, "too large");
  /* synthetic weights past SA_MODEL_SYNTHETIC_MAX: refused before any allocation */
  f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) {
    remove(path);
    return;
  }
  fputs("format: sasp-manifest/1\nname: wide\nweights: synthetic:1\nschedule: {tokens: 1}\n"
        "layers:\n  - {name: a, role: ff, weight: w, layout: out_in, k: 16384, n: 16384, m: 1}\n"
        "  - {name: b, role: ff, weight: v, layout: out_in, k: 1000000, n: 1000000, m: 1}\n",
        f);
  fclose(f);
  man = NULL;
  CHECK(sa_manifest_load(path, &man, &e) == 0);
  if (man) {
    sa_model *model = NULL;
    sa_alloc_fail_after(3); /* model, layer table, then the weights: refused before those */
    CHECK(sa_model_load(man, &model, &e) == -1);
    sa_alloc_fail_after(0);
    CHECK_CONTAINS(e.msg, "layer 'b'");
    CHECK_CONTAINS(e.msg, "too large");
    CHECK(model == NULL);
    sa_manifest_free(man);
  }
  remove(path);
}

int main(void) {
  fast_vs_walk();
  huge_dense();
  overflow_guards();
  return sa_test_done("test_cycle_fast");
}
