/* fuzz_topology: libFuzzer harness for the SCALE-Sim topology reader (sa_topology_load,
 * which only reads from a path: each input goes through a scratch file). Checks the error
 * contract and that every layer it accepts is within the manifest limits. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_topology.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  atexit(fuzz_scratch_cleanup);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_scratch_write(".csv", data, size);
  sa_manifest *m = NULL;
  sa_err e = {{0}};
  if (sa_topology_load(path, 1, &m, &e) != 0) {
    FUZZ_CHECK(m == NULL);
    fuzz_check_error(&e, path);
    return 0;
  }
  FUZZ_CHECK(m && m->n_layers >= 1 && m->n_layers <= SA_MANIFEST_MAX_LAYERS);
  FUZZ_CHECK(m->synthetic && m->n_hostops == 0);
  int64_t work = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const sa_layer *l = &m->layers[i];
    FUZZ_CHECK(l->role == SA_ROLE_CONV || l->role == SA_ROLE_FF);
    FUZZ_CHECK(l->name[0] && strlen(l->name) < sizeof l->name);
    FUZZ_CHECK(l->k >= 1 && l->k < SA_MANIFEST_MAX_DIM && l->n >= 1 && l->n < SA_MANIFEST_MAX_DIM);
    FUZZ_CHECK(l->m >= 1 && l->m <= SA_MANIFEST_MAX_ROWS);
    FUZZ_CHECK(l->count >= 1 && l->count <= SA_MANIFEST_MAX_ROWS);
    /* m*k*n*count and their sum stay within 2^62 (checked without overflow) */
    FUZZ_CHECK(l->m <= SA_MANIFEST_MAX_WORK / l->k);
    int64_t p = l->m * l->k;
    FUZZ_CHECK(p <= SA_MANIFEST_MAX_WORK / l->n);
    p *= l->n;
    FUZZ_CHECK(p <= SA_MANIFEST_MAX_WORK / l->count);
    p *= l->count;
    FUZZ_CHECK(work <= SA_MANIFEST_MAX_WORK - p);
    work += p;
    for (int j = 0; j < i && m->n_layers <= 64; j++)
      FUZZ_CHECK(strcmp(m->layers[j].name, l->name) != 0); /* names are unique */
  }
  sa_manifest_free(m);
  return 0;
}
