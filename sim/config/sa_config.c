/* sa_config: schema-driven YAML configuration loader.
 * The schema below is the one place where a key, its type, range, unit and default are
 * defined; the loader, the resolved-config writers and docs/config.md all derive from it.
 * Longer than ~700 lines on purpose: about 200 of them are the schema tables themselves, and
 * the walkers over them (load, sweep axes, write YAML/JSON/markdown, ignored keys) share the
 * private key type, so splitting would export the schema's internals to every part. */
#define _POSIX_C_SOURCE 200809L
#include "sa_config.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sa_num.h"
#include "sa_yaml.h"

typedef enum { K_INT, K_NUM, K_ENUM, K_STR, K_PATH, K_SECTION, K_SHAPES, K_NUMS, K_AXES } ktype;

typedef struct key {
  const char *name;
  ktype type;
  size_t off;                 /* offset in sa_config */
  double min, max;            /* inclusive range (K_INT, K_NUM, list elements) */
  const char *def;            /* default written as YAML text; NULL: required */
  const char *unit;
  const char *doc;
  const char *const *choices; /* K_ENUM: NULL-terminated */
  const struct key *sub;      /* K_SECTION */
  size_t cap;                 /* K_STR/K_PATH: buffer size; lists: max elements */
  size_t off2;                /* lists: offset of the element array (off holds the count) */
} key;

#define OFF(f) offsetof(sa_config, f)
#define END {0}

static const char *const dataflows[] = {"ws", NULL};
static const char *const integrations[] = {"dma", "cpu_fed", NULL};
static const char *const act_types[] = {"int8", "fp32", NULL};
static const char *const skip_formats[] = {"interleaved", "with_flag", "meta_data",
                                           "hidden_key",  "csr",       "csc",
                                           "dynamic",     "non_pruned", "bitmap", NULL};
static const char *const criteria[] = {"mean_abs", "l2", "act_aware", "relative", "obs", NULL};
static const char *const scopes[] = {"ff", "attn", "all", NULL};
static const char *const thresholds[] = {"global", "per_layer", "sensitivity", NULL};
static const char *const compensations[] = {"none", "bias", "lsq", NULL};
static const char *const rtl_checks[] = {"all", "sample", "off", NULL};
static const char *const arbitrations[] = {"round_robin", "fixed", NULL};

static const key array_keys[] = {
    {"rows", K_INT, OFF(hw.rows), 2, 4096, "16", "PEs", "array rows R (tile height along K)"},
    {"cols", K_INT, OFF(hw.cols), 2, 4096, "16", "PEs", "array columns C (tile width along N)"},
    {"dataflow", K_ENUM, OFF(hw.dataflow), 0, 0, "ws", "", "dataflow; only weight-stationary",
     dataflows},
    {"act_type", K_ENUM, OFF(hw.act_type), 0, 0, "int8", "",
     "activation type (weights are int8): int8 x int8 -> int32 (the paper's v1) or fp32 x int8 "
     "-> fp32 (v2; integration cpu_fed only)", act_types},
    {"clock_mhz", K_NUM, OFF(hw.clock_mhz), 1e-3, 1e5, "1000", "MHz", "accelerator clock"},
    END};

static const key buffer_keys[] = {
    {"weight_kib", K_NUM, OFF(hw.weight_buf_kib), 0.0625, 1 << 20, "64", "KiB",
     "weight buffer (double-buffered, this is one half)"},
    {"act_kib", K_NUM, OFF(hw.act_buf_kib), 0.0625, 1 << 20, "64", "KiB",
     "activation buffer (one half)"},
    {"out_kib", K_NUM, OFF(hw.out_buf_kib), 0.0625, 1 << 20, "64", "KiB",
     "output/accumulator buffer (one half)"},
    {"acc_rows", K_INT, OFF(hw.acc_rows), 1, 1 << 20, "512", "rows",
     "largest M one command handles; bigger GEMMs are split into several commands"},
    END};

static const key memory_keys[] = {
    {"dram_bytes_per_cycle", K_NUM, OFF(hw.dram_bytes_per_cycle), 1e-3, 1e6, "16",
     "B/cycle", "DRAM bandwidth, in accelerator cycles"},
    {"dram_latency_cycles", K_INT, OFF(hw.dram_latency_cycles), 0, 1e6, "100", "cycles",
     "DRAM access latency"},
    END};

