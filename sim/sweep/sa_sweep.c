/* sa_sweep: grid, per-point pipeline in fork()ed workers, atomic per-point files, resume,
 * shards, merge, points.csv / summary.json writers and the plot launcher. */
#include "sa_sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sa_csv.h"
#include "sa_cycle.h"
#include "sa_engine.h"
#include "sa_json.h"
#include "sa_out.h"
#include "sa_prune.h"
#include "sa_version.h"

/* ------------------------------------------------------------------------------------------
 * Columns of points.csv. Each belongs to the stage that fills it; a stage that is unavailable
 * leaves its columns empty and says why in summary.json. */

enum { ST_GRID, ST_PRUNE, ST_CYCLE, ST_WER, ST_RTL, N_STAGES };
static const char *const stage_names[N_STAGES] = {"grid", "prune", "cycle", "wer", "rtl"};

typedef struct column {
  const char *name;
  int stage;
  const char *unit;
  const char *doc;
} column;

enum {
  C_ROWS, C_COLS, C_RATE, C_RATE_ACH, C_CRIT, C_SCOPE, C_ARRAY_CYC, C_SYS_CYC, C_SPD_DENSE,
  C_SPD_HOST, C_ENERGY, C_ENERGY_RATIO, C_AREA, C_WER, C_WER_LO, C_WER_HI, C_RTL,
  /* more columns follow the fixed head */
  C_THRESH, C_INTEG, C_TECH, C_TILES_TOTAL, C_TILES_SEL, C_TILES_PRUNED,
  C_ACCEL_CYC, C_STALL_CYC, C_DENSE_SYS, C_HOST_ONLY, C_HOST_OPS, C_SECONDS, C_UTIL,
  C_E_MAC, C_E_REG, C_E_WBUF, C_E_ABUF, C_E_OBUF, C_E_DRAM, C_E_LEAK, C_E_CLOCK, C_E_HOST,
  C_A_PE, C_A_BUF, C_A_CTRL,
  C_WER_SUB, C_WER_INS, C_WER_DEL, C_WER_WORDS, C_WER_UTTS,
  C_RTL_GEMMS, C_RTL_CYC, C_RTL_VALUES,
  N_COLS
};

static const column columns[N_COLS] = {
    [C_ROWS] = {"rows", ST_GRID, "PEs", "array rows R (tile height along K)"},
    [C_COLS] = {"cols", ST_GRID, "PEs", "array columns C (tile width along N)"},
    [C_RATE] = {"rate", ST_GRID, "fraction", "pruning rate requested (fraction of the in-scope tiles)"},
    [C_RATE_ACH] = {"rate_achieved", ST_PRUNE, "fraction",
                    "tiles pruned / in-scope tiles (below rate when layer caps bind)"},
    [C_CRIT] = {"criterion", ST_GRID, "", "tile score (mean_abs, l2, act_aware)"},
    [C_SCOPE] = {"scope", ST_GRID, "", "layers pruned (ff, attn, all)"},
    [C_ARRAY_CYC] = {"array_cycles", ST_CYCLE, "accelerator cycles",
                     "array busy cycles of one inference (all GEMM commands)"},
    [C_SYS_CYC] = {"system_cycles", ST_CYCLE, "host cycles",
                   "end-to-end cycles of one inference: host work, transfers and array"},
    [C_SPD_DENSE] = {"speedup_dense", ST_CYCLE, "x",
                     "system cycles of the dense model on the same array / this point's"},
    [C_SPD_HOST] = {"speedup_host", ST_CYCLE, "x",
                    "system cycles of host-only execution (no accelerator) / this point's"},
    [C_ENERGY] = {"energy_pj", ST_CYCLE, "pJ", "energy of one inference (all components)"},
    [C_ENERGY_RATIO] = {"energy_ratio", ST_CYCLE, "x",
                        "energy / energy of the dense model on the same array"},
    [C_AREA] = {"area_mm2", ST_CYCLE, "mm^2", "accelerator area (PEs, buffers, controller)"},
    [C_WER] = {"wer", ST_WER, "%", "word error rate of the pruned int8 model on the test set"},
    [C_WER_LO] = {"wer_lo", ST_WER, "%", "bootstrap 95 % confidence interval, lower end"},
    [C_WER_HI] = {"wer_hi", ST_WER, "%", "bootstrap 95 % confidence interval, upper end"},
    [C_RTL] = {"rtl_check", ST_RTL, "",
               "RTL co-simulation of the point's GEMMs: pass, fail or skipped"},
    [C_THRESH] = {"threshold", ST_GRID, "", "threshold mode (global, per_layer)"},
    [C_INTEG] = {"integration", ST_GRID, "", "how the array is fed (dma, cpu_fed)"},
    [C_TECH] = {"tech", ST_GRID, "", "technology table name"},
    [C_TILES_TOTAL] = {"tiles_total", ST_PRUNE, "tiles", "weight tiles of all layers"},
    [C_TILES_SEL] = {"tiles_selected", ST_PRUNE, "tiles", "tiles of the in-scope layers"},
    [C_TILES_PRUNED] = {"tiles_pruned", ST_PRUNE, "tiles", "tiles pruned (skipped by the array)"},
    [C_ACCEL_CYC] = {"accel_cycles", ST_CYCLE, "accelerator cycles",
                     "array cycles plus memory stalls (dma); = array_cycles for cpu_fed"},
    [C_STALL_CYC] = {"stall_cycles", ST_CYCLE, "accelerator cycles",
                     "cycles the array waited for weights, activations or output write-back"},
    [C_DENSE_SYS] = {"dense_system_cycles", ST_CYCLE, "host cycles",
                     "system cycles of the dense model on the same array"},
    [C_HOST_ONLY] = {"host_only_cycles", ST_CYCLE, "host cycles",
                     "cycles of the same inference on the host alone (no accelerator)"},
    [C_HOST_OPS] = {"host_ops_cycles", ST_CYCLE, "host cycles",
                    "non-GEMM host work (LayerNorm, softmax, attention products, ...)"},
    [C_SECONDS] = {"latency_ms", ST_CYCLE, "ms", "system cycles / host clock"},
    [C_UTIL] = {"utilization", ST_CYCLE, "fraction",
                "useful MACs / (rows x cols x array_cycles)"},
    [C_E_MAC] = {"energy_mac_pj", ST_CYCLE, "pJ", "int8 MACs"},
    [C_E_REG] = {"energy_reg_pj", ST_CYCLE, "pJ", "PE pipeline registers"},
    [C_E_WBUF] = {"energy_wbuf_pj", ST_CYCLE, "pJ", "weight scratchpad"},
    [C_E_ABUF] = {"energy_abuf_pj", ST_CYCLE, "pJ", "activation scratchpad"},
    [C_E_OBUF] = {"energy_obuf_pj", ST_CYCLE, "pJ", "output/accumulator buffer"},
    [C_E_DRAM] = {"energy_dram_pj", ST_CYCLE, "pJ", "DRAM traffic"},
    [C_E_LEAK] = {"energy_leak_pj", ST_CYCLE, "pJ", "PE leakage"},
    [C_E_CLOCK] = {"energy_clock_pj", ST_CYCLE, "pJ", "PE clock tree"},
    [C_E_HOST] = {"energy_host_pj", ST_CYCLE, "pJ", "host CPU busy cycles"},
    [C_A_PE] = {"area_pe_mm2", ST_CYCLE, "mm^2", "PE array area"},
    [C_A_BUF] = {"area_buf_mm2", ST_CYCLE, "mm^2", "on-chip buffer area"},
    [C_A_CTRL] = {"area_ctrl_mm2", ST_CYCLE, "mm^2", "controller area"},
    [C_WER_SUB] = {"wer_sub", ST_WER, "words", "substitutions"},
    [C_WER_INS] = {"wer_ins", ST_WER, "words", "insertions"},
    [C_WER_DEL] = {"wer_del", ST_WER, "words", "deletions"},
    [C_WER_WORDS] = {"wer_words", ST_WER, "words", "reference words scored"},
    [C_WER_UTTS] = {"wer_utts", ST_WER, "utterances", "utterances scored"},
    [C_RTL_GEMMS] = {"rtl_gemms", ST_RTL, "GEMMs", "GEMMs (manifest layers) co-simulated on the RTL"},
    [C_RTL_CYC] = {"rtl_cycles_compared", ST_RTL, "commands",
                   "command cycle counts compared between RTL and closed form"},
    [C_RTL_VALUES] = {"rtl_values_compared", ST_RTL, "values",
                      "int32 outputs compared between RTL and C model"},
};

