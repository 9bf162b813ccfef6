/* Tests of the manifest loader: the tiny test model, and located, one-line errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_manifest.h"
#include "sa_test.h"

static char path[256];

static const char *base =
    "format: sasp-manifest/1\n"
    "name: t\n"
    "weights: w.safetensors\n"
    "schedule: {tokens: 8}\n"
    "layers:\n"
    "  - {name: a, role: ff, weight: a.weight, layout: out_in, k: 4, n: 8, m: 8}\n"
    "  - name: b\n"
    "    role: attn_qkv\n"
    "    weight: b.weight\n"
    "    bias: b.bias\n"
    "    layout: in_out\n"
    "    k: 8\n"
    "    n: 4\n"
    "    m: 8\n"
    "    count: 3\n";

static int load_text(const char *text, sa_manifest **m, sa_err *e) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  return sa_manifest_load(path, m, e);
}

/* base with the first occurrence of from replaced by to */
static int load_edit(const char *from, const char *to, sa_err *e) {
  char buf[4096];
  const char *p = strstr(base, from);
  if (!p) {
    fprintf(stderr, "edit '%s' not found\n", from);
    return 0;
  }
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
  sa_manifest *m = NULL;
  int rc = load_text(buf, &m, e);
  sa_manifest_free(m);
  return rc;
}

