/* sa_cmd_wer: 'sasp wer' — word error rate of a (pruned) model on a test set, with the weight
 * GEMMs on the array's int8 arithmetic (or fp32), S/I/D counts and a bootstrap 95 % CI. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa_cmd.h"
#include "sa_engine.h"
#include "sa_file.h"
#include "sa_json.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_model.h"
#include "sa_out.h"
#include "sa_prune.h"
#include "sa_prune_io.h"
#include "sa_testset.h"

#define COMPARE_MAX_BYTES ((size_t)1 << 26)

/* Normalises blanks in place: words separated by single spaces. */
static void squeeze(char *s) {
  char *o = s;
  for (char *w = s; *w;) {
    while (*w == ' ' || *w == '\t' || *w == '\r') w++;
    if (!*w) break;
    if (o != s) *o++ = ' ';
    while (*w && *w != ' ' && *w != '\t' && *w != '\r') *o++ = *w++;
  }
  *o = 0;
}

/* Reads an 'id<TAB>words' file and counts the hypotheses identical to its lines, matched by
 * utterance id (*matched: ids found, *same: identical among them). */
static int compare_hyps(const char *path, const sa_testset *ts, char **hyps, int64_t n,
                        int64_t *same, int64_t *matched, sa_err *e) {
  uint8_t *raw;
  size_t len;
  *same = *matched = 0;
  if (!(raw = sa_file_read(path, COMPARE_MAX_BYTES, &len, e))) return -1;
  char *buf = sa_malloc(len + 1, e);
  if (!buf) {
    free(raw);
    return -1;
  }
  memcpy(buf, raw, len);
  buf[len] = 0;
  free(raw);
  int line = 0, rc = 0;
  for (char *s = buf; *s && rc == 0;) {
    char *nl = strchr(s, '\n');
    if (nl) *nl = 0;
    line++;
    char *tab = strchr(s, '\t');
    if (!tab && strspn(s, " \r") != strlen(s)) {
      rc = sa_err_set(e, "%s:%d: expected 'id<TAB>words'", path, line);
      break;
    }
    if (tab) {
      *tab = 0;
      squeeze(tab + 1);
      for (int64_t i = 0; i < n; i++)
        if (!strcmp(ts->ids[i], s)) {
          (*matched)++;
          *same += !strcmp(tab + 1, hyps[i]);
          break;
        }
    }
    if (!nl) break;
    s = nl + 1;
  }
  free(buf);
  return rc;
}

static int write_hyps(const char *path, const sa_testset *ts, char **hyps, int64_t n,
                      sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  for (int64_t i = 0; i < n; i++) fprintf(o.f, "%s\t%s\n", ts->ids[i], hyps[i]);
  return sa_out_commit(&o, e);
}

/* Every layer of the manifest dense on R x C tiles (the fp32 summation order of an R x C
 * array). Returns 0, or -1 with e set (ms then empty). */
static int dense_masks(const sa_manifest *man, int64_t r, int64_t c, sa_maskset *ms, sa_err *e) {
  ms->tile_rows = r;
  ms->tile_cols = c;
  ms->masks = sa_calloc((size_t)man->n_layers, sizeof *ms->masks, e);
  if (!ms->masks) return -1;
  for (ms->n = 0; ms->n < man->n_layers; ms->n++) {
    const sa_layer *l = &man->layers[ms->n];
    if (sa_tilemask_init(&ms->masks[ms->n], l->name, l->k, l->n, r, c, e)) {
      sa_maskset_free(ms);
      return -1;
    }
  }
  return 0;
}