int sa_sweep_n_columns(void) { return N_COLS; }
const char *sa_sweep_column_name(int i) { return i >= 0 && i < N_COLS ? columns[i].name : NULL; }
const char *sa_sweep_column_unit(int i) { return i >= 0 && i < N_COLS ? columns[i].unit : NULL; }
const char *sa_sweep_column_doc(int i) { return i >= 0 && i < N_COLS ? columns[i].doc : NULL; }

enum { VAL_MAX = 48, NOTE_MAX = 480 };

/* One point's result: every column formatted once (so files, CSV and JSON agree exactly). */
typedef struct rec {
  int index;
  int64_t rows, cols;
  double rate;
  double seconds;                  /* wall time of the point (summary.json only) */
  char val[N_COLS][VAL_MAX];       /* "" = unavailable */
  char note[N_STAGES][NOTE_MAX];   /* why a stage's columns are empty ("" = not) */
} rec;

static void set_int(rec *r, int c, int64_t v) {
  snprintf(r->val[c], VAL_MAX, "%lld", (long long)v);
}
/* Fixed decimals: ratios, fractions and percentages. */
static void set_fixed(rec *r, int c, double v, int decimals) {
  SA_ASSERT(isfinite(v));
  snprintf(r->val[c], VAL_MAX, "%.*f", decimals, v);
  if (!strncmp(r->val[c], "-0.", 3) && strspn(r->val[c] + 3, "0") == strlen(r->val[c] + 3))
    memmove(r->val[c], r->val[c] + 1, strlen(r->val[c])); /* no "-0.000" */
}
/* Significant digits: physical quantities spanning decades (pJ, mm^2). */
static void set_sig(rec *r, int c, double v, int digits) {
  SA_ASSERT(isfinite(v));
  snprintf(r->val[c], VAL_MAX, "%.*g", digits, v);
}
static void set_str(rec *r, int c, const char *s) {
  size_t n = strlen(s);
  SA_ASSERT(n < VAL_MAX);
  memcpy(r->val[c], s, n + 1);
}

static void set_note(rec *r, int stage, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_note(rec *r, int stage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->note[stage], NOTE_MAX, fmt, ap);
  va_end(ap);
  for (char *p = r->note[stage]; *p; p++) /* one line, no tabs: the file format needs it */
    if (*p == '\n' || *p == '\t' || *p == '\r') *p = ' ';
}

static const char *rtl_status_name(int s) {
  return s == SA_SWEEP_RTL_PASS ? "pass" : s == SA_SWEEP_RTL_FAIL ? "fail" : "skipped";
}

/* ------------------------------------------------------------------------------------------
 * Grid. Point i of the whole grid is shape i / n_rates, rate i % n_rates (config order). */

typedef struct grid {
  int n_shapes, n_rates, n;
  const sa_shape *shapes;
  const double *rates;
} grid;

static void point_id(const grid *g, int i, char *buf, size_t len) {
  const sa_shape *s = &g->shapes[i / g->n_rates];
  snprintf(buf, len, "%lldx%lld-rate%.9g", (long long)s->rows, (long long)s->cols,
           g->rates[i % g->n_rates]);
}

static int check_grid(const sa_config *cfg, sa_err *e) {
  const sa_sweep_cfg *s = &cfg->sweep;
  if (s->n_shapes < 1) return sa_err_set(e, "%s: key 'sweep.arrays': no array shape", cfg->path);
  if (s->n_rates < 1) return sa_err_set(e, "%s: key 'sweep.rates': no pruning rate", cfg->path);
  for (int i = 0; i < s->n_rates; i++)
    for (int j = 0; j < i; j++) {
      char a[32], b[32];
      snprintf(a, sizeof a, "%.9g", s->rates[i]);
      snprintf(b, sizeof b, "%.9g", s->rates[j]);
      if (!strcmp(a, b))
        return sa_err_set(e, "%s: key 'sweep.rates': rate %s listed twice", cfg->path, a);
    }
  if (strlen(cfg->tech.name) >= VAL_MAX)
    return sa_err_set(e, "%s: key 'name': technology name longer than %d characters",
                      cfg->tech.path, VAL_MAX - 1);
  if (!cfg->workload.manifest[0])
    return sa_err_set(e, "%s: key 'workload.manifest': required by a sweep", cfg->path);
  return 0;
}

/* ------------------------------------------------------------------------------------------
 * Fingerprint: FNV-1a 64 of the resolved configuration without the grid (a resumed or merged
 * directory must come from the same hardware, technology, workload and pruning settings). */

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

static int fingerprint(const sa_config *cfg, char out[17], sa_err *e) {
  sa_config *c = sa_malloc(sizeof *c, e);
  if (!c) return -1;
  *c = *cfg;
  c->path[0] = 0;
  /* the same file named by different relative paths is the same configuration */
  char *paths[] = {c->workload.manifest, c->workload.testset, c->prune.calibration,
                   c->tech.path};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    char *real = paths[i][0] ? realpath(paths[i], NULL) : NULL;
    if (real && strlen(real) < SA_PATH_MAX) strcpy(paths[i], real);
    free(real);
  }
  c->sweep.n_shapes = 0;
  c->sweep.n_rates = 0;
  c->n_defaulted = 0;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    free(c);
    return sa_err_set(e, "out of memory");
  }
  sa_config_write_yaml(c, f);
  fclose(f);
  /* drop the first line (it names the config file) */
  const char *body = memchr(buf, '\n', len);
  body = body ? body + 1 : buf;
  snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(body, len - (size_t)(body - buf)));
  free(buf);
  free(c);
  return 0;
}

/* The configuration as compact JSON text (one line), for summary.json and grid.tsv. */
static char *config_json(const sa_config *cfg, sa_err *e) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    sa_err_set(e, "out of memory");
    return NULL;
  }
  sa_json j;
  sa_json_init(&j, f, 0);
  sa_config_write_json(cfg, &j);
  fclose(f);
  return buf;
}

/* ------------------------------------------------------------------------------------------
 * Small file helpers. */

static char *path_join(const char *a, const char *b, sa_err *e) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = sa_malloc(n, e);
  if (p) snprintf(p, n, "%s/%s", a, b);
  return p;
}

static int slurp(const char *path, char **buf, size_t *len, sa_err *e) {
  FILE *f = fopen(path, "rb");
  if (!f) return sa_err_set(e, "%s: cannot open: %s", path, strerror(errno));
  char *b = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 8192;
      char *nb = sa_realloc(b, cap, e);
      if (!nb) {
        free(b);
        fclose(f);
        return -1;
      }
      b = nb;
    }
    size_t got = fread(b + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(b);
    return sa_err_set(e, "%s: read error", path);
  }
  b[n] = 0;
  *buf = b;
  *len = n;
  return 0;
}

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int copy_file(const char *from, const char *to, sa_err *e) {
  char *buf;
  size_t len;
  if (slurp(from, &buf, &len, e)) return -1;
  int rc = sa_out_write_file(to, buf, len, e);
  free(buf);
  return rc;
}

/* Removes leftovers of killed writers (sa_out temporaries "NAME.tmp.XXXXXX") and, when
 * all_results is set, every point or mask file (a fresh run). */
static int clean_dir(const char *dir, const char *suffix, int all_results, sa_err *e) {
  DIR *d = opendir(dir);
  if (!d) return sa_err_set(e, "%s: cannot open directory: %s", dir, strerror(errno));
  struct dirent *de;
  int rc = 0;
  while ((de = readdir(d))) {
    const char *n = de->d_name;
    size_t len = strlen(n), sl = strlen(suffix);
    int is_tmp = strstr(n, ".tmp.") != NULL;
    int is_res = len > sl && !strcmp(n + len - sl, suffix);
    if (!is_tmp && !(all_results && is_res)) continue;
    char *p = path_join(dir, n, e);
    if (!p) {
      rc = -1;
      break;
    }
    if (unlink(p) != 0 && errno != ENOENT) {
      rc = sa_err_set(e, "%s: cannot remove: %s", p, strerror(errno));
      free(p);
      break;
    }
    free(p);
  }
  closedir(d);
  return rc;
}

