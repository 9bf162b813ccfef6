/* sa_point: the stages of one sweep point (runs in a worker process). */
#include "sa_point.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include "sa_cycle.h"
#include "sa_engine.h"
#include "sa_file.h"
#include "sa_out.h"
#include "sa_prune.h"
#include "sa_rng.h"

double sa_point_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int stage_prune(const sa_point_ctx *c, const sa_config *pc, sa_rec *r, sa_maskset *ms,
                       sa_err *e) {
  sa_prune_opts po = {
      .criterion = pc->prune.criterion,
      .scope = pc->prune.scope,
      .threshold = pc->prune.threshold,
      .layer_cap = pc->prune.layer_cap,
      .rate = pc->prune.rate,
      .tile_rows = pc->hw.rows,
      .tile_cols = pc->hw.cols,
      .compensation = pc->prune.compensation,
      .damping = pc->prune.damping,
      .calib = c->calib.n ? &c->calib : NULL,
  };
  if ((sa_prune_needs_calib(&po) || po.criterion == SA_CRIT_ACT_AWARE) && !po.calib)
    return sa_err_set(e, "%s: prune.criterion %s, threshold %s, compensation %s need "
                      "calibration statistics: set prune.calibration (e.g. "
                      "workloads/asr/calib) or prune.statistics", pc->path,
                      sa_prune_criterion_name(po.criterion), sa_prune_threshold_name(po.threshold),
                      sa_prune_compensation_name(po.compensation));
  sa_prune_stats st;
  memset(&st, 0, sizeof st);
  if (sa_prune_masks(c->man, c->model, &po, ms, &st, e)) return -1;
  int64_t total = 0;
  for (int i = 0; i < st.n; i++) total += st.layer_tiles[i];
  sa_rec_set_fixed(r, SA_COL_RATE_ACH, st.rate_achieved, 6);
  sa_rec_set_int(r, SA_COL_TILES_TOTAL, total);
  sa_rec_set_int(r, SA_COL_TILES_SEL, st.tiles_selected);
  sa_rec_set_int(r, SA_COL_TILES_PRUNED, st.tiles_pruned);
  char id[SA_GRID_ID_MAX + 64], name[SA_GRID_ID_MAX + 96];
  sa_grid_point_id(&c->g, r->index, id, sizeof id);
  snprintf(name, sizeof name, "%s.mask", id);
  char *path = sa_path_join(c->masks_dir, name, e);
  if (!path) return -1;
  int rc = sa_maskset_write(path, ms, e);
  free(path);
  /* zero (and compensate) the pruned tiles of the worker's copy: what the WER engine and the
   * RTL run */
  sa_prune_opts pa = po; /* none: exactly sa_prune_apply (no error bookkeeping) */
  if (pa.compensation == SA_COMP_NONE) pa.calib = NULL;
  if (!rc) rc = sa_prune_compensate(c->model, c->man, ms, &pa, &st, e);
  sa_prune_stats_free(&st);
  return rc;
}

static int stage_cycle(const sa_point_ctx *c, const sa_config *pc, const sa_maskset *ms,
                       sa_rec *r, sa_err *e) {
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
  sa_rec_set_int(r, SA_COL_ARRAY_CYC, t->array);
  sa_rec_set_fixed(r, SA_COL_SYS_CYC, run.host_system, 0);
  sa_rec_set_fixed(r, SA_COL_SPD_DENSE, sa_run_speedup_vs_dense(&run, &dense), 6);
  sa_rec_set_fixed(r, SA_COL_SPD_HOST, sa_run_speedup_vs_host(&run), 6);
  sa_rec_set_sig(r, SA_COL_ENERGY, en->total, 9);
  sa_rec_set_fixed(r, SA_COL_ENERGY_RATIO,
                   dense.energy.total > 0 ? en->total / dense.energy.total : 1.0, 6);
  sa_rec_set_sig(r, SA_COL_AREA, run.area_mm2, 6);
  sa_rec_set_int(r, SA_COL_ACCEL_CYC, t->accel);
  sa_rec_set_int(r, SA_COL_STALL_CYC, t->stall_weights + t->stall_acts + t->stall_outputs);
  sa_rec_set_fixed(r, SA_COL_DENSE_SYS, dense.host_system, 0);
  sa_rec_set_fixed(r, SA_COL_HOST_ONLY, run.host_only, 0);
  sa_rec_set_fixed(r, SA_COL_HOST_OPS, run.host_ops, 0);
  sa_rec_set_sig(r, SA_COL_SECONDS, run.seconds * 1e3, 6);
  double pe_cycles = (double)run.rows * (double)run.cols * (double)t->array;
  sa_rec_set_fixed(r, SA_COL_UTIL, pe_cycles > 0 ? (double)run.counts.macs / pe_cycles : 0.0, 6);
  const double parts[] = {en->mac,  en->reg,  en->wbuf,  en->abuf, en->obuf,
                          en->dram, en->leak, en->clock, en->host};
  for (int k = 0; k < (int)(sizeof parts / sizeof parts[0]); k++)
    sa_rec_set_sig(r, SA_COL_E_MAC + k, parts[k], 9);
  sa_rec_set_sig(r, SA_COL_A_PE, run.area_pe_mm2, 6);
  sa_rec_set_sig(r, SA_COL_A_BUF, run.area_buf_mm2, 6);
  sa_rec_set_sig(r, SA_COL_A_CTRL, run.area_ctrl_mm2, 6);
  sa_rec_set_int(r, SA_COL_WEIGHT_B, run.weight_bytes);
  sa_rec_set_int(r, SA_COL_META_B, run.meta_bytes);
  sa_rec_set_int(r, SA_COL_FOOTPRINT_B, run.weight_bytes + run.meta_bytes);
  sa_run_result_free(&run);
  sa_run_result_free(&dense);
  return 0;
}

