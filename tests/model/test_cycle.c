/* test_cycle: the cycle, memory, host and energy models against hand-computed cases
 * (docs/timing.md worked examples), the closed form on random shapes, monotonicity under
 * pruning, and energy recomputed independently from the counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sa_config.h"
#include "sa_cycle.h"
#include "sa_energy.h"
#include "sa_host.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_mem.h"
#include "sa_test.h"
#include "sa_timing.h"
#include "sa_workload.h"

static sa_config cfg;

static uint64_t rng = 12345;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Loads a config from YAML text (tech and paths relative to the source root). */
static void load(const char *yaml) {
  sa_err e;
  char buf[2048];
  snprintf(buf, sizeof buf, "%s%s", yaml,
           strstr(yaml, "workload:") ? "" : "workload: {manifest: ../tests/model/data/tiny.yaml}\n");
  int rc = sa_config_load_buffer(buf, strlen(buf), "test.yaml", "configs", &cfg, &e);
  if (rc) fprintf(stderr, "%s\n", e.msg);
  CHECK(rc == 0);
}

static void cmd(int64_t m, int64_t k, int64_t n, const uint8_t *keep, sa_counts *c, sa_time *t) {
  sa_err e;
  memset(c, 0, sizeof *c);
  memset(t, 0, sizeof *t);
  int rc = sa_cycle_command(&cfg, m, k, n, keep, c, t, &e);
  if (rc) fprintf(stderr, "%s\n", e.msg);
  CHECK(rc == 0);
}

static const char *small_dma =
    "array: {rows: 4, cols: 4}\n"
    "integration: dma\n"
    "buffers: {weight_kib: 0.0625, act_kib: 0.0625, out_kib: 0.0625, acc_rows: 16}\n"
    "memory: {dram_bytes_per_cycle: 1, dram_latency_cycles: 10}\n"
    "host: {clock_mhz: 500, command_cycles: 7}\n"
    "tech: tech/45nm.yaml\n";

static void worked_example(void) {
  load(small_dma);
  sa_counts c;
  sa_time t;
  uint8_t keep[6] = {1, 0, 0, 0, 1, 1}, none[6] = {0};
  cmd(3, 10, 6, NULL, &c, &t);
  CHECK_EQ_INT(t.array, 64);
  CHECK_EQ_INT(t.weight_load + t.compute + t.fill_drain, 64);
  CHECK_EQ_INT(t.compute, 18);
  CHECK_EQ_INT(c.macs, 180);
  CHECK_EQ_INT(c.pe_active, 6 * 3 * 16);
  CHECK_EQ_INT(c.pe_idle, 16 * 64 - 6 * 3 * 16);
  cmd(3, 10, 6, keep, &c, &t);
  CHECK_EQ_INT(t.array, 34);
  CHECK_EQ_INT(t.fill_drain, 3 * 7);
  CHECK_EQ_INT(c.macs, 48 + 24 + 12);
  CHECK_EQ_INT(c.tiles_kept, 3);
  CHECK_EQ_INT(c.tiles, 6);
  CHECK_EQ_INT(c.mask_bytes, 1);
  CHECK_EQ_INT(c.reg_weight, 3 * 2 * 16);
  CHECK_EQ_INT(c.reg_act, 3 * (3 * 16 + 3 * 4 * 3 / 2));
  CHECK_EQ_INT(c.reg_psum, 3 * 4 * 3 * 16);
  cmd(3, 10, 6, none, &c, &t);
  CHECK_EQ_INT(t.array, 0);
  CHECK_EQ_INT(c.macs, 0);
  CHECK_EQ_INT(c.tiles_kept, 0);
}

