/* Scoring on hand-made cases (S/I/D counts, sclite's weighting), the bootstrap interval,
 * greedy CTC decoding, and the test-set readers on good, corrupt and truncated files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sa_ctc.h"
#include "sa_file.h"
#include "sa_test.h"
#include "sa_testset.h"
#include "sa_wer.h"

static void counts(const char *ref, const char *hyp, int w, int c, int s, int i, int d) {
  sa_wer_counts k;
  sa_err e = {{0}};
  CHECK(sa_wer_align(ref, hyp, &k, &e) == 0);
  if (k.words != w || k.cor != c || k.sub != s || k.ins != i || k.del != d) {
    sa_test_failures++;
    fprintf(stderr, "align('%s', '%s'): W%lld C%lld S%lld I%lld D%lld, want W%d C%d S%d I%d D%d\n",
            ref, hyp, (long long)k.words, (long long)k.cor, (long long)k.sub, (long long)k.ins,
            (long long)k.del, w, c, s, i, d);
  }
  sa_test_checks++;
}

static void test_align(void) {
  counts("a b c", "a b c", 3, 3, 0, 0, 0);
  counts("a b c", "a x c", 3, 2, 1, 0, 0);
  counts("a b c", "a c", 3, 2, 0, 0, 1);
  counts("a b c", "a b c d", 3, 3, 0, 1, 0);
  counts("a b c", "", 3, 0, 0, 0, 3);
  counts("", "a b", 0, 0, 0, 2, 0);
  counts("", "", 0, 0, 0, 0, 0);
  counts("  a   b\tc ", "a b c", 3, 3, 0, 0, 0); /* blanks do not matter */
  /* sclite weights (sub 4, ins/del 3): a shift is one deletion + one insertion (6), not two
   * substitutions (8) */
  counts("a b", "b c", 2, 1, 0, 1, 1);
  counts("a b c d e", "b c d e f", 5, 4, 0, 1, 1);
  counts("x y z", "p q r", 3, 0, 3, 0, 0);
  counts("seven of clubs", "seven of of clubs", 3, 3, 0, 1, 0);
  counts("ab", "abc", 1, 0, 1, 0, 0); /* words compare whole */
}

static void test_score(void) {
  const char *refs[] = {"a b c d", "e f", "g h i j k l", "m"};
  const char *hyps[] = {"a b c d", "e", "g x i j k l z", ""};
  sa_wer_result r, r2;
  sa_err e = {{0}};
  CHECK(sa_wer_score(refs, hyps, 4, 2000, 7, &r, &e) == 0);
  CHECK_EQ_INT(r.words, 13);
  CHECK_EQ_INT(r.sub, 1);
  CHECK_EQ_INT(r.ins, 1);
  CHECK_EQ_INT(r.del, 2);
  CHECK_EQ_INT(r.utts, 4);
  CHECK_EQ_INT(r.utts_wrong, 3);
  CHECK(r.wer > 30.769 && r.wer < 30.770); /* 4 / 13 */
  CHECK(r.lo <= r.wer && r.wer <= r.hi && r.lo < r.hi);
  CHECK(r.lo >= 0 && r.hi <= 100);
  /* same seed: same interval; another seed: (almost surely) a different one */
  CHECK(sa_wer_score(refs, hyps, 4, 2000, 7, &r2, &e) == 0);
  CHECK(r2.lo == r.lo && r2.hi == r.hi);
  CHECK(sa_wer_score(refs, hyps, 4, 2000, 8, &r2, &e) == 0);
  CHECK(r2.wer == r.wer);
  /* a perfect system has a zero-width interval */
  CHECK(sa_wer_score(refs, refs, 4, 100, 1, &r2, &e) == 0);
  CHECK(r2.wer == 0 && r2.lo == 0 && r2.hi == 0);
  /* errors */
  const char *empty[] = {"", ""};
  CHECK(sa_wer_score(empty, empty, 2, 10, 1, &r2, &e) == -1);
  CHECK_CONTAINS(e.msg, "no words");
  CHECK(sa_wer_score(refs, hyps, 0, 10, 1, &r2, &e) == -1);
  CHECK(sa_wer_score(refs, hyps, 4, 0, 1, &r2, &e) == -1);
  /* resamples without words are redrawn: an empty reference among others is fine */
  const char *r3[] = {"", "a"}, *h3[] = {"x", "a"};
  CHECK(sa_wer_score(r3, h3, 2, 200, 3, &r2, &e) == 0);
  CHECK(r2.wer == 100.0 && r2.lo >= 0 && r2.hi <= 200.0);
}

