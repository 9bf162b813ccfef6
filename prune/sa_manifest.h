/* sa_manifest: the model description (docs/manifest.md) — layers, shapes, roles, weight
 * tensor names, nominal schedule and host work. The single source of truth that the
 * pruner, the cycle model, the RTL check and the WER engine all read. */
#ifndef SA_MANIFEST_H
#define SA_MANIFEST_H

#include <stdint.h>

#include "sa_err.h"

/* Limits of docs/manifest.md, shared with the readers that build manifests in memory
 * (sa_topology): k and n below MAX_DIM, m and count at most MAX_ROWS, a layer's
 * m*k*n*count and the sum over layers at most MAX_WORK. */
#define SA_MANIFEST_MAX_LAYERS 100000
#define SA_MANIFEST_MAX_DIM ((int64_t)1 << 31)
#define SA_MANIFEST_MAX_ROWS ((int64_t)1 << 40)
#define SA_MANIFEST_MAX_WORK ((int64_t)1 << 62)
#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  SA_ROLE_CONV,
  SA_ROLE_IN_PROJ,
  SA_ROLE_ATTN_QKV,
  SA_ROLE_ATTN_OUT,
  SA_ROLE_FF,
  SA_ROLE_OUT,
  SA_ROLE_ATTN_MATMUL, /* an activation x activation GEMM (attention's Q.K^T, scores.V) on the
                          array: its stationary operand is computed at run time, so no scope
                          selects it, a mask may not skip its tiles and it stores no weights */
  SA_ROLE_COUNT
} sa_role;

typedef enum {
  SA_HOSTOP_LAYERNORM,
  SA_HOSTOP_SOFTMAX,
  SA_HOSTOP_GELU,
  SA_HOSTOP_RELU,
  SA_HOSTOP_ADD,
  SA_HOSTOP_QUANTIZE,
  SA_HOSTOP_DEQUANTIZE,
  SA_HOSTOP_ARGMAX,
  SA_HOSTOP_ATTN_MATMUL,
  SA_HOSTOP_CONV_PAD,
  SA_HOSTOP_COUNT
} sa_hostop_kind;

typedef struct sa_layer {
  char name[128];
  int role;             /* sa_role */
  char weight[256];     /* tensor name */
  char bias[256];       /* tensor name or "" */
  int out_in;           /* 1: stored [N][K] (PyTorch); 0: stored [K][N] */
  int64_t k, n, m, count;
} sa_layer;

typedef struct sa_hostop {
  int op;               /* sa_hostop_kind */
  int64_t elements, count;
} sa_hostop;

typedef struct sa_arch {
  char type[32];        /* "transformer_ctc" or "none" */
  int64_t n_mels, conv_channels, d_model, heads, d_ff, layers;
  char vocab[1024];     /* resolved path, "" if none */
} sa_arch;

typedef struct sa_manifest {
  char path[1024];
  char dir[1024];       /* directory of the manifest (with trailing '/'; "" for cwd) */
  char name[128];
  char weights[1024];   /* resolved safetensors path; "" when synthetic */
  int synthetic;        /* weights: "synthetic:SEED" (timing only, no WER) */
  uint64_t synthetic_seed;
  sa_arch arch;
  int64_t tokens;       /* schedule.tokens */
  int n_layers;
  sa_layer *layers;     /* owned */
  int n_hostops;
  sa_hostop *hostops;   /* owned */
} sa_manifest;

/* Loads and validates a manifest (every key checked, errors as FILE:LINE:COL: key '...'; a
 * layer's m*k*n*count, their sum over layers and a host op's elements*count are at most 2^62,
 * docs/manifest.md "Limits", so products of these values fit an int64).
 * *out is owned by the caller (sa_manifest_free). */
int sa_manifest_load(const char *path, sa_manifest **out, sa_err *e);
void sa_manifest_free(sa_manifest *m);

/* Writes dir/manifest.yaml, a copy of man's manifest file (comments and layout kept) that
 * works from dir: its weights: value becomes weights (a path relative to dir, or absolute),
 * or, when weights is NULL, man's own weights as an absolute path (synthetic:SEED stays);
 * arch.vocab is copied into dir. So a directory written by 'sasp prune' is a model directory
 * of its own. Returns 0, or -1 with e filled. */
int sa_manifest_write_copy(const sa_manifest *man, const char *dir, const char *weights,
                           sa_err *e);

const char *sa_manifest_role_name(int role);
const char *sa_manifest_hostop_name(int op);
/* 1 when the layer is selected by pruning scope (sa_scope values of sa_config.h:
 * 0 = ff, 1 = attn, 2 = all: every layer with weights, i.e. not role attn_matmul). */
int sa_manifest_in_scope(const sa_layer *l, int scope);

/* 1 when the layer's stationary operand is a weight (a mask may skip its tiles); 0 for role
 * attn_matmul, whose operand is an activation. */
int sa_manifest_has_weights(const sa_layer *l);

#ifdef __cplusplus
}
#endif

#endif