/* docs/timing.md §7.5, example A: one strip of two tiles. */
static void memory_examples(void) {
  load(small_dma);
  sa_counts c;
  sa_time t;
  cmd(3, 8, 4, NULL, &c, &t);
  CHECK_EQ_INT(t.array, 24);
  CHECK_EQ_INT(t.stall_weights, 10 + 1 + 32);
  CHECK_EQ_INT(t.stall_acts, 12 + 2);
  CHECK_EQ_INT(t.stall_outputs, 48);
  CHECK_EQ_INT(t.accel, 24 + 43 + 14 + 48);
  CHECK_EQ_INT(c.dram_read, 32 + 24 + 1);
  CHECK_EQ_INT(c.dram_write, 48);
  CHECK_EQ_INT(c.wbuf_read, 32);
  CHECK_EQ_INT(c.abuf_read, 24);
  CHECK_EQ_INT(c.abuf_write, 24);
  CHECK_EQ_INT(c.obuf_write, 48 + 48);
  CHECK_EQ_INT(c.obuf_read, 48 + 48);
  CHECK(fabs(t.host_gemm - (129 * 0.5 + 7)) < 1e-9);
  /* example B: three strips of one tile, no latency: output write-back deadlines */
  load("array: {rows: 4, cols: 4}\n"
       "buffers: {weight_kib: 0.0625, act_kib: 0.0625, out_kib: 0.0625, acc_rows: 16}\n"
       "memory: {dram_bytes_per_cycle: 1, dram_latency_cycles: 0}\n"
       "tech: tech/45nm.yaml\n");
  cmd(3, 4, 12, NULL, &c, &t);
  CHECK_EQ_INT(t.array, 34);
  CHECK_EQ_INT(t.stall_weights, 1 + 32 + 6);
  CHECK_EQ_INT(t.stall_acts, 12);
  CHECK_EQ_INT(t.stall_outputs, 38 + 38 + 48);
  CHECK_EQ_INT(t.accel, 209);
  CHECK_EQ_INT(c.dram_read, 1 + 48 + 12);
  /* example C: activations not resident (M*K > one half): fetched again for every tile */
  load("array: {rows: 4, cols: 4}\n"
       "buffers: {weight_kib: 0.0625, act_kib: 0.0625, out_kib: 1, acc_rows: 16}\n"
       "memory: {dram_bytes_per_cycle: 4, dram_latency_cycles: 0}\n"
       "tech: tech/45nm.yaml\n");
  cmd(5, 16, 8, NULL, &c, &t); /* M*K = 80 > 64: 8 tiles x 20 B */
  CHECK_EQ_INT(c.abuf_write, 8 * 20);
  CHECK_EQ_INT(c.dram_read, 8 * 16 + 8 * 20 + 1);
  /* buffer too small for one tile */
  load("array: {rows: 16, cols: 16}\n"
       "buffers: {weight_kib: 0.125, acc_rows: 16}\n"
       "tech: tech/45nm.yaml\n");
  sa_err e;
  memset(&c, 0, sizeof c);
  memset(&t, 0, sizeof t);
  CHECK(sa_cycle_command(&cfg, 4, 32, 32, NULL, &c, &t, &e) == -1);
  CHECK_CONTAINS(e.msg, "buffers.weight_kib");
  load(small_dma);
  CHECK(sa_cycle_command(&cfg, 17, 32, 32, NULL, &c, &t, &e) == -1);
  CHECK_CONTAINS(e.msg, "acc_rows");
}

/* docs/timing.md §8.4 example: §5's masked command, int8 and fp32 activations. */
static void cpu_fed_example(void) {
  static const char *costs =
      "array: {rows: 4, cols: 4, act_type: %s}\n"
      "integration: cpu_fed\n"
      "cpu_fed: {bus_bits: 32, skip_format: interleaved, write_weights_cycles: 1,\n"
      "          queue_cycles: 2, stream_cycles: 3, weight_loop_cycles: 0.5,\n"
      "          stream_loop_cycles: 1, add_int8_cycles: 0.25, add_fp32_cycles: 0.25,\n"
      "          walk: {interleaved: {strip_cycles: 4, tile_cycles: 2},\n"
      "                 with_flag: {tile_cycles: 7}, dynamic: {word_cycles: 9}}}\n"
      "tech: tech/45nm.yaml\n";
  char y[1024];
  sa_counts c;
  sa_time t;
  uint8_t keep[6] = {1, 0, 0, 0, 1, 1};
  for (int fp = 0; fp < 2; fp++) {
    snprintf(y, sizeof y, costs, fp ? "fp32" : "int8");
    load(y);
    cmd(3, 10, 6, keep, &c, &t);
    CHECK_EQ_INT(t.array, 34);
    CHECK_EQ_INT(c.ins_write_weights, 12);
    CHECK_EQ_INT(c.ins_stream, 27);
    CHECK_EQ_INT(c.ins_queue, fp ? 90 : 0);
    CHECK_EQ_INT(c.out_words, fp ? 36 : 9);
    CHECK_EQ_INT(c.cpu_adds, 36);
    CHECK_EQ_INT(c.walk_strips, 2);
    CHECK_EQ_INT(c.walk_tiles, 6);
    CHECK_EQ_INT(c.walk_words, 0);
    CHECK(fabs(t.host_gemm - (fp ? 425 : 155)) < 1e-9);
    CHECK_EQ_INT(t.stall_weights + t.stall_acts + t.stall_outputs, 0);
    CHECK_EQ_INT(c.dram_read + c.wbuf_read + c.mask_bytes, 0);
  }
}