static int stage_wer(const sa_point_ctx *c, const sa_config *pc, const sa_maskset *ms,
                     sa_rec *r, sa_err *e) {
  if (c->wer_missing[0]) {
    sa_rec_set_note(r, SA_STAGE_WER, "%s", c->wer_missing);
    return 0;
  }
  /* the point's own datapath: fp32 activations run the engine's fp32 x int8 mode (v2) */
  const int fp32 = pc->hw.act_type == SA_ACT_FP32;
  sa_engine_opts eo = {
      .mode = fp32 ? SA_ENGINE_FP32_INT8 : SA_ENGINE_INT8,
      .max_utts = c->cfg->workload.max_utts,
      .seed = (uint64_t)c->cfg->sweep.seed,
      .n_boot = SA_ENGINE_BOOT,
      .threads = c->engine_threads,
  };
  sa_wer_result w;
  if (sa_engine_eval_opts(c->man, c->model, ms, c->cfg->workload.testset, &eo, &w, NULL, e))
    return -1;
  sa_rec_set_fixed(r, SA_COL_WER, w.wer, 3);
  sa_rec_set_fixed(r, SA_COL_WER_LO, w.lo, 3);
  sa_rec_set_fixed(r, SA_COL_WER_HI, w.hi, 3);
  sa_rec_set_int(r, SA_COL_WER_SUB, w.sub);
  sa_rec_set_int(r, SA_COL_WER_INS, w.ins);
  sa_rec_set_int(r, SA_COL_WER_DEL, w.del);
  sa_rec_set_int(r, SA_COL_WER_WORDS, w.words);
  sa_rec_set_int(r, SA_COL_WER_UTTS, w.utts);
  sa_rec_set_str(r, SA_COL_WER_ENGINE, fp32 ? "fp32_int8" : "int8");
  return 0;
}

/* Outcome of one RTL check in the run's reuse directory: "status gemms cycles values" and
 * the note, tab-separated on one line. */
static int rtl_work_write(const char *path, const sa_sweep_rtl *res, sa_err *e) {
  char buf[sizeof res->note + 128];
  char note[sizeof res->note];
  snprintf(note, sizeof note, "%s", res->note);
  for (char *q = note; *q; q++)
    if (*q == '\n' || *q == '\t' || *q == '\r') *q = ' ';
  int len = snprintf(buf, sizeof buf, "%d\t%lld\t%lld\t%lld\t%s\n", res->status,
                     (long long)res->gemms, (long long)res->cycles_compared,
                     (long long)res->values_compared, note);
  return sa_out_write_file(path, buf, (size_t)len, e);
}

/* 0 when path holds a complete outcome (read into res), -1 when it does not (not yet run). */
static int rtl_work_read(const char *path, sa_sweep_rtl *res) {
  sa_err e;
  size_t len;
  char *buf = sa_file_exists(path) ? sa_file_read(path, 4096, &len, &e) : NULL;
  if (!buf) return -1;
  int status, off = 0;
  long long g, cyc, val;
  int rc = -1;
  if (len > 0 && buf[len - 1] == '\n' &&
      sscanf(buf, "%d\t%lld\t%lld\t%lld\t%n", &status, &g, &cyc, &val, &off) == 4 && off > 0 &&
      (status == SA_SWEEP_RTL_PASS || status == SA_SWEEP_RTL_FAIL)) {
    memset(res, 0, sizeof *res);
    res->status = status;
    res->gemms = g;
    res->cycles_compared = cyc;
    res->values_compared = val;
    buf[len - 1] = 0;
    snprintf(res->note, sizeof res->note, "%s", buf + off);
    rc = 0;
  }
  free(buf);
  return rc;
}

