/* sa_config: the validated configuration of one sasp run (hardware, technology, host,
 * workload, pruning and sweep), parsed once from YAML with libyaml.
 * Every key is typed and range-checked against the schema in sa_config.c; values that
 * were not given are defaulted and remembered, so reports can say which ones were. */
#ifndef SA_CONFIG_H
#define SA_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "sa_err.h"
#include "sa_json.h"
#include "sa_prune.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SA_PATH_MAX = 1024, SA_MAX_SHAPES = 64, SA_MAX_RATES = 101, SA_MAX_KEYS = 160 };
/* sweep.axes: at most SA_MAX_AXES keys of SA_MAX_AXIS_VALUES values each, every value's text
 * shorter than SA_AXIS_VALUE_MAX bytes. */
enum { SA_MAX_AXES = 8, SA_MAX_AXIS_VALUES = 16, SA_AXIS_VALUE_MAX = 256 };

typedef enum { SA_INTEG_DMA, SA_INTEG_CPU_FED } sa_integration;
typedef enum { SA_ACT_INT8, SA_ACT_FP32 } sa_act_type;
/* cpu_fed skip encodings (docs/timing.md §8.3): the reference system's Format values plus
 * sasp's bitmap (walked for free, the old idealisation). */
typedef enum {
  SA_SKIP_INTERLEAVED,
  SA_SKIP_WITH_FLAG,
  SA_SKIP_META_DATA,
  SA_SKIP_HIDDEN_KEY,
  SA_SKIP_CSR,
  SA_SKIP_CSC,
  SA_SKIP_DYNAMIC,
  SA_SKIP_NON_PRUNED,
  SA_SKIP_BITMAP,
  SA_SKIP_COUNT
} sa_skip_format;
typedef enum { SA_DATAFLOW_WS } sa_dataflow;
typedef enum { SA_RTL_ALL, SA_RTL_SAMPLE, SA_RTL_OFF } sa_rtl_check;
typedef enum { SA_ARB_ROUND_ROBIN, SA_ARB_FIXED } sa_arbitration;

typedef struct sa_shape {
  int64_t rows, cols;
} sa_shape;

typedef struct sa_hw_cfg {
  int64_t rows, cols;           /* PE array R x C */
  int dataflow;                 /* sa_dataflow */
  int act_type;                 /* sa_act_type: activations int8 or fp32 (weights int8) */
  double clock_mhz;             /* accelerator clock */
  int integration;              /* sa_integration */
  double weight_buf_kib;        /* on-chip buffers, each double-buffered */
  double act_buf_kib;
  double out_buf_kib;
  int64_t acc_rows;             /* max GEMM rows M per command (accumulator depth) */
  double dram_bytes_per_cycle;  /* DRAM bandwidth in accelerator cycles */
  int64_t dram_latency_cycles;
  /* cpu_fed integration: the host feeds the array through custom instructions
   * (docs/timing.md §8); instruction costs in host cycles */
  int64_t bus_bits;             /* CPU-array bus width */
  int skip_format;              /* sa_skip_format */
  int64_t instr_write_weights;  /* one weight-write instruction (bus_bits/8 weights) */
  int64_t instr_queue;          /* one queue instruction (one bus word in, one out) */
  int64_t instr_stream;         /* one stream instruction (one bus word in, one out, a step) */
  double loop_weight;           /* issuing-code overhead per weight-write instruction */
  double loop_stream;           /* issuing-code overhead per queue/stream instruction */
  double add_int8;              /* software add of one returned int8 output element */
  double add_fp32;              /* ... of one fp32 output element */
  /* walking the skip encoding, per format (sa_skip_format): a column (csr: row) header, a
   * tile tested, a weight word scanned (dynamic) */
  double walk_strip[SA_SKIP_COUNT], walk_tile[SA_SKIP_COUNT], walk_word;
} sa_hw_cfg;

