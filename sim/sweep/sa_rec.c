/* sa_rec: column schema of points.csv and one point's formatted result. */
#include "sa_rec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sa_err.h"
#include "sa_sweep.h"

const char *const sa_rec_stage_names[SA_N_STAGES] = {"grid", "prune", "cycle", "wer", "rtl"};

/* Each column belongs to the stage that fills it; a stage that is unavailable leaves its
 * columns empty and says why in summary.json. */
const sa_rec_column sa_rec_columns[SA_N_COLS] = {
    [SA_COL_ROWS] = {"rows", SA_STAGE_GRID, "PEs", "array rows R (tile height along K)"},
    [SA_COL_COLS] = {"cols", SA_STAGE_GRID, "PEs", "array columns C (tile width along N)"},
    [SA_COL_RATE] = {"rate", SA_STAGE_GRID, "fraction",
                     "pruning rate requested (fraction of the in-scope tiles)"},
    [SA_COL_RATE_ACH] = {"rate_achieved", SA_STAGE_PRUNE, "fraction",
                         "tiles pruned / in-scope tiles (below rate when layer caps bind)"},
    [SA_COL_CRIT] = {"criterion", SA_STAGE_GRID, "", "tile score (mean_abs, l2, act_aware)"},
    [SA_COL_SCOPE] = {"scope", SA_STAGE_GRID, "", "layers pruned (ff, attn, all)"},
    [SA_COL_ARRAY_CYC] = {"array_cycles", SA_STAGE_CYCLE, "accelerator cycles",
                          "array busy cycles of one inference (all GEMM commands)"},
    [SA_COL_SYS_CYC] = {"system_cycles", SA_STAGE_CYCLE, "host cycles",
                        "end-to-end cycles of one inference: host work, transfers and array"},
    [SA_COL_SPD_DENSE] = {"speedup_dense", SA_STAGE_CYCLE, "x",
                          "system cycles of the dense model on the same array / this point's"},
    [SA_COL_SPD_HOST] = {"speedup_host", SA_STAGE_CYCLE, "x",
                         "system cycles of host-only execution (no accelerator) / this point's"},
    [SA_COL_ENERGY] = {"energy_pj", SA_STAGE_CYCLE, "pJ",
                       "energy of one inference (all components)"},
    [SA_COL_ENERGY_RATIO] = {"energy_ratio", SA_STAGE_CYCLE, "x",
                             "energy / energy of the dense model on the same array"},
    [SA_COL_AREA] = {"area_mm2", SA_STAGE_CYCLE, "mm^2",
                     "accelerator area (PEs, buffers, controller)"},
    [SA_COL_WER] = {"wer", SA_STAGE_WER, "%",
                    "word error rate of the pruned model on the test set (int8 weights; "
                    "activations as array.act_type: wer_engine)"},
    [SA_COL_WER_LO] = {"wer_lo", SA_STAGE_WER, "%",
                       "bootstrap 95 % confidence interval, lower end"},
    [SA_COL_WER_HI] = {"wer_hi", SA_STAGE_WER, "%",
                       "bootstrap 95 % confidence interval, upper end"},
    [SA_COL_RTL] = {"rtl_check", SA_STAGE_RTL, "",
                    "RTL co-simulation of the point's GEMMs: pass, fail or skipped"},
    [SA_COL_THRESH] = {"threshold", SA_STAGE_GRID, "", "threshold mode (global, per_layer)"},
    [SA_COL_INTEG] = {"integration", SA_STAGE_GRID, "", "how the array is fed (dma, cpu_fed)"},
    [SA_COL_TECH] = {"tech", SA_STAGE_GRID, "", "technology table name"},
    [SA_COL_TILES_TOTAL] = {"tiles_total", SA_STAGE_PRUNE, "tiles",
                           "weight tiles (R x C blocks of the weights) of all layers, once per layer"},
    [SA_COL_TILES_SEL] = {"tiles_selected", SA_STAGE_PRUNE, "tiles",
                          "weight tiles of the in-scope layers"},
    [SA_COL_TILES_PRUNED] = {"tiles_pruned", SA_STAGE_PRUNE, "tiles",
                             "weight tiles pruned (skipped by every command of their layer)"},
    [SA_COL_ACCEL_CYC] = {"accel_cycles", SA_STAGE_CYCLE, "accelerator cycles",
                          "array cycles plus memory stalls (dma); = array_cycles for cpu_fed"},
    [SA_COL_STALL_CYC] = {"stall_cycles", SA_STAGE_CYCLE, "accelerator cycles",
                          "cycles the array waited for weights, activations or output write-back"},
    [SA_COL_DENSE_SYS] = {"dense_system_cycles", SA_STAGE_CYCLE, "host cycles",
                          "system cycles of the dense model on the same array"},
    [SA_COL_HOST_ONLY] = {"host_only_cycles", SA_STAGE_CYCLE, "host cycles",
                          "cycles of the same inference on the host alone (no accelerator)"},
    [SA_COL_HOST_OPS] = {"host_ops_cycles", SA_STAGE_CYCLE, "host cycles",
                         "non-GEMM host work (LayerNorm, softmax, attention products, ...)"},
    [SA_COL_SECONDS] = {"latency_ms", SA_STAGE_CYCLE, "ms", "system cycles / host clock"},
    [SA_COL_UTIL] = {"utilization", SA_STAGE_CYCLE, "fraction",
                     "useful MACs / (rows x cols x array_cycles)"},
    [SA_COL_E_MAC] = {"energy_mac_pj", SA_STAGE_CYCLE, "pJ", "int8 MACs"},
    [SA_COL_E_REG] = {"energy_reg_pj", SA_STAGE_CYCLE, "pJ", "PE pipeline registers"},
    [SA_COL_E_WBUF] = {"energy_wbuf_pj", SA_STAGE_CYCLE, "pJ", "weight scratchpad"},
    [SA_COL_E_ABUF] = {"energy_abuf_pj", SA_STAGE_CYCLE, "pJ", "activation scratchpad"},
    [SA_COL_E_OBUF] = {"energy_obuf_pj", SA_STAGE_CYCLE, "pJ", "output/accumulator buffer"},
    [SA_COL_E_DRAM] = {"energy_dram_pj", SA_STAGE_CYCLE, "pJ", "DRAM traffic"},
    [SA_COL_E_LEAK] = {"energy_leak_pj", SA_STAGE_CYCLE, "pJ", "PE leakage"},
    [SA_COL_E_CLOCK] = {"energy_clock_pj", SA_STAGE_CYCLE, "pJ", "PE clock tree"},
    [SA_COL_E_HOST] = {"energy_host_pj", SA_STAGE_CYCLE, "pJ", "host CPU busy cycles"},
    [SA_COL_A_PE] = {"area_pe_mm2", SA_STAGE_CYCLE, "mm^2", "PE array area"},
    [SA_COL_A_BUF] = {"area_buf_mm2", SA_STAGE_CYCLE, "mm^2", "on-chip buffer area"},
    [SA_COL_A_CTRL] = {"area_ctrl_mm2", SA_STAGE_CYCLE, "mm^2", "controller area"},
    [SA_COL_WER_SUB] = {"wer_sub", SA_STAGE_WER, "words", "substitutions"},
    [SA_COL_WER_INS] = {"wer_ins", SA_STAGE_WER, "words", "insertions"},
    [SA_COL_WER_DEL] = {"wer_del", SA_STAGE_WER, "words", "deletions"},
    [SA_COL_WER_WORDS] = {"wer_words", SA_STAGE_WER, "words", "reference words scored"},
    [SA_COL_WER_UTTS] = {"wer_utts", SA_STAGE_WER, "utterances", "utterances scored"},
    [SA_COL_RTL_GEMMS] = {"rtl_gemms", SA_STAGE_RTL, "GEMMs",
                          "GEMMs (manifest layers) co-simulated on the RTL"},
    [SA_COL_RTL_CYC] = {"rtl_cycles_compared", SA_STAGE_RTL, "commands",
                        "command cycle counts compared between RTL and closed form"},
    [SA_COL_RTL_VALUES] = {"rtl_values_compared", SA_STAGE_RTL, "values",
                           "int32 outputs compared between RTL and C model"},
    [SA_COL_WEIGHT_B] = {"weight_bytes", SA_STAGE_CYCLE, "bytes",
                         "stored weights of the pruned model, each layer once (cpu_fed: whole "
                         "kept tiles in the skip encoding; dma: kept tiles unpadded)"},
    [SA_COL_META_B] = {"meta_bytes", SA_STAGE_CYCLE, "bytes",
                       "skip metadata of the pruned model (cpu_fed.skip_format; dma: the "
                       "tile bitmap)"},
    [SA_COL_FOOTPRINT_B] = {"footprint_bytes", SA_STAGE_CYCLE, "bytes",
                            "weight_bytes + meta_bytes (as 'sasp sim' reports per layer)"},
    [SA_COL_WER_ENGINE] = {"wer_engine", SA_STAGE_WER, "",
                           "WER engine mode (sasp wer --mode): int8, or fp32_int8 for "
                           "array.act_type fp32"},
    [SA_COL_RTL_WORK] = {"rtl_work", SA_STAGE_RTL, "",
                         "content key of the RTL check's inputs (array, integration, GEMMs, "
                         "int8 weights, masks, activation seed): points with equal keys did "
                         "byte-identical RTL work, co-simulated once per sweep run"},
};

