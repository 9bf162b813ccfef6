/* sa_workload: the configured workload (a manifest or a SCALE-Sim topology) and the GEMM
 * commands of a manifest (docs/timing.md §2): each layer runs count times per inference, its
 * M rows split into commands of at most hw.acc_rows rows. */
#ifndef SA_WORKLOAD_H
#define SA_WORKLOAD_H

#include <stdint.h>

#include "sa_config.h"
#include "sa_err.h"
#include "sa_manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads the configured workload into *out (free with sa_manifest_free): the manifest of
 * workload.manifest, or workload.topology read as a SCALE-Sim topology (sa_topology.h) with
 * synthetic weights seeded by workload.topology_seed. Returns 0, or -1 with e filled. */
int sa_workload_load(const sa_config *cfg, sa_manifest **out, sa_err *e);

/* The file the workload came from (workload.manifest or workload.topology). */
const char *sa_workload_path(const sa_config *cfg);

/* A group of identical commands: `times` commands of m x k x n. */
typedef struct sa_wl_cmd {
  int64_t m, k, n, times;
} sa_wl_cmd;

/* The commands of one execution of layer l (count not applied): floor(M/acc) commands of
 * acc rows and, if M is not a multiple, one of M mod acc rows. Writes 1 or 2 groups into out
 * and returns how many (0 when l->m is 0). acc_rows >= 1. */
int sa_workload_split(const sa_layer *l, int64_t acc_rows, sa_wl_cmd out[2]);

/* Total GEMM commands per inference of man (fits an int64: at most the manifest's summed MACs,
 * which sa_manifest_load bounds by 2^62). */
int64_t sa_workload_commands(const sa_manifest *man, int64_t acc_rows);

#ifdef __cplusplus
}
#endif

#endif