typedef struct sa_host_cfg {
  double clock_mhz;
  /* host cycles per element for the non-GEMM work of a transformer */
  double layernorm, softmax, gelu, relu, add, quantize, dequantize, argmax, attn_mac, conv_pad;
  double gemm_mac;              /* host-only execution: cycles per MAC of a weight GEMM */
  double command_cycles;        /* dma: host cycles to issue one command and see it done */
} sa_host_cfg;

typedef struct sa_system_cfg {  /* SystemC system model */
  double bus_bytes_per_cycle;
  int64_t bus_latency_cycles;
  int arbitration;              /* sa_arbitration */
  int64_t dram_banks;
} sa_system_cfg;

typedef struct sa_tech_cfg {
  char path[SA_PATH_MAX];
  char name[128];
  double node_nm;
  /* energy per action, pJ */
  double e_mac_int8;            /* one int8 x int8 multiply + int32 accumulate */
  double e_mac_fp32;            /* one fp32 x int8 multiply + fp32 accumulate */
  double e_reg_byte;            /* one byte written to a pipeline register */
  double e_sram_byte_8kib;      /* one byte read/written in an 8 KiB SRAM */
  double sram_size_exponent;    /* SRAM energy/byte scales as (size / 8 KiB)^exponent */
  double e_dram_byte;
  double e_leak_pe_cycle;       /* leakage per PE per cycle */
  double e_clock_pe_cycle;      /* clock tree per PE per cycle */
  double e_host_cycle;          /* host CPU energy per busy cycle */
  /* area, um^2 */
  double a_pe;                  /* int8 x int8 PE */
  double a_pe_fp32;             /* fp32 x int8 PE */
  double a_sram_byte;
  double a_controller;
} sa_tech_cfg;

typedef struct sa_workload_cfg {
  char manifest[SA_PATH_MAX];   /* workloads/<model>/manifest.yaml; "" when topology */
  char topology[SA_PATH_MAX];   /* SCALE-Sim topology CSV; "" when manifest */
  int64_t topology_seed;        /* seed of the topology's synthetic weights */
  char testset[SA_PATH_MAX];    /* test-set directory; empty: no WER */
  int64_t max_utts;             /* 0 = whole test set */
} sa_workload_cfg;

typedef struct sa_prune_cfg {
  int criterion;                /* sa_criterion */
  int scope;                    /* sa_scope */
  int threshold;                /* sa_threshold */
  double layer_cap;             /* max fraction of one layer's tiles pruned */
  double rate;                  /* fraction of selected tiles pruned */
  int compensation;             /* sa_compensation */
  double damping;               /* obs, lsq: x mean diag H */
  char calibration[SA_PATH_MAX];/* calibration set directory; empty: none */
  char statistics[SA_PATH_MAX]; /* statistics file; empty: measured on calibration */
} sa_prune_cfg;

/* One sweep axis: a configuration key and the values it takes (YAML scalar text as written;
 * paths are resolved against `file`, the file that gave the axis). */
typedef struct sa_axis {
  char key[64];                 /* dotted key, e.g. "prune.criterion" */
  int n_values;
  char values[SA_MAX_AXIS_VALUES][SA_AXIS_VALUE_MAX];
  char file[SA_PATH_MAX];       /* where the axis was given (for messages and paths) */
  int line, col;                /* of the key */
  int vline[SA_MAX_AXIS_VALUES], vcol[SA_MAX_AXIS_VALUES]; /* of each value */
} sa_axis;

typedef struct sa_sweep_cfg {
  int n_shapes;
  sa_shape shapes[SA_MAX_SHAPES];
  int n_rates;
  double rates[SA_MAX_RATES];
  int rtl_check;                /* sa_rtl_check */
  int64_t rtl_sample;           /* GEMMs checked per point when rtl_check = sample */
  int64_t seed;
  int n_axes;                   /* strategy axes: the grid is arrays x rates x their product */
  sa_axis axes[SA_MAX_AXES];
} sa_sweep_cfg;

