/* sa_engine: inference of a transformer_ctc model (docs/asr.md) from its manifest and weights,
 * with every weight GEMM on the array's bit-exact int8 arithmetic (sa_func, pruned tiles
 * skipped), on its fp32 x int8 datapath, or in fp32 (the reference mode), greedy CTC decoding,
 * and WER over a test set. */
#ifndef SA_ENGINE_H
#define SA_ENGINE_H

#include <stdint.h>

#include "sa_calib.h"
#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_model.h"
#include "sa_wer.h"

enum {
  SA_ENGINE_INT8 = 0, /* weight GEMMs in int8 on the array (docs/asr.md "Quantisation") */
  SA_ENGINE_FP32 = 1, /* weight GEMMs in fp32: the PyTorch-equivalent reference */
  SA_ENGINE_FP32_INT8 = 2, /* weight GEMMs on the array's fp32 x int8 datapath (array.act_type
                              fp32, the paper's v2): int8 weights with the int8 mode's
                              per-channel scales, fp32 activations (sa_func_gemm_f32) */
};

enum {
  SA_ENGINE_BOOT = 1000,  /* default bootstrap resamples of sa_engine_eval */
  SA_ENGINE_MAX_THREADS = 64,
};

typedef struct sa_engine sa_engine;

/* Prepares a model for inference. The manifest must describe a transformer_ctc (arch.type)
 * whose layers are, in order: 2 conv (conv1 k = 9, conv2 k = 9 * conv_channels), 1 in_proj,
 * per encoder layer 3 attn_qkv (q, k, v), 1 attn_out, 2 ff (ff1, ff2), and 1 out whose n is
 * the vocabulary size (arch.vocab's line count); LayerNorm tensors are found by name
 * (encoder.I.ln1.weight/.bias, encoder.I.ln2.*, final_ln.*, shape [d_model]). masks: NULL
 * (dense) or one mask per manifest layer (matched by name, same k and n); pruned tiles are
 * zeroed in fp32 mode and skipped by the array in int8 mode (weight scales are computed after
 * pruning). man and model must outlive the engine. Returns 0 and *out (sa_engine_free), or -1
 * with e filled ("MANIFEST: layer 'x': problem", missing tensor, bad vocabulary, ...). */
int sa_engine_create(const sa_manifest *man, const sa_model *model, const sa_maskset *masks,
                     int mode, sa_engine **out, sa_err *e);
void sa_engine_free(sa_engine *eng);

/* Vocabulary size (output tokens, blank = 0 included) and token i's word. */
int64_t sa_engine_vocab_size(const sa_engine *eng);
const char *sa_engine_token(const sa_engine *eng, int64_t i);

/* Minimum input frames the front-end accepts (7 for two stride-2 3x3 convolutions). */
int64_t sa_engine_min_frames(const sa_engine *eng);

/* Recognises one utterance: feats holds t x n_mels unnormalised log-mel values (docs/asr.md;
 * the engine normalises them). On success returns 0 and *hyp, the recognised words separated
 * by single spaces (malloc'd, "" when nothing was recognised). Thread-safe on a shared engine.
 * Returns -1 with e filled when t < sa_engine_min_frames or out of memory. */
int sa_engine_run(const sa_engine *eng, const float *feats, int64_t t, char **hyp, sa_err *e);

/* Options of sa_engine_eval_opts. */
typedef struct sa_engine_opts {
  int mode;             /* SA_ENGINE_INT8, SA_ENGINE_FP32_INT8 or SA_ENGINE_FP32 */
  int64_t max_utts;     /* score the first max_utts utterances (<= 0: all) */
  uint64_t seed;        /* bootstrap seed */
  int64_t n_boot;       /* bootstrap resamples (>= 1) */
  int threads;          /* worker threads (<= 0: one per online CPU, at most 64) */
} sa_engine_opts;