/* ------------------------------------------------------------------------------------------
 * Point files: "sasp-sweep-point/1", then tab-separated lines
 *   fingerprint HEX | index I | rate R (%.17g) | seconds S | col NAME VALUE | note STAGE TEXT */

static const char point_magic[] = "sasp-sweep-point/1";

static int write_point(const char *path, const rec *r, const char *fp, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  fprintf(o.f, "%s\nfingerprint\t%s\nindex\t%d\nrate\t%.17g\nseconds\t%.3f\n", point_magic, fp,
          r->index, r->rate, r->seconds);
  for (int c = 0; c < N_COLS; c++) fprintf(o.f, "col\t%s\t%s\n", columns[c].name, r->val[c]);
  for (int s = 0; s < N_STAGES; s++)
    if (r->note[s][0]) fprintf(o.f, "note\t%s\t%s\n", stage_names[s], r->note[s]);
  return sa_out_commit(&o, e);
}

static int find_name(const char *const *names, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], s)) return i;
  return -1;
}

static int column_index(const char *name) {
  for (int c = 0; c < N_COLS; c++)
    if (!strcmp(columns[c].name, name)) return c;
  return -1;
}

/* Reads a point file into r; its fingerprint goes to fp (17 bytes). */
static int read_point(const char *path, rec *r, char *fp, sa_err *e) {
  char *buf;
  size_t len;
  if (slurp(path, &buf, &len, e)) return -1;
  memset(r, 0, sizeof *r);
  fp[0] = 0;
  int seen[N_COLS] = {0}, have_index = 0, have_rate = 0, lineno = 0, rc = 0;
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    if (lineno == 1) {
      if (strcmp(line, point_magic)) {
        rc = sa_err_set(e, "%s:1: not a sasp sweep point file (expected '%s')", path,
                        point_magic);
        break;
      }
      continue;
    }
    char *f1 = line, *f2 = strchr(f1, '\t'), *f3 = NULL;
    if (!f2) {
      rc = sa_err_set(e, "%s:%d: malformed line", path, lineno);
      break;
    }
    *f2++ = 0;
    if ((f3 = strchr(f2, '\t'))) *f3++ = 0;
    char *end;
    if (!strcmp(f1, "fingerprint") && strlen(f2) == 16 && !f3) {
      memcpy(fp, f2, 17);
    } else if (!strcmp(f1, "index") && !f3) {
      long v = strtol(f2, &end, 10);
      if (*end || v < 0) break;
      r->index = (int)v;
      have_index = 1;
    } else if (!strcmp(f1, "rate") && !f3) {
      r->rate = strtod(f2, &end);
      if (*end) break;
      have_rate = 1;
    } else if (!strcmp(f1, "seconds") && !f3) {
      r->seconds = strtod(f2, &end);
    } else if (!strcmp(f1, "col") && f3) {
      int c = column_index(f2);
      if (c < 0 || seen[c] || strlen(f3) >= VAL_MAX) {
        rc = sa_err_set(e, "%s:%d: unknown, repeated or over-long column '%s'", path, lineno, f2);
        break;
      }
      seen[c] = 1;
      strcpy(r->val[c], f3);
    } else if (!strcmp(f1, "note") && f3) {
      int s = find_name(stage_names, N_STAGES, f2);
      if (s < 0) {
        rc = sa_err_set(e, "%s:%d: unknown stage '%s'", path, lineno, f2);
        break;
      }
      snprintf(r->note[s], NOTE_MAX, "%s", f3);
    } else {
      rc = sa_err_set(e, "%s:%d: unexpected line '%s'", path, lineno, f1);
      break;
    }
  }
  free(buf);
  if (rc) return -1;
  if (!fp[0] || !have_index || !have_rate)
    return sa_err_set(e, "%s: incomplete point file (fingerprint, index or rate missing)", path);
  for (int c = 0; c < N_COLS; c++)
    if (!seen[c])
      return sa_err_set(e, "%s: column '%s' missing (written by another sasp version?)", path,
                        columns[c].name);
  r->rows = strtoll(r->val[C_ROWS], NULL, 10);
  r->cols = strtoll(r->val[C_COLS], NULL, 10);
  return 0;
}

/* ------------------------------------------------------------------------------------------
 * grid.tsv: identical in every shard's directory; merge checks it. */

static const char grid_magic[] = "sasp-sweep-grid/1";

static int write_grid(const char *path, const grid *g, const char *fp, const char *cfg_json,
                      sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  fprintf(o.f, "%s\nfingerprint\t%s\narrays\t", grid_magic, fp);
  for (int i = 0; i < g->n_shapes; i++)
    fprintf(o.f, "%s%lldx%lld", i ? " " : "", (long long)g->shapes[i].rows,
            (long long)g->shapes[i].cols);
  fprintf(o.f, "\nrates\t");
  for (int i = 0; i < g->n_rates; i++) fprintf(o.f, "%s%.17g", i ? " " : "", g->rates[i]);
  fprintf(o.f, "\nconfig_json\t%s\n", cfg_json);
  return sa_out_commit(&o, e);
}

/* Owned grid read back from grid.tsv. */
typedef struct grid_file {
  char *text;     /* whole file */
  char fp[17];
  int n_shapes, n_rates;
  sa_shape *shapes;
  double *rates;
  char *cfg_json; /* points into a copy */
} grid_file;

static void grid_file_free(grid_file *gf) {
  free(gf->text);
  free(gf->shapes);
  free(gf->rates);
  free(gf->cfg_json);
  memset(gf, 0, sizeof *gf);
}

static int read_grid(const char *path, grid_file *gf, sa_err *e) {
  memset(gf, 0, sizeof *gf);
  size_t len;
  if (slurp(path, &gf->text, &len, e)) return -1;
  char *copy = sa_strdup(gf->text, e);
  if (!copy) goto fail;
  char *save = NULL;
  int lineno = 0, ok_arrays = 0, ok_rates = 0;
  unsigned seen = 0; /* keys read so far: a repeated key is an error */
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    if (lineno == 1) {
      if (strcmp(line, grid_magic)) {
        sa_err_set(e, "%s:1: not a sasp sweep grid file", path);
        goto fail_copy;
      }
      continue;
    }
    char *v = strchr(line, '\t');
    if (!v) {
      sa_err_set(e, "%s:%d: malformed line", path, lineno);
      goto fail_copy;
    }
    *v++ = 0;
    static const char *const keys[] = {"fingerprint", "arrays", "rates", "config_json"};
    for (int k = 0; k < 4; k++) {
      if (strcmp(line, keys[k])) continue;
      if (seen & (1u << k)) {
        sa_err_set(e, "%s:%d: key '%s' given twice", path, lineno, line);
        goto fail_copy;
      }
      seen |= 1u << k;
    }
    if (!strcmp(line, "fingerprint")) {
      snprintf(gf->fp, sizeof gf->fp, "%s", v);
    } else if (!strcmp(line, "arrays") || !strcmp(line, "rates")) {
      int is_arr = line[0] == 'a', n = 0, cap = 0;
      char *s2 = NULL;
      int limit = is_arr ? SA_MAX_SHAPES : SA_MAX_RATES; /* as the config loader allows */
      for (char *t = strtok_r(v, " ", &s2); t; t = strtok_r(NULL, " ", &s2)) {
        if (n == limit) {
          sa_err_set(e, "%s:%d: more than %d %s", path, lineno, limit, line);
          goto fail_copy;
        }
        if (n == cap) {
          cap = cap ? cap * 2 : 16;
          void *p = is_arr ? sa_realloc(gf->shapes, (size_t)cap * sizeof *gf->shapes, e)
                           : sa_realloc(gf->rates, (size_t)cap * sizeof *gf->rates, e);
          if (!p) goto fail_copy;
          if (is_arr) gf->shapes = p;
          else gf->rates = p;
        }
        char *end;
        if (is_arr ? sa_config_parse_shape(t, &gf->shapes[n]) != 0
                   : (gf->rates[n] = strtod(t, &end), *end != 0)) {
          sa_err_set(e, "%s:%d: bad value '%s'", path, lineno, t);
          goto fail_copy;
        }
        n++;
      }
      if (is_arr) gf->n_shapes = n, ok_arrays = 1;
      else gf->n_rates = n, ok_rates = 1;
    } else if (!strcmp(line, "config_json")) {
      gf->cfg_json = sa_strdup(v, e);
      if (!gf->cfg_json) goto fail_copy;
    } else {
      sa_err_set(e, "%s:%d: unexpected key '%s'", path, lineno, line);
      goto fail_copy;
    }
  }
  free(copy);
  if (!gf->fp[0] || !ok_arrays || !ok_rates || !gf->cfg_json || gf->n_shapes < 1 ||
      gf->n_rates < 1) {
    sa_err_set(e, "%s: incomplete grid file", path);
    goto fail;
  }
  return 0;