int sa_sweep_n_columns(void) { return SA_N_COLS; }
const char *sa_sweep_column_name(int i) {
  return i >= 0 && i < SA_N_COLS ? sa_rec_columns[i].name : NULL;
}
const char *sa_sweep_column_unit(int i) {
  return i >= 0 && i < SA_N_COLS ? sa_rec_columns[i].unit : NULL;
}
const char *sa_sweep_column_doc(int i) {
  return i >= 0 && i < SA_N_COLS ? sa_rec_columns[i].doc : NULL;
}

void sa_rec_set_int(sa_rec *r, int c, int64_t v) {
  snprintf(r->val[c], SA_REC_VAL_MAX, "%lld", (long long)v);
}
/* Fixed decimals: ratios, fractions and percentages. */
void sa_rec_set_fixed(sa_rec *r, int c, double v, int decimals) {
  SA_ASSERT(isfinite(v));
  snprintf(r->val[c], SA_REC_VAL_MAX, "%.*f", decimals, v);
  if (!strncmp(r->val[c], "-0.", 3) && strspn(r->val[c] + 3, "0") == strlen(r->val[c] + 3))
    memmove(r->val[c], r->val[c] + 1, strlen(r->val[c])); /* no "-0.000" */
}
/* Significant digits: physical quantities spanning decades (pJ, mm^2). */
void sa_rec_set_sig(sa_rec *r, int c, double v, int digits) {
  SA_ASSERT(isfinite(v));
  snprintf(r->val[c], SA_REC_VAL_MAX, "%.*g", digits, v);
}
void sa_rec_set_str(sa_rec *r, int c, const char *s) {
  size_t n = strlen(s);
  SA_ASSERT(n < SA_REC_VAL_MAX);
  memcpy(r->val[c], s, n + 1);
}

