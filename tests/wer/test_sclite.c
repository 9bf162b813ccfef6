/* sa_wer against NIST sclite (Debian's sctk): the same hypotheses scored by both must give
 * identical correct/substitution/deletion/insertion counts for every utterance. Cases: random
 * reference/hypothesis pairs over a 5-word vocabulary (many equal-cost alignments, so the
 * weighting and the tie-breaking are exercised) and the shipped PyTorch reference hypotheses of
 * the main test set against its transcripts. Exits 77 (skipped) when sctk is not installed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_test.h"
#include "sa_testset.h"
#include "sa_wer.h"

enum { N_RANDOM = 3000, MAX_WORDS = 12, LINE = 4096 };

typedef struct pair {
  char ref[LINE], hyp[LINE];
  sa_wer_counts sc; /* sclite's */
  int seen;
} pair;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state % n);
}

static void random_words(char *s, int n) {
  static const char *const v[] = {"one", "two", "three", "of", "clubs"};
  s[0] = 0;
  for (int i = 0; i < n; i++) {
    if (i) strcat(s, " ");
    strcat(s, v[rnd(5)]);
  }
}

static int read_hyp_file(const char *path, const sa_testset *ts, pair *p, int n) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[LINE];
  int k = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    for (int i = 0; i < n && i < ts->n_utts; i++)
      if (!strcmp(ts->ids[i], line)) {
        snprintf(p[i].ref, LINE, "%s", ts->refs[i]);
        snprintf(p[i].hyp, LINE, "%s", tab + 1);
        k++;
      }
  }
  fclose(f);
  return k;
}

int main(void) {
  if (system("command -v sctk > /dev/null 2>&1") != 0) {
    printf("sctk (NIST sclite) not installed: skipped\n");
    return 77;
  }
  sa_testset ts = {0};
  sa_err e = {{0}};
  CHECK(sa_testset_load("workloads/asr/testsets/main", &ts, &e) == 0);
  int n_real = (int)ts.n_utts, n = N_RANDOM + n_real;
  pair *p = calloc((size_t)n, sizeof *p);
  for (int i = 0; i < N_RANDOM; i++) {
    int nr = (int)rnd(MAX_WORDS + 1), nh = (int)rnd(MAX_WORDS + 1);
    if (nr == 0) nr = 1; /* sclite needs a reference word to report a sentence */
    random_words(p[i].ref, nr);
    if (rnd(3) == 0) {
      random_words(p[i].hyp, nh);
    } else { /* a few edits of the reference */
      char tmp[LINE];
      snprintf(tmp, LINE, "%s", p[i].ref);
      p[i].hyp[0] = 0;
      for (char *w = strtok(tmp, " "); w; w = strtok(NULL, " ")) {
        unsigned r = rnd(6);
        if (r == 0) continue; /* delete */
        if (p[i].hyp[0]) strcat(p[i].hyp, " ");
        strcat(p[i].hyp, r == 1 ? "two" : w); /* substitute (maybe by itself) or keep */
        if (r == 2) strcat(p[i].hyp, " of"); /* insert */
      }
    }
  }
  int got = read_hyp_file("workloads/asr/reference/main.hyp.tsv", &ts, p + N_RANDOM, n_real);
  CHECK(got == n_real);
  for (int i = N_RANDOM; i < n; i++)
    if (!p[i].ref[0]) snprintf(p[i].ref, LINE, "%s", "placeholder-never-empty");

  char dir[] = "/tmp/sasp-sclite-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char rpath[128], hpath[128], cmd[512];
  snprintf(rpath, sizeof rpath, "%s/ref.trn", dir);
  snprintf(hpath, sizeof hpath, "%s/hyp.trn", dir);
  FILE *fr = fopen(rpath, "w"), *fh = fopen(hpath, "w");
  for (int i = 0; i < n; i++) {
    fprintf(fr, "%s (spk_%05d)\n", p[i].ref, i);
    fprintf(fh, "%s (spk_%05d)\n", p[i].hyp, i);
  }
  fclose(fr);
  fclose(fh);
  snprintf(cmd, sizeof cmd, "sctk sclite -r %s trn -h %s trn -i spu_id -o pralign stdout 2>&1",
           rpath, hpath);
  FILE *pp = popen(cmd, "r");
  CHECK(pp != NULL);
  char line[LINE];
  int cur = -1, parsed = 0;
  while (pp && fgets(line, sizeof line, pp)) {
    int id;
    long long c, s, d, ins;
    if (sscanf(line, "id: (spk_%d)", &id) == 1 && id >= 0 && id < n) cur = id;
    if (cur >= 0 &&
        sscanf(line, "Scores: (#C #S #D #I) %lld %lld %lld %lld", &c, &s, &d, &ins) == 4) {
      p[cur].sc = (sa_wer_counts){.cor = c, .sub = s, .del = d, .ins = ins};
      p[cur].seen = 1;
      parsed++;
      cur = -1;
    }
  }
  if (pp) CHECK(pclose(pp) == 0);
  CHECK_EQ_INT(parsed, n);
  int mismatch = 0;
  sa_wer_counts tot = {0}, stot = {0};
  for (int i = 0; i < n; i++) {
    sa_wer_counts k;
    CHECK(sa_wer_align(p[i].ref, p[i].hyp, &k, &e) == 0);
    tot.cor += k.cor, tot.sub += k.sub, tot.del += k.del, tot.ins += k.ins;
    stot.cor += p[i].sc.cor, stot.sub += p[i].sc.sub, stot.del += p[i].sc.del,
        stot.ins += p[i].sc.ins;
    if (!p[i].seen || k.cor != p[i].sc.cor || k.sub != p[i].sc.sub || k.del != p[i].sc.del ||
        k.ins != p[i].sc.ins) {
      if (mismatch++ < 10)
        fprintf(stderr, "utt %d: ref '%s' hyp '%s': sasp C%lld S%lld D%lld I%lld, "
                "sclite C%lld S%lld D%lld I%lld\n", i, p[i].ref, p[i].hyp, (long long)k.cor,
                (long long)k.sub, (long long)k.del, (long long)k.ins, (long long)p[i].sc.cor,
                (long long)p[i].sc.sub, (long long)p[i].sc.del, (long long)p[i].sc.ins);
    }
  }
  printf("%d utterances: sasp C%lld S%lld D%lld I%lld, sclite C%lld S%lld D%lld I%lld, "
         "%d differ\n", n, (long long)tot.cor, (long long)tot.sub, (long long)tot.del,
         (long long)tot.ins, (long long)stot.cor, (long long)stot.sub, (long long)stot.del,
         (long long)stot.ins, mismatch);
  CHECK_EQ_INT(mismatch, 0);
  remove(rpath);
  remove(hpath);
  rmdir(dir);
  free(p);
  sa_testset_free(&ts);
  return sa_test_done("sclite");
}
