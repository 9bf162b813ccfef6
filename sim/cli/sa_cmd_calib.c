/* sa_cmd_calib: 'sasp calib' — measures a model's calibration statistics (per weight GEMM the
 * input Gram matrix X^T X and channel means, sa_calib) on a calibration set with the WER
 * engine, and writes them once (safetensors, atomically) for 'sasp prune --stats' and
 * prune.statistics. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sa_calib.h"
#include "sa_cmd.h"
#include "sa_engine.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_testset.h"

int sa_cmd_calib(int argc, char **argv) {
  const char *model_arg = NULL, *calib = NULL, *testset = NULL, *out = NULL;
  int64_t max_utts = 0, threads = 0;
  sa_opt opts[] = {
      {"model", 0, SA_OPT_STR, "DIR", "model directory holding manifest.yaml (or the manifest "
       "itself)", &model_arg, 0, 0},
      {"calib", 0, SA_OPT_STR, "DIR", "calibration set (default: the model directory's calib/);\n"
       "never a test set: refused when it is --testset or any of\nthe model's testsets/",
       &calib, 0, 0},
      {"testset", 0, SA_OPT_STR, "DIR", "the test set to keep apart from (default:\n"
       "DIR/testsets/main)", &testset, 0, 0},
      {"max-utts", 0, SA_OPT_INT, "N", "use only the first N calibration utterances", &max_utts,
       1, 1e9},
      {"threads", 0, SA_OPT_INT, "N", "worker threads (default: one per CPU; the result does not\n"
       "depend on it)", &threads, 1, SA_ENGINE_MAX_THREADS},
      {"out", 'o', SA_OPT_STR, "FILE", "statistics file to write (safetensors, docs/formats.md)",
       &out, 0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "calib", "--model DIR [--calib DIR] [options] -o FILE",
      "Calibration statistics of a transformer_ctc model for pruning (docs/pruning.md): the\n"
      "dense fp32 model runs over a calibration set and, per weight GEMM, the input Gram\n"
      "matrix H = X^T X (float64) and the channel means are written to FILE, once per model,\n"
      "for 'sasp prune --stats FILE' and prune.statistics.",
      opts, 0, NULL,
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (!model_arg) return sa_args_usage_error(&spec, "--model DIR is required");
  if (!out) return sa_args_usage_error(&spec, "-o FILE is required");
  char manifest_path[SA_PATH_MAX], calib_dir[SA_PATH_MAX + 16], set_dir[SA_PATH_MAX + 16];
  if (sa_cmd_model_manifest(&spec, model_arg, manifest_path, sizeof manifest_path))
    return SA_EXIT_USAGE;
  sa_err e = {{0}};
  sa_manifest *man = NULL;
  sa_model *model = NULL;
  sa_calib c = {0};
  int rc = SA_EXIT_FAIL;
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
  rc = SA_EXIT_OK;
done:
  if (rc) sa_cmd_fail(spec.name, &e);
  sa_calib_free(&c);
  sa_model_free(model);
  sa_manifest_free(man);
  return rc;
}
