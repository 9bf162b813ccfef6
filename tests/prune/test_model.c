/* Tests of sa_model (layouts, dtypes, shape checks, synthetic weights) and of sa_prune's
 * rules that need no reference: rate 0/1, caps, tie order, apply, write/read losslessness. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_out.h"
#include "sa_prune.h"
#include "sa_prune_io.h"
#include "sa_safetensors.h"
#include "sa_test.h"

static const char *tiny = "tests/prune/data/tiny/manifest.yaml";
static char dir[256];

static sa_manifest *load_man(const char *p) {
  sa_manifest *m = NULL;
  sa_err e;
  if (sa_manifest_load(p, &m, &e)) fprintf(stderr, "%s\n", e.msg);
  return m;
}

static void write_text(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
}

static void test_layouts(void) {
  sa_manifest *man = load_man(tiny);
  sa_model *m;
  sa_err e;
  CHECK(man && sa_model_load(man, &m, &e) == 0);
  if (!man) return;
  CHECK_EQ_INT(sa_model_n_layers(m), 9);
  CHECK_EQ_INT(sa_model_n_tensors(m), 16);
  int64_t shape[8];
  int nd;
  /* conv: out_in [8][2][3][3] -> K = 18 (cin, kh, kw), N = 8 */
  const float *t = sa_model_tensor(m, "front.conv.weight", shape, &nd);
  const float *w = sa_model_weight(m, 0);
  CHECK(t && nd == 4 && shape[0] == 8 && shape[3] == 3);
  int ok = 1;
  for (int n = 0; n < 8; n++)
    for (int k = 0; k < 18; k++) ok &= w[k * 8 + n] == t[n * 18 + k];
  CHECK(ok);
  CHECK(sa_model_bias(m, 0) == sa_model_tensor(m, "front.conv.bias", NULL, NULL));
  /* in_out F16 [24][12] kept as is */
  t = sa_model_tensor(m, "front.proj.weight", shape, &nd);
  CHECK(t && !memcmp(t, sa_model_weight(m, 1), 24 * 12 * sizeof(float)));
  CHECK(sa_model_bias(m, 1) == NULL);
  /* int8 weights converted by value */
  w = sa_model_weight(m, 6);
  ok = 1;
  for (int i = 0; i < 12 * 30; i++) ok &= w[i] == roundf(w[i]) && fabsf(w[i]) <= 8;
  CHECK(ok);
  t = sa_model_tensor(m, "step", shape, &nd);
  CHECK(t && nd == 0 && t[0] == 1234.0f);
  CHECK(sa_model_tensor(m, "nope", NULL, NULL) == NULL);
  CHECK(!strcmp(sa_model_layer_name(m, 4), "enc.0.ff1") && sa_model_layer_k(m, 4) == 12 &&
        sa_model_layer_n(m, 4) == 30);
  /* zero_block keeps both views in step */
  sa_model_zero_block(m, 4, 1, 3, 5, 9);
  t = sa_model_tensor(m, "enc.0.ff1.weight", NULL, NULL);
  w = sa_model_weight(m, 4);
  ok = 1;
  for (int k = 0; k < 12; k++)
    for (int n = 0; n < 30; n++) {
      int in = k >= 1 && k < 3 && n >= 5 && n < 9;
      ok &= w[k * 30 + n] == t[n * 12 + k] && (!in || w[k * 30 + n] == 0.0f);
    }
  CHECK(ok);
  sa_model_free(m);
  sa_manifest_free(man);
}