/* The RTL check of one point through the run's reuse directory: under KEY.lock the first
 * point with the key runs the co-simulation and leaves its outcome in KEY.txt; the others
 * (waiting on the lock meanwhile) take it. An unavailable RTL (skipped) is not stored, so
 * every point reports it itself. */
static int rtl_shared(const sa_point_ctx *c, const sa_config *rc, const sa_maskset *ms,
                      const char *key, sa_sweep_rtl *res, sa_err *e) {
  char lock[SA_PATH_MAX + 64], path[SA_PATH_MAX + 64];
  snprintf(lock, sizeof lock, "%s/%s.lock", c->rtl_work_dir, key);
  snprintf(path, sizeof path, "%s/%s.txt", c->rtl_work_dir, key);
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return sa_err_set(e, "%s: cannot create: %s", lock, strerror(errno));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      sa_err_set(e, "%s: cannot lock: %s", lock, strerror(errno));
      close(fd);
      return -1;
    }
  }
  int st = 0;
  if (rtl_work_read(path, res) != 0) {
    st = c->o->rtl(rc, c->man, c->model, ms, res, e);
    if (!st && res->status != SA_SWEEP_RTL_SKIPPED) st = rtl_work_write(path, res, e);
  }
  close(fd); /* releases the lock */
  return st;
}

static int stage_rtl(const sa_point_ctx *c, const sa_config *pc, const sa_maskset *ms,
                     sa_rec *r, sa_err *e) {
  sa_rec_set_str(r, SA_COL_RTL, "skipped");
  if (pc->sweep.rtl_check == SA_RTL_OFF) {
    sa_rec_set_note(r, SA_STAGE_RTL, "%s", SA_REC_RTL_OFF_NOTE);
    return 0;
  }
  if (!c->o->rtl) {
    sa_rec_set_note(r, SA_STAGE_RTL, "%s", c->o->rtl_missing ? c->o->rtl_missing : "RTL not built");
    return 0;
  }
  /* Each point checks its own sample of GEMMs (so a sweep covers more of the workload),
   * seeded from sweep.seed and the point itself: independent of the grid around it. */
  uint64_t rbits;
  memcpy(&rbits, &r->rate, sizeof rbits);
  uint64_t x = (uint64_t)pc->sweep.seed ^ ((uint64_t)pc->hw.rows << 40) ^
               ((uint64_t)pc->hw.cols << 20) ^ rbits;
  x = sa_rng_mix(x);
  sa_config *rc = sa_malloc(sizeof *rc, e);
  if (!rc) return -1;
  *rc = *pc;
  rc->sweep.seed = (int64_t)(x & 0x7fffffff);
  sa_sweep_rtl res;
  memset(&res, 0, sizeof res);
  /* identical work (same key) is co-simulated once per run and its outcome shared */
  char key[17] = "";
  int st = c->o->rtl_key && c->rtl_work_dir ? c->o->rtl_key(rc, c->man, c->model, ms, key, e) : 0;
  if (!st) st = key[0] ? rtl_shared(c, rc, ms, key, &res, e)
                       : c->o->rtl(rc, c->man, c->model, ms, &res, e);
  free(rc);
  if (st) return -1;
  sa_rec_set_str(r, SA_COL_RTL, sa_rec_rtl_status_name(res.status));
  if (res.status == SA_SWEEP_RTL_SKIPPED) {
    sa_rec_set_note(r, SA_STAGE_RTL, "%s", res.note[0] ? res.note : "skipped by the co-simulation");
    return 0;
  }
  if (key[0]) sa_rec_set_str(r, SA_COL_RTL_WORK, key);
  sa_rec_set_int(r, SA_COL_RTL_GEMMS, res.gemms);
  sa_rec_set_int(r, SA_COL_RTL_CYC, res.cycles_compared);
  sa_rec_set_int(r, SA_COL_RTL_VALUES, res.values_compared);
  if (res.status == SA_SWEEP_RTL_FAIL) sa_rec_set_note(r, SA_STAGE_RTL, "mismatch: %s", res.note);
  return 0;
}

