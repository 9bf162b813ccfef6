/* sa_prune: tile-aligned block pruning. Scores every R x C tile of the selected layers'
 * weights, picks the lowest-scoring ones (one global threshold or the same rate per layer,
 * with an optional per-layer cap) and writes masks, pruned weights and a summary. */
#ifndef SA_PRUNE_H
#define SA_PRUNE_H

#include <stdint.h>

#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_mask.h"
#include "sa_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pruning choices; their one definition (sa_config's schema names them, docs/config.md). */
typedef enum { SA_CRIT_MEAN_ABS, SA_CRIT_L2, SA_CRIT_ACT_AWARE } sa_criterion;
typedef enum { SA_SCOPE_FF, SA_SCOPE_ATTN, SA_SCOPE_ALL } sa_scope;
typedef enum { SA_THRESH_GLOBAL, SA_THRESH_PER_LAYER } sa_threshold;

typedef struct sa_prune_opts {
  int criterion;                 /* SA_CRIT_* */
  int scope;                     /* SA_SCOPE_* */
  int threshold;                 /* SA_THRESH_* */
  double layer_cap;              /* 0..1: at most floor(cap * tiles) pruned per layer */
  double rate;                   /* 0..1: fraction of the selected tiles pruned */
  int64_t tile_rows, tile_cols;  /* R (along K) x C (along N), >= 1 */
  const float *const *act_norms; /* per layer K floats (>= 0), or NULL; act_aware needs it
                                    (entries of out-of-scope layers may be NULL) */
} sa_prune_opts;

typedef struct sa_prune_stats {
  int64_t tiles_selected;        /* tiles of the in-scope layers */
  int64_t tiles_target;          /* what the rate asked for (before caps) */
  int64_t tiles_pruned;
  double rate_achieved;          /* tiles_pruned / tiles_selected (0 when none selected) */
  int n;                         /* layers (all manifest layers) */
  int64_t *layer_tiles;          /* owned: tiles per layer */
  int64_t *layer_pruned;         /* owned: pruned tiles per layer (0 out of scope) */
  int *layer_selected;           /* owned: 1 when in scope */
  double *layer_zero_frac;       /* owned: fraction of real weight elements in pruned tiles */
} sa_prune_stats;

/* The tile score of every tile of layer i (kt*nt scores, tile index kt_i*nt + nt_i) into
 * scores. mean_abs: mean |w| over the tile's real elements; l2: sqrt(mean w^2) over the real
 * elements (the L2 norm divided by sqrt(count), so edge tiles compare fairly); act_aware:
 * mean |w[k][n]| * norm[k] over the real elements. Returns 0 or -1 (act_aware without norms). */
int sa_prune_scores(const sa_manifest *man, const sa_model *model, int layer,
                    const sa_prune_opts *o, double *scores, sa_err *e);

/* Builds a mask for EVERY manifest layer (out-of-scope layers all kept) into out (caller
 * frees with sa_maskset_free) and fills st (sa_prune_stats_free; st may be NULL).
 * Count pruned: target = floor(rate * tiles + 1e-9) (the paper's int(rate * n), guarded
 * against binary rounding), over all selected tiles (global) or per selected layer
 * (per_layer). Order: lower score first, then manifest layer order, then tile index.
 * Global mode skips tiles of a layer that reached its cap floor(cap * tiles + 1e-9) and
 * takes the next ones; caps can make the achieved count lower than the target. Returns 0,
 * or -1 with e filled (bad options, missing norms); out is then empty. */
int sa_prune_masks(const sa_manifest *man, const sa_model *model, const sa_prune_opts *o,
                   sa_maskset *out, sa_prune_stats *st, sa_err *e);
void sa_prune_stats_free(sa_prune_stats *st);

/* Zeroes the weights of every pruned tile (biases untouched), in both the K x N view and
 * the stored-layout tensor. Masks are matched to layers by name; every layer must have one
 * with the layer's k and n. Returns 0 or -1 (model then unchanged). */
int sa_prune_apply(sa_model *model, const sa_maskset *ms, sa_err *e);

/* Checks that ms has a mask for every manifest layer with matching k, n (and nothing else).
 * Returns 0 or -1 with a message naming the layer. */
int sa_prune_check_masks(const sa_manifest *man, const sa_maskset *ms, sa_err *e);

/* Writes the model as safetensors (atomically): every tensor of the source file under its
 * name and original shape, as F32, layer weights with their current (pruned) values in the
 * original layout; for synthetic models, the layer weights only. */
int sa_prune_write_model(const sa_model *model, const sa_manifest *man, const char *path,
                         sa_err *e);

/* Writes the summary (docs/formats.md): per-layer and total tiles, pruned tiles and sparsity,
 * with the options, as JSON (json_path) and CSV (csv_path); either path may be NULL.
 * Atomic. */
int sa_prune_write_summary(const sa_manifest *man, const sa_prune_opts *o,
                           const sa_prune_stats *st, const char *json_path,
                           const char *csv_path, sa_err *e);

/* Activation norms for act_aware (docs/formats.md): a safetensors file with one F32 tensor of
 * shape [K] per layer, named after the manifest layer. read: allocates norms[n_layers]
 * (entries NULL for layers absent from the file); free with sa_prune_act_norms_free. */
int sa_prune_read_act_norms(const sa_manifest *man, const char *path, float ***norms,
                            sa_err *e);
int sa_prune_write_act_norms(const sa_manifest *man, const float *const *norms,
                             const char *path, sa_err *e);
void sa_prune_act_norms_free(float **norms, int n);

/* Names for the option values ("mean_abs", "ff", "global", ...), NULL when out of range; and
 * the reverse (-1 when unknown). */
const char *sa_prune_criterion_name(int v);
const char *sa_prune_scope_name(int v);
const char *sa_prune_threshold_name(int v);
int sa_prune_criterion_parse(const char *s);
int sa_prune_scope_parse(const char *s);

#ifdef __cplusplus
}
#endif

#endif