fail_copy:
  free(copy);
fail:
  grid_file_free(gf);
  return -1;
}

/* ------------------------------------------------------------------------------------------
 * points.csv and summary.json. */

static int rec_cmp(const void *a, const void *b) {
  const rec *x = a, *y = b;
  if (x->rows != y->rows) return x->rows < y->rows ? -1 : 1;
  if (x->cols != y->cols) return x->cols < y->cols ? -1 : 1;
  if (x->rate != y->rate) return x->rate < y->rate ? -1 : 1;
  return 0;
}

static int write_csv(const char *path, const rec *recs, int n, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  sa_csv c;
  sa_csv_init(&c, o.f);
  for (int k = 0; k < N_COLS; k++) sa_csv_str(&c, columns[k].name);
  sa_csv_eol(&c);
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < N_COLS; k++) sa_csv_str(&c, recs[i].val[k]);
    sa_csv_eol(&c);
  }
  return sa_out_commit(&o, e);
}

/* Writes "key": value for one cell (numbers stay numbers, text stays text). */
static void json_cell_kv(sa_json *j, const char *key, const char *v) {
  sa_json_key(j, key);
  if (!v[0]) {
    sa_json_null(j);
    return;
  }
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (!*end && isfinite(d) && errno == 0) {
    long long iv;
    char *iend;
    iv = strtoll(v, &iend, 10);
    if (!*iend) sa_json_int(j, iv);
    else sa_json_num(j, d);
  } else {
    sa_json_str(j, v);
  }
}

/* Embeds already-serialised JSON as the value of the key just written. */
static void json_raw(sa_json *j, const char *raw) {
  SA_ASSERT(j->after_key);
  j->after_key = 0;
  fputs(raw, j->f);
}

typedef struct summary_info {
  const char *config_path;   /* NULL for a merge */
  const char *cfg_json;
  const char *fp;
  const grid *g;
  int shard_k, shard_n;
  const char *const *merged; /* merge: source directories */
  int n_merged;
  const sa_sweep_report *rep; /* sweep only */
  int jobs;
  const char *workload_note; /* e.g. synthetic weights */
} summary_info;

