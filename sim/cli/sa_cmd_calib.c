/* sa_cmd_calib: 'sasp calib' — measures a model's calibration statistics (per weight GEMM the
 * input Gram matrix X^T X and channel means, sa_calib) on a calibration set with the WER
 * engine, and writes them once (safetensors, atomically) for 'sasp prune --stats' and
 * prune.statistics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sa_calib.h"
#include "sa_cmd.h"
#include "sa_engine.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_testset.h"

static const char usage_text[] =
    "usage: sasp calib --model DIR [--calib DIR] [--testset DIR] [--max-utts N] [--threads N]\n"
    "                  -o FILE\n\n"
    "Calibration statistics of a transformer_ctc model (docs/pruning.md): the dense fp32 model\n"
    "runs over a calibration set and, per weight GEMM, the input Gram matrix H = X^T X (float64)\n"
    "and the channel means are written to FILE (safetensors, docs/formats.md).\n\n"
    "  --model DIR      model directory holding manifest.yaml (or the manifest itself)\n"
    "  --calib DIR      calibration set (default: the model directory's calib/); never a test\n"
    "                   set: refused when it is --testset or any of the model's testsets/\n"
    "  --testset DIR    the test set to keep apart from (default: DIR/testsets/main)\n"
    "  --max-utts N     use only the first N calibration utterances\n"
    "  --threads N      worker threads (default: one per CPU; the result does not depend on it)\n"
    "  -o, --out FILE   statistics file to write\n";

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "sasp calib: ");
  fprintf(stderr, msg, arg);
  fprintf(stderr, " (see sasp calib --help)\n");
  return 2;
}

int sa_cmd_calib(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    fputs(usage_text, stdout);
    return 0;
  }
  const char *model_arg = NULL, *calib = NULL, *testset = NULL, *out = NULL;
  long long max_utts = 0, threads = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) return usage_error("%s needs a value", a);
    const char *v = argv[++i];
    char *end;
    if (!strcmp(a, "--model")) model_arg = v;
    else if (!strcmp(a, "--calib")) calib = v;
    else if (!strcmp(a, "--testset")) testset = v;
    else if (!strcmp(a, "-o") || !strcmp(a, "--out")) out = v;
    else if (!strcmp(a, "--max-utts") || !strcmp(a, "--threads")) {
      errno = 0;
      long long x = strtoll(v, &end, 10);
      if (errno || end == v || *end || x < 1 || (a[2] == 't' && x > SA_ENGINE_MAX_THREADS))
        return usage_error("%s: expected a positive integer (threads at most 64)", a);
      if (a[2] == 't') threads = x;
      else max_utts = x;
    } else {
      return usage_error("unknown option '%s'", a);
    }
  }
  if (!model_arg) return usage_error("%s", "--model DIR is required");
  if (!out) return usage_error("%s", "-o FILE is required");
  char manifest_path[1200], calib_dir[1200], set_dir[1200];
  struct stat sb;
  if (stat(model_arg, &sb) == 0 && S_ISDIR(sb.st_mode))
    snprintf(manifest_path, sizeof manifest_path, "%s/manifest.yaml", model_arg);
  else
    snprintf(manifest_path, sizeof manifest_path, "%s", model_arg);
  sa_err e = {{0}};
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  sa_calib c = {0};
  int rc = 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (sa_manifest_load(manifest_path, &man, &e)) goto done;
  snprintf(calib_dir, sizeof calib_dir, "%s", calib ? calib : "");
  if (!calib) snprintf(calib_dir, sizeof calib_dir, "%scalib", man->dir);
  if (testset) snprintf(set_dir, sizeof set_dir, "%s", testset);
  else snprintf(set_dir, sizeof set_dir, "%stestsets/main", man->dir);
  if (sa_testset_check_calib(calib_dir, man->dir, set_dir, &e) ||
      sa_model_load(man, &model, &e) ||
      sa_engine_calib(man, model, calib_dir, max_utts, (int)threads, &c, &e) ||
      sa_engine_calib_key(man, calib_dir, max_utts, c.key, &e) ||
      sa_calib_write(&c, man, out, &e))
    goto done;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int64_t rows = 0;
  for (int i = 0; i < c.n; i++) rows += c.layers[i].rows;
  printf("calibration statistics of %s over %lld utterances of %s (%d layers, %lld GEMM input "
         "rows, %.1f s) -> %s\nkey %s\n",
         man->name, (long long)c.utts, calib_dir, c.n, (long long)rows,
         (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), out, c.key);
  rc = 0;
done:
  if (rc) fprintf(stderr, "sasp calib: %s\n", e.msg);
  sa_calib_free(&c);
  sa_model_free(model);
  sa_manifest_free(man);
  return rc;
}