/* One kept tile of an N x N array against the reference kernel's loop counts
 * (gem5-X/TiC-SAT processMultiplication): N·MAX_W_COL weight writes, MAX_ACT_COL·(S+2N−1)−1
 * queue/stream instructions, valid words from index MAX_ACT_COL·(2N−1)−1 on, ACT_PER_BUS
 * adds each. */
static void cpu_fed_reference(void) {
  const int64_t sizes[4] = {4, 8, 16, 32}, seqs[3] = {1, 37, 128};
  for (int fp = 0; fp < 2; fp++)
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 3; j++) {
        const int64_t n = sizes[i], s = seqs[j], act_per_bus = fp ? 1 : 4, w_per_bus = 4;
        const int64_t max_act_col = (n + act_per_bus - 1) / act_per_bus;
        const int64_t max_w_col = (n + w_per_bus - 1) / w_per_bus;
        const int64_t loop = max_act_col * (s + 2 * n - 1) - 1;
        const int64_t first_valid = max_act_col * (2 * n - 1) - 1;
        char y[512];
        snprintf(y, sizeof y, "array: {rows: %lld, cols: %lld, act_type: %s}\n"
                 "integration: cpu_fed\ncpu_fed: {bus_bits: 32}\nbuffers: {acc_rows: 512}\n"
                 "tech: tech/45nm.yaml\n", (long long)n, (long long)n, fp ? "fp32" : "int8");
        load(y);
        sa_counts c;
        sa_time t;
        cmd(s, n, n, NULL, &c, &t);
        CHECK_EQ_INT(c.ins_write_weights, n * max_w_col);
        CHECK_EQ_INT(c.ins_queue + c.ins_stream, loop);
        CHECK_EQ_INT(c.ins_stream, s + 2 * n - 2); /* every MAX_ACT_COL-th instruction */
        CHECK_EQ_INT(c.out_words, loop - first_valid);
        CHECK_EQ_INT(c.cpu_adds, (loop - first_valid) * act_per_bus);
        CHECK_EQ_INT(c.cpu_adds, s * n); /* every output element once */
      }
}

/* Skip encodings: walk events and footprint of one masked command, by hand. */
static void cpu_fed_skip_formats(void) {
  /* K = 10, N = 6 on 4x4: KT = 3, NT = 2; kept (0,0), (2,0), (2,1); strip 1 has one tile */
  uint8_t keep[6] = {1, 0, 0, 0, 1, 1};
  static const struct {
    const char *name;
    int64_t strips, tiles, words, kept, weight_bytes, meta_bytes;
  } want[] = {
      {"interleaved", 2, 6, 0, 3, 48, 16},  {"with_flag", 0, 6, 0, 3, 48, 4},
      {"meta_data", 2, 6, 0, 3, 48, 4},     {"hidden_key", 0, 6, 0, 3, 48, 12},
      {"csr", 3, 3, 0, 3, 48, 28},          {"csc", 2, 3, 0, 3, 48, 24},
      {"dynamic", 0, 6, 3 * 4 + 3, 3, 96, 0}, {"non_pruned", 0, 0, 0, 6, 96, 0},
      {"bitmap", 0, 0, 0, 3, 48, 1},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    char y[512];
    snprintf(y, sizeof y, "array: {rows: 4, cols: 4}\nintegration: cpu_fed\n"
             "cpu_fed: {skip_format: %s}\ntech: tech/45nm.yaml\n", want[i].name);
    load(y);
    sa_counts c;
    sa_time t;
    cmd(3, 10, 6, keep, &c, &t);
    CHECK_EQ_INT(c.walk_strips, want[i].strips);
    CHECK_EQ_INT(c.walk_tiles, want[i].tiles);
    CHECK_EQ_INT(c.walk_words, want[i].words);
    CHECK_EQ_INT(c.tiles_kept, want[i].kept);
    int64_t wb, mb;
    sa_host_footprint(&cfg.hw, 10, 6, keep, &wb, &mb);
    CHECK_EQ_INT(wb, want[i].weight_bytes);
    CHECK_EQ_INT(mb, want[i].meta_bytes);
  }
  /* meta_data skips the tile flags of an all-pruned column */
  uint8_t keep2[6] = {1, 0, 1, 0, 0, 0};
  load("array: {rows: 4, cols: 4}\nintegration: cpu_fed\ncpu_fed: {skip_format: meta_data}\n"
       "tech: tech/45nm.yaml\n");
  sa_counts c;
  sa_time t;
  cmd(3, 10, 6, keep2, &c, &t);
  CHECK_EQ_INT(c.walk_strips, 2);
  CHECK_EQ_INT(c.walk_tiles, 3);
}

