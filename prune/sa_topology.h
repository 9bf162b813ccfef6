/* sa_topology: reader of SCALE-Sim (v2/v3) topology files (docs/scale-sim.md), the layer
 * lists architects bring from SCALE-Sim, turned into a manifest in memory so that everything
 * downstream (cycle model, pruner, sweep) reads one description of the workload.
 *
 * Two CSV formats, told apart by the header row:
 *   GEMM:        Layer, M, N, K
 *   convolution: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,
 *                Channels, Num Filter, Strides            (or Stride height, Stride width)
 * either optionally followed by SCALE-Sim v3's Sparsity column (N:M; read and ignored:
 * sasp prunes tiles of the weights itself). Header names are matched without regard to case
 * or repeated blanks; fields are trimmed; a trailing comma, blank lines and '#' comments are
 * allowed (SCALE-Sim's own files use all three).
 *
 * Lowering, as SCALE-Sim does: a GEMM row is M x K . K x N; a convolution is an im2col GEMM
 * with M = ofmap_h * ofmap_w, ofmap = (ifmap - filter) / stride + 1 (integer division),
 * K = filter_h * filter_w * channels, N = num_filter. A convolution whose name contains "DP"
 * is depthwise, as in SCALE-Sim: one GEMM per channel (count = channels) with K =
 * filter_h * filter_w. Rows become layers in file order, named by their first column (a
 * repeated name gets "#2", "#3", ... so masks can tell them apart); GEMM rows get role ff
 * and convolutions role conv (prune.scope: all prunes both). The manifest is timing-only:
 * weights "synthetic:SEED", arch type none, schedule.tokens 1, no host operations. */
#ifndef SA_TOPOLOGY_H
#define SA_TOPOLOGY_H

#include <stdint.h>

#include "sa_err.h"
#include "sa_manifest.h"

/* Largest topology file read (bytes). */
#define SA_TOPOLOGY_MAX_BYTES ((size_t)64 << 20)

/* Reads path into a new manifest (free with sa_manifest_free) whose synthetic weights are
 * drawn from seed. Every value is checked against docs/manifest.md "Limits"; errors are one
 * line, "FILE:LINE: column 'NAME': problem" (or "FILE:LINE: problem" for a whole row).
 * Returns 0, or -1 with e filled and *out untouched. */
int sa_topology_load(const char *path, uint64_t seed, sa_manifest **out, sa_err *e);

#endif