/* WER of the model (with masks, NULL = dense) on the test set in testset_dir (feats.bin +
 * transcripts.tsv; its n_mels must equal the manifest's). Results do not depend on the
 * thread count. hyps_out: when non-NULL receives out->utts hypotheses in test-set order
 * (free with sa_engine_free_hyps). Returns 0, or -1 with e filled (bad test set, bad
 * manifest/mask, an utterance the model cannot take, out of memory); nothing is returned
 * then. */
int sa_engine_eval_opts(const sa_manifest *man, const sa_model *model, const sa_maskset *masks,
                        const char *testset_dir, const sa_engine_opts *o, sa_wer_result *out,
                        char ***hyps_out, sa_err *e);

/* The same with SA_ENGINE_BOOT resamples and one thread per online CPU. */
int sa_engine_eval(const sa_manifest *man, const sa_model *model, const sa_maskset *masks,
                   const char *testset_dir, int64_t max_utts, int mode, uint64_t seed,
                   sa_wer_result *out, char ***hyps_out, sa_err *e);

void sa_engine_free_hyps(char **hyps, int64_t n);

/* Activation norms for the pruner's act_aware criterion: runs the dense model in fp32 over
 * the first max_utts utterances (<= 0: all) of the test set in testset_dir and returns, for
 * every manifest layer i, (*norms)[i] = K floats: the L2 norm of the GEMM input's column k
 * over all rows of all those utterances (for convolutions, the im2col matrix). *norms has
 * man->n_layers entries, each malloc'd, the array too (free with sa_engine_free_norms or the
 * pruner's sa_prune_act_norms_free). threads as in sa_engine_opts; the sums are reduced in
 * utterance order, so the result does not depend on it. Returns 0 or -1 with e filled. */
int sa_engine_act_norms(const sa_manifest *man, const sa_model *model, const char *testset_dir,
                        int64_t max_utts, int threads, float ***norms, sa_err *e);
void sa_engine_free_norms(float **norms, int n);

/* Calibration statistics for the pruner (sa_calib, docs/pruning.md): runs the dense model in
 * fp32 over the first max_utts utterances (<= 0: all) of the calibration set in calib_dir and
 * accumulates, per manifest layer, H = X^T X of the GEMM input X (rows = every input row of
 * every utterance; convolutions: the im2col matrix) in float64, the channel means and the row
 * count. Utterances run on threads (as sa_engine_opts) but are added in utterance order, so
 * the result does not depend on the thread count. The caller checks that calib_dir is not a
 * test set (sa_testset_check_calib). out->key is set by sa_engine_calib_key. Returns 0 and
 * *out (sa_calib_free), or -1 with e filled. */
int sa_engine_calib(const sa_manifest *man, const sa_model *model, const char *calib_dir,
                    int64_t max_utts, int threads, sa_calib *out, sa_err *e);

/* What statistics are for: "model:H1 calib:H2 utts:N", H1 the FNV-1a 64 hash of the weights
 * file, H2 of calib_dir/feats.bin, N = max_utts (0: all). key holds SA_CALIB_KEY_MAX bytes.
 * Returns 0 or -1 (a file cannot be read). */
int sa_engine_calib_key(const sa_manifest *man, const char *calib_dir, int64_t max_utts,
                        char *key, sa_err *e);

/* Statistics for the pruner, from wherever the configuration says (docs/pruning.md):
 * stats_path non-empty: read that file (a missing file is an error naming it; statistics of
 * another weights file are refused). Else calib_dir must be non-empty and not a test set
 * (sa_testset_check_calib against testset and the manifest's testsets/); with cache_path,
 * statistics there whose key matches are reused, else measured (sa_engine_calib, all
 * utterances, threads as sa_engine_opts; *measured = 1: the caller may write them to the
 * cache with sa_calib_write). *from: the file read, or calib_dir when measured
 * (SA_CALIB_KEY_MAX + 1024 bytes). Returns 0 or -1. */
int sa_engine_calib_obtain(const sa_manifest *man, const sa_model *model, const char *stats_path,
                           const char *calib_dir, const char *testset, const char *cache_path,
                           int threads, sa_calib *out, char *from, int *measured, sa_err *e);

#endif