static int write_summary(const char *path, const summary_info *si, const rec *recs, int n,
                         sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  sa_json j;
  sa_json_init(&j, o.f, 1);
  sa_json_obj(&j);
  sa_json_provenance(&j);
  sa_json_key(&j, "format");
  sa_json_str(&j, "sasp-sweep-summary/1");
  if (si->config_path) {
    sa_json_key(&j, "config_path");
    sa_json_str(&j, si->config_path);
  }
  sa_json_key(&j, "fingerprint");
  sa_json_str(&j, si->fp);
  sa_json_key(&j, "grid");
  sa_json_obj(&j);
  sa_json_key(&j, "arrays");
  sa_json_arr(&j);
  for (int i = 0; i < si->g->n_shapes; i++) {
    char s[64];
    snprintf(s, sizeof s, "%lldx%lld", (long long)si->g->shapes[i].rows,
             (long long)si->g->shapes[i].cols);
    sa_json_str(&j, s);
  }
  sa_json_end(&j);
  sa_json_key(&j, "rates");
  sa_json_arr(&j);
  for (int i = 0; i < si->g->n_rates; i++) sa_json_num(&j, si->g->rates[i]);
  sa_json_end(&j);
  sa_json_key(&j, "points");
  sa_json_int(&j, si->g->n);
  sa_json_end(&j);
  sa_json_key(&j, "shard");
  sa_json_obj(&j);
  sa_json_key(&j, "k");
  sa_json_int(&j, si->shard_k);
  sa_json_key(&j, "n");
  sa_json_int(&j, si->shard_n);
  sa_json_key(&j, "rule");
  sa_json_str(&j, "point i (config order: arrays outer, rates inner) belongs to shard "
                  "(i mod n) + 1");
  sa_json_end(&j);
  if (si->merged) {
    sa_json_key(&j, "merged_from");
    sa_json_arr(&j);
    for (int i = 0; i < si->n_merged; i++) sa_json_str(&j, si->merged[i]);
    sa_json_end(&j);
  }
  sa_json_key(&j, "points_here");
  sa_json_int(&j, n);
  if (si->rep) {
    sa_json_key(&j, "run");
    sa_json_obj(&j);
    sa_json_key(&j, "jobs");
    sa_json_int(&j, si->jobs);
    sa_json_key(&j, "points_run");
    sa_json_int(&j, si->rep->points_run);
    sa_json_key(&j, "points_resumed");
    sa_json_int(&j, si->rep->points_resumed);
    sa_json_key(&j, "wall_s");
    sa_json_num(&j, round(si->rep->wall_s * 1000) / 1000);
    sa_json_end(&j);
  }
  if (si->workload_note) {
    sa_json_key(&j, "workload_note");
    sa_json_str(&j, si->workload_note);
  }
  sa_json_key(&j, "columns");
  sa_json_arr(&j);
  for (int c = 0; c < N_COLS; c++) {
    sa_json_obj(&j);
    sa_json_key(&j, "name");
    sa_json_str(&j, columns[c].name);
    sa_json_key(&j, "unit");
    sa_json_str(&j, columns[c].unit);
    sa_json_key(&j, "meaning");
    sa_json_str(&j, columns[c].doc);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  /* Columns left empty, with the reasons (distinct reasons per stage, first-seen order). */
  sa_json_key(&j, "unavailable");
  sa_json_obj(&j);
  for (int s = 0; s < N_STAGES; s++) {
    int any = 0;
    for (int i = 0; i < n && !any; i++) any = recs[i].note[s][0] != 0;
    if (!any) continue;
    sa_json_key(&j, stage_names[s]);
    sa_json_obj(&j);
    sa_json_key(&j, "columns");
    sa_json_arr(&j);
    for (int c = 0; c < N_COLS; c++)
      if (columns[c].stage == s && !(s == ST_RTL && c == C_RTL)) sa_json_str(&j, columns[c].name);
    sa_json_end(&j);
    int count = 0;
    for (int i = 0; i < n; i++) count += recs[i].note[s][0] != 0;
    sa_json_key(&j, "points");
    sa_json_int(&j, count);
    sa_json_key(&j, "why");
    sa_json_arr(&j);
    for (int i = 0; i < n; i++) {
      if (!recs[i].note[s][0]) continue;
      int dup = 0;
      for (int k = 0; k < i && !dup; k++) dup = !strcmp(recs[k].note[s], recs[i].note[s]);
      if (!dup) sa_json_str(&j, recs[i].note[s]);
    }
    sa_json_end(&j);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  sa_json_key(&j, "points");
  sa_json_arr(&j);
  for (int i = 0; i < n; i++) {
    const rec *r = &recs[i];
    sa_json_obj(&j);
    char id[96];
    point_id(si->g, r->index, id, sizeof id);
    sa_json_key(&j, "id");
    sa_json_str(&j, id);
    sa_json_key(&j, "index");
    sa_json_int(&j, r->index);
    for (int c = 0; c < N_COLS; c++) json_cell_kv(&j, columns[c].name, r->val[c]);
    sa_json_key(&j, "mask");
    char mp[128];
    snprintf(mp, sizeof mp, "masks/%s.mask", id);
    sa_json_str(&j, r->val[C_RATE_ACH][0] ? mp : NULL);
    sa_json_key(&j, "seconds");
    sa_json_num(&j, r->seconds);
    sa_json_key(&j, "notes");
    sa_json_obj(&j);
    for (int s = 0; s < N_STAGES; s++)
      if (r->note[s][0]) {
        sa_json_key(&j, stage_names[s]);
        sa_json_str(&j, r->note[s]);
      }
    sa_json_end(&j);
    sa_json_end(&j);
  }
  sa_json_end(&j);
  sa_json_key(&j, "config");
  json_raw(&j, si->cfg_json);
  sa_json_end(&j);
  return sa_out_commit(&o, e);
}

/* ------------------------------------------------------------------------------------------
 * The per-point pipeline (runs in a worker process). */

typedef struct ctx {
  const sa_config *cfg;
  const sa_sweep_opts *o;
  grid g;
  char fp[17];
  const char *points_dir, *masks_dir;
  sa_manifest *man;
  sa_model *model;          /* the worker's copy-on-write copy is pruned in place */
  float **norms;            /* act_aware: activation norms, else NULL */
  int engine_threads;
  char wer_missing[NOTE_MAX]; /* why no WER column ("" when there is one) */
} ctx;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int stage_prune(const ctx *c, const sa_config *pc, rec *r, sa_maskset *ms, sa_err *e) {
  sa_prune_opts po = {
      .criterion = pc->prune.criterion,
      .scope = pc->prune.scope,
      .threshold = pc->prune.threshold,
      .layer_cap = pc->prune.layer_cap,
      .rate = pc->prune.rate,
      .tile_rows = pc->hw.rows,
      .tile_cols = pc->hw.cols,
      .act_norms = (const float *const *)c->norms,
  };
  sa_prune_stats st;
  memset(&st, 0, sizeof st);
  if (sa_prune_masks(c->man, c->model, &po, ms, &st, e)) return -1;
  int64_t total = 0;
  for (int i = 0; i < st.n; i++) total += st.layer_tiles[i];
  set_fixed(r, C_RATE_ACH, st.rate_achieved, 6);
  set_int(r, C_TILES_TOTAL, total);
  set_int(r, C_TILES_SEL, st.tiles_selected);
  set_int(r, C_TILES_PRUNED, st.tiles_pruned);
  sa_prune_stats_free(&st);
  char id[96], name[128];
  point_id(&c->g, r->index, id, sizeof id);
  snprintf(name, sizeof name, "%s.mask", id);
  char *path = path_join(c->masks_dir, name, e);
  if (!path) return -1;
  int rc = sa_maskset_write(path, ms, e);
  free(path);
  if (rc) return -1;
  /* zero the pruned tiles of the worker's copy: what the WER engine and the RTL run */
  return sa_prune_apply(c->model, ms, e);
}

static int stage_cycle(const ctx *c, const sa_config *pc, const sa_maskset *ms, rec *r,
                       sa_err *e) {
  sa_run_result run, dense;
  memset(&run, 0, sizeof run);
  memset(&dense, 0, sizeof dense);
  if (sa_cycle_run_workload(pc, c->man, NULL, &dense, e)) return -1;
  if (sa_cycle_run_workload(pc, c->man, ms, &run, e)) {
    sa_run_result_free(&dense);
    return -1;
  }
  const sa_time *t = &run.time;
  const sa_energy *en = &run.energy;
  set_int(r, C_ARRAY_CYC, t->array);
  set_fixed(r, C_SYS_CYC, run.host_system, 0);
  set_fixed(r, C_SPD_DENSE, sa_run_speedup_vs_dense(&run, &dense), 6);
  set_fixed(r, C_SPD_HOST, sa_run_speedup_vs_host(&run), 6);
  set_sig(r, C_ENERGY, en->total, 9);
  set_fixed(r, C_ENERGY_RATIO, dense.energy.total > 0 ? en->total / dense.energy.total : 1.0, 6);
  set_sig(r, C_AREA, run.area_mm2, 6);
  set_int(r, C_ACCEL_CYC, t->accel);
  set_int(r, C_STALL_CYC, t->stall_weights + t->stall_acts + t->stall_outputs);
  set_fixed(r, C_DENSE_SYS, dense.host_system, 0);
  set_fixed(r, C_HOST_ONLY, run.host_only, 0);
  set_fixed(r, C_HOST_OPS, run.host_ops, 0);
  set_sig(r, C_SECONDS, run.seconds * 1e3, 6);
  double pe_cycles = (double)run.rows * (double)run.cols * (double)t->array;
  set_fixed(r, C_UTIL, pe_cycles > 0 ? (double)run.counts.macs / pe_cycles : 0.0, 6);
  const double parts[] = {en->mac,  en->reg,  en->wbuf,  en->abuf, en->obuf,
                          en->dram, en->leak, en->clock, en->host};
  for (int k = 0; k < (int)(sizeof parts / sizeof parts[0]); k++)
    set_sig(r, C_E_MAC + k, parts[k], 9);
  set_sig(r, C_A_PE, run.area_pe_mm2, 6);
  set_sig(r, C_A_BUF, run.area_buf_mm2, 6);
  set_sig(r, C_A_CTRL, run.area_ctrl_mm2, 6);
  sa_run_result_free(&run);
  sa_run_result_free(&dense);
  return 0;
}

static int stage_wer(const ctx *c, const sa_maskset *ms, rec *r, sa_err *e) {
  if (c->wer_missing[0]) {
    set_note(r, ST_WER, "%s", c->wer_missing);
    return 0;
  }
  sa_engine_opts eo = {
      .mode = SA_ENGINE_INT8,
      .max_utts = c->cfg->workload.max_utts,
      .seed = (uint64_t)c->cfg->sweep.seed,
      .n_boot = SA_ENGINE_BOOT,
      .threads = c->engine_threads,
  };
  sa_wer_result w;
  if (sa_engine_eval_opts(c->man, c->model, ms, c->cfg->workload.testset, &eo, &w, NULL, e))
    return -1;
  set_fixed(r, C_WER, w.wer, 3);
  set_fixed(r, C_WER_LO, w.lo, 3);
  set_fixed(r, C_WER_HI, w.hi, 3);
  set_int(r, C_WER_SUB, w.sub);
  set_int(r, C_WER_INS, w.ins);
  set_int(r, C_WER_DEL, w.del);
  set_int(r, C_WER_WORDS, w.words);
  set_int(r, C_WER_UTTS, w.utts);
  return 0;
}

static int stage_rtl(const ctx *c, const sa_config *pc, const sa_maskset *ms, rec *r,
                     sa_err *e) {
  set_str(r, C_RTL, "skipped");
  if (pc->sweep.rtl_check == SA_RTL_OFF) {
    set_note(r, ST_RTL, "sweep.rtl_check is off");
    return 0;
  }
  if (!c->o->rtl) {
    set_note(r, ST_RTL, "%s", c->o->rtl_missing ? c->o->rtl_missing : "RTL not built");
    return 0;
  }
  /* Each point checks its own sample of GEMMs (so a sweep covers more of the workload),
   * seeded from sweep.seed and the point itself: independent of the grid around it. */
  uint64_t rbits;
  memcpy(&rbits, &r->rate, sizeof rbits);
  uint64_t x = (uint64_t)pc->sweep.seed ^ ((uint64_t)pc->hw.rows << 40) ^
               ((uint64_t)pc->hw.cols << 20) ^ rbits;
  x += 0x9e3779b97f4a7c15ull; /* splitmix64 finaliser */
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  sa_config *rc = sa_malloc(sizeof *rc, e);
  if (!rc) return -1;
  *rc = *pc;
  rc->sweep.seed = (int64_t)(x & 0x7fffffff);
  sa_sweep_rtl res;
  memset(&res, 0, sizeof res);
  int st = c->o->rtl(rc, c->man, c->model, ms, &res, e);
  free(rc);
  if (st) return -1;
  set_str(r, C_RTL, rtl_status_name(res.status));
  if (res.status == SA_SWEEP_RTL_SKIPPED) {
    set_note(r, ST_RTL, "%s", res.note[0] ? res.note : "skipped by the co-simulation");
    return 0;
  }
  set_int(r, C_RTL_GEMMS, res.gemms);
  set_int(r, C_RTL_CYC, res.cycles_compared);
  set_int(r, C_RTL_VALUES, res.values_compared);
  if (res.status == SA_SWEEP_RTL_FAIL) set_note(r, ST_RTL, "mismatch: %s", res.note);
  return 0;
}

static int run_point(const ctx *c, int i, sa_err *e) {
  double t0 = now_s();
  const sa_shape *shape = &c->g.shapes[i / c->g.n_rates];
  double rate = c->g.rates[i % c->g.n_rates];
  sa_config *pc = sa_malloc(sizeof *pc, e);
  rec *r = sa_calloc(1, sizeof *r, e);
  if (!pc || !r) {
    free(pc);
    free(r);
    return -1;
  }
  *pc = *c->cfg;
  pc->hw.rows = shape->rows;
  pc->hw.cols = shape->cols;
  pc->prune.rate = rate;
  r->index = i;
  r->rows = shape->rows;
  r->cols = shape->cols;
  r->rate = rate;
  set_int(r, C_ROWS, shape->rows);
  set_int(r, C_COLS, shape->cols);
  snprintf(r->val[C_RATE], VAL_MAX, "%.9g", rate);
  set_str(r, C_CRIT, sa_config_criterion_name(pc->prune.criterion));
  set_str(r, C_SCOPE, sa_config_scope_name(pc->prune.scope));
  set_str(r, C_THRESH, sa_config_threshold_name(pc->prune.threshold));
  set_str(r, C_INTEG, sa_config_integration_name(pc->hw.integration));
  set_str(r, C_TECH, pc->tech.name);
  sa_maskset ms;
  memset(&ms, 0, sizeof ms);
  int rc = stage_prune(c, pc, r, &ms, e);
  if (!rc) rc = stage_cycle(c, pc, &ms, r, e);
  if (!rc) rc = stage_wer(c, &ms, r, e);
  if (!rc) rc = stage_rtl(c, pc, &ms, r, e);
  sa_maskset_free(&ms);
  if (!rc) {
    r->seconds = round((now_s() - t0) * 1000) / 1000;
    char id[96], name[128];
    point_id(&c->g, i, id, sizeof id);
    snprintf(name, sizeof name, "%s.tsv", id);
    char *path = path_join(c->points_dir, name, e);
    rc = path ? write_point(path, r, c->fp, e) : -1;
    free(path);
  }
  free(pc);
  free(r);
  return rc;
}

/* ------------------------------------------------------------------------------------------
 * Workers: one fork()ed process per point, at most jobs at a time. A worker reports an error
 * through its pipe and exits 1. */

typedef struct worker {
  pid_t pid;
  int fd;
  int point;
} worker;

static int spawn(const ctx *c, int point, worker *w, sa_err *e) {
  int p[2];
  if (pipe(p) != 0) return sa_err_set(e, "pipe: %s", strerror(errno));
  fflush(stdout);
  fflush(stderr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return sa_err_set(e, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    close(p[0]);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed sweep takes its workers with it */
    if (getppid() != parent) _exit(1); /* it died before prctl */
#endif
    sa_err pe;
    pe.msg[0] = 0;
    int rc = run_point(c, point, &pe);
    if (rc) {
      size_t n = strlen(pe.msg);
      ssize_t wr = write(p[1], pe.msg, n);
      (void)wr;
    }
    close(p[1]);
    _exit(rc ? 1 : 0);
  }
  close(p[1]);
  w->pid = pid;
  w->fd = p[0];
  w->point = point;
  return 0;
}

static void fmt_dur(double s, char *buf, size_t len) {
  long t = (long)(s + 0.5);
  if (t >= 3600) snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60) snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
  else snprintf(buf, len, "%lds", t);
}

static void progress(const ctx *c, int done, int total, int running, int ran, double t0,
                     int final) {
  if (!c->o->progress) return;
  double el = now_s() - t0;
  char eb[32] = "?", tb[32];
  if (ran > 0 && done < total) fmt_dur(el / ran * (total - done), eb, sizeof eb);
  fmt_dur(el, tb, sizeof tb);
  if (final)
    fprintf(stderr, "\r\033[Ksweep: %d/%d points done in %s\n", done, total, tb);
  else
    fprintf(stderr, "\r\033[Ksweep: %d/%d points, %d running, %s elapsed, ETA %s", done, total,
            running, tb, done < total ? eb : "0s");
  fflush(stderr);
}

/* Runs the points in todo[0..n). Returns 0, or -1 with the first failure in e. */
static int run_workers(const ctx *c, const int *todo, int n, int done0, int total, sa_err *e) {
  int jobs = c->o->jobs < 1 ? 1 : c->o->jobs;
  worker *ws = sa_calloc((size_t)jobs, sizeof *ws, e);
  if (!ws) return -1;
  int next = 0, running = 0, done = done0, ran = 0, failed = 0;
  double t0 = now_s();
  progress(c, done, total, 0, 0, t0, 0);
  while ((next < n && !failed) || running > 0) {
    while (running < jobs && next < n && !failed) {
      int slot = 0;
      while (ws[slot].pid) slot++;
      if (spawn(c, todo[next], &ws[slot], e)) {
        failed = 1;
        break;
      }
      next++;
      running++;
      progress(c, done, total, running, ran, t0, 0);
    }
    if (running == 0) break;
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      sa_err_set(e, "waitpid: %s", strerror(errno));
      failed = 1;
      break;
    }
    int slot = -1;
    for (int k = 0; k < jobs; k++)
      if (ws[k].pid == pid) slot = k;
    if (slot < 0) continue; /* not ours */
    char msg[sizeof e->msg];
    ssize_t got, len = 0;
    while (len < (ssize_t)sizeof msg - 1 &&
           (got = read(ws[slot].fd, msg + len, sizeof msg - 1 - (size_t)len)) > 0)
      len += got;
    msg[len > 0 ? len : 0] = 0;
    close(ws[slot].fd);
    int point = ws[slot].point;
    ws[slot].pid = 0;
    running--;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      done++;
      ran++;
    } else if (!failed) {
      char id[96];
      point_id(&c->g, point, id, sizeof id);
      if (WIFSIGNALED(status))
        sa_err_set(e, "point %s: worker killed by signal %d", id, WTERMSIG(status));
      else
        sa_err_set(e, "point %s: %s", id, msg[0] ? msg : "worker failed");
      failed = 1;
    }
    progress(c, done, total, running, ran, t0, 0);
  }
  if (!failed) progress(c, done, total, 0, ran, t0, 1);
  else if (c->o->progress) fputc('\n', stderr);
  free(ws);
  return failed ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------
 * Collecting a directory's points and writing its tables. */

static int point_path(const char *dir, const grid *g, int i, char **out, sa_err *e) {
  char id[96], name[128];
  point_id(g, i, id, sizeof id);
  snprintf(name, sizeof name, "points/%s.tsv", id);
  *out = path_join(dir, name, e);
  return *out ? 0 : -1;
}

static int write_tables(const char *dir, const summary_info *si, rec *recs, int n, sa_err *e) {
  qsort(recs, (size_t)n, sizeof *recs, rec_cmp);
  char *csv = path_join(dir, "points.csv", e), *sum = path_join(dir, "summary.json", e);
  int rc = csv && sum ? 0 : -1;
  if (!rc) rc = write_csv(csv, recs, n, e);
  if (!rc) rc = write_summary(sum, si, recs, n, e);
  free(csv);
  free(sum);
  return rc;
}

static int write_resolved_yaml(const char *dir, const sa_config *cfg, sa_err *e) {
  char *path = path_join(dir, "config.resolved.yaml", e);
  if (!path) return -1;
  sa_out o;
  int rc = sa_out_open(&o, path, e);
  if (!rc) {
    sa_config_write_yaml(cfg, o.f);
    rc = sa_out_commit(&o, e);
  }
  free(path);
  return rc;
}

static int online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > SA_ENGINE_MAX_THREADS ? SA_ENGINE_MAX_THREADS : (int)n;
}

