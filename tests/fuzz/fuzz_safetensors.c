/* fuzz_safetensors: libFuzzer harness for the safetensors reader
 * (sa_safetensors_read_buffer); every accepted tensor is looked up and converted. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sa_safetensors *st = NULL;
  sa_err e = {{0}};
  if (sa_safetensors_read_buffer(data, size, "fuzz.safetensors", &st, &e) != 0) {
    FUZZ_CHECK(st == NULL);
    fuzz_check_error(&e, "fuzz.safetensors");
    return 0;
  }
  FUZZ_CHECK(st && st->n >= 0);
  size_t total = 0;
  for (int i = 0; i < st->n; i++) {
    const sa_safetensors_tensor *t = &st->tensors[i];
    FUZZ_CHECK(t->dtype >= 0 && t->dtype < SA_ST_DTYPE_COUNT);
    FUZZ_CHECK(t->ndim >= 0 && t->ndim <= SA_SAFETENSORS_MAX_DIMS);
    int64_t numel = 1;
    for (int d = 0; d < t->ndim; d++) {
      FUZZ_CHECK(t->shape[d] >= 0);
      numel *= t->shape[d]; /* cannot overflow: the reader bounds it by the file size */
    }
    FUZZ_CHECK(numel == t->numel);
    FUZZ_CHECK(t->nbytes == (size_t)numel * sa_safetensors_dtype_size(t->dtype));
    FUZZ_CHECK(t->nbytes <= st->len);
    FUZZ_CHECK(t->nbytes == 0 ||
               (t->data >= st->buf && t->data + t->nbytes <= st->buf + st->len));
    FUZZ_CHECK(sa_safetensors_find(st, t->name) == t);
    total += t->nbytes;
    float *f = malloc((size_t)(numel ? numel : 1) * sizeof *f);
    FUZZ_CHECK(f);
    sa_safetensors_to_float(t, f);
    free(f);
  }
  FUZZ_CHECK(total <= st->len);
  sa_safetensors_free(st);
  return 0;
}