/* Random shapes, both integrations: array cycles = closed form; pruning more never costs more. */
static void random_shapes(void) {
  static const char *cfgs[] = {
      "array: {rows: %d, cols: %d}\nbuffers: {acc_rows: 64}\n"
      "memory: {dram_bytes_per_cycle: %d, dram_latency_cycles: %d}\ntech: tech/45nm.yaml\n",
      "array: {rows: %d, cols: %d}\nintegration: cpu_fed\nbuffers: {acc_rows: 64}\n"
      "memory: {dram_bytes_per_cycle: %d, dram_latency_cycles: %d}\ntech: tech/45nm.yaml\n",
  };
  int bad_closed = 0, bad_mono = 0;
  double worst = 0;
  for (int it = 0; it < 300; it++) {
    char y[512];
    int r = 2 + (int)(next() % 15), cl = 2 + (int)(next() % 15);
    snprintf(y, sizeof y, cfgs[it % 2], r, cl, 1 + (int)(next() % 32), (int)(next() % 200));
    load(y);
    int64_t m = 1 + (int64_t)(next() % 64), k = 1 + (int64_t)(next() % 200),
            n = 1 + (int64_t)(next() % 200);
    int64_t tiles = sa_timing_tiles_k(k, r) * sa_timing_tiles_n(n, cl);
    uint8_t *keep = malloc((size_t)tiles);
    memset(keep, 1, (size_t)tiles);
    sa_counts c;
    sa_time t, prev;
    cmd(m, k, n, NULL, &c, &t);
    bad_closed += t.array != sa_timing_command_cycles(r, cl, m, k, n, NULL);
    bad_closed += t.array != r + tiles * (m + r + cl - 1);
    prev = t;
    /* prune tiles one at a time in random order */
    for (int64_t step = 0; step < tiles; step++) {
      int64_t i = (int64_t)(next() % (uint64_t)tiles);
      while (!keep[i]) i = (i + 1) % tiles;
      keep[i] = 0;
      cmd(m, k, n, keep, &c, &t);
      bad_closed += t.array != sa_timing_command_cycles(r, cl, m, k, n, keep);
      /* strict: array cycles, and cpu_fed system cycles; dma: the memory schedule may shift
       * by a few cycles (docs/timing.md §7.4), never by more than 2 % */
      int dma = cfg.hw.integration == SA_INTEG_DMA;
      if (dma && prev.accel > 0 && t.accel > prev.accel) {
        double rel = (double)(t.accel - prev.accel) / (double)prev.accel;
        if (rel > worst) worst = rel;
      }
      int mono = t.array <= prev.array &&
                 (dma ? (double)t.accel <= 1.02 * (double)prev.accel
                      : t.host_gemm <= prev.host_gemm + 1e-9);
      if (!mono && bad_mono < 3)
        fprintf(stderr, "more pruning cost more: %dx%d M=%lld K=%lld N=%lld: array %lld -> %lld, "
                "accel %lld -> %lld (stalls w %lld->%lld a %lld->%lld o %lld->%lld)\n", r, cl,
                (long long)m, (long long)k, (long long)n, (long long)prev.array,
                (long long)t.array, (long long)prev.accel, (long long)t.accel,
                (long long)prev.stall_weights, (long long)t.stall_weights,
                (long long)prev.stall_acts, (long long)t.stall_acts,
                (long long)prev.stall_outputs, (long long)t.stall_outputs);
      bad_mono += !mono;
      prev = t;
      if (tiles > 60) step += tiles / 30; /* keep big grids quick */
    }
    free(keep);
  }
  CHECK_EQ_INT(bad_closed, 0);
  CHECK_EQ_INT(bad_mono, 0);
  printf("largest dma increase after pruning one more tile: %.4f %%\n", 100 * worst);
  /* fully pruned: zero array cycles */
  load("array: {rows: 8, cols: 8}\ntech: tech/45nm.yaml\n");
  uint8_t none[64] = {0};
  sa_counts c;
  sa_time t;
  cmd(20, 64, 64, none, &c, &t);
  CHECK_EQ_INT(t.array, 0);
  CHECK_EQ_INT(t.compute, 0);
  CHECK_EQ_INT(c.pe_active + c.pe_idle, 0);
}

