/* sa_stats: the statistics the accelerator models produce (action counts, time, energy, and
 * per-layer / per-run results), kept apart from the models so lower layers (memory, host,
 * energy) can fill them without including the cycle model. Specs live in sa_config.h. */
#ifndef SA_STATS_H
#define SA_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Action counts (docs/timing.md §7.3). Bytes unless named otherwise. */
typedef struct sa_counts {
  int64_t commands;          /* GEMM commands issued */
  int64_t tiles;             /* tile passes: (weight tile, command) pairs, kept or not; a
                                layer's weight tiles x its commands (reported as
                                "tile_passes"; "weight tiles" are counted once per layer) */
  int64_t tiles_kept;        /* tile passes executed ("tile_passes_kept") */
  int64_t macs;              /* useful int8 MACs (edge padding excluded) */
  int64_t pe_active;         /* PE-cycles holding a streamed activation (T*M*R*C) */
  int64_t pe_idle;           /* R*C*array_cycles - pe_active */
  int64_t reg_weight;        /* shadow + active weight register bytes written (2*R*C per tile) */
  int64_t reg_act;           /* activation register bytes: PE pipeline + input skew */
  int64_t reg_psum;          /* partial-sum register bytes (4 per PE-cycle active) */
  int64_t wbuf_read, wbuf_write;   /* weight scratchpad (dma) */
  int64_t abuf_read, abuf_write;   /* activation scratchpad (dma) */
  int64_t obuf_read, obuf_write;   /* output/accumulator buffer (dma) */
  int64_t dram_read, dram_write;   /* DRAM traffic (dma; mask bytes included in dram_read) */
  int64_t mask_bytes;        /* mask bytes handed to the controller */
  /* cpu_fed (docs/timing.md §8): custom instructions, the software adds of the returned
   * output words, and the events of walking the skip encoding */
  int64_t ins_write_weights;  /* weight-write instructions (one bus word each) */
  int64_t ins_queue;          /* queue instructions (a bus word in, a bus word back) */
  int64_t ins_stream;         /* stream instructions (the same, and the array steps) */
  int64_t out_words;          /* returned words holding valid outputs, added by software */
  int64_t cpu_adds;           /* element adds of those words into the output */
  int64_t walk_strips;        /* skip walk: tile-column (csr: tile-row) headers read */
  int64_t walk_tiles;         /* skip walk: tiles tested */
  int64_t walk_words;         /* skip walk: weight words scanned (dynamic) */
} sa_counts;

/* Time of one command / layer / workload. Accelerator cycles unless named host_. */
typedef struct sa_time {
  int64_t array;             /* closed form, = sa_timing_command_cycles summed */
  int64_t weight_load;       /* exposed weight load: R per command with kept tiles */
  int64_t compute;           /* T*M */
  int64_t fill_drain;        /* T*(R+C-1) */
  int64_t stall_weights;     /* dma: cycles the array waited for weights (and the mask) */
  int64_t stall_acts;        /* dma: ... for activations */
  int64_t stall_outputs;     /* dma: ... for output write-back */
  int64_t accel;             /* dma: array + stalls (accelerator busy) ; cpu_fed: array */
  double host_gemm;          /* GEMM time in host cycles: dma accel converted + command
                                overhead; cpu_fed the instruction cycles */
} sa_time;

typedef struct sa_energy {   /* pJ, by component (docs/timing.md §7.4) */
  double mac, reg, wbuf, abuf, obuf, dram, leak, clock, host;
  double total;
} sa_energy;

/* Everything computed for one manifest layer (all its count x commands). */
typedef struct sa_layer_result {
  char name[128];
  int role;                  /* sa_role */
  int64_t m, k, n, count;    /* shape from the manifest */
  int64_t kt, nt;            /* tile grid */
  int pruned;                /* 1 when a mask was applied to this layer */
  sa_counts counts;
  sa_time time;
  sa_energy energy;          /* of this layer's GEMMs (no host ops) */
  int64_t weight_bytes;      /* stored weights of the layer (cpu_fed: in its skip encoding,
                                pruned tiles dropped where the encoding packs; dma: kept tiles) */
  int64_t meta_bytes;        /* skip metadata of the layer (dma: the mask) */
} sa_layer_result;

typedef struct sa_run_result {
  int64_t rows, cols;
  int integration;           /* sa_integration */
  int n_layers;
  sa_layer_result *layers;   /* owned */
  sa_counts counts;          /* totals over layers */
  sa_time time;              /* totals over layers (GEMMs only) */
  double host_ops;           /* host cycles of the non-GEMM work */
  double host_system;        /* host cycles: host_ops + time.host_gemm */
  double host_only;          /* host cycles of the same inference without the accelerator */
  double seconds;            /* host_system / host clock */
  sa_energy energy;          /* per inference */
  int64_t weight_bytes, meta_bytes; /* footprint: sums over layers (each layer once) */
  double area_mm2;
  double area_pe_mm2, area_buf_mm2, area_ctrl_mm2;
} sa_run_result;

/* a += b x times (counts and times). The _checked forms return 0, or -1 leaving a unchanged
 * when a result would not fit an int64; the plain forms are for callers whose sizes are
 * already bounded (overflow is an invariant failure there). */
int sa_counts_add_checked(sa_counts *a, const sa_counts *b, int64_t times);
int sa_time_add_checked(sa_time *a, const sa_time *b, int64_t times);
void sa_counts_add(sa_counts *a, const sa_counts *b, int64_t times);
void sa_time_add(sa_time *a, const sa_time *b, int64_t times);

#ifdef __cplusplus
}
#endif

#endif
