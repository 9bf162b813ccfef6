/* sa_cmd_wer: 'sasp wer' — word error rate of a (pruned) model on a test set, with the weight
 * GEMMs on the array's int8 arithmetic (or fp32), S/I/D counts and a bootstrap 95 % CI. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void usage(FILE *f) {
  fprintf(f,
          "usage: sasp wer --model DIR [--weights FILE] [--mask FILE --tile RxC] [--testset DIR]\n"
          "                [--mode int8|fp32] [--max-utts N] [--json FILE] [--hyp FILE]\n"
          "                [--compare HYP.tsv] [--seed N] [--boot N] [--threads N]\n"
          "       sasp wer --model DIR --act-norms OUT [--testset DIR] [--max-utts N]\n\n"
          "Word error rate of a transformer_ctc model (docs/asr.md) on a test set. Every weight\n"
          "GEMM runs on the array's int8 arithmetic (pruned tiles skipped) unless --mode fp32.\n\n"
          "  --model DIR       model directory holding manifest.yaml (or the manifest itself)\n"
          "  --weights FILE    weights to use instead of the manifest's (e.g. the compensated\n"
          "                    OUT/model.safetensors of 'sasp prune', with --mask OUT/mask.bin)\n"
          "  --mask FILE       tile masks from 'sasp prune' (default: dense)\n"
          "  --tile RxC        array tile the mask was made for (required with --mask)\n"
          "  --testset DIR     feats.bin + transcripts.tsv (default: DIR/testsets/main)\n"
          "  --mode M          int8 (default, the array's arithmetic) or fp32 (reference)\n"
          "  --max-utts N      score only the first N utterances\n"
          "  --json FILE       write the result as JSON (atomically)\n"
          "  --hyp FILE        write the hypotheses as 'id<TAB>words' lines\n"
          "  --compare FILE    count hypotheses identical to those of FILE ('id<TAB>words')\n"
          "  --seed N          bootstrap seed (default 1)\n"
          "  --boot N          bootstrap resamples (default %d)\n"
          "  --threads N       worker threads (default: one per CPU)\n"
          "  --act-norms OUT   instead of WER: write the input-channel L2 norms of every layer\n"
          "                    (dense fp32 model over the test set's utterances; safetensors,\n"
          "                    for 'sasp prune --criterion act_aware --act-norms OUT')\n",
          SA_ENGINE_BOOT);
}

static int parse_i64(const char *opt, const char *s, int64_t lo, int64_t *v) {
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (errno || end == s || *end || x < lo) {
    fprintf(stderr, "sasp wer: %s: expected an integer >= %lld, got '%s'\n", opt, (long long)lo,
            s);
    return -1;
  }
  *v = x;
  return 0;
}

static int parse_tile(const char *s, int64_t *r, int64_t *c) {
  char *end;
  errno = 0;
  long long a = strtoll(s, &end, 10);
  if (errno || end == s || (*end != 'x' && *end != 'X') || a < 1) goto bad;
  const char *s2 = end + 1;
  long long b = strtoll(s2, &end, 10);
  if (errno || end == s2 || *end || b < 1) goto bad;
  *r = a;
  *c = b;
  return 0;
bad:
  fprintf(stderr, "sasp wer: --tile: expected RxC with positive integers (e.g. 16x16), got '%s'\n",
          s);
  return -1;
}

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

int sa_cmd_wer(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    usage(stdout);
    return 0;
  }
  const char *model_arg = NULL, *mask_path = NULL, *tile = NULL, *testset = NULL,
             *mode_s = "int8", *json_path = NULL, *hyp_path = NULL, *cmp_path = NULL,
             *norms_path = NULL, *weights = NULL;
  int64_t max_utts = 0, seed = 1, n_boot = SA_ENGINE_BOOT, threads = 0, tr = 0, tc = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **sval = NULL;
    int64_t *ival = NULL, lo = 0;
    if (!strcmp(a, "--model")) sval = &model_arg;
    else if (!strcmp(a, "--mask")) sval = &mask_path;
    else if (!strcmp(a, "--weights")) sval = &weights;
    else if (!strcmp(a, "--tile")) sval = &tile;
    else if (!strcmp(a, "--testset")) sval = &testset;
    else if (!strcmp(a, "--mode")) sval = &mode_s;
    else if (!strcmp(a, "--json")) sval = &json_path;
    else if (!strcmp(a, "--hyp")) sval = &hyp_path;
    else if (!strcmp(a, "--compare")) sval = &cmp_path;
    else if (!strcmp(a, "--act-norms")) sval = &norms_path;
    else if (!strcmp(a, "--max-utts")) ival = &max_utts, lo = 1;
    else if (!strcmp(a, "--seed")) ival = &seed, lo = 0;
    else if (!strcmp(a, "--boot")) ival = &n_boot, lo = 1;
    else if (!strcmp(a, "--threads")) ival = &threads, lo = 1;
    else {
      fprintf(stderr, "sasp wer: unknown option '%s' (see sasp wer --help)\n", a);
      return 2;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "sasp wer: %s needs a value\n", a);
      return 2;
    }
    if (sval) *sval = argv[++i];
    else if (parse_i64(a, argv[++i], lo, ival)) return 2;
  }
  if (!model_arg) {
    fprintf(stderr, "sasp wer: --model DIR is required (see sasp wer --help)\n");
    return 2;
  }
  int mode;
  if (!strcmp(mode_s, "int8")) mode = SA_ENGINE_INT8;
  else if (!strcmp(mode_s, "fp32")) mode = SA_ENGINE_FP32;
  else {
    fprintf(stderr, "sasp wer: --mode: expected int8 or fp32, got '%s'\n", mode_s);
    return 2;
  }
  if (tile && parse_tile(tile, &tr, &tc)) return 2;
  if (norms_path && (mask_path || json_path || hyp_path || cmp_path)) {
    fprintf(stderr, "sasp wer: --act-norms runs the dense fp32 model and computes no WER: "
                    "--mask, --json, --hyp and --compare do not apply\n");
    return 2;
  }
  if (mask_path && !tile) {
    fprintf(stderr, "sasp wer: --mask needs --tile RxC (the array tile it was made for)\n");
    return 2;
  }

  char manifest_path[1200], set_dir[1200];
  struct stat sb;
  if (stat(model_arg, &sb) == 0 && S_ISDIR(sb.st_mode))
    snprintf(manifest_path, sizeof manifest_path, "%s/manifest.yaml", model_arg);
  else
    snprintf(manifest_path, sizeof manifest_path, "%s", model_arg);
  sa_err e = {{0}};
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  sa_maskset ms = {0};
  int have_ms = 0, rc = 1;
  char **hyps = NULL;
  sa_testset ts = {0};
  sa_wer_result r = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (sa_manifest_load(manifest_path, &man, &e)) goto out;
  if (testset)
    snprintf(set_dir, sizeof set_dir, "%s", testset);
  else
    snprintf(set_dir, sizeof set_dir, "%stestsets/main", man->dir);
  if (weights) {
    if (man->synthetic || strlen(weights) >= sizeof man->weights) {
      sa_err_set(&e, "--weights %s: %s", weights,
                 man->synthetic ? "the manifest's weights are synthetic" : "path too long");
      goto out;
    }
    snprintf(man->weights, sizeof man->weights, "%s", weights);
  }
  if (sa_model_load(man, &model, &e)) goto out;
  if (norms_path) {
    float **norms = NULL;
    if (sa_engine_act_norms(man, model, set_dir, max_utts, (int)threads, &norms, &e)) goto out;
    int wrc = sa_prune_write_act_norms(man, (const float *const *)norms, norms_path, &e);
    sa_engine_free_norms(norms, man->n_layers);
    if (wrc) goto out;
    printf("activation norms of %d layers over %s written to %s\n", man->n_layers, set_dir,
           norms_path);
    rc = 0;
    goto out;
  }
  if (mask_path) {
    if (sa_maskset_read(mask_path, tr, tc, &ms, &e)) goto out;
    have_ms = 1;
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
    sa_json_key(&j, "weights");
    sa_json_str(&j, man->weights);
    sa_json_key(&j, "mask");
    sa_json_str(&j, mask_path);
    sa_json_key(&j, "tile_rows");
    if (tile) sa_json_int(&j, tr); else sa_json_null(&j);
    sa_json_key(&j, "tile_cols");
    if (tile) sa_json_int(&j, tc); else sa_json_null(&j);
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
  rc = 0;
out:
  if (rc) fprintf(stderr, "sasp wer: %s\n", e.msg);
  sa_engine_free_hyps(hyps, hyps ? r.utts : 0);
  sa_testset_free(&ts);
  if (have_ms) sa_maskset_free(&ms);
  sa_model_free(model);
  sa_manifest_free(man);
  return rc;
}