/* Energy recomputed here from the counts and the tech table, term by term. */
static void energy_check(int integration) {
  load(integration ? "array: {rows: 4, cols: 8}\nintegration: cpu_fed\nhost: {clock_mhz: 800}\n"
                     "cpu_fed: {weight_loop_cycles: 2, stream_loop_cycles: 3, add_int8_cycles: 1.5,\n"
                     "          walk: {interleaved: {strip_cycles: 4, tile_cycles: 2}}}\n"
                     "tech: tech/45nm.yaml\n"
                   : "array: {rows: 4, cols: 8, clock_mhz: 700}\n"
                     "buffers: {weight_kib: 2, act_kib: 32, out_kib: 8}\n"
                     "memory: {dram_bytes_per_cycle: 2, dram_latency_cycles: 30}\n"
                     "tech: tech/45nm.yaml\n");
  sa_counts c;
  sa_time t;
  uint8_t keep[12] = {1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1};
  uint8_t keep15[15]; /* KT = 3, NT = 5 */
  memcpy(keep15, keep, 12);
  keep15[12] = keep15[13] = 1;
  keep15[14] = 0;
  cmd(37, 11, 40, keep15, &c, &t);
  const sa_tech_cfg *tk = &cfg.tech;
  double ops = 12345;
  sa_energy en;
  sa_energy_compute(&cfg, &c, &t, ops, &en);
  double pes = 32;
  double sram = 0;
  if (!integration) {
    double ew = tk->e_sram_byte_8kib * pow(2048.0 / 8192.0, tk->sram_size_exponent);
    double ea = tk->e_sram_byte_8kib * pow(32768.0 / 8192.0, tk->sram_size_exponent);
    double eo = tk->e_sram_byte_8kib * 1.0;
    sram = ew * (double)(c.wbuf_read + c.wbuf_write) + ea * (double)(c.abuf_read + c.abuf_write) +
           eo * (double)(c.obuf_read + c.obuf_write);
    CHECK(fabs(en.abuf - ea * (double)(c.abuf_read + c.abuf_write)) < 1e-6);
  }
  double host_clock = integration ? 800 : 1000, acc_clock = integration ? 1000 : 700;
  const sa_hw_cfg *hw = &cfg.hw;
  double gemm_host = integration ? (double)c.ins_write_weights * (1 + hw->loop_weight) +
                                       (double)(c.ins_queue + c.ins_stream) * (1 + hw->loop_stream) +
                                       (double)c.cpu_adds * hw->add_int8 +
                                       (double)c.walk_strips * hw->walk_strip[hw->skip_format] +
                                       (double)c.walk_tiles * hw->walk_tile[hw->skip_format] +
                                       (double)c.walk_words * hw->walk_word
                                 : (double)t.accel * host_clock / acc_clock + 50.0;
  CHECK(fabs(gemm_host - t.host_gemm) < 1e-6);
  double expect = (double)c.macs * tk->e_mac_int8 +
                  (double)(c.reg_weight + c.reg_act + c.reg_psum) * tk->e_reg_byte + sram +
                  (double)(c.dram_read + c.dram_write) * tk->e_dram_byte +
                  pes * (double)t.accel * tk->e_clock_pe_cycle +
                  pes * (ops + gemm_host) * acc_clock / host_clock * tk->e_leak_pe_cycle +
                  (ops + (integration ? gemm_host : 50.0)) * tk->e_host_cycle;
  CHECK(fabs(en.total - expect) < 1e-6 * expect);
  CHECK(fabs(en.mac - (double)c.macs * 0.3) < 1e-6);
  double pe_mm2, buf_mm2, ctrl_mm2;
  sa_energy_area(&cfg, &pe_mm2, &buf_mm2, &ctrl_mm2);
  CHECK(fabs(pe_mm2 - 32 * tk->a_pe / 1e6) < 1e-12);
  CHECK(fabs(buf_mm2 - (integration ? 0 : 2 * 42 * 1024 * tk->a_sram_byte / 1e6)) < 1e-9);
}