static void test_shape_errors(void) {
  char mp[300], wp[300];
  snprintf(mp, sizeof mp, "%s/m.yaml", dir);
  snprintf(wp, sizeof wp, "%s/w.safetensors", dir);
  float data[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, nanv[12];
  memcpy(nanv, data, sizeof data);
  nanv[5] = NAN;
  int64_t s34[] = {3, 4}, s4[] = {4}, s3[] = {3};
  sa_safetensors_entry ents[] = {{"w", SA_ST_F32, 2, s34, data},
                                 {"b3", SA_ST_F32, 1, s3, data},
                                 {"b4", SA_ST_F32, 1, s4, data},
                                 {"nan", SA_ST_F32, 2, s34, nanv},
                                 {"w2", SA_ST_F32, 2, s34, data}};
  sa_err e;
  CHECK(sa_safetensors_write(wp, ents, 5, &e) == 0);
  static const struct {
    const char *layers, *want;
  } cases[] = {
      {"{name: a, role: ff, weight: w, layout: out_in, k: 4, n: 3, m: 1, bias: b3}", NULL},
      {"{name: a, role: ff, weight: w, layout: in_out, k: 3, n: 4, m: 1, bias: b4}", NULL},
      {"{name: a, role: ff, weight: w, layout: in_out, k: 4, n: 3, m: 1}",
       "shape [3, 4] does not match layer 'a' (layout in_out: expected [k=4][n=3])"},
      {"{name: a, role: ff, weight: w, layout: out_in, k: 2, n: 6, m: 1}", "does not match"},
      {"{name: a, role: ff, weight: x, layout: out_in, k: 4, n: 3, m: 1}",
       "tensor 'x' (layer 'a' of "},
      {"{name: a, role: ff, weight: w, layout: out_in, k: 4, n: 3, m: 1, bias: b4}",
       "tensor 'b4': shape [4] does not match the bias of layer 'a' (expected [3])"},
      {"{name: a, role: ff, weight: w, layout: out_in, k: 4, n: 3, m: 1, bias: bx}",
       "tensor 'bx' (bias of layer 'a'"},
      {"{name: a, role: ff, weight: nan, layout: out_in, k: 4, n: 3, m: 1}",
       "tensor 'nan': element 5 is not finite"},
      {"{name: a, role: ff, weight: w, layout: out_in, k: 4, n: 3, m: 1}, "
       "{name: b, role: ff, weight: w, layout: out_in, k: 4, n: 3, m: 1}",
       "tied weights are not supported"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text,
             "format: sasp-manifest/1\nname: t\nweights: w.safetensors\nschedule: {tokens: 1}\n"
             "layers: [%s]\n", cases[i].layers);
    write_text(mp, text);
    sa_manifest *man = load_man(mp);
    CHECK(man != NULL);
    if (!man) continue;
    sa_model *m = NULL;
    e.msg[0] = 0;
    int rc = sa_model_load(man, &m, &e);
    if (!cases[i].want) {
      CHECK(rc == 0);
      if (!rc) CHECK(sa_model_weight(m, 0)[1] == (man->layers[0].out_in ? 5.0f : 2.0f));
    } else {
      CHECK(rc == -1);
      CHECK_CONTAINS(e.msg, cases[i].want);
      CHECK_CONTAINS(e.msg, wp);
    }
    sa_model_free(m);
    sa_manifest_free(man);
  }
  remove(wp);
  write_text(mp, "format: sasp-manifest/1\nname: t\nweights: w.safetensors\n"
                 "schedule: {tokens: 1}\nlayers: [{name: a, role: ff, weight: w, "
                 "layout: out_in, k: 4, n: 3, m: 1}]\n");
  sa_manifest *man = load_man(mp);
  sa_model *m = NULL;
  CHECK(man && sa_model_load(man, &m, &e) == -1);
  CHECK_CONTAINS(e.msg, "cannot open");
  sa_manifest_free(man);
  remove(mp);
}

static sa_manifest *synthetic(uint64_t seed, const char *layers) {
  char mp[300], text[2048];
  snprintf(mp, sizeof mp, "%s/s.yaml", dir);
  snprintf(text, sizeof text,
           "format: sasp-manifest/1\nname: s\nweights: synthetic:%llu\nschedule: {tokens: 4}\n"
           "layers:\n%s", (unsigned long long)seed, layers);
  write_text(mp, text);
  sa_manifest *man = load_man(mp);
  remove(mp);
  return man;
}

static const char *syn_layers =
    "  - {name: f1, role: ff, weight: f1.w, layout: out_in, k: 256, n: 100, m: 4}\n"
    "  - {name: q, role: attn_qkv, weight: q.w, layout: in_out, k: 64, n: 48, m: 4}\n"
    "  - {name: f2, role: ff, weight: f2.w, layout: out_in, k: 100, n: 256, m: 4}\n";

static void test_synthetic(void) {
  sa_manifest *a = synthetic(7, syn_layers), *b = synthetic(8, syn_layers);
  sa_model *ma, *ma2, *mb;
  sa_err e;
  CHECK(a && b);
  if (!a || !b) return;
  CHECK(sa_model_load(a, &ma, &e) == 0 && sa_model_load(a, &ma2, &e) == 0 &&
        sa_model_load(b, &mb, &e) == 0);
  CHECK(!memcmp(sa_model_weight(ma, 0), sa_model_weight(ma2, 0), 256 * 100 * sizeof(float)));
  CHECK(memcmp(sa_model_weight(ma, 0), sa_model_weight(mb, 0), 256 * 100 * sizeof(float)));
  CHECK(sa_model_n_tensors(ma) == 0 && sa_model_bias(ma, 0) == NULL);
  const float *w = sa_model_weight(ma, 0);
  double s = 0, s2 = 0;
  for (int i = 0; i < 25600; i++) s += w[i], s2 += (double)w[i] * w[i];
  double mean = s / 25600, sd = sqrt(s2 / 25600 - mean * mean);
  CHECK(fabs(mean) < 0.003 && fabs(sd - 1.0 / 16) < 0.002); /* N(0, 1/K), K = 256 */
  /* pruned synthetic weights written in the manifest layout */
  char wp[300];
  snprintf(wp, sizeof wp, "%s/syn.safetensors", dir);
  CHECK(sa_prune_write_model(ma, a, wp, &e) == 0);
  sa_safetensors *st;
  CHECK(sa_safetensors_read(wp, &st, &e) == 0);
  const sa_safetensors_tensor *f1 = sa_safetensors_find(st, "f1.w"),
                              *q = sa_safetensors_find(st, "q.w");
  CHECK(f1 && f1->shape[0] == 100 && f1->shape[1] == 256 && f1->dtype == SA_ST_F32);
  CHECK(q && q->shape[0] == 64 && q->shape[1] == 48);
  float v;
  memcpy(&v, f1->data + 4 * (3 * 256 + 5), 4); /* stored [n=3][k=5] */
  CHECK(v == w[5 * 100 + 3]);
  sa_safetensors_free(st);
  remove(wp);
  sa_model_free(ma);
  sa_model_free(ma2);
  sa_model_free(mb);
  sa_manifest_free(a);
  sa_manifest_free(b);
}

static int64_t pruned_in(const sa_tilemask *m) { return m->kt * m->nt - sa_tilemask_kept(m); }

static void test_rules(void) {
  sa_manifest *man = synthetic(3, syn_layers);
  sa_model *m;
  sa_err e;
  CHECK(man && sa_model_load(man, &m, &e) == 0);
  if (!man) return;
  sa_prune_opts o = {SA_CRIT_MEAN_ABS, SA_SCOPE_FF, SA_THRESH_GLOBAL, 1.0, 0.0,
                     16, 16, NULL};
  sa_maskset ms;
  sa_prune_stats st;
  /* tiles: f1 16x7 = 112, q 4x3 = 12, f2 7x16 = 112 */
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
  CHECK(st.tiles_selected == 224 && st.tiles_pruned == 0 && ms.n == 3);
  CHECK(st.layer_tiles[1] == 12 && !st.layer_selected[1] && st.layer_selected[2]);
  sa_maskset_free(&ms);
  sa_prune_stats_free(&st);
  for (int th = 0; th < 2; th++) {
    o.threshold = th;
    o.rate = 1.0;
    CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
    CHECK(st.tiles_pruned == 224 && pruned_in(&ms.masks[0]) == 112 &&
          pruned_in(&ms.masks[1]) == 0 && st.rate_achieved == 1.0);
    CHECK(st.layer_zero_frac[0] == 1.0 && st.layer_zero_frac[1] == 0.0);
    sa_maskset_free(&ms);
    sa_prune_stats_free(&st);
    /* cap: rate 1 with cap 0.3 prunes floor(0.3 * 112) = 33 per layer */
    o.layer_cap = 0.3;
    CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
    CHECK(st.tiles_target == 224 && st.layer_pruned[0] == 33 && st.layer_pruned[2] == 33 &&
          pruned_in(&ms.masks[2]) == 33 && st.tiles_pruned == 66);
    sa_maskset_free(&ms);
    sa_prune_stats_free(&st);
    o.layer_cap = 1.0;
    /* 0.29 x 224 = 64.96: 64 tiles; per layer 0.29 x 112 = 32.48: 32 each */
    o.rate = 0.29;
    CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
    CHECK_EQ_INT(st.tiles_pruned, 64);
    if (th == 1) CHECK(st.layer_pruned[0] == 32 && st.layer_pruned[2] == 32);
    sa_maskset_free(&ms);
    sa_prune_stats_free(&st);
  }
  /* scope all, and the rounding guard: 0.25 x 236 = 59 exactly */
  o.threshold = 0;
  o.scope = SA_SCOPE_ALL;
  o.rate = 0.25;
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
  CHECK(st.tiles_selected == 236 && st.tiles_pruned == 59);
  sa_maskset_free(&ms);
  sa_prune_stats_free(&st);
  /* bad options */
  o.rate = 1.5;
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == -1);
  CHECK_CONTAINS(e.msg, "rate 1.5 outside 0..1");
  o.rate = 0.5;
  o.criterion = SA_CRIT_ACT_AWARE;
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == -1);
  CHECK_CONTAINS(e.msg, "act_aware needs input-channel norms for layer 'f1'");
  o.tile_rows = 0;
  o.criterion = 0;
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == -1);
  sa_model_free(m);
  sa_manifest_free(man);
}

