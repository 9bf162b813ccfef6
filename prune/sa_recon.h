/* sa_recon: the calibration-statistics side of pruning (docs/pruning.md): output-error
 * (Optimal-Brain-Surgeon) tile scores, least-squares reconstruction of the kept weights,
 * bias compensation, and the layer output error these are judged by. Everything works on one
 * layer's K x N weight and its sa_calib statistics (H = X^T X over calibration rows X, channel
 * means mu). Factorisations are LAPACK(E)'s; OpenBLAS runs single-threaded so that results do
 * not depend on the machine. */
#ifndef SA_RECON_H
#define SA_RECON_H

#include <stdint.h>

#include "sa_calib.h"
#include "sa_err.h"
#include "sa_mask.h"

/* Diagonal damping: damp * mean(diag H) (damp alone when the diagonal is all zero). */
double sa_recon_lambda(const sa_calib_layer *h, double damp);

/* Output-error score of every R x C tile of w (K x N row-major, K = h->k), kt*nt values in
 * tile order: the increase of sum_rows ||xW - xW'||^2 when only that tile is removed and the
 * rest of each of its columns is re-solved by least squares (OBS: sum over the tile's columns
 * of w_S^T [(H+lambda I)^-1]_SS^-1 w_S, S = the tile's rows), divided by the layer's dense
 * output energy sum_rows ||xW||^2 (0 when that is 0), so scores of different layers compare.
 * *damp_used: the damping factor used (raised x10 until H + lambda I factorises).
 * Returns 0 or -1 (out of memory, H not factorisable even with damping 1e6). */
int sa_recon_obs_scores(const sa_calib_layer *h, const float *w, int64_t n, int64_t R,
                        int64_t C, double damp, double *scores, double *damp_used, sa_err *e);

/* Predicted output error of pruning the first j tiles of order (tile indices of w's R x C
 * grid, in pruning order) with least-squares reconstruction of the rest, for each j of
 * counts[0..ng-1]: per tile column, with P its pruned rows, sum over its columns of
 * w_P^T [(H+lambda I)^-1]_PP^-1 w_P (the exact damped LSQ error), over the dense output
 * energy. err: ng values. Returns 0 or -1. */
int sa_recon_curve(const sa_calib_layer *h, const float *w, int64_t n, int64_t R, int64_t C,
                   const int64_t *order, const int64_t *counts, int ng, double damp,
                   double *err, sa_err *e);

/* Least-squares reconstruction: for every tile column (the C output columns of one strip
 * of tiles along N) with a pruned tile, the kept rows S of those columns are re-solved
 * against the dense outputs on the calibration inputs, w_S = (H_SS + lambda I)^-1 H_S: w (one
 * Cholesky per tile column); pruned weights are 0; tile columns with nothing pruned keep
 * their weights exactly. out: K x N (may not alias w). *damp_used as above (the largest over
 * the tile columns). The mask is only read. Returns 0 or -1. */
int sa_recon_lsq(const sa_calib_layer *h, const float *w, int64_t n, const sa_tilemask *m,
                 double damp, float *out, double *damp_used, sa_err *e);

/* Bias compensation (FLAP-style): delta_b[j] = sum over the pruned weights w[k][j] of column j
 * of w[k][j] * mu[k], the pruned tiles' mean contribution, to be added to the bias. */
void sa_recon_bias(const sa_calib_layer *h, const float *w, int64_t n, const sa_tilemask *m,
                   float *delta_b);

/* Relative output error of replacing (w, b) by (w2, b + db) on the calibration rows:
 * sum_rows ||x(w - w2) - db||^2 / sum_rows ||xw||^2 (db may be NULL; 0 when the dense energy
 * is 0). Returns 0 and *err, or -1 (out of memory). */
int sa_recon_rel_error(const sa_calib_layer *h, const float *w, const float *w2,
                       const float *db, int64_t n, double *err, sa_err *e);

#endif