/* The workload: layers x count split along M, host ops, masks. */
static void workload(void) {
  load("array: {rows: 4, cols: 4}\nbuffers: {acc_rows: 4}\n"
       "host: {layernorm: 2, attn_mac: 3, relu: 5, gemm_mac: 0.5}\n"
       "workload: {manifest: ../tests/model/data/tiny.yaml}\ntech: tech/45nm.yaml\n");
  sa_manifest *man = NULL;
  sa_err e;
  int rc = sa_manifest_load(cfg.workload.manifest, &man, &e);
  if (rc) fprintf(stderr, "%s\n", e.msg);
  CHECK(rc == 0);
  if (rc) return;
  sa_wl_cmd g[2];
  CHECK_EQ_INT(sa_workload_split(&man->layers[0], 4, g), 2);
  CHECK_EQ_INT(g[0].m, 4);
  CHECK_EQ_INT(g[0].times, 2);
  CHECK_EQ_INT(g[1].m, 2);
  CHECK_EQ_INT(sa_workload_commands(man, 4), 2 * 3 + 1);
  sa_run_result dense, run;
  CHECK(sa_cycle_run_workload(&cfg, man, NULL, &dense, &e) == 0);
  /* by hand: a.ff1 10x10x6 (x2) as commands 4,4,2 on 6 tiles; a.q 3x8x8, 4 tiles */
  int64_t arr = 2 * (2 * (4 + 6 * 11) + (4 + 6 * 9)) + (4 + 4 * 10);
  CHECK_EQ_INT(dense.time.array, arr);
  CHECK_EQ_INT(dense.counts.commands, 7);
  CHECK_EQ_INT(dense.counts.macs, 2 * 10 * 10 * 6 + 3 * 8 * 8);
  CHECK(fabs(dense.host_ops - (60 * 2 * 2 + 100 * 3 + 7 * 3 * 5)) < 1e-9);
  CHECK(fabs(dense.host_only - dense.host_ops - 0.5 * (2 * 600 + 192)) < 1e-9);
  CHECK(fabs(dense.host_system - dense.host_ops - dense.time.host_gemm) < 1e-6);
  CHECK(fabs(sa_run_speedup_vs_dense(&dense, &dense) - 1) < 1e-12);
  /* masks: prune a.ff1 tiles (0,1) and (1,1) -> strip 1 keeps only tile (2,1) */
  sa_maskset ms = {4, 4, 2, NULL};
  ms.masks = calloc(2, sizeof *ms.masks);
  CHECK(sa_tilemask_init(&ms.masks[0], "a.ff1", 10, 6, 4, 4, &e) == 0);
  CHECK(sa_tilemask_init(&ms.masks[1], "a.q", 8, 8, 4, 4, &e) == 0);
  ms.masks[0].keep[1] = ms.masks[0].keep[3] = 0;
  CHECK(sa_cycle_run_workload(&cfg, man, &ms, &run, &e) == 0);
  CHECK_EQ_INT(run.time.array, 2 * (2 * (4 + 4 * 11) + (4 + 4 * 9)) + (4 + 4 * 10));
  CHECK(sa_run_speedup_vs_dense(&run, &dense) > 1);
  CHECK(sa_run_speedup_vs_host(&run) > 0);
  double e_sum = 0;
  for (int i = 0; i < run.n_layers; i++) e_sum += run.layers[i].energy.mac;
  CHECK(fabs(e_sum - run.energy.mac) < 1e-6);
  sa_run_result_free(&run);
  /* errors: wrong tile shape, missing layer */
  ms.masks[1].tile_rows = 2;
  CHECK(sa_cycle_run_workload(&cfg, man, &ms, &run, &e) == -1);
  CHECK_CONTAINS(e.msg, "a.q");
  CHECK_CONTAINS(e.msg, "tiles");
  ms.masks[1].tile_rows = 4;
  snprintf(ms.masks[1].name, sizeof ms.masks[1].name, "other");
  CHECK(sa_cycle_run_workload(&cfg, man, &ms, &run, &e) == -1);
  CHECK_CONTAINS(e.msg, "no mask for layer 'a.q'");
  sa_maskset_free(&ms);
  sa_run_result_free(&dense);
  sa_manifest_free(man);
}

int main(void) {
  worked_example();
  memory_examples();
  cpu_fed_example();
  cpu_fed_reference();
  cpu_fed_skip_formats();
  random_shapes();
  energy_check(0);
  energy_check(1);
  workload();
  return sa_test_done("cycle");
}