void sa_rec_set_note(sa_rec *r, int stage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->note[stage], SA_REC_NOTE_MAX, fmt, ap);
  va_end(ap);
  for (char *p = r->note[stage]; *p; p++) /* one line, no tabs: the file format needs it */
    if (*p == '\n' || *p == '\t' || *p == '\r') *p = ' ';
}

const char *sa_rec_rtl_status_name(int s) {
  return s == SA_SWEEP_RTL_PASS ? "pass" : s == SA_SWEEP_RTL_FAIL ? "fail" : "skipped";
}

int sa_rec_column_index(const char *name) {
  for (int c = 0; c < SA_N_COLS; c++)
    if (!strcmp(sa_rec_columns[c].name, name)) return c;
  return -1;
}

int sa_rec_stage_index(const char *name) {
  for (int s = 0; s < SA_N_STAGES; s++)
    if (!strcmp(sa_rec_stage_names[s], name)) return s;
  return -1;
}

int sa_rec_cmp(const void *a, const void *b) {
  const sa_rec *x = a, *y = b;
  if (x->rows != y->rows) return x->rows < y->rows ? -1 : 1;
  if (x->cols != y->cols) return x->cols < y->cols ? -1 : 1;
  if (x->rate != y->rate) return x->rate < y->rate ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

int sa_rec_same(const sa_rec *a, const sa_rec *b) {
  for (int k = 0; k < SA_N_COLS; k++)
    if (strcmp(a->val[k], b->val[k])) return 0;
  for (int s = 0; s < SA_N_STAGES; s++)
    if (strcmp(a->note[s], b->note[s])) return 0;
  if (a->n_axes != b->n_axes) return 0;
  for (int k = 0; k < a->n_axes; k++)
    if (strcmp(a->axis_key[k], b->axis_key[k]) || strcmp(a->axis_val[k], b->axis_val[k])) return 0;
  return a->index == b->index;
}