static void test_ctc(void) {
  /* frames' argmax: 1 1 0 1 2 2 0 0 3 ; blank 0 -> 1 1 2 3 */
  const int best[] = {1, 1, 0, 1, 2, 2, 0, 0, 3};
  float s[9 * 4];
  for (int i = 0; i < 9; i++)
    for (int j = 0; j < 4; j++) s[i * 4 + j] = j == best[i] ? 1.0f : -(float)j;
  int32_t tok[9];
  int64_t n = sa_ctc_greedy(s, 9, 4, 0, tok);
  CHECK_EQ_INT(n, 4);
  CHECK(tok[0] == 1 && tok[1] == 1 && tok[2] == 2 && tok[3] == 3);
  /* ties go to the lowest index */
  float tie[3] = {0.5f, 0.5f, 0.5f};
  CHECK_EQ_INT(sa_ctc_greedy(tie, 1, 3, 0, tok), 0);
  CHECK_EQ_INT(sa_ctc_greedy(s, 0, 4, 0, tok), 0);
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_crc(uint8_t *b, size_t len) {
  put32(b + len - 4, (uint32_t)crc32(crc32(0, Z_NULL, 0), b, (uInt)(len - 4)));
}

static int parse_fails(const uint8_t *b, size_t len, const char *want) {
  sa_testset ts;
  sa_err e = {{0}};
  int rc = sa_testset_parse_feats(b, len, "t.bin", &ts, &e);
  if (rc == 0) {
    sa_testset_free(&ts);
    fprintf(stderr, "parse accepted a bad file (want '%s')\n", want);
    return 0;
  }
  if (!strstr(e.msg, want)) {
    fprintf(stderr, "message '%s' lacks '%s'\n", e.msg, want);
    return 0;
  }
  return !strncmp(e.msg, "t.bin: ", 7);
}

static void test_testset(void) {
  char dir[] = "/tmp/sasp-wer-test-XXXXXX";
  char path[256];
  sa_err e = {{0}};
  CHECK(mkdtemp(dir) != NULL);
  int16_t u0[3 * 2] = {256, -256, 512, 0, -32768, 32767}, u1[1 * 2] = {1, 2};
  const int16_t *utts[2] = {u0, u1};
  int64_t frames[2] = {3, 1};
  snprintf(path, sizeof path, "%s/feats.bin", dir);
  CHECK(sa_testset_write_feats(path, 2, 2, 256.0f, utts, frames, &e) == 0);
  sa_testset ts;
  CHECK(sa_testset_read_feats(path, &ts, &e) == 0);
  CHECK_EQ_INT(ts.n_utts, 2);
  CHECK_EQ_INT(ts.n_mels, 2);
  CHECK(ts.scale == 256.0f);
  CHECK_EQ_INT(ts.n_frames[0], 3);
  CHECK_EQ_INT(ts.n_frames[1], 1);
  CHECK(ts.data[ts.offset[0] + 4] == -32768 && ts.data[ts.offset[1] + 1] == 2);
  float f[6];
  sa_testset_feats(&ts, 0, f);
  CHECK(f[0] == 1.0f && f[1] == -1.0f && f[2] == 2.0f);
  /* transcripts: count must match, ids required, blanks normalised */
  snprintf(path, sizeof path, "%s/transcripts.tsv", dir);
  FILE *t = fopen(path, "w");
  fprintf(t, "u0\tseven  of clubs\r\n\nu1\t\n");
  fclose(t);
  CHECK(sa_testset_read_transcripts(path, &ts, &e) == 0);
  CHECK(!strcmp(ts.ids[0], "u0") && !strcmp(ts.refs[0], "seven of clubs"));
  CHECK(!strcmp(ts.ids[1], "u1") && !strcmp(ts.refs[1], ""));
  sa_testset_free(&ts);
  CHECK(sa_testset_load(dir, &ts, &e) == 0);
  sa_testset_free(&ts);
  t = fopen(path, "w");
  fprintf(t, "u0\tone\n");
  fclose(t);
  CHECK(sa_testset_load(dir, &ts, &e) == -1);
  CHECK_CONTAINS(e.msg, "1 transcripts for 2 utterances");
  t = fopen(path, "w");
  fprintf(t, "u0\tone\nno tab here\n");
  fclose(t);
  CHECK(sa_testset_load(dir, &ts, &e) == -1);
  CHECK_CONTAINS(e.msg, "transcripts.tsv:2: expected 'id<TAB>words'");
  t = fopen(path, "w");
  fprintf(t, "u0\tone\nu1\ttwo\nu2\tthree\n");
  fclose(t);
  CHECK(sa_testset_load(dir, &ts, &e) == -1);
  CHECK_CONTAINS(e.msg, "transcripts.tsv:3: more transcripts than the 2 utterances");
  snprintf(path, sizeof path, "%s/none", dir);
  CHECK(sa_testset_load(path, &ts, &e) == -1);
  CHECK_CONTAINS(e.msg, "cannot open");

  /* the file image: every truncation and every single-byte corruption is rejected */
  uint8_t *img;
  size_t len;
  snprintf(path, sizeof path, "%s/feats.bin", dir);
  CHECK((img = sa_file_read(path, 1 << 20, &len, &e)) != NULL);
  CHECK_EQ_INT(len, 24 + 4 + 12 + 4 + 4 + 4);
  int all_trunc = 1, all_flip = 1;
  for (size_t n = 0; n < len; n++) {
    sa_err e2;
    if (sa_testset_parse_feats(img, n, "t.bin", &ts, &e2) == 0) {
      all_trunc = 0;
      sa_testset_free(&ts);
    }
  }
  CHECK(all_trunc);
  uint8_t *c = malloc(len);
  for (size_t i = 0; i < len; i++) {
    memcpy(c, img, len);
    c[i] ^= 0x10;
    sa_err e2;
    if (sa_testset_parse_feats(c, len, "t.bin", &ts, &e2) == 0) {
      all_flip = 0;
      sa_testset_free(&ts);
    }
  }
  CHECK(all_flip);
  /* specific messages (with a valid CRC, so the structural check is what fires) */
  memcpy(c, img, len);
  c[0] = 'X';
  CHECK(parse_fails(c, len, "bad magic"));
  memcpy(c, img, len);
  put32(c + 8, 3);
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "version 3 not supported"));
  memcpy(c, img, len);
  put32(c + 16, 0);
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "n_mels 0 out of range"));
  memcpy(c, img, len);
  put32(c + 12, 3); /* claims 3 utterances */
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "truncated"));
  memcpy(c, img, len);
  put32(c + 24, 0xFFFFFFFFu); /* absurd frame count: no allocation, an error */
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "claims 4294967295 frames"));
  memcpy(c, img, len);
  put32(c + 24, 0);
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "0 frames"));
  memcpy(c, img, len);
  put32(c + 12, 1); /* one utterance less: bytes left over */
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "unexpected bytes"));
  memcpy(c, img, len);
  c[30] ^= 1; /* a feature value: only the CRC can tell */
  CHECK(parse_fails(c, len, "CRC-32 mismatch"));
  memcpy(c, img, len);
  float nan_scale = -1.0f;
  uint32_t bits;
  memcpy(&bits, &nan_scale, 4);
  put32(c + 20, bits);
  fix_crc(c, len);
  CHECK(parse_fails(c, len, "scale"));
  free(c);
  free(img);
  /* write rejects bad parameters */
  CHECK(sa_testset_write_feats(path, 1, 0, 256.0f, utts, frames, &e) == -1);
  remove(path);
  snprintf(path, sizeof path, "%s/transcripts.tsv", dir);
  remove(path);
  rmdir(dir);
  /* the shipped test sets read back and match their transcripts */
  static const char *const sets[] = {"main", "unseen", "real"};
  e.msg[0] = 0;
  for (int s = 0; s < 3; s++) {
    snprintf(path, sizeof path, "workloads/asr/testsets/%s", sets[s]);
    CHECK(sa_testset_load(path, &ts, &e) == 0);
    if (e.msg[0]) fprintf(stderr, "%s\n", e.msg);
    CHECK(ts.n_utts > 0 && ts.n_mels == 40 && ts.scale == 8.0f); /* version 2 */
    sa_testset_free(&ts);
  }
}

