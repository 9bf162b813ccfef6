/* fuzz_manifest: libFuzzer harness for the model manifest loader (sa_manifest_load, which
 * only reads from a path: each input goes through a scratch file). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_manifest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  atexit(fuzz_scratch_cleanup);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_scratch_write(".yaml", data, size);
  sa_manifest *m = NULL;
  sa_err e = {{0}};
  if (sa_manifest_load(path, &m, &e) != 0) {
    FUZZ_CHECK(m == NULL);
    fuzz_check_error(&e, path);
    return 0;
  }
  FUZZ_CHECK(m && m->n_layers >= 0 && m->n_hostops >= 0);
  for (int i = 0; i < m->n_layers; i++) {
    const sa_layer *l = &m->layers[i];
    FUZZ_CHECK(l->role >= 0 && l->role < SA_ROLE_COUNT);
    FUZZ_CHECK(sa_manifest_role_name(l->role));
    FUZZ_CHECK(l->k >= 1 && l->n >= 1 && l->m >= 1 && l->count >= 1);
    for (int s = 0; s < 3; s++) (void)sa_manifest_in_scope(l, s);
  }
  for (int i = 0; i < m->n_hostops; i++) {
    FUZZ_CHECK(m->hostops[i].op >= 0 && m->hostops[i].op < SA_HOSTOP_COUNT);
    FUZZ_CHECK(sa_manifest_hostop_name(m->hostops[i].op));
    FUZZ_CHECK(m->hostops[i].elements >= 0 && m->hostops[i].count >= 0);
  }
  sa_manifest_free(m);
  return 0;
}