/* Equal scores everywhere: the order is layer order, then tile index. */
static void test_ties(void) {
  char mp[300], wp[300];
  snprintf(mp, sizeof mp, "%s/tie.yaml", dir);
  snprintf(wp, sizeof wp, "%s/tie.safetensors", dir);
  float ones[64];
  for (int i = 0; i < 64; i++) ones[i] = (i % 2) ? -0.5f : 0.5f;
  int64_t s88[] = {8, 8};
  sa_safetensors_entry ents[] = {{"a", SA_ST_F32, 2, s88, ones}, {"b", SA_ST_F32, 2, s88, ones}};
  sa_err e;
  CHECK(sa_safetensors_write(wp, ents, 2, &e) == 0);
  write_text(mp, "format: sasp-manifest/1\nname: t\nweights: tie.safetensors\n"
                 "schedule: {tokens: 1}\nlayers:\n"
                 "  - {name: a, role: ff, weight: a, layout: in_out, k: 8, n: 8, m: 1}\n"
                 "  - {name: b, role: ff, weight: b, layout: in_out, k: 8, n: 8, m: 1}\n");
  sa_manifest *man = load_man(mp);
  sa_model *m;
  CHECK(man && sa_model_load(man, &m, &e) == 0);
  if (!man) return;
  sa_prune_opts o = {SA_CRIT_L2, SA_SCOPE_FF, SA_THRESH_GLOBAL, 1.0, 0.375, 4,
                     4, NULL}; /* 8 tiles, prune 3 */
  sa_maskset ms;
  sa_prune_stats st;
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
  CHECK(ms.masks[0].keep[0] == 0 && ms.masks[0].keep[1] == 0 && ms.masks[0].keep[2] == 0 &&
        ms.masks[0].keep[3] == 1 && sa_tilemask_kept(&ms.masks[1]) == 4);
  /* the cap pushes the rest into layer b, again by tile index */
  sa_maskset_free(&ms);
  sa_prune_stats_free(&st);
  o.layer_cap = 0.25;
  CHECK(sa_prune_masks(man, m, &o, &ms, &st, &e) == 0);
  CHECK(st.tiles_pruned == 2 && ms.masks[0].keep[0] == 0 && ms.masks[1].keep[0] == 0);
  /* apply, write, read back: lossless and zeros exactly where the mask says */
  CHECK(sa_prune_apply(m, &ms, &e) == 0);
  CHECK(sa_prune_check_masks(man, &ms, &e) == 0);
  CHECK(sa_prune_write_model(m, man, wp, &e) == 0);
  sa_safetensors *st2;
  CHECK(sa_safetensors_read(wp, &st2, &e) == 0);
  const sa_safetensors_tensor *a = sa_safetensors_find(st2, "a");
  CHECK(a && a->dtype == SA_ST_F32 &&
        !memcmp(a->data, sa_model_tensor(m, "a", NULL, NULL), 64 * sizeof(float)));
  float back[64];
  sa_safetensors_to_float(a, back);
  int ok = 1;
  for (int k = 0; k < 8; k++)
    for (int n = 0; n < 8; n++) ok &= (back[k * 8 + n] == 0.0f) == (k < 4 && n < 4);
  CHECK(ok);
  sa_safetensors_free(st2);
  /* masks of the wrong size are refused */
  ms.masks[1].n = 9;
  CHECK(sa_prune_apply(m, &ms, &e) == -1);
  CHECK_CONTAINS(e.msg, "mask of layer 'b' is 8x9");
  CHECK(sa_prune_check_masks(man, &ms, &e) == -1);
  ms.masks[1].n = 8;
  ms.n = 1;
  CHECK(sa_prune_check_masks(man, &ms, &e) == -1);
  CHECK_CONTAINS(e.msg, "no mask for layer 'b'");
  ms.n = 2;
  /* summary files */
  char js[300], cs[300];
  snprintf(js, sizeof js, "%s/s.json", dir);
  snprintf(cs, sizeof cs, "%s/s.csv", dir);
  CHECK(sa_prune_write_summary(man, &o, &st, NULL, js, cs, &e) == 0);
  FILE *f = fopen(cs, "r");
  char line[512], last[512] = "";
  int lines = 0;
  while (f && fgets(line, sizeof line, f)) {
    lines++;
    if (lines == 2) CHECK(!strncmp(line, "a,ff,8,8,2,2,1,4,1,0.25,0.25", 28));
    strcpy(last, line);
  }
  if (f) fclose(f);
  CHECK_EQ_INT(lines, 5);
  CHECK_CONTAINS(last, "selected,,,,,,2,8,2,0.25");
  remove(js);
  remove(cs);
  remove(wp);
  remove(mp);
  sa_maskset_free(&ms);
  sa_prune_stats_free(&st);
  sa_model_free(m);
  sa_manifest_free(man);
}