/* Loads what every point shares: manifest, model, activation norms; decides whether WER can
 * be measured. */
static int load_shared(ctx *c, sa_err *e) {
  const sa_config *cfg = c->cfg;
  if (sa_model_load(c->man, &c->model, e)) return -1;
  if (c->man->synthetic)
    snprintf(c->wer_missing, sizeof c->wer_missing,
             "%.300s: weights are synthetic:%llu (timing only): no WER", c->man->path,
             (unsigned long long)c->man->synthetic_seed);
  else if (strcmp(c->man->arch.type, "transformer_ctc"))
    snprintf(c->wer_missing, sizeof c->wer_missing,
             "%.300s: arch.type is '%s', the WER engine runs transformer_ctc models", c->man->path,
             c->man->arch.type);
  else if (!cfg->workload.testset[0])
    snprintf(c->wer_missing, sizeof c->wer_missing, "workload.testset is empty: no WER");
  if (cfg->prune.criterion == SA_CRIT_ACT_AWARE) {
    const char *cal = cfg->prune.calibration[0] ? cfg->prune.calibration : cfg->workload.testset;
    if (!cal[0])
      return sa_err_set(e, "%s: key 'prune.criterion': act_aware needs prune.calibration or "
                           "workload.testset", cfg->path);
    if (sa_engine_act_norms(c->man, c->model, cal, cfg->workload.max_utts, online_cpus(),
                            &c->norms, e))
      return -1;
  }
  return 0;
}

