/* sa_prune: tile-aligned block pruning (docs/pruning.md). Scores every R x C tile of the
 * selected layers' weights, picks the lowest-scoring ones (one global threshold, the same
 * rate per layer, or per-layer rates of least predicted output error; optional per-layer
 * cap), builds the masks, then zeroes the pruned tiles and optionally compensates the kept
 * weights (bias or least-squares reconstruction) without changing the masks. The strategies
 * that need calibration statistics (sa_calib) take them as data. The output files are
 * sa_prune_io's. */
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
typedef enum {
  SA_CRIT_MEAN_ABS,  /* mean |w| of the tile (the paper) */
  SA_CRIT_L2,        /* RMS of the tile */
  SA_CRIT_ACT_AWARE, /* mean |w[k][n]| * ||x_k|| */
  SA_CRIT_RELATIVE,  /* mean |w| divided by the layer's mean tile score: scale-free */
  SA_CRIT_OBS,       /* relative output-error increase with reconstruction (sa_recon) */
  SA_CRIT_COUNT
} sa_criterion;
typedef enum { SA_SCOPE_FF, SA_SCOPE_ATTN, SA_SCOPE_ALL } sa_scope;
typedef enum {
  SA_THRESH_GLOBAL,      /* one threshold over all selected tiles (the paper) */
  SA_THRESH_PER_LAYER,   /* the same rate in every selected layer */
  SA_THRESH_SENSITIVITY, /* per-layer rates of least predicted output error */
  SA_THRESH_COUNT
} sa_threshold;
typedef enum {
  SA_COMP_NONE,  /* pruned tiles zeroed, nothing else changes (the paper) */
  SA_COMP_BIAS,  /* the pruned weights' mean contribution folded into the bias */
  SA_COMP_LSQ,   /* kept weights re-solved by least squares per tile column */
  SA_COMP_COUNT
} sa_compensation;

#include "sa_calib.h"

typedef struct sa_prune_opts {
  int criterion;                 /* SA_CRIT_* */
  int scope;                     /* SA_SCOPE_* */
  int threshold;                 /* SA_THRESH_* */
  double layer_cap;              /* 0..1: at most floor(cap * tiles) pruned per layer */
  double rate;                   /* 0..1: fraction of the selected tiles pruned */
  int64_t tile_rows, tile_cols;  /* R (along K) x C (along N), >= 1 */
  const float *const *act_norms; /* per layer K floats (>= 0), or NULL; act_aware needs it
                                    or calib (entries of out-of-scope layers may be NULL) */
  int compensation;              /* SA_COMP_* (sa_prune_compensate) */
  double damping;                /* obs, lsq: lambda = damping * mean diag H, 0..1 */
  const sa_calib *calib;         /* statistics, or NULL; obs, sensitivity, bias and lsq need
                                    them; act_aware uses sqrt(diag H) when act_norms is NULL */
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
  /* with calibration statistics (else NaN): relative output error on the calibration rows
   * (sa_recon_rel_error) of the pruned layer before and after compensation, and the damping
   * factor the reconstruction used (raised above the requested one when H was singular) */
  double *layer_err_pruned;      /* owned */
  double *layer_err_final;       /* owned */
  double *layer_damping;         /* owned */
  int damping_raised;            /* 1 when some layer needed more damping than asked */
} sa_prune_stats;

/* The tile score of every tile of layer i (kt*nt scores, tile index kt_i*nt + nt_i) into
 * scores. mean_abs: mean |w| over the tile's real elements; l2: sqrt(mean w^2) over the real
 * elements (the L2 norm divided by sqrt(count), so edge tiles compare fairly); act_aware:
 * mean |w[k][n]| * norm[k] over the real elements (norm: act_norms, else sqrt(H[k][k]));
 * relative: mean_abs divided by the mean of the layer's mean_abs scores (0 when that is 0);
 * obs: sa_recon_obs_scores with o->damping. Returns 0 or -1 (statistics or norms missing). */
int sa_prune_scores(const sa_manifest *man, const sa_model *model, int layer,
                    const sa_prune_opts *o, double *scores, sa_err *e);

/* Builds a mask for EVERY manifest layer (out-of-scope layers all kept) into out (caller
 * frees with sa_maskset_free) and fills st (sa_prune_stats_free; st may be NULL).
 * Count pruned: target = floor(rate * tiles + 1e-9) (the paper's int(rate * n), guarded
 * against binary rounding), over all selected tiles (global, sensitivity) or per selected
 * layer (per_layer). Order: lower score first, then manifest layer order, then tile index.
 * Global mode skips tiles of a layer that reached its cap floor(cap * tiles + 1e-9) and
 * takes the next ones; caps can make the achieved count lower than the target.
 * Sensitivity: within a layer tiles go in criterion order; the predicted output error of
 * pruning a layer's first j tiles is the sum of their obs scores; per-layer counts (at most
 * the cap) minimise the total predicted error for the global target count (greedy over the
 * lower convex hulls of the per-layer curves, exact for convex curves). Returns 0, or -1 with
 * e filled (bad options, missing norms or statistics); out is then empty. */
int sa_prune_masks(const sa_manifest *man, const sa_model *model, const sa_prune_opts *o,
                   sa_maskset *out, sa_prune_stats *st, sa_err *e);
void sa_prune_stats_free(sa_prune_stats *st);

/* Zeroes the weights of every pruned tile (biases untouched), in both the K x N view and
 * the stored-layout tensor. Masks are matched to layers by name; every layer must have one
 * with the layer's k and n. Returns 0 or -1 (model then unchanged). */
int sa_prune_apply(sa_model *model, const sa_maskset *ms, sa_err *e);

/* Applies the masks of sa_prune_masks to the (dense) model with o->compensation: none is
 * sa_prune_apply; bias adds sa_recon_bias to each pruned selected layer's bias (every such
 * layer needs one); lsq replaces each pruned selected layer's weight by sa_recon_lsq's.
 * Pruned weights end at 0 and the masks are never changed. With o->calib, fills st's
 * per-layer errors and damping (st from sa_prune_masks; may be NULL). Returns 0 or -1
 * (the model may then be partly compensated: discard it). */
int sa_prune_compensate(sa_model *model, const sa_manifest *man, const sa_maskset *ms,
                        const sa_prune_opts *o, sa_prune_stats *st, sa_err *e);

/* Refuses (-1, e names the layer) a mask m that skips tiles of a layer without weights (role
 * attn_matmul, sa_manifest_has_weights); 0 otherwise. */
int sa_prune_check_skippable(const sa_layer *l, const sa_tilemask *m, sa_err *e);

/* Checks that ms has a mask for every manifest layer with matching k, n (and nothing else),
 * none skipping tiles of a layer without weights. Returns 0 or -1 with a message naming the
 * layer. */
int sa_prune_check_masks(const sa_manifest *man, const sa_maskset *ms, sa_err *e);

/* 1 when the options need calibration statistics (obs, sensitivity, bias, lsq). */
int sa_prune_needs_calib(const sa_prune_opts *o);

/* Names for the option values ("mean_abs", "ff", "global", "lsq", ...), NULL when out of
 * range; and the reverse (-1 when unknown). */
const char *sa_prune_criterion_name(int v);
const char *sa_prune_scope_name(int v);
const char *sa_prune_threshold_name(int v);
const char *sa_prune_compensation_name(int v);
int sa_prune_criterion_parse(const char *s);
int sa_prune_scope_parse(const char *s);
int sa_prune_threshold_parse(const char *s);
int sa_prune_compensation_parse(const char *s);

#ifdef __cplusplus
}
#endif

#endif
