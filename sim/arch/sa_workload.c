/* sa_workload: the configured workload; layers -> GEMM commands. */
#include "sa_workload.h"

#include "sa_topology.h"

int sa_workload_load(const sa_config *cfg, sa_manifest **out, sa_err *e) {
  if (cfg->workload.topology[0])
    return sa_topology_load(cfg->workload.topology, (uint64_t)cfg->workload.topology_seed, out,
                            e);
  return sa_manifest_load(cfg->workload.manifest, out, e);
}

const char *sa_workload_path(const sa_config *cfg) {
  return cfg->workload.topology[0] ? cfg->workload.topology : cfg->workload.manifest;
}

int sa_workload_split(const sa_layer *l, int64_t acc_rows, sa_wl_cmd out[2]) {
  SA_ASSERT(acc_rows >= 1 && l->m >= 0);
  int n = 0;
  int64_t full = l->m / acc_rows, rest = l->m % acc_rows;
  if (full) out[n++] = (sa_wl_cmd){acc_rows, l->k, l->n, full};
  if (rest) out[n++] = (sa_wl_cmd){rest, l->k, l->n, 1};
  return n;
}

int64_t sa_workload_commands(const sa_manifest *man, int64_t acc_rows) {
  int64_t s = 0;
  for (int i = 0; i < man->n_layers; i++) {
    sa_wl_cmd g[2];
    int n = sa_workload_split(&man->layers[i], acc_rows, g);
    for (int j = 0; j < n; j++) s += g[j].times * man->layers[i].count;
  }
  return s;
}
