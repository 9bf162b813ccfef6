/* sa_model: the float weights of a manifest's layers in one uniform form (each weight GEMM
 * as a K x N row-major matrix), loaded from safetensors or synthesised for timing-only
 * manifests; plus every other tensor of the file by name. */
#ifndef SA_MODEL_H
#define SA_MODEL_H

#include <stdint.h>

#include "sa_err.h"
#include "sa_manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_model sa_model;

/* Most weights (sum of k*n over layers) a synthetic model may have: 2^28, 1 GiB of float. */
#define SA_MODEL_SYNTHETIC_MAX ((int64_t)1 << 28)

/* Loads every layer's weight (and bias) named by the manifest from its safetensors file
 * (any dtype sa_safetensors reads, converted to float), or, for "synthetic:SEED" manifests,
 * synthesises deterministic weights: w ~ N(0, 1/K) (standard deviation 1/sqrt(K)) drawn with
 * a splitmix64-seeded xoshiro256** generator and Box-Muller, layer by layer in manifest
 * order, element by element in K x N row-major order; synthetic models have no bias and no
 * other tensors. Checks each weight's shape against the layer's k, n and layout (out_in:
 * [N][K] or [N][d1][d2]... with d1*d2*... = K, e.g. conv [cout][cin][kh][kw]; in_out: [K][N])
 * and a bias's shape [N]; rejects NaN/infinite weights and a tensor used as the weight of
 * two layers (tied weights). *out is owned by the caller
 * (sa_model_free). On error -1 with "FILE: tensor 'x': problem" in e; synthetic models with more
 * than SA_MODEL_SYNTHETIC_MAX weights are refused before anything is allocated. */
int sa_model_load(const sa_manifest *man, sa_model **out, sa_err *e);
void sa_model_free(sa_model *m);

/* Number of layers (= the manifest's n_layers), and layer i's name, k and n (copied from the
 * manifest at load time). */
int sa_model_n_layers(const sa_model *m);
const char *sa_model_layer_name(const sa_model *m, int layer);
int64_t sa_model_layer_k(const sa_model *m, int layer);
int64_t sa_model_layer_n(const sa_model *m, int layer);

/* Layer i's weight as a K x N row-major float matrix (transposed from out_in storage).
 * Owned by the model. */
const float *sa_model_weight(const sa_model *m, int layer);

/* Sets rows [k0, k1) x columns [n0, n1) of layer i's K x N weight to zero, in the K x N view
 * and in the stored-layout tensor alike. Bounds are invariants (asserted). */
void sa_model_zero_block(sa_model *m, int layer, int64_t k0, int64_t k1, int64_t n0,
                         int64_t n1);

/* Replaces layer i's K x N weight by w (K x N row-major), in the K x N view and in the
 * stored-layout tensor alike. */
void sa_model_set_weight(sa_model *m, int layer, const float *w);

/* Replaces layer i's bias by b (N floats). Returns 0, or -1 when the layer has no bias. */
int sa_model_set_bias(sa_model *m, int layer, const float *b);

/* Layer i's bias (N floats) or NULL. */
const float *sa_model_bias(const sa_model *m, int layer);

/* Any tensor of the file by name (e.g. LayerNorm gamma/beta), as float in its stored layout,
 * with its shape (shape holds SA_SAFETENSORS_MAX_DIMS = 8 entries; shape/ndim may be NULL).
 * Layer weights are returned in their stored layout too (reflecting sa_prune_apply).
 * NULL if absent. */
const float *sa_model_tensor(const sa_model *m, const char *name, int64_t *shape, int *ndim);

/* Tensors of the file, in file order (0 for synthetic models), and the i-th one's name. */
int sa_model_n_tensors(const sa_model *m);
const char *sa_model_tensor_name(const sa_model *m, int i);

#ifdef __cplusplus
}
#endif

#endif