int sa_point_run(const sa_point_ctx *c, int i, sa_err *e) {
  double t0 = sa_point_now_s();
  const sa_shape *shape = sa_grid_shape(&c->g, i);
  double rate = sa_grid_rate(&c->g, i);
  sa_config *pc = sa_malloc(sizeof *pc, e);
  sa_rec *r = sa_calloc(1, sizeof *r, e);
  if (!pc || !r || sa_grid_config(&c->g, c->cfg, i, pc, e)) {
    free(pc);
    free(r);
    return -1;
  }
  r->index = i;
  r->n_axes = c->g.n_axes;
  for (int a = 0; a < c->g.n_axes; a++) {
    snprintf(r->axis_key[a], sizeof r->axis_key[a], "%s", c->g.axes[a].key);
    snprintf(r->axis_val[a], SA_AXIS_VALUE_MAX, "%s",
             c->g.axes[a].values[sa_grid_value(&c->g, i, a)]);
  }
  r->rows = shape->rows;
  r->cols = shape->cols;
  r->rate = rate;
  sa_rec_set_int(r, SA_COL_ROWS, shape->rows);
  sa_rec_set_int(r, SA_COL_COLS, shape->cols);
  snprintf(r->val[SA_COL_RATE], SA_REC_VAL_MAX, "%.9g", rate);
  sa_rec_set_str(r, SA_COL_CRIT, sa_config_criterion_name(pc->prune.criterion));
  sa_rec_set_str(r, SA_COL_SCOPE, sa_config_scope_name(pc->prune.scope));
  sa_rec_set_str(r, SA_COL_THRESH, sa_config_threshold_name(pc->prune.threshold));
  sa_rec_set_str(r, SA_COL_INTEG, sa_config_integration_name(pc->hw.integration));
  sa_rec_set_str(r, SA_COL_TECH, pc->tech.name);
  sa_maskset ms;
  memset(&ms, 0, sizeof ms);
  int rc = stage_prune(c, pc, r, &ms, e);
  if (!rc) rc = stage_cycle(c, pc, &ms, r, e);
  if (!rc) rc = stage_wer(c, pc, &ms, r, e);
  if (!rc) rc = stage_rtl(c, pc, &ms, r, e);
  sa_maskset_free(&ms);
  if (!rc) {
    r->seconds = round((sa_point_now_s() - t0) * 1000) / 1000;
    char id[SA_GRID_ID_MAX + 64], name[SA_GRID_ID_MAX + 96];
    sa_grid_point_id(&c->g, i, id, sizeof id);
    snprintf(name, sizeof name, "%s.tsv", id);
    char *path = sa_path_join(c->points_dir, name, e);
    rc = path ? sa_store_write_point(path, r, c->fp, e) : -1;
    free(path);
  }
  free(pc);
  free(r);
  return rc;
}

int sa_point_online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > SA_ENGINE_MAX_THREADS ? SA_ENGINE_MAX_THREADS : (int)n;
}

/* 1 when a point of the grid needs calibration statistics (a sweep axis may choose a
 * strategy) or they are configured, 0 when not, -1 on error (also when an axis changes where
 * the statistics come from: one sweep measures them once). */
static int any_needs_calib(const sa_point_ctx *c, sa_err *e) {
  const sa_prune_cfg *p0 = &c->cfg->prune;
  int any = p0->calibration[0] || p0->statistics[0];
  sa_config *pc = sa_malloc(sizeof *pc, e);
  if (!pc) return -1;
  /* the first n_combos points hold every combination of the axes' values */
  for (int i = 0; i < c->g.n_combos && i < c->g.n; i++) {
    if (sa_grid_config(&c->g, c->cfg, i, pc, e)) {
      any = -1;
      break;
    }
    const sa_prune_cfg *p = &pc->prune;
    if (strcmp(p->calibration, p0->calibration) || strcmp(p->statistics, p0->statistics)) {
      any = sa_err_set(e, "%s: prune.calibration and prune.statistics cannot be sweep axes "
                       "(the statistics are measured once per sweep)", c->cfg->path);
      break;
    }
    sa_prune_opts po = {.criterion = p->criterion, .threshold = p->threshold,
                        .compensation = p->compensation};
    if (sa_prune_needs_calib(&po) || p->criterion == SA_CRIT_ACT_AWARE) any = 1;
  }
  free(pc);
  return any;
}

int sa_point_load_shared(sa_point_ctx *c, sa_err *e) {
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
  int need = any_needs_calib(c, e);
  if (need < 0) return -1;
  if (need) {
    const sa_prune_cfg *p = &cfg->prune;
    char *cache = sa_path_join(c->o->out_dir, "calib.safetensors", e);
    char from[SA_CALIB_KEY_MAX + 1024];
    int rc = cache ? sa_engine_calib_obtain(c->man, c->model, p->statistics, p->calibration,
                                            cfg->workload.testset, cache,
                                            sa_point_online_cpus(), &c->calib, from,
                                            &c->calib_measured, e)
                   : -1;
    free(cache);
    if (rc) return sa_err_prefix(e, "%s: prune", cfg->path);
  }
  return 0;
}

int sa_point_save_calib(const sa_point_ctx *c, sa_err *e) {
  if (!c->calib_measured) return 0;
  char *cache = sa_path_join(c->o->out_dir, "calib.safetensors", e);
  int rc = cache ? sa_calib_write(&c->calib, c->man, cache, e) : -1;
  free(cache);
  return rc;
}

void sa_point_free_shared(sa_point_ctx *c) {
  sa_calib_free(&c->calib);
  sa_model_free(c->model);
  sa_manifest_free(c->man);
  c->model = NULL;
  c->man = NULL;
}