/* cpu_fed.walk.<format>: tile_cycles (and strip_cycles where the format has headers) */
#define WALK_TILE(f, doc) \
  {"tile_cycles", K_NUM, OFF(hw.walk_tile[SA_SKIP_##f]), 0, 1e6, "0", "cycles", doc}
#define WALK_STRIP(f, doc) \
  {"strip_cycles", K_NUM, OFF(hw.walk_strip[SA_SKIP_##f]), 0, 1e6, "0", "cycles", doc}
static const key walk_INTERLEAVED_keys[] = {
    WALK_TILE(INTERLEAVED, "per tile: its bitmap bit tested"),
    WALK_STRIP(INTERLEAVED, "per tile column: its offset word and bitmap words"), END};
static const key walk_WITH_FLAG_keys[] = {
    WALK_TILE(WITH_FLAG, "per tile: its flag bit extracted and tested"), END};
static const key walk_META_DATA_keys[] = {
    WALK_TILE(META_DATA, "per tile of a column with kept tiles: its flag tested"),
    WALK_STRIP(META_DATA, "per tile column: its column flag"), END};
static const key walk_HIDDEN_KEY_keys[] = {
    WALK_TILE(HIDDEN_KEY, "per tile: its first word compared with the key"), END};
static const key walk_CSR_keys[] = {WALK_TILE(CSR, "per kept tile: its column index"),
                                    WALK_STRIP(CSR, "per tile row: its pointer pair"), END};
static const key walk_CSC_keys[] = {WALK_TILE(CSC, "per kept tile: its row index"),
                                    WALK_STRIP(CSC, "per tile column: its pointer pair"), END};
static const key walk_DYNAMIC_keys[] = {
    WALK_TILE(DYNAMIC, "per tile: starting its scan"),
    {"word_cycles", K_NUM, OFF(hw.walk_word), 0, 1e6, "0", "cycles",
     "per weight word scanned for zero"},
    END};
#undef WALK_TILE
#undef WALK_STRIP

static const key walk_keys[] = {
    {"interleaved", K_SECTION, 0, 0, 0, NULL, "", "the paper's encoding",
     .sub = walk_INTERLEAVED_keys},
    {"with_flag", K_SECTION, 0, 0, 0, NULL, "", "a flag bit per tile",
     .sub = walk_WITH_FLAG_keys},
    {"meta_data", K_SECTION, 0, 0, 0, NULL, "", "column and tile flags",
     .sub = walk_META_DATA_keys},
    {"hidden_key", K_SECTION, 0, 0, 0, NULL, "", "a sentinel word per pruned tile",
     .sub = walk_HIDDEN_KEY_keys},
    {"csr", K_SECTION, 0, 0, 0, NULL, "", "tile rows with column indices", .sub = walk_CSR_keys},
    {"csc", K_SECTION, 0, 0, 0, NULL, "", "tile columns with row indices", .sub = walk_CSC_keys},
    {"dynamic", K_SECTION, 0, 0, 0, NULL, "", "scan for all-zero tiles", .sub = walk_DYNAMIC_keys},
    END};

/* Costs in host cycles; the loop, add and walk costs default to 0 (not charged): the paper
 * presets set the values derived in docs/host-costs.md. */
static const key cpu_fed_keys[] = {
    {"bus_bits", K_INT, OFF(hw.bus_bits), 8, 1024, "32", "bits",
     "CPU-array bus width: bus_bits/8 weights or bus_bits/act_bits activations per word"},
    {"skip_format", K_ENUM, OFF(hw.skip_format), 0, 0, "interleaved", "",
     "how the CPU finds kept tiles (docs/timing.md §8.3): the reference system's encodings "
     "(interleaved is the paper's) or bitmap (walk not charged)", skip_formats},
    {"write_weights_cycles", K_INT, OFF(hw.instr_write_weights), 0, 1e6, "1", "cycles",
     "one weight-write custom instruction (one bus word of weights)"},
    {"queue_cycles", K_INT, OFF(hw.instr_queue), 0, 1e6, "1", "cycles",
     "one queue custom instruction (one bus word in, one out)"},
    {"stream_cycles", K_INT, OFF(hw.instr_stream), 0, 1e6, "1", "cycles",
     "one stream custom instruction (one bus word in, one out, the array steps)"},
    {"weight_loop_cycles", K_NUM, OFF(hw.loop_weight), 0, 1e6, "0", "cycles",
     "issuing code around each weight-write instruction (weight word load, address, loop)"},
    {"stream_loop_cycles", K_NUM, OFF(hw.loop_stream), 0, 1e6, "0", "cycles",
     "issuing code around each queue/stream instruction (input word load, validity test, loop)"},
    {"add_int8_cycles", K_NUM, OFF(hw.add_int8), 0, 1e6, "0", "cycles",
     "software add of one returned int8 output element into the output in memory"},
    {"add_fp32_cycles", K_NUM, OFF(hw.add_fp32), 0, 1e6, "0", "cycles",
     "software add of one returned fp32 output element"},
    {"walk", K_SECTION, 0, 0, 0, NULL, "", "CPU cost of walking each skip encoding",
     .sub = walk_keys},
    END};

static const key host_keys[] = {
    {"clock_mhz", K_NUM, OFF(host.clock_mhz), 1e-3, 1e5, "1000", "MHz",
     "host CPU clock (system cycles are counted in host cycles)"},
    {"layernorm", K_NUM, OFF(host.layernorm), 0, 1e6, "8", "cycles/element", "LayerNorm"},
    {"softmax", K_NUM, OFF(host.softmax), 0, 1e6, "12", "cycles/element", "softmax"},
    {"gelu", K_NUM, OFF(host.gelu), 0, 1e6, "10", "cycles/element", "GELU"},
    {"relu", K_NUM, OFF(host.relu), 0, 1e6, "1", "cycles/element", "ReLU"},
    {"add", K_NUM, OFF(host.add), 0, 1e6, "1", "cycles/element", "residual add"},
    {"quantize", K_NUM, OFF(host.quantize), 0, 1e6, "3", "cycles/element",
     "fp32 -> int8 with scale"},
    {"dequantize", K_NUM, OFF(host.dequantize), 0, 1e6, "2", "cycles/element",
     "int32 -> fp32 with scale and bias"},
    {"argmax", K_NUM, OFF(host.argmax), 0, 1e6, "1", "cycles/element", "argmax / CTC"},
    {"attn_mac", K_NUM, OFF(host.attn_mac), 0, 1e6, "1", "cycles/MAC",
     "activation x activation products of attention on the host"},
    {"conv_pad", K_NUM, OFF(host.conv_pad), 0, 1e6, "1", "cycles/element", "im2col copies"},
    {"gemm_mac", K_NUM, OFF(host.gemm_mac), 1e-6, 1e6, "1", "cycles/MAC",
     "host-only execution of a weight GEMM (the no-accelerator baseline)"},
    {"command_cycles", K_NUM, OFF(host.command_cycles), 0, 1e9, "50", "cycles",
     "integration dma: host cycles to issue one accelerator command and see it done"},
    END};

static const key system_keys[] = {
    {"bus_bytes_per_cycle", K_NUM, OFF(system.bus_bytes_per_cycle), 1e-3, 1e6, "16",
     "B/cycle", "system interconnect width (SystemC model)"},
    {"bus_latency_cycles", K_INT, OFF(system.bus_latency_cycles), 0, 1e6, "2", "cycles",
     "interconnect latency per transaction"},
    {"arbitration", K_ENUM, OFF(system.arbitration), 0, 0, "round_robin", "",
     "interconnect arbitration", arbitrations},
    {"dram_banks", K_INT, OFF(system.dram_banks), 1, 1024, "1", "banks", "DRAM banks"},
    END};

static const key workload_keys[] = {
    {"manifest", K_PATH, OFF(workload.manifest), 0, 0, "\"\"", "",
     "model manifest (workloads/<model>/manifest.yaml); this or topology is required",
     .cap = SA_PATH_MAX},
    {"topology", K_PATH, OFF(workload.topology), 0, 0, "\"\"", "",
     "SCALE-Sim topology CSV (GEMM or convolution format, docs/scale-sim.md) timed with "
     "synthetic weights, instead of a manifest", .cap = SA_PATH_MAX},
    {"topology_seed", K_INT, OFF(workload.topology_seed), 0, 2147483647, "1", "",
     "seed of a topology's synthetic weights"},
    {"testset", K_PATH, OFF(workload.testset), 0, 0, "\"\"", "",
     "test-set directory for WER; empty: no WER column", .cap = SA_PATH_MAX},
    {"max_utts", K_INT, OFF(workload.max_utts), 0, 1e9, "0", "utterances",
     "use only the first N utterances (0: all)"},
    END};

static const key prune_keys[] = {
    {"criterion", K_ENUM, OFF(prune.criterion), 0, 0, "mean_abs", "",
     "tile score: mean |w| (the paper), L2 norm, activation-aware, relative (mean |w| over the "
     "layer's mean: scale-free), or obs (output-error increase from calibration statistics)",
     criteria},
    {"scope", K_ENUM, OFF(prune.scope), 0, 0, "ff", "",
     "which layers are pruned: feed-forward (the paper), attention, or all with weights (never "
     "role attn_matmul)", scopes},
    {"threshold", K_ENUM, OFF(prune.threshold), 0, 0, "global", "",
     "allocation: one threshold over all selected layers (the paper), the same rate per layer, "
     "or sensitivity (per-layer rates of least predicted output error)",
     thresholds},
    {"compensation", K_ENUM, OFF(prune.compensation), 0, 0, "none", "",
     "after the mask is fixed: none (the paper), bias (pruned weights x input mean into the "
     "bias), or lsq (kept weights re-solved by least squares per tile column)",
     compensations},
    {"damping", K_NUM, OFF(prune.damping), 0, 1, "0.001", "x mean diag H",
     "obs and lsq: lambda added to the Gram matrix's diagonal"},
    {"layer_cap", K_NUM, OFF(prune.layer_cap), 0, 1, "1", "fraction",
     "at most this fraction of one layer's tiles is pruned"},
    {"rate", K_NUM, OFF(prune.rate), 0, 1, "0", "fraction",
     "fraction of the selected tiles pruned (single runs; sweeps use sweep.rates)"},
    {"calibration", K_PATH, OFF(prune.calibration), 0, 0, "\"\"", "",
     "calibration set (feats.bin + transcripts.tsv, never a test set) the statistics are "
     "measured on; needed by act_aware, obs, sensitivity, bias, lsq",
     .cap = SA_PATH_MAX},
    {"statistics", K_PATH, OFF(prune.statistics), 0, 0, "\"\"", "",
     "calibration statistics file from 'sasp calib'; empty: measured on prune.calibration "
     "(sweeps cache them in OUT/calib.safetensors)",
     .cap = SA_PATH_MAX},
    END};

static const key sweep_keys[] = {
    {"arrays", K_SHAPES, OFF(sweep.n_shapes), 2, 4096, "[4x4, 8x8, 16x16, 32x32]", "RxC",
     "array shapes swept", .cap = SA_MAX_SHAPES, .off2 = OFF(sweep.shapes)},
    {"rates", K_NUMS, OFF(sweep.n_rates), 0, 1, "[0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]", "fraction",
     "pruning rates swept", .cap = SA_MAX_RATES, .off2 = OFF(sweep.rates)},
    {"rtl_check", K_ENUM, OFF(sweep.rtl_check), 0, 0, "sample", "",
     "RTL co-simulation per point: all GEMMs, a deterministic sample, or off", rtl_checks},
    {"rtl_sample", K_INT, OFF(sweep.rtl_sample), 1, 1e6, "4", "GEMMs",
     "GEMMs co-simulated per point when rtl_check is sample"},
    {"seed", K_INT, OFF(sweep.seed), 0, 2147483647, "1", "", "seed for sampling and bootstrap"},
    {"axes", K_AXES, OFF(sweep.n_axes), 0, 0, "{}", "",
     "strategy axes: a map from configuration keys to lists of values, e.g. "
     "{prune.criterion: [mean_abs, l2], integration: [dma, cpu_fed]}; the grid is arrays x "
     "rates x every combination of the values (docs/guide.md)",
     .cap = SA_MAX_AXES, .off2 = OFF(sweep.axes)},
    END};

static const key root_keys[] = {
    {"array", K_SECTION, 0, 0, 0, NULL, "", "the systolic array", .sub = array_keys},
    {"integration", K_ENUM, OFF(hw.integration), 0, 0, "dma", "",
     "dma: scratchpads fed by DMA; cpu_fed: the host feeds the array by custom instructions "
     "(the reference paper)",
     integrations},
    {"buffers", K_SECTION, 0, 0, 0, NULL, "", "on-chip buffers", .sub = buffer_keys},
    {"memory", K_SECTION, 0, 0, 0, NULL, "", "off-chip memory", .sub = memory_keys},
    {"cpu_fed", K_SECTION, 0, 0, 0, NULL, "", "custom-instruction costs (integration: cpu_fed)",
     .sub = cpu_fed_keys},
    {"host", K_SECTION, 0, 0, 0, NULL, "", "host CPU cost model", .sub = host_keys},
    {"system", K_SECTION, 0, 0, 0, NULL, "", "SystemC system model", .sub = system_keys},
    {"tech", K_PATH, OFF(tech.path), 0, 0, NULL, "",
     "technology table (configs/tech/*.yaml): energy per action and area", .cap = SA_PATH_MAX},
    {"workload", K_SECTION, 0, 0, 0, NULL, "", "the model and its test set",
     .sub = workload_keys},
    {"prune", K_SECTION, 0, 0, 0, NULL, "", "block pruning", .sub = prune_keys},
    {"sweep", K_SECTION, 0, 0, 0, NULL, "", "sweep grid", .sub = sweep_keys},
    END};

/* The technology table is its own file, with its own schema. */
#define TOFF(f) offsetof(sa_tech_cfg, f)
static const key tech_energy_keys[] = {
    {"mac_int8", K_NUM, TOFF(e_mac_int8), 0, 1e6, NULL, "pJ", "int8 multiply + int32 add"},
    {"mac_fp32", K_NUM, TOFF(e_mac_fp32), 0, 1e6, NULL, "pJ",
     "fp32 multiply (int8 weight widened) + fp32 add (array.act_type fp32)"},
    {"reg_byte", K_NUM, TOFF(e_reg_byte), 0, 1e6, NULL, "pJ", "one byte into a register"},
    {"sram_byte_8kib", K_NUM, TOFF(e_sram_byte_8kib), 0, 1e6, NULL, "pJ",
     "one byte read or written in an 8 KiB SRAM"},
    {"sram_size_exponent", K_NUM, TOFF(sram_size_exponent), 0, 2, "0.5", "",
     "SRAM energy per byte scales as (size/8 KiB)^exponent"},
    {"dram_byte", K_NUM, TOFF(e_dram_byte), 0, 1e6, NULL, "pJ", "one byte to or from DRAM"},
    {"leak_pe_cycle", K_NUM, TOFF(e_leak_pe_cycle), 0, 1e6, NULL, "pJ",
     "leakage of one PE for one cycle"},
    {"clock_pe_cycle", K_NUM, TOFF(e_clock_pe_cycle), 0, 1e6, NULL, "pJ",
     "clock tree per PE per cycle (while the array runs)"},
    {"host_cycle", K_NUM, TOFF(e_host_cycle), 0, 1e6, NULL, "pJ", "host CPU per busy cycle"},
    END};
static const key tech_area_keys[] = {
    {"pe", K_NUM, TOFF(a_pe), 0, 1e9, NULL, "um^2", "one PE (int8 MAC, registers)"},
    {"pe_fp32", K_NUM, TOFF(a_pe_fp32), 0, 1e9, NULL, "um^2",
     "one PE of an fp32 x int8 array (fp32 multiplier and adder, registers)"},
    {"sram_byte", K_NUM, TOFF(a_sram_byte), 0, 1e9, NULL, "um^2", "one byte of SRAM"},
    {"controller", K_NUM, TOFF(a_controller), 0, 1e12, NULL, "um^2",
     "controller, skew/de-skew, mask logic"},
    END};
static const key tech_keys[] = {
    {"name", K_STR, TOFF(name), 0, 0, NULL, "", "technology label", .cap = 128},
    {"node_nm", K_NUM, TOFF(node_nm), 1, 1000, NULL, "nm", "process node"},
    {"energy_pj", K_SECTION, 0, 0, 0, NULL, "", "energy per action", .sub = tech_energy_keys},
    {"area_um2", K_SECTION, 0, 0, 0, NULL, "", "area", .sub = tech_area_keys},
    END};

/* The scalar leaf named by a dotted key ("prune.criterion", "tech"), or NULL. */
static const key *find_key(const key *tbl, const char *dotted) {
  const char *dot = strchr(dotted, '.');
  size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
  for (const key *k = tbl; k->name; k++) {
    if (strlen(k->name) != n || strncmp(k->name, dotted, n)) continue;
    if (k->type == K_SECTION) return dot ? find_key(k->sub, dot + 1) : NULL;
    return dot ? NULL : k;
  }
  return NULL;
}

static int is_scalar(const key *k) {
  return k && k->type != K_SECTION && k->type != K_SHAPES && k->type != K_NUMS &&
         k->type != K_AXES;
}

int sa_config_is_scalar_key(const char *dotted) { return is_scalar(find_key(root_keys, dotted)); }

/* The dotted names of every scalar leaf of tbl into names[0..*n) (for suggestions). */
static void scalar_names(const key *tbl, const char *prefix, char names[][64], size_t cap,
                         size_t *n) {
  for (const key *k = tbl; k->name && *n < cap; k++) {
    char dotted[64];
    snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", k->name);
    if (k->type == K_SECTION) scalar_names(k->sub, dotted, names, cap, n);
    else if (is_scalar(k)) snprintf(names[(*n)++], 64, "%s", dotted);
  }
}

/* ---- loading ---- */

enum { MAX_INCLUDE_DEPTH = 8 };

typedef struct loader {
  char *base;                          /* struct the offsets refer to */
  const key *set[SA_MAX_KEYS];         /* leaf keys given in some file */
  int n_set;
  const char *top_file;
  int include_depth;
  sa_err *e;
} loader;

static void mark_set(loader *L, const key *k) {
  for (int i = 0; i < L->n_set; i++)
    if (L->set[i] == k) return;
  SA_ASSERT(L->n_set < SA_MAX_KEYS);
  L->set[L->n_set++] = k;
}

static int is_set(const loader *L, const key *k) {
  for (int i = 0; i < L->n_set; i++)
    if (L->set[i] == k) return 1;
  return 0;
}

static int bad_value(loader *L, const sa_yaml_node *n, const char *dotted, const char *want) {
  if (n->kind != SA_YAML_SCALAR)
    return sa_err_set(L->e, "%s:%d:%d: key '%s': expected %s, got %s", n->file, n->line, n->col,
                      dotted, want, sa_yaml_kind_name(n->kind));
  return sa_err_set(L->e, "%s:%d:%d: key '%s': expected %s, got \"%.80s\"", n->file, n->line,
                    n->col, dotted, want, n->scalar);
}

static void describe_range(const key *k, int integer, char *buf, size_t len) {
  if (integer && k->min == 1 && k->max >= 1e6) snprintf(buf, len, "a positive integer");
  else sa_num_describe(integer, k->min, k->max, buf, (int)len);
}

static int parse_int(loader *L, const key *k, const sa_yaml_node *n, const char *dotted,
                     int64_t *out) {
  char want[96];
  describe_range(k, 1, want, sizeof want);
  if (n->kind != SA_YAML_SCALAR || n->quoted || !n->scalar[0]) return bad_value(L, n, dotted, want);
  if (sa_num_i64(n->scalar, (int64_t)k->min, (int64_t)k->max, out))
    return bad_value(L, n, dotted, want);
  return 0;
}

static int parse_num(loader *L, const key *k, const sa_yaml_node *n, const char *dotted,
                     double *out) {
  char want[96];
  describe_range(k, 0, want, sizeof want);
  if (n->kind != SA_YAML_SCALAR || n->quoted || !n->scalar[0]) return bad_value(L, n, dotted, want);
  if (sa_num_f64(n->scalar, k->min, k->max, out)) return bad_value(L, n, dotted, want);
  return 0;
}

int sa_config_parse_shape(const char *text, sa_shape *s) {
  char buf[64];
  size_t n = strcspn(text, "xX");
  if (!text[n] || n >= sizeof buf) return -1;
  memcpy(buf, text, n);
  buf[n] = 0;
  int64_t r, c;
  if (sa_num_i64(buf, 1, INT32_MAX, &r) || sa_num_i64(text + n + 1, 1, INT32_MAX, &c)) return -1;
  s->rows = r;
  s->cols = c;
  return 0;
}

static int resolve_path(loader *L, const sa_yaml_node *n, const char *dotted, char *dst,
                        size_t cap) {
  const char *v = n->scalar;
  if (!v[0] || v[0] == '/' || strcmp(n->file, "<default>") == 0) {
    if (strlen(v) >= cap) return bad_value(L, n, dotted, "a shorter path");
    strcpy(dst, v);
    return 0;
  }
  const char *slash = strrchr(n->file, '/');
  size_t dlen = slash ? (size_t)(slash - n->file) + 1 : 0;
  if (dlen + strlen(v) >= cap) return bad_value(L, n, dotted, "a shorter path");
  memcpy(dst, n->file, dlen);
  strcpy(dst + dlen, v);
  return 0;
}

/* sweep.axes: {KEY: [VALUE, ...], ...}. Keys must be scalar leaves of the schema; the values
 * are kept as text and checked by sa_config_set in finish(), once the whole file is read. */
static int parse_axes(loader *L, const key *k, const sa_yaml_node *n, const char *dotted) {
  if (n->kind != SA_YAML_MAP)
    return bad_value(L, n, dotted,
                     "a mapping of configuration keys to lists of values, like "
                     "{prune.criterion: [mean_abs, l2]}");
  if (n->n > k->cap)
    return sa_err_set(L->e, "%s:%d:%d: key '%s': at most %zu axes allowed, got %zu", n->file,
                      n->line, n->col, dotted, k->cap, n->n);
  sa_axis *axes = (sa_axis *)(L->base + k->off2);
  for (size_t i = 0; i < n->n; i++) {
    const sa_yaml_node *kn = n->keys[i], *vn = n->items[i];
    char where[128];
    snprintf(where, sizeof where, "%s.%.100s", dotted, kn->scalar);
    const key *ak = find_key(root_keys, kn->scalar);
    if (!is_scalar(ak) || strlen(kn->scalar) >= sizeof axes[i].key) {
      static char names[SA_MAX_KEYS][64];
      const char *cands[SA_MAX_KEYS];
      size_t nn = 0;
      scalar_names(root_keys, "", names, SA_MAX_KEYS, &nn);
      for (size_t j = 0; j < nn; j++) cands[j] = names[j];
      const char *hint = sa_yaml_suggest(kn->scalar, cands, nn);
      return sa_err_set(L->e,
                        "%s:%d:%d: key '%s': '%s' is not a configuration key that takes one "
                        "value%s%s%s", kn->file, kn->line, kn->col, where, kn->scalar,
                        hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    if (vn->kind != SA_YAML_SEQ)
      return bad_value(L, vn, where, "a list of values, like [a, b]");
    if (vn->n == 0)
      return sa_err_set(L->e, "%s:%d:%d: key '%s': empty list: an axis needs at least one value",
                        vn->file, vn->line, vn->col, where);
    if (vn->n > SA_MAX_AXIS_VALUES)
      return sa_err_set(L->e, "%s:%d:%d: key '%s': at most %d values allowed, got %zu", vn->file,
                        vn->line, vn->col, where, SA_MAX_AXIS_VALUES, vn->n);
    sa_axis *ax = &axes[i];
    memset(ax, 0, sizeof *ax);
    snprintf(ax->key, sizeof ax->key, "%s", kn->scalar);
    snprintf(ax->file, sizeof ax->file, "%s", kn->file);
    ax->line = kn->line;
    ax->col = kn->col;
    for (size_t j = 0; j < vn->n; j++) {
      const sa_yaml_node *it = vn->items[j];
      if (it->kind != SA_YAML_SCALAR || !it->scalar[0])
        return bad_value(L, it, where, "a single value (not a list or mapping)");
      if (strlen(it->scalar) >= SA_AXIS_VALUE_MAX)
        return bad_value(L, it, where, "a value shorter than 256 characters");
      for (size_t m = 0; m < j; m++)
        if (!strcmp(ax->values[m], it->scalar))
          return sa_err_set(L->e, "%s:%d:%d: key '%s': value '%s' listed twice", it->file,
                            it->line, it->col, where, it->scalar);
      snprintf(ax->values[j], SA_AXIS_VALUE_MAX, "%s", it->scalar);
      ax->vline[j] = it->line;
      ax->vcol[j] = it->col;
    }
    ax->n_values = (int)vn->n;
  }
  *(int *)(L->base + k->off) = (int)n->n;
  return 0;
}

static int apply_leaf(loader *L, const key *k, const sa_yaml_node *n, const char *dotted) {
  void *dst = L->base + k->off;
  switch (k->type) {
  case K_INT: return parse_int(L, k, n, dotted, dst);
  case K_NUM: return parse_num(L, k, n, dotted, dst);
  case K_ENUM: {
    if (n->kind == SA_YAML_SCALAR)
      for (int i = 0; k->choices[i]; i++)
        if (strcmp(n->scalar, k->choices[i]) == 0) {
          *(int *)dst = i;
          return 0;
        }
    char want[256] = "one of";
    size_t nc = 0;
    for (int i = 0; k->choices[i]; i++, nc++) {
      strncat(want, i ? ", " : " ", sizeof want - strlen(want) - 1);
      strncat(want, k->choices[i], sizeof want - strlen(want) - 1);
    }
    const char *hint = n->kind == SA_YAML_SCALAR ? sa_yaml_suggest(n->scalar, k->choices, nc) : NULL;
    if (hint) {
      strncat(want, " (did you mean '", sizeof want - strlen(want) - 1);
      strncat(want, hint, sizeof want - strlen(want) - 1);
      strncat(want, "'?)", sizeof want - strlen(want) - 1);
    }
    return bad_value(L, n, dotted, want);
  }
  case K_STR:
    if (n->kind != SA_YAML_SCALAR || strlen(n->scalar) >= k->cap)
      return bad_value(L, n, dotted, "a short string");
    strcpy(dst, n->scalar);
    return 0;
  case K_PATH:
    if (n->kind != SA_YAML_SCALAR) return bad_value(L, n, dotted, "a file path");
    return resolve_path(L, n, dotted, dst, k->cap);
  case K_SHAPES:
  case K_NUMS: {
    int is_shape = k->type == K_SHAPES;
    const char *want = is_shape ? "a non-empty list of shapes like 16x16" : "a non-empty list of numbers";
    if (n->kind != SA_YAML_SEQ || n->n == 0) return bad_value(L, n, dotted, want);
    if (n->n > k->cap)
      return sa_err_set(L->e, "%s:%d:%d: key '%s': at most %zu entries allowed, got %zu",
                        n->file, n->line, n->col, dotted, k->cap, n->n);
    for (size_t i = 0; i < n->n; i++) {
      const sa_yaml_node *it = n->items[i];
      if (is_shape) {
        sa_shape s;
        if (it->kind != SA_YAML_SCALAR || sa_config_parse_shape(it->scalar, &s) ||
            s.rows < k->min || s.cols < k->min || s.rows > k->max || s.cols > k->max)
          return bad_value(L, it, dotted, "a shape RxC with R and C from 2 to 4096, like 16x16");
        ((sa_shape *)(L->base + k->off2))[i] = s;
      } else {
        double v;
        if (parse_num(L, k, it, dotted, &v)) return -1;
        ((double *)(L->base + k->off2))[i] = v;
      }
    }
    *(int *)dst = (int)n->n;
    return 0;
  }
  case K_AXES: return parse_axes(L, k, n, dotted);
  case K_SECTION: break;
  }
  SA_ASSERT(0);
}

static const char *const *key_names(const key *tbl, const char **buf, size_t cap, size_t *n) {
  *n = 0;
  for (const key *k = tbl; k->name && *n < cap; k++) buf[(*n)++] = k->name;
  return buf;
}

static int apply_map(loader *L, const key *tbl, const sa_yaml_node *map, const char *prefix,
                     int allow_include) {
  if (!map) return 0;
  if (map->kind != SA_YAML_MAP)
    return sa_err_set(L->e, "%s:%d:%d: %s%s%sexpected a mapping of keys, got %s", map->file,
                      map->line, map->col, prefix[0] ? "key '" : "", prefix,
                      prefix[0] ? "': " : "", sa_yaml_kind_name(map->kind));
  for (size_t i = 0; i < map->n; i++) {
    const sa_yaml_node *kn = map->keys[i], *vn = map->items[i];
    if (allow_include && strcmp(kn->scalar, "include") == 0) continue;
    char dotted[256];
    snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", kn->scalar);
    const key *k = tbl;
    while (k->name && strcmp(k->name, kn->scalar) != 0) k++;
    if (!k->name) {
      const char *names[64];
      size_t nn;
      key_names(tbl, names, 64, &nn);
      const char *hint = sa_yaml_suggest(kn->scalar, names, nn);
      return sa_err_set(L->e, "%s:%d:%d: key '%s': unknown key%s%s%s", kn->file, kn->line,
                        kn->col, dotted, hint ? " (did you mean '" : "", hint ? hint : "",
                        hint ? "'?)" : "");
    }
    if (k->type == K_SECTION) {
      if (apply_map(L, k->sub, vn, dotted, 0)) return -1;
      continue;
    }
    if (apply_leaf(L, k, vn, dotted)) return -1;
    mark_set(L, k);
  }
  return 0;
}

static int load_doc(loader *L, const key *tbl, sa_yaml_doc *doc, int allow_include);

static int load_includes(loader *L, const key *tbl, const sa_yaml_node *root) {
  const sa_yaml_node *inc = sa_yaml_get(root, "include");
  if (!inc) return 0;
  size_t n = inc->kind == SA_YAML_SEQ ? inc->n : 1;
  for (size_t i = 0; i < n; i++) {
    const sa_yaml_node *it = inc->kind == SA_YAML_SEQ ? inc->items[i] : inc;
    if (it->kind != SA_YAML_SCALAR || !it->scalar[0])
      return bad_value(L, it, "include", "a file path or a list of file paths");
    if (L->include_depth >= MAX_INCLUDE_DEPTH)
      return sa_err_set(L->e, "%s:%d:%d: key 'include': includes nested deeper than %d (a cycle?)",
                        it->file, it->line, it->col, MAX_INCLUDE_DEPTH);
    char path[SA_PATH_MAX];
    if (resolve_path(L, it, "include", path, sizeof path)) return -1;
    sa_yaml_doc *doc;
    if (sa_yaml_load_file(path, &doc, L->e))
      return sa_err_prefix(L->e, "%s:%d:%d: key 'include'", it->file, it->line, it->col);
    L->include_depth++;
    int rc = load_doc(L, tbl, doc, 1);
    L->include_depth--;
    sa_yaml_free(doc);
    if (rc) return -1;
  }
  return 0;
}

static int load_doc(loader *L, const key *tbl, sa_yaml_doc *doc, int allow_include) {
  const sa_yaml_node *root = sa_yaml_root(doc);
  if (!root) return sa_err_set(L->e, "%s:1:1: the file is empty", sa_yaml_file(doc));
  if (root->kind != SA_YAML_MAP)
    return sa_err_set(L->e, "%s:%d:%d: expected a mapping of keys at the top level, got %s",
                      root->file, root->line, root->col, sa_yaml_kind_name(root->kind));
  if (allow_include && load_includes(L, tbl, root)) return -1;
  return apply_map(L, tbl, root, "", allow_include);
}

/* Fills every key not given from its default; a missing required key is an error. */
static int fill_defaults(loader *L, const key *tbl, const char *prefix, sa_config *cfg) {
  for (const key *k = tbl; k->name; k++) {
    char dotted[256];
    snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", k->name);
    if (k->type == K_SECTION) {
      if (fill_defaults(L, k->sub, dotted, cfg)) return -1;
      continue;
    }
    if (is_set(L, k)) continue;
    if (!k->def)
      return sa_err_set(L->e, "%s:1:1: key '%s': required key is missing (%s)", L->top_file,
                        dotted, k->doc);
    sa_yaml_doc *doc;
    if (sa_yaml_load_buffer(k->def, strlen(k->def), "<default>", &doc, L->e)) return -1; /* OOM */
    int rc = apply_leaf(L, k, sa_yaml_root(doc), dotted);
    sa_yaml_free(doc);
    SA_ASSERT(rc == 0);
    if (cfg) {
      SA_ASSERT(cfg->n_defaulted < SA_MAX_KEYS);
      snprintf(cfg->defaulted[cfg->n_defaulted++], sizeof cfg->defaulted[0], "%.63s", dotted);
    }
  }
  return 0;
}

static int load_tech(sa_config *cfg, sa_err *e) {
  char path[SA_PATH_MAX];
  snprintf(path, sizeof path, "%s", cfg->tech.path);
  sa_tech_cfg *t = &cfg->tech;
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "%s", path);
  loader L = {.base = (char *)t, .top_file = path, .e = e};
  sa_yaml_doc *doc;
  if (sa_yaml_load_file(path, &doc, e)) return sa_err_prefix(e, "%s: key 'tech'", cfg->path);
  int rc = load_doc(&L, tech_keys, doc, 0);
  sa_yaml_free(doc);
  if (rc == 0) rc = fill_defaults(&L, tech_keys, "", NULL);
  return rc;
}

/* 1 when k is one of tbl's entries (sub-tables not searched). */
static int in_table(const key *k, const key *tbl) {
  for (; tbl->name; tbl++)
    if (k == tbl) return 1;
  return 0;
}

/* Keys the integration does not read (docs/timing.md §8.6). */
static int ignored_by(const key *k, int integration) {
  if (integration == SA_INTEG_CPU_FED)
    return (in_table(k, buffer_keys) && strcmp(k->name, "acc_rows")) ||
           in_table(k, memory_keys) || in_table(k, system_keys) ||
           (in_table(k, host_keys) && !strcmp(k->name, "command_cycles"));
  if (in_table(k, cpu_fed_keys)) return 1;
  for (const key *w = walk_keys; w->name; w++)
    if (in_table(k, w->sub)) return 1;
  return 0;
}

/* Sets key (named where in messages) from text; see sa_config_set. */
static int set_key(sa_config *cfg, const char *dotted, const char *where, const char *text,
                   const char *file, int line, int col, sa_err *e) {
  const key *k = find_key(root_keys, dotted);
  if (!is_scalar(k))
    return sa_err_set(e, "%s:%d:%d: key '%s': not a configuration key that takes one value",
                      file, line, col, where);
  sa_yaml_node n;
  memset(&n, 0, sizeof n);
  n.kind = SA_YAML_SCALAR;
  n.file = file;
  n.line = line;
  n.col = col;
  n.scalar = (char *)text;
  loader L = {.base = (char *)cfg, .top_file = file, .e = e};
  if (apply_leaf(&L, k, &n, where)) return -1;
  for (int i = 0; i < cfg->n_defaulted; i++)
    if (!strcmp(cfg->defaulted[i], dotted)) {
      memmove(cfg->defaulted[i], cfg->defaulted[i + 1],
              (size_t)(cfg->n_defaulted - i - 1) * sizeof cfg->defaulted[0]);
      cfg->n_defaulted--;
      break;
    }
  if (strcmp(dotted, "tech")) return 0;
  if (load_tech(cfg, e)) return sa_err_prefix(e, "%s:%d:%d: key '%s'", file, line, col, where);
  return 0;
}

int sa_config_set(sa_config *cfg, const char *key, const char *text, const char *file, int line,
                  int col, sa_err *e) {
  return set_key(cfg, key, key, text, file, line, col, e);
}

/* Every value of every sweep axis must be one the key accepts: tried on a scratch copy. */
static int check_axes(const sa_config *cfg, sa_err *e) {
  if (cfg->sweep.n_axes == 0) return 0;
  sa_config *tmp = malloc(sizeof *tmp);
  if (!tmp) return sa_err_set(e, "out of memory");
  int rc = 0;
  for (int a = 0; a < cfg->sweep.n_axes && !rc; a++) {
    const sa_axis *ax = &cfg->sweep.axes[a];
    char where[128];
    snprintf(where, sizeof where, "sweep.axes.%s", ax->key);
    for (int v = 0; v < ax->n_values && !rc; v++) {
      *tmp = *cfg;
      rc = set_key(tmp, ax->key, where, ax->values[v], ax->file, ax->vline[v], ax->vcol[v], e);
    }
  }
  free(tmp);
  return rc;
}

/* The given (not defaulted) leaves of tbl that the integration ignores, in schema order. */
static void collect_ignored(const key *tbl, const char *prefix, sa_config *cfg) {
  for (const key *k = tbl; k->name; k++) {
    char dotted[64];
    snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", k->name);
    if (k->type == K_SECTION) collect_ignored(k->sub, dotted, cfg);
    else if (ignored_by(k, cfg->hw.integration) && !sa_config_was_defaulted(cfg, dotted) &&
             cfg->n_ignored < SA_MAX_KEYS)
      snprintf(cfg->ignored[cfg->n_ignored++], sizeof cfg->ignored[0], "%s", dotted);
  }
}

int sa_config_validate(sa_config *cfg, const char *where, sa_err *e) {
  if (!where) where = cfg->path;
  cfg->n_ignored = 0;
  collect_ignored(root_keys, "", cfg);
  if (cfg->hw.integration == SA_INTEG_DMA && cfg->hw.act_type != SA_ACT_INT8)
    return sa_err_set(e, "%s: key 'array.act_type': %s activations are modelled for integration "
                      "cpu_fed only (the dma memory model moves int8 activations)", where,
                      act_types[cfg->hw.act_type]);
  const int act_bits = cfg->hw.act_type == SA_ACT_FP32 ? 32 : 8;
  if (cfg->hw.integration == SA_INTEG_CPU_FED && cfg->hw.bus_bits % act_bits)
    return sa_err_set(e, "%s: key 'cpu_fed.bus_bits': %lld must be a multiple of the %d-bit "
                      "activations (array.act_type %s)", where, (long long)cfg->hw.bus_bits,
                      act_bits, act_types[cfg->hw.act_type]);
  return 0;
}

static int finish(loader *L, sa_config *cfg, sa_err *e) {
  if (fill_defaults(L, root_keys, "", cfg)) return -1;
  /* the workload is a manifest or a SCALE-Sim topology: exactly one */
  const sa_workload_cfg *w = &cfg->workload;
  if (!w->manifest[0] && !w->topology[0])
    return sa_err_set(e, "%s:1:1: key 'workload.manifest': required key is missing (the model "
                      "manifest; or workload.topology: a SCALE-Sim topology CSV)", L->top_file);
  if (w->manifest[0] && w->topology[0])
    return sa_err_set(e, "%s: keys 'workload.manifest' and 'workload.topology': give one, not "
                      "both (workload.manifest: \"\" overrides an included manifest)", cfg->path);
  if (sa_config_validate(cfg, NULL, e)) return -1;
  for (int i = 0; i < cfg->sweep.n_shapes; i++)
    for (int j = 0; j < i; j++)
      if (cfg->sweep.shapes[i].rows == cfg->sweep.shapes[j].rows &&
          cfg->sweep.shapes[i].cols == cfg->sweep.shapes[j].cols)
        return sa_err_set(e, "%s: key 'sweep.arrays': shape %lldx%lld listed twice", cfg->path,
                          (long long)cfg->sweep.shapes[i].rows,
                          (long long)cfg->sweep.shapes[i].cols);
  if (cfg->prune.calibration[0] && !strcmp(cfg->prune.calibration, cfg->workload.testset))
    return sa_err_set(e, "%s: key 'prune.calibration': %s is the test set (workload.testset); "
                      "statistics and reconstruction must not see test data (use a calibration "
                      "set, e.g. workloads/asr/calib)", cfg->path, cfg->prune.calibration);
  if (load_tech(cfg, e)) return -1;
  return check_axes(cfg, e);
}

int sa_config_load(const char *path, sa_config *cfg, sa_err *e) {
  memset(cfg, 0, sizeof *cfg);
  if (strlen(path) >= sizeof cfg->path) return sa_err_set(e, "%s: path too long", path);
  strcpy(cfg->path, path);
  loader L = {.base = (char *)cfg, .top_file = path, .e = e};
  sa_yaml_doc *doc;
  if (sa_yaml_load_file(path, &doc, e)) return -1;
  int rc = load_doc(&L, root_keys, doc, 1);
  sa_yaml_free(doc);
  return rc ? rc : finish(&L, cfg, e);
}

int sa_config_load_buffer(const char *buf, size_t len, const char *name, const char *dir,
                          sa_config *cfg, sa_err *e) {
  memset(cfg, 0, sizeof *cfg);
  char fake[SA_PATH_MAX];
  snprintf(fake, sizeof fake, "%s/%s", dir, name);
  snprintf(cfg->path, sizeof cfg->path, "%s", fake);
  loader L = {.base = (char *)cfg, .top_file = fake, .e = e};
  sa_yaml_doc *doc;
  if (sa_yaml_load_buffer(buf, len, fake, &doc, e)) return -1;
  int rc = load_doc(&L, root_keys, doc, 1);
  sa_yaml_free(doc);
  return rc ? rc : finish(&L, cfg, e);
}

int sa_config_check_ignored(const sa_config *cfg, int strict, FILE *warn, sa_err *e) {
  const char *integ = integrations[cfg->hw.integration];
  if (strict && cfg->n_ignored)
    return sa_err_set(e, "%s: key '%s' is ignored by integration %s (--strict)", cfg->path,
                      cfg->ignored[0], integ);
  for (int i = 0; warn && i < cfg->n_ignored; i++)
    fprintf(warn, "%s: warning: key '%s' is ignored by integration %s\n", cfg->path,
            cfg->ignored[i], integ);
  return 0;
}

int sa_config_was_defaulted(const sa_config *cfg, const char *k) {
  for (int i = 0; i < cfg->n_defaulted; i++)
    if (strcmp(cfg->defaulted[i], k) == 0) return 1;
  return 0;
}

/* ---- writing ---- */

typedef struct emitter {
  FILE *f;     /* YAML when set */
  sa_json *j;  /* JSON when set */
  const sa_config *cfg;
} emitter;

/* Appends a YAML scalar, quoted when plain style would change its meaning. */
static size_t put_scalar(char *buf, size_t len, size_t used, const char *v) {
  int plain = v[0] && !strpbrk(v, ",[]{}:#\"'\\ &*!|>%@`") && v[0] != '-';
  if (used >= len) return used;
  if (plain) return used + (size_t)snprintf(buf + used, len - used, "%s", v);
  used += (size_t)snprintf(buf + used, len - used, "\"");
  for (const char *p = v; *p && used < len; p++)
    used += (size_t)snprintf(buf + used, len - used, "%s%c", *p == '"' || *p == '\\' ? "\\" : "",
                             *p);
  if (used < len) used += (size_t)snprintf(buf + used, len - used, "\"");
  return used;
}

static void format_value(const key *k, const char *base, char *buf, size_t len) {
  const void *p = base + k->off;
  size_t used = 0;
  switch (k->type) {
  case K_INT: snprintf(buf, len, "%lld", (long long)*(const int64_t *)p); break;
  case K_NUM: snprintf(buf, len, "%.17g", *(const double *)p); break;
  case K_ENUM: snprintf(buf, len, "%s", k->choices[*(const int *)p]); break;
  case K_STR:
  case K_PATH: snprintf(buf, len, "\"%s\"", (const char *)p); break;
  case K_SHAPES:
  case K_NUMS: {
    int n = *(const int *)p;
    used += snprintf(buf, len, "[");
    for (int i = 0; i < n && used < len; i++) {
      if (k->type == K_SHAPES) {
        const sa_shape *s = (const sa_shape *)(base + k->off2) + i;
        used += snprintf(buf + used, len - used, "%s%lldx%lld", i ? ", " : "",
                         (long long)s->rows, (long long)s->cols);
      } else {
        used += snprintf(buf + used, len - used, "%s%.17g", i ? ", " : "",
                         ((const double *)(base + k->off2))[i]);
      }
    }
    if (used < len) snprintf(buf + used, len - used, "]");
    break;
  }
  case K_AXES: {
    int n = *(const int *)p;
    const sa_axis *ax = (const sa_axis *)(base + k->off2);
    used += (size_t)snprintf(buf, len, "{");
    for (int i = 0; i < n && used < len; i++) {
      used += (size_t)snprintf(buf + used, len - used, "%s%s: [", i ? ", " : "", ax[i].key);
      for (int v = 0; v < ax[i].n_values && used < len; v++) {
        if (v && used < len) used += (size_t)snprintf(buf + used, len - used, ", ");
        used = put_scalar(buf, len, used, ax[i].values[v]);
      }
      if (used < len) used += (size_t)snprintf(buf + used, len - used, "]");
    }
    if (used < len) snprintf(buf + used, len - used, "}");
    break;
  }
  case K_SECTION: buf[0] = 0; break;
  }
}

static void emit(emitter *em, const key *tbl, const char *base, const char *prefix, int depth) {
  for (const key *k = tbl; k->name; k++) {
    char dotted[256];
    snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", k->name);
    if (em->f) fprintf(em->f, "%*s%s:", depth * 2, "", k->name);
    if (em->j) sa_json_key(em->j, k->name);
    if (k->type == K_SECTION) {
      if (em->f) fputc('\n', em->f);
      if (em->j) sa_json_obj(em->j);
      emit(em, k->sub, base, dotted, depth + 1);
      if (em->j) sa_json_end(em->j);
      continue;
    }
    char val[SA_MAX_AXES * SA_MAX_AXIS_VALUES * (SA_AXIS_VALUE_MAX + 4) + 1024];
    format_value(k, base, val, sizeof val);
    int dflt = em->cfg && sa_config_was_defaulted(em->cfg, dotted);
    if (em->f) fprintf(em->f, " %s%s\n", val, dflt ? "  # default" : "");
    if (!em->j) continue;
    const void *p = base + k->off;
    switch (k->type) {
    case K_INT: sa_json_int(em->j, *(const int64_t *)p); break;
    case K_NUM: sa_json_num(em->j, *(const double *)p); break;
    case K_ENUM: sa_json_str(em->j, k->choices[*(const int *)p]); break;
    case K_STR:
    case K_PATH: sa_json_str(em->j, (const char *)p); break;
    case K_SHAPES:
    case K_NUMS:
      sa_json_arr(em->j);
      for (int i = 0; i < *(const int *)p; i++) {
        if (k->type == K_NUMS) {
          sa_json_num(em->j, ((const double *)(base + k->off2))[i]);
        } else {
          const sa_shape *s = (const sa_shape *)(base + k->off2) + i;
          char sh[64];
          snprintf(sh, sizeof sh, "%lldx%lld", (long long)s->rows, (long long)s->cols);
          sa_json_str(em->j, sh);
        }
      }
      sa_json_end(em->j);
      break;
    case K_AXES: {
      const sa_axis *ax = (const sa_axis *)(base + k->off2);
      sa_json_obj(em->j);
      for (int i = 0; i < *(const int *)p; i++) {
        sa_json_key(em->j, ax[i].key);
        sa_json_arr(em->j);
        for (int v = 0; v < ax[i].n_values; v++) sa_json_str(em->j, ax[i].values[v]);
        sa_json_end(em->j);
      }
      sa_json_end(em->j);
      break;
    }
    case K_SECTION: break;
    }
  }
}

void sa_config_write_yaml(const sa_config *cfg, FILE *f) {
  emitter em = {.f = f, .cfg = cfg};
  fprintf(f, "# resolved configuration of %s (\"# default\": not given, default used)\n",
          cfg->path);
  emit(&em, root_keys, (const char *)cfg, "", 0);
  fprintf(f, "# technology table %s\ntech_table:\n", cfg->tech.path);
  emitter et = {.f = f};
  emit(&et, tech_keys, (const char *)&cfg->tech, "", 1);
}

void sa_config_write_json(const sa_config *cfg, sa_json *j) {
  emitter em = {.j = j, .cfg = cfg};
  sa_json_obj(j);
  emit(&em, root_keys, (const char *)cfg, "", 0);
  sa_json_key(j, "tech_table");
  sa_json_obj(j);
  emitter et = {.j = j};
  emit(&et, tech_keys, (const char *)&cfg->tech, "", 0);
  sa_json_end(j);
  sa_json_key(j, "defaulted");
  sa_json_arr(j);
  for (int i = 0; i < cfg->n_defaulted; i++) sa_json_str(j, cfg->defaulted[i]);
  sa_json_end(j);
  sa_json_end(j);
}

static const char *type_name(const key *k) {
  switch (k->type) {
  case K_INT: return "integer";
  case K_NUM: return "number";
  case K_ENUM: return "choice";
  case K_STR: return "string";
  case K_PATH: return "path";
  case K_SHAPES: return "list of RxC";
  case K_NUMS: return "list of numbers";
  case K_AXES: return "map: key → list";
  case K_SECTION: return "section";
  }
  return "?";
}

static void doc_table(FILE *f, const key *tbl, const char *prefix) {
  fprintf(f, "| key | type | unit | range / choices | default | meaning |\n");
  fprintf(f, "|---|---|---|---|---|---|\n");
  for (const key *k = tbl; k->name; k++) {
    if (k->type == K_SECTION) continue;
    char range[256] = "";
    if (k->type == K_INT || k->type == K_NUM || k->type == K_NUMS || k->type == K_SHAPES)
      snprintf(range, sizeof range, "%g … %g", k->min, k->max);
    if (k->type == K_AXES)
      snprintf(range, sizeof range, "any key taking one value; ≤ %d keys × %d values",
               SA_MAX_AXES, SA_MAX_AXIS_VALUES);
    if (k->type == K_ENUM)
      for (int i = 0; k->choices[i]; i++) {
        strncat(range, i ? ", " : "", sizeof range - strlen(range) - 1);
        strncat(range, k->choices[i], sizeof range - strlen(range) - 1);
      }
    fprintf(f, "| `%s%s%s` | %s | %s | %s | %s | %s |\n", prefix, prefix[0] ? "." : "",
            k->name, type_name(k), k->unit[0] ? k->unit : "–", range[0] ? range : "–",
            k->def ? k->def : "**required**", k->doc);
  }
  for (const key *k = tbl; k->name; k++) {
    if (k->type != K_SECTION) continue;
    char dotted[128];
    snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", k->name);
    fprintf(f, "\n### `%s` — %s\n\n", dotted, k->doc);
    doc_table(f, k->sub, dotted);
  }
}

int sa_config_key_range(const char *dotted, double *lo, double *hi) {
  const key *ks = root_keys;
  const char *p = dotted;
  for (;;) {
    size_t n = strcspn(p, ".");
    const key *k = NULL;
    for (const key *q = ks; q->name && !k; q++)
      if (strlen(q->name) == n && !strncmp(q->name, p, n)) k = q;
    if (!k) return -1;
    if (!p[n]) {
      if (k->type == K_SECTION || k->type == K_ENUM || k->type == K_STR || k->type == K_PATH)
        return -1;
      *lo = k->min;
      *hi = k->max;
      return 0;
    }
    if (k->type != K_SECTION) return -1;
    ks = k->sub;
    p += n + 1;
  }
}

void sa_config_write_doc(FILE *f) {
  fprintf(f,
          "# Configuration reference\n\n"
          "Generated by `sasp config --doc` from the schema in `sim/config/sa_config.c`; a test keeps it "
          "in step.\n\n"
          "A configuration is one YAML file. `include: FILE` (or a list of files) loads presets "
          "first; keys in the including file override them. Relative paths are resolved from the "
          "file that names them. Unknown keys, wrong types and out-of-range values are errors "
          "reported as `FILE:LINE:COL: key 'a.b': …`. Keys not given take the default shown here "
          "and are marked `# default` in the resolved configuration written with every result.\n\n"
          "## Run configuration\n\n");
  doc_table(f, root_keys, "");
  fprintf(f, "\n## Technology table (`configs/tech/*.yaml`)\n\n"
             "Loaded from the file named by `tech`. Every number cites its source in the file.\n\n");
  doc_table(f, tech_keys, "");
}

static const char *enum_name(const char *const *names, int v, int n) {
  return v >= 0 && v < n ? names[v] : "?";
}
const char *sa_config_integration_name(int v) { return enum_name(integrations, v, 2); }
const char *sa_config_act_type_name(int v) { return enum_name(act_types, v, 2); }
const char *sa_config_skip_format_name(int v) { return enum_name(skip_formats, v, SA_SKIP_COUNT); }
const char *sa_config_criterion_name(int v) { return enum_name(criteria, v, SA_CRIT_COUNT); }
const char *sa_config_scope_name(int v) { return enum_name(scopes, v, 3); }
const char *sa_config_threshold_name(int v) { return enum_name(thresholds, v, SA_THRESH_COUNT); }
const char *sa_config_compensation_name(int v) { return enum_name(compensations, v, SA_COMP_COUNT); }