int sa_cmd_wer(int argc, char **argv) {
  const char *model_arg = NULL, *mask_path = NULL, *tile = NULL, *testset = NULL,
             *mode_s = "int8", *json_path = NULL, *hyp_path = NULL, *cmp_path = NULL,
             *norms_path = NULL;
  int64_t max_utts = 0, seed = 1, n_boot = SA_ENGINE_BOOT, threads = 0, tr = 0, tc = 0;
  char boot_help[96];
  snprintf(boot_help, sizeof boot_help, "bootstrap resamples (default %d)", SA_ENGINE_BOOT);
  sa_opt opts[] = {
      {"model", 0, SA_OPT_STR, "DIR", "model directory holding manifest.yaml (or the manifest\n"
       "itself; a 'sasp prune -o OUT' directory works)", &model_arg, 0, 0},
      {"mask", 0, SA_OPT_STR, "FILE", "tile masks from 'sasp prune' (default: dense)", &mask_path,
       0, 0},
      {"tile", 0, SA_OPT_STR, "RxC", "the tile the mask must be made for (default: the mask's);\n"
       "without --mask, with --mode fp32_int8: every GEMM dense on\nan RxC array (its fp32 "
       "summation order, docs/timing.md §1.1)", &tile, 0, 0},
      {"testset", 0, SA_OPT_STR, "DIR", "feats.bin + transcripts.tsv (default: DIR/testsets/main)",
       &testset, 0, 0},
      {"mode", 0, SA_OPT_STR, "M", "int8 (default: the array's int8 x int8 arithmetic, v1),\n"
       "fp32_int8 (the array's fp32-activation x int8-weight\ndatapath, v2: array.act_type fp32) "
       "or fp32 (the float\nreference)", &mode_s, 0, 0},
      {"max-utts", 0, SA_OPT_INT, "N", "score only the first N utterances (as workload.max_utts:\n"
       "0 = all)", &max_utts, 0, 0},
      {"json", 0, SA_OPT_STR, "FILE", "write the result as JSON (atomically)", &json_path, 0, 0},
      {"hyp", 0, SA_OPT_STR, "FILE", "write the hypotheses as 'id<TAB>words' lines", &hyp_path, 0,
       0},
      {"compare", 0, SA_OPT_STR, "FILE", "count hypotheses identical to those of FILE\n"
       "('id<TAB>words')", &cmp_path, 0, 0},
      {"seed", 0, SA_OPT_INT, "N", "bootstrap seed (as sweep.seed; default 1)", &seed, 0, 0},
      {"boot", 0, SA_OPT_INT, "N", boot_help, &n_boot, 1, 1e6},
      {"threads", 0, SA_OPT_INT, "N", "worker threads (default: one per CPU)", &threads, 1,
       SA_ENGINE_MAX_THREADS},
      {"act-norms", 0, SA_OPT_STR, "OUT", "instead of WER: write the input-channel L2 norms of "
       "every\nlayer (dense fp32 model over a calibration set, --testset,\ndefault DIR/calib, "
       "never one of DIR/testsets/; safetensors,\nfor 'sasp prune --criterion act_aware')",
       &norms_path, 0, 0},
      {0},
  };
  sa_cmd_range_of(&opts[5], "workload.max_utts");
  sa_cmd_range_of(&opts[9], "sweep.seed");
  const sa_args_spec spec = {
      "wer",
      "--model DIR [--mask FILE [--tile RxC]] [--testset DIR] [options]\n"
      "--model DIR --act-norms OUT [--testset DIR] [--max-utts N]",
      "Word error rate of a transformer_ctc model (docs/asr.md) on a test set, with S/I/D\n"
      "counts and a bootstrap 95 % confidence interval. Every weight GEMM runs on the array's\n"
      "int8 arithmetic (pruned tiles skipped) unless --mode says otherwise.",
      opts, 0, NULL,
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (!model_arg) return sa_args_usage_error(&spec, "--model DIR is required");
  int mode;
  if (!strcmp(mode_s, "int8")) mode = SA_ENGINE_INT8;
  else if (!strcmp(mode_s, "fp32")) mode = SA_ENGINE_FP32;
  else if (!strcmp(mode_s, "fp32_int8")) mode = SA_ENGINE_FP32_INT8;
  else
    return sa_args_usage_error(&spec, "--mode '%s': expected int8, fp32_int8 or fp32", mode_s);
  if (tile && sa_cmd_parse_tile(&spec, tile, &tr, &tc)) return SA_EXIT_USAGE;
  if (norms_path && (mask_path || json_path || hyp_path || cmp_path))
    return sa_args_usage_error(&spec, "--act-norms runs the dense fp32 model and computes no "
                               "WER: --mask, --json, --hyp and --compare do not apply");
  /* fp32 sums are not associative: without a mask the array's tile (R rows per partial sum)
   * must be named, or the result would be that of no array */
  if (tile && !mask_path && mode != SA_ENGINE_FP32_INT8)
    return sa_args_usage_error(&spec, "--tile applies to --mask, or to --mode fp32_int8");
  if (mode == SA_ENGINE_FP32_INT8 && !mask_path && !tile && !norms_path)
    return sa_args_usage_error(&spec, "--mode fp32_int8 sums in the array's order: give --mask "
                               "FILE or, dense, --tile RxC");

  char manifest_path[1200], set_dir[1200];
  if (sa_cmd_model_manifest(&spec, model_arg, manifest_path, sizeof manifest_path))
    return SA_EXIT_USAGE;
  sa_err e = {{0}};
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  sa_maskset ms = {0};
  int have_ms = 0, rc = SA_EXIT_FAIL;
  char **hyps = NULL;
  sa_testset ts = {0};
  sa_wer_result r = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (sa_manifest_load(manifest_path, &man, &e)) goto out;
  if (testset)
    snprintf(set_dir, sizeof set_dir, "%s", testset);
  else
    snprintf(set_dir, sizeof set_dir, "%s%s", man->dir, norms_path ? "calib" : "testsets/main");
  /* norms are fitted data: measured on a calibration set, never on a test set */
  if (norms_path && sa_testset_check_calib(set_dir, man->dir, NULL, &e)) goto out;
  if (sa_model_load(man, &model, &e)) goto out;
  if (norms_path) {
    float **norms = NULL;
    if (sa_engine_act_norms(man, model, set_dir, max_utts, (int)threads, &norms, &e)) goto out;
    int wrc = sa_prune_write_act_norms(man, (const float *const *)norms, norms_path, &e);
    sa_engine_free_norms(norms, man->n_layers);
    if (wrc) goto out;
    printf("activation norms of %d layers over calibration set %s written to %s\n", man->n_layers,
           set_dir,
           norms_path);
    rc = SA_EXIT_OK;
    goto out;
  }
  if (mask_path) {
    /* the mask file records its tile; an explicit --tile must match it */
    if (sa_maskset_read(mask_path, tr, tc, &ms, &e)) goto out;
    have_ms = 1;
    tr = ms.tile_rows;
    tc = ms.tile_cols;
  } else if (tile && dense_masks(man, tr, tc, &ms, &e) == 0) {
    have_ms = 1;
  } else if (tile) {
    goto out;
  }
  sa_engine_opts o = {.mode = mode, .max_utts = max_utts, .seed = (uint64_t)seed,
                      .n_boot = n_boot, .threads = (int)threads};
  if (sa_engine_eval_opts(man, model, have_ms ? &ms : NULL, set_dir, &o, &r, &hyps, &e))
    goto out;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  /* ids for the hypothesis file and the comparison */
  if (sa_testset_load(set_dir, &ts, &e)) goto out;
  int64_t same = 0, matched = 0;
  if (cmp_path && compare_hyps(cmp_path, &ts, hyps, r.utts, &same, &matched, &e)) goto out;
  if (hyp_path && write_hyps(hyp_path, &ts, hyps, r.utts, &e)) goto out;
  if (json_path) {
    sa_out jo;
    if (sa_out_open(&jo, json_path, &e)) goto out;
    sa_json j;
    sa_json_init(&j, jo.f, 1);
    sa_json_obj(&j);
    sa_json_provenance(&j);
    sa_json_key(&j, "model");
    sa_json_str(&j, man->name);
    sa_json_key(&j, "manifest");
    sa_json_str(&j, man->path);
    sa_json_key(&j, "mask");
    sa_json_str(&j, mask_path);
    sa_json_key(&j, "tile_rows");
    if (have_ms) sa_json_int(&j, tr); else sa_json_null(&j);
    sa_json_key(&j, "tile_cols");
    if (have_ms) sa_json_int(&j, tc); else sa_json_null(&j);
    sa_json_key(&j, "testset");
    sa_json_str(&j, set_dir);
    sa_json_key(&j, "mode");
    sa_json_str(&j, mode_s);
    sa_json_key(&j, "utts");
    sa_json_int(&j, r.utts);
    sa_json_key(&j, "words");
    sa_json_int(&j, r.words);
    sa_json_key(&j, "correct");
    sa_json_int(&j, r.cor);
    sa_json_key(&j, "sub");
    sa_json_int(&j, r.sub);
    sa_json_key(&j, "ins");
    sa_json_int(&j, r.ins);
    sa_json_key(&j, "del");
    sa_json_int(&j, r.del);
    sa_json_key(&j, "utts_with_errors");
    sa_json_int(&j, r.utts_wrong);
    sa_json_key(&j, "wer_pct");
    sa_json_num(&j, r.wer);
    sa_json_key(&j, "ci95_lo_pct");
    sa_json_num(&j, r.lo);
    sa_json_key(&j, "ci95_hi_pct");
    sa_json_num(&j, r.hi);
    sa_json_key(&j, "bootstrap_resamples");
    sa_json_int(&j, r.n_boot);
    sa_json_key(&j, "bootstrap_seed");
    sa_json_int(&j, seed);
    if (cmp_path) {
      sa_json_key(&j, "compare");
      sa_json_str(&j, cmp_path);
      sa_json_key(&j, "compare_matched");
      sa_json_int(&j, matched);
      sa_json_key(&j, "compare_identical");
      sa_json_int(&j, same);
    }
    sa_json_key(&j, "seconds");
    sa_json_num(&j, secs);
    sa_json_end(&j);
    fputc('\n', jo.f);
    if (sa_out_commit(&jo, &e)) goto out;
  }
  printf("model %s (%s), mode %s, %s", man->name, man->path, mode_s,
         mask_path ? "mask " : "dense");
  if (mask_path) printf("%s (tile %" PRId64 "x%" PRId64 ")", mask_path, tr, tc);
  printf("\ntest set %s: %" PRId64 " utterances, %" PRId64 " words, %.1f s\n", set_dir, r.utts,
         r.words, secs);
  printf("WER %.2f %% (95 %% CI %.2f-%.2f, %" PRId64 " bootstrap resamples, seed %" PRId64 ")\n",
         r.wer, r.lo, r.hi, r.n_boot, seed);
  printf("errors %" PRId64 ": %" PRId64 " substitutions, %" PRId64 " insertions, %" PRId64
         " deletions; %" PRId64 " of %" PRId64 " utterances with errors\n",
         r.sub + r.ins + r.del, r.sub, r.ins, r.del, r.utts_wrong, r.utts);
  if (cmp_path)
    printf("identical to %s: %" PRId64 " of %" PRId64 " (%.2f %%; %" PRId64 " ids matched)\n",
           cmp_path, same, r.utts, 100.0 * (double)same / (double)r.utts, matched);
  if (hyp_path) printf("hypotheses written to %s\n", hyp_path);
  rc = SA_EXIT_OK;
out:
  if (rc) sa_cmd_fail(spec.name, &e);
  sa_engine_free_hyps(hyps, hyps ? r.utts : 0);
  sa_testset_free(&ts);
  if (have_ms) sa_maskset_free(&ms);
  sa_model_free(model);
  sa_manifest_free(man);
  return rc;
}
