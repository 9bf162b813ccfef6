/* Feature extractor against the Python features (scripts/asr/features.py) of
 * workloads/asr/featcheck: same WAVs, float32 log-mel written by numpy (float64 internally).
 * Tolerance: |C - numpy| <= 1e-4 on every value (both compute in double; the only differences
 * are FFT and summation order, far below float32 resolution; measured here: 0) and a mean
 * absolute difference <= 1e-6. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_feat.h"
#include "sa_file.h"
#include "sa_test.h"
#include "sa_testset.h"

#define TOL_MAX 1e-4
#define TOL_MEAN 1e-6

/* featcheck/fcN.wav are main-0000..0002 before quantisation: q = round(logmel x 256), then
 * (feats.bin v2, scale 8) round(q x 8 / 256), both numpy rounds (half to even, as rint), must
 * equal those utterances of feats.bin exactly. */
static void check_quantised(const float *c, int64_t t, int utt) {
  static sa_testset ts;
  static int loaded;
  sa_err e = {{0}};
  if (!loaded) {
    CHECK(sa_testset_read_feats("workloads/asr/testsets/main/feats.bin", &ts, &e) == 0);
    loaded = 1;
  }
  if (ts.n_utts <= utt) return;
  CHECK_EQ_INT(ts.n_frames[utt], t);
  if (ts.n_frames[utt] != t) return;
  int64_t bad = 0;
  for (int64_t i = 0; i < t * SA_FEAT_MELS; i++)
    bad += (int16_t)rint(rint((double)c[i] * 256.0) * ts.scale / 256.0) !=
           ts.data[ts.offset[utt] + i];
  CHECK_EQ_INT(bad, 0);
  if (utt == 2) sa_testset_free(&ts);
}

static void check_one(const char *stem) {
  char path[512];
  sa_err e = {{0}};
  int16_t *pcm;
  int64_t n, t;
  float *c;
  snprintf(path, sizeof path, "workloads/asr/featcheck/%s.wav", stem);
  CHECK(sa_feat_read_wav(path, &pcm, &n, &e) == 0);
  if (e.msg[0]) fprintf(stderr, "%s\n", e.msg);
  CHECK(sa_feat_logmel(pcm, n, &c, &t, &e) == 0);
  free(pcm);
  int rows = 0, cols = 0;
  snprintf(path, sizeof path, "workloads/asr/featcheck/%s.shape", stem);
  FILE *f = fopen(path, "r");
  CHECK(f && fscanf(f, "%d %d", &rows, &cols) == 2);
  if (f) fclose(f);
  CHECK_EQ_INT(rows, t);
  CHECK_EQ_INT(cols, SA_FEAT_MELS);
  uint8_t *ref;
  size_t len;
  snprintf(path, sizeof path, "workloads/asr/featcheck/%s.f32", stem);
  CHECK((ref = sa_file_read(path, 1 << 26, &len, &e)) != NULL);
  CHECK_EQ_INT(len, (size_t)rows * cols * 4);
  if (rows == t && len == (size_t)rows * cols * 4) {
    double mx = 0, sum = 0;
    for (int64_t i = 0; i < t * SA_FEAT_MELS; i++) {
      float r;
      memcpy(&r, ref + 4 * i, 4);
      double d = fabs((double)r - c[i]);
      if (d > mx) mx = d;
      sum += d;
    }
    printf("%s: %lld frames, max |diff| %.3g, mean %.3g\n", stem, (long long)t, mx,
           sum / (double)(t * SA_FEAT_MELS));
    CHECK(mx <= TOL_MAX);
    CHECK(sum / (double)(t * SA_FEAT_MELS) <= TOL_MEAN);
  }
  free(ref);
  check_quantised(c, t, stem[2] - '0');
  free(c);
}

int main(void) {
  check_one("fc0");
  check_one("fc1");
  check_one("fc2");
  /* frame count and the too-short error */
  CHECK_EQ_INT(sa_feat_n_frames(399), 0);
  CHECK_EQ_INT(sa_feat_n_frames(400), 1);
  CHECK_EQ_INT(sa_feat_n_frames(559), 1);
  CHECK_EQ_INT(sa_feat_n_frames(560), 2);
  int16_t z[399] = {0};
  float *o;
  int64_t t;
  sa_err e = {{0}};
  CHECK(sa_feat_logmel(z, 399, &o, &t, &e) == -1);
  CHECK_CONTAINS(e.msg, "shorter than one 400-sample window");
  /* silence hits the 1e-10 floor exactly */
  int16_t s[400] = {0};
  CHECK(sa_feat_logmel(s, 400, &o, &t, &e) == 0);
  CHECK(t == 1 && fabsf(o[0] - logf(1e-10f)) < 1e-4f);
  free(o);
  /* filterbank: each filter peaks at <= 1 and is non-negative; no area normalisation */
  const double *fb = sa_feat_filterbank();
  for (int m = 0; m < SA_FEAT_MELS; m++) {
    double mx = 0;
    for (int k = 0; k <= SA_FEAT_NFFT / 2; k++) {
      CHECK(fb[k * SA_FEAT_MELS + m] >= 0);
      if (fb[k * SA_FEAT_MELS + m] > mx) mx = fb[k * SA_FEAT_MELS + m];
    }
    CHECK(mx > 0.3 && mx <= 1.0);
  }
  /* normalisation: zero mean, unit variance per bin */
  float x[6] = {1, 10, 2, 20, 3, 30};
  sa_feat_normalize(x, 3, 2);
  CHECK(fabsf(x[0] + x[2] + x[4]) < 1e-5f && fabsf(x[0] + 1.2247f) < 1e-3f);
  CHECK(fabsf(x[1] - x[0]) < 1e-5f);
  /* WAV format errors */
  CHECK(sa_feat_read_wav("workloads/asr/vocab.txt", (int16_t **)&o, &t, &e) == -1);
  CHECK_CONTAINS(e.msg, "not a RIFF/WAVE file");
  return sa_test_done("feat");
}