static void test_tiny(void) {
  sa_manifest *m;
  sa_err e;
  if (sa_manifest_load("tests/prune/data/tiny/manifest.yaml", &m, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    CHECK(!"tiny manifest loads");
    return;
  }
  CHECK_EQ_INT(m->n_layers, 9);
  CHECK(!strcmp(m->name, "tiny"));
  CHECK(!strcmp(m->weights, "tests/prune/data/tiny/model.safetensors"));
  CHECK(!strcmp(m->dir, "tests/prune/data/tiny/"));
  CHECK(!m->synthetic && m->tokens == 16);
  CHECK(!strcmp(m->arch.type, "none"));
  CHECK(m->layers[0].role == SA_ROLE_CONV && m->layers[0].out_in && m->layers[0].k == 18);
  CHECK(!strcmp(m->layers[0].bias, "front.conv.bias"));
  CHECK(m->layers[1].role == SA_ROLE_IN_PROJ && !m->layers[1].out_in && !m->layers[1].bias[0]);
  CHECK(m->layers[4].role == SA_ROLE_FF && m->layers[4].count == 1);
  CHECK_EQ_INT(m->n_hostops, 2);
  CHECK(m->hostops[0].op == SA_HOSTOP_LAYERNORM && m->hostops[0].elements == 192 &&
        m->hostops[0].count == 2);
  int nff = 0, natt = 0, nall = 0;
  for (int i = 0; i < m->n_layers; i++) {
    nff += sa_manifest_in_scope(&m->layers[i], 0);
    natt += sa_manifest_in_scope(&m->layers[i], 1);
    nall += sa_manifest_in_scope(&m->layers[i], 2);
  }
  CHECK(nff == 4 && natt == 2 && nall == 9);
  CHECK(!strcmp(sa_manifest_role_name(SA_ROLE_ATTN_OUT), "attn_out"));
  CHECK(!strcmp(sa_manifest_hostop_name(SA_HOSTOP_CONV_PAD), "conv_pad"));
  sa_manifest_free(m);
}

static void test_base_and_synthetic(void) {
  sa_manifest *m;
  sa_err e;
  CHECK(load_text(base, &m, &e) == 0);
  CHECK(m->layers[1].count == 3 && m->layers[0].count == 1);
  CHECK(!strcmp(m->layers[1].bias, "b.bias"));
  const char *slash = strrchr(path, '/');
  CHECK(!strncmp(m->weights, path, (size_t)(slash - path) + 1));
  sa_manifest_free(m);
  char buf[4096];
  const char *w = strstr(base, "w.safetensors");
  snprintf(buf, sizeof buf, "%.*ssynthetic:18446744073709551615%s", (int)(w - base), base,
           w + strlen("w.safetensors"));
  CHECK(load_text(buf, &m, &e) == 0);
  CHECK(m->synthetic && m->synthetic_seed == UINT64_MAX && !m->weights[0]);
  sa_manifest_free(m);
}

static void test_errors(void) {
  static const struct {
    const char *from, *to, *want;
  } cases[] = {
      {"schedule:", "shedule:", ":4:1: key 'shedule': unknown key (did you mean 'schedule'?)"},
      {"role: ff", "role: fff", "key 'layers[0].role': expected one of conv, in_proj, "},
      {"role: ff", "role: fff", "(did you mean 'ff'?)"},
      {"    weight: b.weight", "    wieght: b.weight",
       ":9:5: key 'layers[1].wieght': unknown key (did you mean 'weight'?)"},
      {"    k: 8", "    k: -1", ":12:8: key 'layers[1].k': expected an integer from 1 to"},
      {"    k: 8", "    k: \"8\"", "key 'layers[1].k': expected an integer"},
      {"    k: 8", "    k: [8]", "key 'layers[1].k': expected an integer from 1 to 2147483647, "
                                 "got a list"},
      {"    layout: in_out\n", "", "key 'layers[1].layout': required key is missing"},
      {"name: b", "name: a", "key 'layers[1].name': expected a unique layer name"},
      {"w.safetensors", "synthetic:x1", "key 'weights': expected a path or \"synthetic:SEED\""},
      {"sasp-manifest/1", "sasp-manifest/2", "key 'format': expected \"sasp-manifest/1\""},
      {"schedule: {tokens: 8}", "schedule: {tokens: 0}", "key 'schedule.tokens'"},
      {"schedule: {tokens: 8}\n", "", "key 'schedule': required key is missing"},
      {"name: t\n", "name: t\narch: {type: transformer_ctc, n_mels: 40}\n",
       "key 'arch.conv_channels': required key is missing"},
      {"name: t\n",
       "name: t\narch: {type: transformer_ctc, n_mels: 4, conv_channels: 4, d_model: 10, "
       "heads: 3, d_ff: 8, layers: 1, vocab: v.txt}\n",
       "key 'arch.heads': expected a divisor of arch.d_model"},
      {"name: t\n", "name: t\narch: {type: rnn}\n", "key 'arch.type': expected one of"},
      {"name: t\n", "name: t\nhost_ops:\n  - {op: layrnorm, elements: 4}\n",
       "(did you mean 'layernorm'?)"},
      {"name: t\n", "name: t\nhost_ops:\n  - {op: relu, elements: 4, coutn: 2}\n",
       "key 'host_ops[0].coutn': unknown key (did you mean 'count'?)"},
      {"layers:\n", "layers: []\nhost_ops:\n", "key 'layers': expected a non-empty list"},
  };
  sa_err e;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    e.msg[0] = 0;
    CHECK(load_edit(cases[i].from, cases[i].to, &e) == -1);
    CHECK_CONTAINS(e.msg, cases[i].want);
    CHECK_CONTAINS(e.msg, path);
    CHECK(strchr(e.msg, '\n') == NULL);
  }
  sa_manifest *m = NULL;
  CHECK(load_text("", &m, &e) == -1);
  CHECK_CONTAINS(e.msg, "empty manifest");
  CHECK(load_text("- a\n", &m, &e) == -1);
  CHECK_CONTAINS(e.msg, "expected a mapping");
  CHECK(sa_manifest_load("/nonexistent/manifest.yaml", &m, &e) == -1);
  CHECK_CONTAINS(e.msg, "/nonexistent/manifest.yaml");
}

int main(void) {
  snprintf(path, sizeof path, "/tmp/sasp-test-manifest-%d.yaml", (int)getpid());
  test_tiny();
  test_base_and_synthetic();
  test_errors();
  remove(path);
  return sa_test_done("manifest");
}
