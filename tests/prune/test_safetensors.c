/* Tests of the safetensors reader/writer: conversions, round trip, truncation, corrupt and
 * oversized headers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_safetensors.h"
#include "sa_test.h"

static const char *tiny = "tests/prune/data/tiny/model.safetensors";

/* A file image: 8-byte length, the header text, then data_len bytes of data. */
static uint8_t *make_buf(const char *hdr, size_t data_len, const void *data, size_t *len) {
  size_t hl = strlen(hdr);
  *len = 8 + hl + data_len;
  uint8_t *b = calloc(1, *len);
  uint64_t h = hl;
  memcpy(b, &h, 8);
  memcpy(b + 8, hdr, hl);
  if (data) memcpy(b + 8 + hl, data, data_len);
  return b;
}

static int parse(const char *hdr, size_t data_len, sa_err *e) {
  size_t len;
  uint8_t *b = make_buf(hdr, data_len, NULL, &len);
  sa_safetensors *st = NULL;
  int rc = sa_safetensors_read_buffer(b, len, "t.st", &st, e);
  sa_safetensors_free(st);
  free(b);
  return rc;
}

static void test_conversions(void) {
  uint16_t f16[] = {0x3C00, 0xC000, 0x0001, 0x7C00, 0x3555, 0x8000, 0x03FF};
  uint16_t bf16[] = {0x3F80, 0xC040};
  int8_t i8[] = {-128, 127, 0};
  double f64[] = {0.1};
  int64_t i64[] = {-5};
  uint8_t data[14 + 4 + 3 + 8 + 8];
  memcpy(data, f16, 14);
  memcpy(data + 14, bf16, 4);
  memcpy(data + 18, i8, 3);
  memcpy(data + 21, f64, 8);
  memcpy(data + 29, i64, 8);
  const char *hdr =
      "{\"a\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]},"
      " \"b\" : {\"shape\":[2],\"dtype\":\"BF16\",\"data_offsets\":[14,18]},"
      "\"c\":{\"dtype\":\"I8\",\"shape\":[3,1],\"data_offsets\":[18,21]},"
      "\"__metadata__\":{\"format\":\"pt\",\"x\":\"\\u00e9\\ud83d\\ude00\"},"
      "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[21,29]},"
      "\"\\u0065\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[29,37]}}   ";
  size_t len;
  uint8_t *b = make_buf(hdr, sizeof data, data, &len);
  sa_safetensors *st;
  sa_err e;
  CHECK(sa_safetensors_read_buffer(b, len, "conv", &st, &e) == 0);
  free(b);
  CHECK_EQ_INT(st->n, 5);
  float out[8];
  sa_safetensors_to_float(sa_safetensors_find(st, "a"), out);
  CHECK(out[0] == 1.0f && out[1] == -2.0f && out[2] == ldexpf(1, -24) && isinf(out[3]));
  CHECK(fabsf(out[4] - 0.333252f) < 1e-6f && out[5] == 0.0f && signbit(out[5]));
  CHECK(out[6] == ldexpf(1023, -24));
  sa_safetensors_to_float(sa_safetensors_find(st, "b"), out);
  CHECK(out[0] == 1.0f && out[1] == -3.0f);
  const sa_safetensors_tensor *c = sa_safetensors_find(st, "c");
  CHECK(c && c->ndim == 2 && c->shape[0] == 3 && c->numel == 3);
  sa_safetensors_to_float(c, out);
  CHECK(out[0] == -128.0f && out[1] == 127.0f && out[2] == 0.0f);
  const sa_safetensors_tensor *d = sa_safetensors_find(st, "d");
  CHECK(d && d->ndim == 0 && d->numel == 1);
  sa_safetensors_to_float(d, out);
  CHECK(out[0] == 0.1f);
  sa_safetensors_to_float(sa_safetensors_find(st, "e"), out);
  CHECK(out[0] == -5.0f);
  CHECK(sa_safetensors_find(st, "__metadata__") == NULL);
  sa_safetensors_free(st);
}