/* Version 2: a per-utterance int16 base plus int8 offsets (value = base + offset). */
static void test_testset_v2(void) {
  uint8_t b[24 + 4 + 2 + 4 + 4 + 2 + 2 + 4];
  memcpy(b, "SASPFEAT", 8);
  put32(b + 8, 2);
  put32(b + 12, 2);
  put32(b + 16, 2);
  float scale = 8.0f;
  uint32_t bits;
  memcpy(&bits, &scale, 4);
  put32(b + 20, bits);
  put32(b + 24, 2); /* utterance 0: 2 frames, base -100 */
  b[28] = (uint8_t)(-100 & 0xff);
  b[29] = (uint8_t)((-100 >> 8) & 0xff);
  const int8_t o0[4] = {127, -128, 0, 5};
  memcpy(b + 30, o0, 4);
  put32(b + 34, 1); /* utterance 1: 1 frame, base 32640 (the largest allowed) */
  b[38] = 32640 & 0xff;
  b[39] = 32640 >> 8;
  const int8_t o1[2] = {127, -128};
  memcpy(b + 40, o1, 2);
  fix_crc(b, sizeof b);
  sa_testset ts;
  sa_err e = {{0}};
  CHECK(sa_testset_parse_feats(b, sizeof b, "t.bin", &ts, &e) == 0);
  if (e.msg[0]) fprintf(stderr, "%s\n", e.msg);
  CHECK(ts.n_utts == 2 && ts.n_mels == 2 && ts.scale == 8.0f);
  const int16_t want[6] = {27, -228, -100, -95, 32767, 32512};
  for (int i = 0; i < 6 && ts.data; i++) CHECK_EQ_INT(ts.data[i], want[i]);
  float f[4];
  sa_testset_feats(&ts, 0, f);
  CHECK(f[0] == 27.0f / 8 && f[1] == -228.0f / 8);
  sa_testset_free(&ts);
  uint8_t c[sizeof b];
  memcpy(c, b, sizeof b);
  b[38] = (32641 & 0xff); /* base one past the range: base + 127 would overflow int16 */
  fix_crc(b, sizeof b);
  CHECK(parse_fails(b, sizeof b, "base 32641 out of range"));
  memcpy(b, c, sizeof b);
  memcpy(b + 34, (uint8_t[]){3, 0, 0, 0}, 4); /* more frames than the file holds */
  fix_crc(b, sizeof b);
  CHECK(parse_fails(b, sizeof b, "truncated"));
  /* cut right after utterance 1's frame count: no room for its base */
  uint8_t d[24 + 4 + 2 + 4 + 4 + 1 + 4];
  memcpy(d, c, 39);
  fix_crc(d, sizeof d);
  CHECK(parse_fails(d, sizeof d, "no base value"));
}

int main(void) {
  test_align();
  test_score();
  test_ctc();
  test_testset();
  test_testset_v2();
  return sa_test_done("wer");
}
