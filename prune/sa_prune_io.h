/* sa_prune_io: the pruner's files (docs/formats.md), the I/O half of sa_prune (same prefix):
 * the pruned model as safetensors, the JSON/CSV summary, and activation-norm files. */
#ifndef SA_PRUNE_IO_H
#define SA_PRUNE_IO_H

#include "sa_err.h"
#include "sa_manifest.h"
#include "sa_model.h"
#include "sa_prune.h"

/* Writes the model as safetensors (atomically): every tensor of the source file under its
 * name and original shape, as F32, layer weights (and biases) with their current (pruned,
 * compensated) values in the original layout; for synthetic models, the layer weights only. */
int sa_prune_write_model(const sa_model *model, const sa_manifest *man, const char *path,
                         sa_err *e);

/* Writes the summary (docs/formats.md): per-layer and total tiles, pruned tiles and sparsity,
 * output errors and damping when calibration statistics were used, with the options, as JSON
 * (json_path) and CSV (csv_path); either path may be NULL. calib_path: the statistics file
 * (or NULL). Atomic. */
int sa_prune_write_summary(const sa_manifest *man, const sa_prune_opts *o,
                           const sa_prune_stats *st, const char *calib_path,
                           const char *json_path, const char *csv_path, sa_err *e);

/* Activation norms for act_aware (docs/formats.md): a safetensors file with one F32 tensor of
 * shape [K] per layer, named after the manifest layer. read: allocates norms[n_layers]
 * (entries NULL for layers absent from the file); free with sa_prune_act_norms_free. */
int sa_prune_read_act_norms(const sa_manifest *man, const char *path, float ***norms,
                            sa_err *e);
int sa_prune_write_act_norms(const sa_manifest *man, const float *const *norms,
                             const char *path, sa_err *e);
void sa_prune_act_norms_free(float **norms, int n);

#endif