typedef struct sa_config {
  char path[SA_PATH_MAX];       /* the file given on the command line */
  sa_hw_cfg hw;
  sa_host_cfg host;
  sa_system_cfg system;
  sa_tech_cfg tech;
  sa_workload_cfg workload;
  sa_prune_cfg prune;
  sa_sweep_cfg sweep;
  int n_defaulted;
  char defaulted[SA_MAX_KEYS][64]; /* dotted names of keys that took their default */
  int n_ignored;
  char ignored[SA_MAX_KEYS][64];   /* dotted names of keys given but unused by the integration */
} sa_config;

/* Loads and validates path (following include: chains) into cfg. Returns 0, or -1 with
 * "FILE:LINE:COL: key 'a.b': problem" in e. */
int sa_config_load(const char *path, sa_config *cfg, sa_err *e);

/* Loads a configuration from a YAML buffer (for tests and fuzzing); include: paths are
 * resolved relative to dir. */
int sa_config_load_buffer(const char *buf, size_t len, const char *name, const char *dir,
                          sa_config *cfg, sa_err *e);

/* The rules between keys, checked after every value is known: dma moves int8 activations
 * only; under cpu_fed, cpu_fed.bus_bits is a multiple of the activation width. Recomputes
 * cfg->ignored (the given, i.e. not defaulted, keys the integration ignores; schema order),
 * so it also serves a configuration changed by sa_config_set (a sweep axis' combination).
 * Messages read "WHERE: key 'a.b': problem" (where NULL: cfg->path). Returns 0 or -1. */
int sa_config_validate(sa_config *cfg, const char *where, sa_err *e);

/* Keys given in the file(s) that the chosen integration does not use (cpu_fed: buffers.*_kib,
 * memory.*, host.command_cycles; dma: cpu_fed.*): strict = 0 writes one warning line per key
 * to warn ("FILE: warning: key 'a.b' is ignored by integration X") and returns 0; strict = 1
 * returns -1 with the first such key in e. */
int sa_config_check_ignored(const sa_config *cfg, int strict, FILE *warn, sa_err *e);

/* Sets the dotted leaf key of cfg to the YAML scalar text, parsed and checked by the schema
 * exactly as in a file (type, range, choices; a path relative to the directory of file; the
 * key 'tech' reloads the technology table). file/line/col say where the text came from.
 * Lists, sections and unknown keys are refused. Returns 0, or -1 with
 * "FILE:LINE:COL: key 'a.b': problem" in e (cfg may then be partly changed). */
int sa_config_set(sa_config *cfg, const char *key, const char *text, const char *file, int line,
                  int col, sa_err *e);

/* 1 when key names a scalar leaf of the schema (what sa_config_set and sweep.axes accept). */
int sa_config_is_scalar_key(const char *key);

/* 1 when the dotted key took its default value. */
int sa_config_was_defaulted(const sa_config *cfg, const char *key);

/* Writes the resolved configuration as YAML, each defaulted value marked "# default". */
void sa_config_write_yaml(const sa_config *cfg, FILE *f);

/* Writes the resolved configuration as a JSON object value (the caller wrote the key). */
void sa_config_write_json(const sa_config *cfg, sa_json *j);

/* Writes docs/config.md: every key with type, unit, range and default. */
void sa_config_write_doc(FILE *f);

/* Names for enum values. */
const char *sa_config_integration_name(int v);
const char *sa_config_act_type_name(int v);
const char *sa_config_skip_format_name(int v);
const char *sa_config_criterion_name(int v);
const char *sa_config_scope_name(int v);
const char *sa_config_threshold_name(int v);
const char *sa_config_compensation_name(int v);

/* The accepted range of the numeric key dotted ("prune.rate", "array.rows"; for the lists
 * sweep.arrays and sweep.rates: of each element), so that command-line flags accept exactly
 * what the configuration does. Returns 0, or -1 when there is no such numeric key. */
int sa_config_key_range(const char *dotted, double *lo, double *hi);

/* Parses "RxC" (e.g. "16x8") into s. Returns 0 or -1. */
int sa_config_parse_shape(const char *text, sa_shape *s);

#ifdef __cplusplus
}
#endif

#endif
