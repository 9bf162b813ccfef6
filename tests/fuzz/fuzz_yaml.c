/* fuzz_yaml: libFuzzer harness for the located YAML tree reader (sa_yaml_load_buffer). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_yaml.h"

static size_t walk(const sa_yaml_node *n, int depth) {
  FUZZ_CHECK(depth <= 66);
  FUZZ_CHECK(n->line >= 1 && n->col >= 1 && n->file);
  size_t count = 1;
  switch (n->kind) {
  case SA_YAML_SCALAR:
    FUZZ_CHECK(n->scalar);
    break;
  case SA_YAML_SEQ:
    for (size_t i = 0; i < n->n; i++) count += walk(n->items[i], depth + 1);
    break;
  case SA_YAML_MAP:
    for (size_t i = 0; i < n->n; i++) {
      FUZZ_CHECK(n->keys[i]->kind == SA_YAML_SCALAR);
      /* duplicate keys are rejected, so a lookup finds exactly this pair's value */
      FUZZ_CHECK(sa_yaml_get(n, n->keys[i]->scalar) == n->items[i]);
      count += walk(n->items[i], depth + 1);
    }
    break;
  default:
    FUZZ_CHECK(0);
  }
  return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sa_yaml_doc *doc = NULL;
  sa_err e = {{0}};
  if (sa_yaml_load_buffer((const char *)data, size, "fuzz.yaml", &doc, &e) == 0) {
    const sa_yaml_node *root = sa_yaml_root(doc);
    if (root) walk(root, 0);
    sa_yaml_free(doc);
  } else {
    FUZZ_CHECK(doc == NULL);
    fuzz_check_error(&e, "fuzz.yaml");
  }
  return 0;
}