static void test_act_norms_io(void) {
  sa_manifest *man = load_man(tiny);
  sa_err e;
  float **norms;
  CHECK(man && sa_prune_read_act_norms(man, "tests/prune/data/tiny/norms.safetensors", &norms,
                                       &e) == 0);
  if (!man) return;
  CHECK(norms[0] && norms[8] && norms[0][0] > 0);
  char p[300];
  snprintf(p, sizeof p, "%s/n.safetensors", dir);
  float *keep = norms[1];
  norms[1] = NULL;
  CHECK(sa_prune_write_act_norms(man, (const float *const *)norms, p, &e) == 0);
  norms[1] = keep;
  float **back;
  CHECK(sa_prune_read_act_norms(man, p, &back, &e) == 0);
  CHECK(back[1] == NULL && !memcmp(back[0], norms[0], 18 * sizeof(float)));
  sa_prune_act_norms_free(back, man->n_layers);
  /* a norm file for another model is refused */
  CHECK(sa_prune_read_act_norms(man, "tests/prune/data/tiny/model.safetensors", &back, &e) ==
        -1);
  CHECK_CONTAINS(e.msg, "names no layer");
  remove(p);
  sa_prune_act_norms_free(norms, man->n_layers);
  sa_manifest_free(man);
}

int main(void) {
  CHECK(SA_CRIT_ACT_AWARE == (int)SA_CRIT_ACT_AWARE &&
        SA_SCOPE_ATTN == (int)SA_SCOPE_ATTN &&
        SA_THRESH_PER_LAYER == (int)SA_THRESH_PER_LAYER);
  snprintf(dir, sizeof dir, "/tmp/sasp-test-model-%d", (int)getpid());
  sa_err e;
  CHECK(sa_out_mkdirs(dir, &e) == 0);
  test_layouts();
  test_shape_errors();
  test_synthetic();
  test_rules();
  test_ties();
  test_act_norms_io();
  rmdir(dir);
  return sa_test_done("model");
}
