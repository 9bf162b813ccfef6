/* The streaming-interface model (sa_stream, docs/timing.md §6): with always-ready streams it
 * equals the closed form of §5 and streams tile t from cycle R + t*S with the output rows of
 * a strip in its last tile's cycles R + t*S + R + C - 1 + m; with seeded stalls it is never
 * faster, only tile starts and output beats move, and the same seed repeats exactly. */
#include <stdlib.h>
#include <string.h>

#include "sa_stream.h"
#include "sa_test.h"
#include "sa_timing.h"

static uint64_t rs = 7;
static uint64_t rnd(void) {
  uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int main(void) {
  sa_err e;
  for (int it = 0; it < 400; it++) {
    int64_t R = 2 + (int64_t)(rnd() % 12), C = 2 + (int64_t)(rnd() % 12);
    int64_t M = 1 + (int64_t)(rnd() % 40), K = 1 + (int64_t)(rnd() % 60),
            N = 1 + (int64_t)(rnd() % 60);
    int64_t kt_n = sa_timing_tiles_k(K, R), nt_n = sa_timing_tiles_n(N, C);
    uint8_t *keep = malloc((size_t)(kt_n * nt_n));
    int dense = rnd() % 4 == 0;
    for (int64_t i = 0; i < kt_n * nt_n; i++) keep[i] = rnd() % 100 < 55;
    const uint8_t *kp = dense ? NULL : keep;
    int64_t closed = sa_timing_command_cycles(R, C, M, K, N, kp);
    int64_t S = sa_timing_stream_cycles(R, C, M);
    sa_stream_trace a, b, b2;
    CHECK(sa_stream_command(R, C, M, K, N, kp, NULL, &a, &e) == 0);
    CHECK_EQ_INT(a.cycles, closed);
    CHECK_EQ_INT(a.stalls, 0);
    int64_t strips = 0;
    for (int64_t nt = 0; nt < nt_n; nt++) {
      int any = 0;
      for (int64_t kt = 0; kt < kt_n; kt++) any |= !kp || kp[kt * nt_n + nt];
      strips += any;
    }
    CHECK_EQ_INT(a.n_outs, strips * M);
    for (int64_t t = 0; t < a.n_tiles; t++) CHECK_EQ_INT(a.tiles[t].cycle, R + t * S);
    /* output row m of a strip leaves in its last tile's cycle R + C - 1 + m */
    for (int64_t i = 0; i < a.n_outs; i++) {
      int64_t last = -1;
      for (int64_t t = 0; t < a.n_tiles; t++)
        if (a.tiles[t].nt == a.outs[i].nt) last = t;
      CHECK(last >= 0);
      CHECK_EQ_INT(a.outs[i].cycle, R + last * S + R + C - 1 + a.outs[i].row);
    }
    sa_stream_source src = {rnd(), 20 + (int)(rnd() % 80)};
    CHECK(sa_stream_command(R, C, M, K, N, kp, &src, &b, &e) == 0);
    CHECK(sa_stream_command(R, C, M, K, N, kp, &src, &b2, &e) == 0);
    CHECK(b.cycles >= closed);
    CHECK_EQ_INT(b.stalls, b.cycles - closed);
    CHECK_EQ_INT(b.cycles, b2.cycles);
    CHECK_EQ_INT(b.n_tiles, a.n_tiles);
    CHECK_EQ_INT(b.n_outs, a.n_outs);
    for (int64_t t = 0; t < b.n_tiles; t++) {
      CHECK(b.tiles[t].cycle >= a.tiles[t].cycle);
      CHECK_EQ_INT(b.tiles[t].kt, a.tiles[t].kt);
      CHECK_EQ_INT(b.tiles[t].nt, a.tiles[t].nt);
    }
    for (int64_t i = 0; i < b.n_outs; i++) {
      CHECK_EQ_INT(b.outs[i].nt, a.outs[i].nt);
      CHECK_EQ_INT(b.outs[i].row, a.outs[i].row);
      CHECK_EQ_INT(b.outs[i].cycle, b2.outs[i].cycle);
    }
    sa_stream_trace_free(&a);
    sa_stream_trace_free(&b);
    sa_stream_trace_free(&b2);
    free(keep);
  }
  /* §6 worked example: R = C = 4, M = 3, K = 10, N = 6, keep [1,0, 0,0, 1,1]: 34 cycles,
   * tiles from 4, 14, 24; strip 0's rows leave in 21..23, strip 1's in 31..33 */
  {
    static const uint8_t keep[6] = {1, 0, 0, 0, 1, 1};
    sa_stream_trace a;
    CHECK(sa_stream_command(4, 4, 3, 10, 6, keep, NULL, &a, &e) == 0);
    CHECK_EQ_INT(a.cycles, 34);
    CHECK_EQ_INT(a.n_tiles, 3);
    CHECK_EQ_INT(a.tiles[2].cycle, 24);
    CHECK_EQ_INT(a.n_outs, 6);
    CHECK_EQ_INT(a.outs[0].cycle, 21);
    CHECK_EQ_INT(a.outs[5].cycle, 33);
    sa_stream_trace_free(&a);
    static const uint8_t none[6] = {0};
    CHECK(sa_stream_command(4, 4, 3, 10, 6, none, NULL, &a, &e) == 0);
    CHECK_EQ_INT(a.cycles, 0);
    sa_stream_trace_free(&a);
  }
  sa_stream_source bad = {1, 0};
  sa_stream_trace x;
  CHECK(sa_stream_command(4, 4, 3, 10, 6, NULL, &bad, &x, &e) == -1);
  CHECK(sa_stream_command(4, 4, 0, 10, 6, NULL, NULL, &x, &e) == -1);
  return sa_test_done("test_stream");
}