static void free_shared(ctx *c) {
  if (c->norms) sa_engine_free_norms(c->norms, c->man ? c->man->n_layers : 0);
  sa_model_free(c->model);
  sa_manifest_free(c->man);
  c->norms = NULL;
  c->model = NULL;
  c->man = NULL;
}

int sa_sweep_run(const sa_config *cfg, const sa_sweep_opts *o, sa_sweep_report *rep,
                 sa_err *e) {
  double t_start = now_s();
  sa_sweep_report dummy;
  if (!rep) rep = &dummy;
  memset(rep, 0, sizeof *rep);
  if (check_grid(cfg, e)) return -1;
  if (o->shard_n < 1 || o->shard_k < 1 || o->shard_k > o->shard_n)
    return sa_err_set(e, "shard %d/%d: need 1 <= K <= N", o->shard_k, o->shard_n);
  ctx c;
  memset(&c, 0, sizeof c);
  c.cfg = cfg;
  c.o = o;
  c.g = (grid){cfg->sweep.n_shapes, cfg->sweep.n_rates, cfg->sweep.n_shapes * cfg->sweep.n_rates,
               cfg->sweep.shapes, cfg->sweep.rates};
  int jobs = o->jobs < 1 ? 1 : o->jobs;
  char *points_dir = NULL, *masks_dir = NULL, *grid_path = NULL, *cfg_json = NULL;
  int *todo = NULL, rc = -1;
  rec *recs = NULL;
  if (fingerprint(cfg, c.fp, e)) goto out;
  if (!(cfg_json = config_json(cfg, e))) goto out;
  points_dir = path_join(o->out_dir, "points", e);
  masks_dir = path_join(o->out_dir, "masks", e);
  grid_path = path_join(o->out_dir, "grid.tsv", e);
  if (!points_dir || !masks_dir || !grid_path) goto out;
  c.points_dir = points_dir;
  c.masks_dir = masks_dir;
  if (sa_manifest_load(cfg->workload.manifest, &c.man, e)) goto out;
  if (sa_out_mkdirs(points_dir, e) || sa_out_mkdirs(masks_dir, e)) goto out;
  if (o->resume && file_exists(grid_path)) {
    grid_file gf;
    if (read_grid(grid_path, &gf, e)) goto out;
    int same = !strcmp(gf.fp, c.fp);
    grid_file_free(&gf);
    if (!same) {
      sa_err_set(e, "%s: made with a different configuration (fingerprint differs); "
                    "resume only with the same configuration, or use a new -o DIR", grid_path);
      goto out;
    }
  }
  if (clean_dir(points_dir, ".tsv", !o->resume, e) || clean_dir(masks_dir, ".mask", !o->resume, e))
    goto out;
  if (write_grid(grid_path, &c.g, c.fp, cfg_json, e) || write_resolved_yaml(o->out_dir, cfg, e))
    goto out;
  free(grid_path); /* not needed again; freed before the workers fork so none inherits it */
  grid_path = NULL;

  /* this shard's points; which of them are finished already */
  todo = sa_calloc((size_t)c.g.n, sizeof *todo, e);
  recs = sa_calloc((size_t)c.g.n, sizeof *recs, e);
  if (!todo || !recs) goto out;
  int n_todo = 0, n_shard = 0;
  for (int i = 0; i < c.g.n; i++) {
    if (i % o->shard_n != o->shard_k - 1) continue;
    n_shard++;
    char *pp;
    if (point_path(o->out_dir, &c.g, i, &pp, e)) goto out;
    int have = 0;
    if (o->resume && file_exists(pp)) {
      char fp[17];
      if (read_point(pp, &recs[0], fp, e)) {
        free(pp);
        goto out;
      }
      /* the index may differ (a grid extended since): a point's result depends only on the
       * configuration, its shape and its rate */
      if (strcmp(fp, c.fp) || recs[0].rows != c.g.shapes[i / c.g.n_rates].rows ||
          recs[0].cols != c.g.shapes[i / c.g.n_rates].cols ||
          recs[0].rate != c.g.rates[i % c.g.n_rates]) {
        sa_err_set(e, "%s: made with a different configuration; resume only with the same "
                      "configuration, or use a new -o DIR", pp);
        free(pp);
        goto out;
      }
      have = 1;
    }
    free(pp);
    if (have) rep->points_resumed++;
    else todo[n_todo++] = i;
  }
  rep->points_grid = c.g.n;
  rep->points_shard = n_shard;
  if (n_todo > 0) {
    int busy = jobs < n_todo ? jobs : n_todo; /* workers that will run at once */
    c.engine_threads = online_cpus() / busy < 1 ? 1 : online_cpus() / busy;
    if (load_shared(&c, e)) goto out;
    if (run_workers(&c, todo, n_todo, rep->points_resumed, n_shard, e)) goto out;
    rep->points_run = n_todo;
  } else if (o->progress) {
    fprintf(stderr, "sweep: all %d points already done\n", n_shard);
  }

  /* read every point of the shard back and write the tables */
  int n = 0;
  for (int i = 0; i < c.g.n; i++) {
    if (i % o->shard_n != o->shard_k - 1) continue;
    char *pp, fp[17];
    if (point_path(o->out_dir, &c.g, i, &pp, e)) goto out;
    int r2 = read_point(pp, &recs[n], fp, e);
    free(pp);
    if (r2) goto out;
    recs[n].index = i;
    rep->points_rtl_fail += !strcmp(recs[n].val[C_RTL], "fail");
    /* a check that was asked for but could not run is never silent (docs/guide.md) */
    if (cfg->sweep.rtl_check != SA_RTL_OFF && !strcmp(recs[n].val[C_RTL], "skipped")) {
      if (!rep->points_rtl_unchecked)
        snprintf(rep->rtl_unchecked, sizeof rep->rtl_unchecked, "%s", recs[n].note[ST_RTL]);
      rep->points_rtl_unchecked++;
    }
    if (recs[n].note[ST_WER][0] && !rep->no_wer[0])
      snprintf(rep->no_wer, sizeof rep->no_wer, "%s", recs[n].note[ST_WER]);
    n++;
  }
  rep->wall_s = now_s() - t_start;
  char note[NOTE_MAX] = "";
  if (c.man->synthetic)
    snprintf(note, sizeof note, "%s: synthetic weights (synthetic:%llu): timing and energy only, "
             "no WER", c.man->name, (unsigned long long)c.man->synthetic_seed);
  summary_info si = {
      .config_path = cfg->path,
      .cfg_json = cfg_json,
      .fp = c.fp,
      .g = &c.g,
      .shard_k = o->shard_k,
      .shard_n = o->shard_n,
      .rep = rep,
      .jobs = jobs,
      .workload_note = note[0] ? note : NULL,
  };
  rc = write_tables(o->out_dir, &si, recs, n, e);
out:
  free_shared(&c);
  free(points_dir);
  free(masks_dir);
  free(grid_path);
  free(cfg_json);
  free(todo);
  free(recs);
  return rc;
}