static void test_tiny_and_round_trip(void) {
  sa_safetensors *st, *back;
  sa_err e;
  if (sa_safetensors_read(tiny, &st, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    CHECK(!"tiny model reads");
    return;
  }
  CHECK_EQ_INT(st->n, 16);
  const sa_safetensors_tensor *q = sa_safetensors_find(st, "enc.0.attn.q.weight");
  CHECK(q && q->dtype == SA_ST_BF16 && q->shape[0] == 12 && q->shape[1] == 12);
  const sa_safetensors_tensor *conv = sa_safetensors_find(st, "front.conv.weight");
  CHECK(conv && conv->ndim == 4 && conv->numel == 144);
  /* write everything back in the same dtypes: bit-identical tensors */
  sa_safetensors_entry *ent = calloc((size_t)st->n, sizeof *ent);
  for (int i = 0; i < st->n; i++)
    ent[i] = (sa_safetensors_entry){st->tensors[i].name, st->tensors[i].dtype,
                                    st->tensors[i].ndim, st->tensors[i].shape,
                                    st->tensors[i].data};
  char path[256];
  snprintf(path, sizeof path, "/tmp/sasp-test-%d-rt.safetensors", (int)getpid());
  CHECK(sa_safetensors_write(path, ent, st->n, &e) == 0);
  CHECK(sa_safetensors_read(path, &back, &e) == 0);
  CHECK_EQ_INT(back->n, st->n);
  for (int i = 0; i < st->n && i < back->n; i++) {
    const sa_safetensors_tensor *a = &st->tensors[i], *b = &back->tensors[i];
    CHECK(!strcmp(a->name, b->name) && a->dtype == b->dtype && a->ndim == b->ndim &&
          !memcmp(a->shape, b->shape, sizeof a->shape) && a->nbytes == b->nbytes &&
          !memcmp(a->data, b->data, a->nbytes));
  }
  uint64_t hl;
  memcpy(&hl, back->buf, 8);
  CHECK(hl % 8 == 0);
  sa_safetensors_free(back);
  /* writer rejects duplicates and bad names */
  ent[1].name = ent[0].name;
  CHECK(sa_safetensors_write(path, ent, 2, &e) == -1);
  CHECK_CONTAINS(e.msg, "duplicate tensor name");
  ent[1].name = "";
  CHECK(sa_safetensors_write(path, ent, 2, &e) == -1);
  remove(path);
  free(ent);

  /* every truncation of the file is an error, never a crash */
  int all_fail = 1;
  for (size_t cut = 0; cut < st->len; cut++) {
    sa_safetensors *t = NULL;
    if (sa_safetensors_read_buffer(st->buf, cut, "cut", &t, &e) == 0) {
      all_fail = 0;
      fprintf(stderr, "truncated at %zu accepted\n", cut);
      sa_safetensors_free(t);
    }
  }
  CHECK(all_fail);
  /* flipping any header byte never crashes; the result, if accepted, is still consistent */
  uint64_t hlen;
  memcpy(&hlen, st->buf, 8);
  uint8_t *copy = malloc(st->len);
  for (size_t i = 0; i < 8 + hlen; i++) {
    memcpy(copy, st->buf, st->len);
    copy[i] ^= 0x5A;
    sa_safetensors *t = NULL;
    if (sa_safetensors_read_buffer(copy, st->len, "flip", &t, &e) == 0) {
      size_t sum = 0;
      for (int j = 0; j < t->n; j++) sum += t->tensors[j].nbytes;
      CHECK(sum == t->len - 8 - hlen);
      sa_safetensors_free(t);
    }
  }
  free(copy);
  sa_safetensors_free(st);
}

static void test_bad_headers(void) {
  static const struct {
    const char *hdr;
    size_t data;
    const char *want;
  } cases[] = {
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824],\"data_offsets\":[0,4]}}", 4,
       "shape needs"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483648,2147483648,2147483648],"
       "\"data_offsets\":[0,4]}}", 4, "shape too large"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1152921504606846976],\"data_offsets\":[0,4]}}", 4,
       "integer too large"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "beyond the data"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "reversed"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 8, "overlaps"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9, "after the last"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
       "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "duplicate tensor"},
      {"{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unsupported dtype"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "missing \"data_offsets\""},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4,
       "unknown key"},
      {"{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
       "duplicate key"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "non-negative"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4, "fraction"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4, "leading zero"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
       "more than 8"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x", 4, "trailing"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", 4, "expected '\"'"},
      {"{\"\\q\":{}}", 0, "bad escape"},
      {"{\"a\nb\":{}}", 0, "control character"},
      {"{\"\xc3\x28\":{}}", 0, "invalid UTF-8"},
      {"{\"\\ud800x\":{}}", 0, "surrogate"},
      {"{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "empty tensor name"},
      {"{\"__metadata__\":{\"a\":1}}", 0, "must be strings"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, "end of header"},
      {"[1]", 0, "does not start with '{'"},
      {"{}", 4, "no tensors"},
  };
  sa_err e;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    e.msg[0] = 0;
    int rc = parse(cases[i].hdr, cases[i].data, &e);
    CHECK(rc == -1);
    if (rc == -1) CHECK_CONTAINS(e.msg, cases[i].want);
    CHECK_CONTAINS(e.msg, "t.st: ");
  }
  CHECK(parse("{}", 0, &e) == 0);
  /* header length beyond the file, and absurd */
  uint8_t b[16] = {0};
  uint64_t h = 1000;
  memcpy(b, &h, 8);
  sa_safetensors *st = NULL;
  CHECK(sa_safetensors_read_buffer(b, sizeof b, "h", &st, &e) == -1);
  CHECK_CONTAINS(e.msg, "truncated");
  h = (uint64_t)1 << 40;
  memcpy(b, &h, 8);
  CHECK(sa_safetensors_read_buffer(b, sizeof b, "h", &st, &e) == -1);
  CHECK_CONTAINS(e.msg, "header length");
  CHECK(sa_safetensors_read("/nonexistent/x.safetensors", &st, &e) == -1);
  CHECK_CONTAINS(e.msg, "/nonexistent/x.safetensors: cannot open");
  CHECK(sa_safetensors_read("tests/prune", &st, &e) == -1);
}

int main(void) {
  test_conversions();
  test_tiny_and_round_trip();
  test_bad_headers();
  return sa_test_done("safetensors");
}