/* ------------------------------------------------------------------------------------------
 * Merge. */

static int same_result(const rec *a, const rec *b) {
  for (int k = 0; k < N_COLS; k++)
    if (strcmp(a->val[k], b->val[k])) return 0;
  for (int s = 0; s < N_STAGES; s++)
    if (strcmp(a->note[s], b->note[s])) return 0;
  return a->index == b->index;
}

int sa_sweep_merge(const char *const *dirs, int n_dirs, const char *out, sa_err *e) {
  if (n_dirs < 1) return sa_err_set(e, "merge: no result directory given");
  grid_file gf0;
  char *gp = path_join(dirs[0], "grid.tsv", e);
  if (!gp) return -1;
  int rc = read_grid(gp, &gf0, e);
  free(gp);
  if (rc) return sa_err_prefix(e, "merge: %s is not a sweep result directory", dirs[0]);
  for (int d = 1; d < n_dirs; d++) {
    char *p = path_join(dirs[d], "grid.tsv", e);
    if (!p) goto fail_grid;
    grid_file gf;
    rc = read_grid(p, &gf, e);
    free(p);
    if (rc) {
      sa_err_prefix(e, "merge: %s is not a sweep result directory", dirs[d]);
      goto fail_grid;
    }
    int same = !strcmp(gf.text, gf0.text);
    grid_file_free(&gf);
    if (!same) {
      sa_err_set(e, "merge: %s/grid.tsv differs from %s/grid.tsv: not shards of one sweep "
                    "(same configuration and grid)", dirs[d], dirs[0]);
      goto fail_grid;
    }
  }
  grid g = {gf0.n_shapes, gf0.n_rates, gf0.n_shapes * gf0.n_rates, gf0.shapes, gf0.rates};
  rec *recs = sa_calloc((size_t)g.n, sizeof *recs, e);
  int *from = sa_calloc((size_t)g.n, sizeof *from, e);
  rec *tmp = sa_calloc(1, sizeof *tmp, e);
  if (!recs || !from || !tmp) goto fail;
  /* find every point; duplicates must agree */
  for (int i = 0; i < g.n; i++) {
    from[i] = -1;
    for (int d = 0; d < n_dirs; d++) {
      char *pp, fp[17];
      if (point_path(dirs[d], &g, i, &pp, e)) goto fail;
      if (!file_exists(pp)) {
        free(pp);
        continue;
      }
      rc = read_point(pp, from[i] < 0 ? &recs[i] : tmp, fp, e);
      if (!rc && (strcmp(fp, gf0.fp) || (from[i] < 0 ? recs[i].index : tmp->index) != i))
        rc = sa_err_set(e, "%s: made with a different configuration or grid", pp);
      if (!rc && from[i] >= 0 && !same_result(&recs[i], tmp))
        rc = sa_err_set(e, "merge: %s and %s/ hold different results for the same point", pp,
                        dirs[from[i]]);
      free(pp);
      if (rc) goto fail;
      if (from[i] < 0) from[i] = d;
    }
    if (from[i] < 0) {
      char id[96];
      point_id(&g, i, id, sizeof id);
      sa_err_set(e, "merge: point %s is in none of the directories (a shard missing or "
                    "unfinished?)", id);
      goto fail;
    }
  }
  /* write: points, masks, grid, resolved config, tables */
  char *op = path_join(out, "points", e), *om = path_join(out, "masks", e);
  rc = op && om ? 0 : -1;
  if (!rc) rc = sa_out_mkdirs(op, e);
  if (!rc) rc = sa_out_mkdirs(om, e);
  free(op);
  free(om);
  for (int i = 0; i < g.n && !rc; i++) {
    char id[96], a[160];
    point_id(&g, i, id, sizeof id);
    const char *src = dirs[from[i]];
    for (int k = 0; k < 2 && !rc; k++) {
      snprintf(a, sizeof a, k ? "masks/%s.mask" : "points/%s.tsv", id);
      char *s = path_join(src, a, e), *t = path_join(out, a, e);
      rc = s && t ? 0 : -1;
      if (!rc && (k == 0 || file_exists(s))) rc = copy_file(s, t, e);
      free(s);
      free(t);
    }
  }
  for (int k = 0; k < 2 && !rc; k++) {
    const char *name = k ? "config.resolved.yaml" : "grid.tsv";
    char *s = path_join(dirs[0], name, e), *t = path_join(out, name, e);
    rc = s && t ? 0 : -1;
    if (!rc) rc = copy_file(s, t, e);
    free(s);
    free(t);
  }
  if (!rc) {
    summary_info si = {
        .cfg_json = gf0.cfg_json,
        .fp = gf0.fp,
        .g = &g,
        .shard_k = 1,
        .shard_n = 1,
        .merged = dirs,
        .n_merged = n_dirs,
    };
    rc = write_tables(out, &si, recs, g.n, e);
  }
  free(recs);
  free(from);
  free(tmp);
  grid_file_free(&gf0);
  return rc;
fail:
  free(recs);
  free(from);
  free(tmp);
fail_grid:
  grid_file_free(&gf0);
  return -1;
}

/* ------------------------------------------------------------------------------------------
 * Shards and plots. */

int sa_sweep_parse_shard(const char *text, int *k, int *n, sa_err *e) {
  char *end;
  errno = 0;
  long kk = strtol(text, &end, 10);
  if (end == text || *end != '/') goto bad;
  const char *ns = end + 1;
  long nn = strtol(ns, &end, 10);
  if (end == ns || *end || errno || nn < 1 || kk < 1 || kk > nn || nn > 1000000) goto bad;
  *k = (int)kk;
  *n = (int)nn;
  return 0;
bad:
  return sa_err_set(e, "--shard '%s': expected K/N with 1 <= K <= N (e.g. 2/4)", text);
}

static int find_plot_script(char *out, size_t len) {
  const char *env = getenv("SASP_PLOT_SCRIPT");
  if (env && env[0]) {
    snprintf(out, len, "%s", env);
    return file_exists(out) ? 0 : -1;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    /* the build tree lies inside the source tree (build/sim/sasp): walk up */
    for (int up = 0; up < 6; up++) {
      char *slash = strrchr(exe, '/');
      if (!slash) break;
      *slash = 0;
      snprintf(out, len, "%s/scripts/sasp_plot.py", exe[0] ? exe : "/");
      if (file_exists(out)) return 0;
      snprintf(out, len, "%s/share/sasp/sasp_plot.py", exe[0] ? exe : "/");
      if (file_exists(out)) return 0;
    }
  }
  snprintf(out, len, "scripts/sasp_plot.py");
  return file_exists(out) ? 0 : -1;
}

int sa_sweep_plot(const char *dir, sa_err *e) {
  static const char py[] = "/usr/bin/python3";
  char script[4200];
  char *csv = path_join(dir, "points.csv", e);
  if (!csv) return -1;
  int have = file_exists(csv);
  free(csv);
  if (!have) return sa_err_set(e, "%s/points.csv: no such file (not a sweep directory?)", dir);
  if (find_plot_script(script, sizeof script))
    return sa_err_set(e, "sasp_plot.py not found (set SASP_PLOT_SCRIPT)");
  if (access(py, X_OK) != 0) {
    sa_err_set(e, "%s not found (install python3 and python3-matplotlib)", py);
    return 1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return sa_err_set(e, "fork: %s", strerror(errno));
  if (pid == 0) {
    execl(py, py, script, dir, (char *)NULL);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sa_err_set(e, "waitpid: %s", strerror(errno));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    sa_err_set(e, "python3-matplotlib is not installed: no plots (install it, then run "
                  "'sasp plot %s')", dir);
    return 1;
  }
  return sa_err_set(e, "%s %s %s failed (exit %d)", py, script, dir,
                    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
