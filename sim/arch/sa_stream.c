/* sa_stream: the streaming operand interface, cycle by cycle (sa_stream.h, docs/timing.md
 * §6). The state below is the controller's (rtl/sa_ctrl.sv); every rule is evaluated on the
 * state at the start of a cycle, as the RTL's combinational logic does, then applied. */
#include "sa_stream.h"

#include <stdlib.h>
#include <string.h>

#include "sa_rng.h"
#include "sa_timing.h"

int sa_stream_offer(const sa_stream_source *s, int stream, int64_t cycle) {
  if (!s || s->pct >= 100) return 1;
  uint64_t z = sa_rng_mix(s->seed ^ ((uint64_t)(stream + 1) << 56) ^ (uint64_t)cycle);
  return (int)(z % 100) < s->pct;
}

void sa_stream_trace_free(sa_stream_trace *tr) {
  if (!tr) return;
  free(tr->tiles);
  free(tr->outs);
  memset(tr, 0, sizeof *tr);
}

enum { PH_LOAD, PH_STREAM };

int sa_stream_command(int64_t rows, int64_t cols, int64_t m, int64_t k, int64_t n,
                      const uint8_t *keep, const sa_stream_source *src, sa_stream_trace *tr,
                      sa_err *e) {
  memset(tr, 0, sizeof *tr);
  if (rows < 2 || cols < 2 || m < 1 || k < 1 || n < 1)
    return sa_err_set(e, "stream model: bad command %lldx%lld array, M=%lld K=%lld N=%lld",
                      (long long)rows, (long long)cols, (long long)m, (long long)k,
                      (long long)n);
  if (src && (src->pct < 1 || src->pct > 100))
    return sa_err_set(e, "stream model: offer probability %d %% is not 1 ... 100", src->pct);
  const int64_t R = rows, C = cols, M = m;
  const int64_t kt_n = sa_timing_tiles_k(k, R), nt_n = sa_timing_tiles_n(n, C);
  const int64_t S = sa_timing_stream_cycles(R, C, M);
  /* the kept tiles in visit order: strips outer, down each strip */
  int64_t T = 0, strips = 0;
  for (int64_t nt = 0; nt < nt_n; nt++) {
    int any = 0;
    for (int64_t kt = 0; kt < kt_n; kt++)
      if (!keep || keep[kt * nt_n + nt]) T++, any = 1;
    strips += any;
  }
  tr->tiles = sa_calloc((size_t)(T ? T : 1), sizeof *tr->tiles, e);
  tr->outs = sa_calloc((size_t)(strips > 0 ? strips * M : 1), sizeof *tr->outs, e);
  int64_t *tkt = sa_malloc((size_t)(T ? T : 1) * sizeof *tkt, e);
  int64_t *tnt = sa_malloc((size_t)(T ? T : 1) * sizeof *tnt, e);
  if (!tr->tiles || !tr->outs || !tkt || !tnt) {
    free(tkt);
    free(tnt);
    sa_stream_trace_free(tr);
    return -1;
  }
  for (int64_t nt = 0, i = 0; nt < nt_n; nt++)
    for (int64_t kt = 0; kt < kt_n; kt++)
      if (!keep || keep[kt * nt_n + nt]) tkt[i] = kt, tnt[i] = nt, i++;
  if (T == 0) { /* done in cycle 0 */
    free(tkt);
    free(tnt);
    return 0;
  }

  int ph = PH_LOAD;
  int64_t j = 0, t = 0;             /* position: phase cycle, tile streaming (or loading) */
  int64_t d_rcv = 0;                /* kept-tile descriptors received */
  int64_t ww_t = 0, ww_r = 0;       /* weight stream: tile, rows of it received */
  int64_t aw_t = 0, aw_m = 0;       /* activation stream: tile, rows of it received */
  int pend[SA_STREAM_N] = {0};      /* a source offers a beat (held until it transfers) */
  const int64_t limit = 1000000000;
  for (int64_t c = 0;; c++) {
    if (c >= limit) {
      free(tkt);
      free(tnt);
      sa_stream_trace_free(tr);
      return sa_err_set(e, "stream model: command still running after %lld cycles",
                        (long long)limit);
    }
    if (!pend[SA_STREAM_TILES] && d_rcv < T) pend[SA_STREAM_TILES] = sa_stream_offer(src, SA_STREAM_TILES, c);
    if (!pend[SA_STREAM_WEIGHTS] && ww_t < T) pend[SA_STREAM_WEIGHTS] = sa_stream_offer(src, SA_STREAM_WEIGHTS, c);
    if (!pend[SA_STREAM_ACTS] && aw_t < T) pend[SA_STREAM_ACTS] = sa_stream_offer(src, SA_STREAM_ACTS, c);
    int out_ready = sa_stream_offer(src, SA_STREAM_OUT, c);

    /* ready: the storage behind each stream has room (§6) */
    int d_ready = d_rcv < T && d_rcv <= t + 1;
    int w_ready = ww_t < T && ((ph == PH_LOAD && ww_t == t) || (ph == PH_STREAM && ww_t == t + 1));
    int consumed = aw_t == 0 || aw_t - 1 < t ||
                   (aw_t - 1 == t && ph == PH_STREAM && j > aw_m);
    int a_ready = aw_t < T && consumed;
    int d_fire = pend[SA_STREAM_TILES] && d_ready;
    int w_fire = pend[SA_STREAM_WEIGHTS] && w_ready;
    int a_fire = pend[SA_STREAM_ACTS] && a_ready;

    /* stall rule */
    int advance;
    if (ph == PH_LOAD) {
      advance = w_fire;
    } else {
      int act_ok = j >= M || aw_t > t || (aw_t == t && aw_m > j);
      int desc_ok = d_rcv > t && (j == 0 || t + 1 >= T || d_rcv > t + 1);
      int w_ok = j != S - 1 || t + 1 >= T || ww_t > t + 1 ||
                 (ww_t == t + 1 && ww_r == R - 1 && w_fire);
      int last = t + 1 >= T || tnt[t + 1] != tnt[t];
      int emit = last && j >= R + C - 1 && j < M + R + C - 1;
      int other_ok = act_ok && desc_ok && w_ok;
      advance = other_ok && (!emit || out_ready);
      if (advance && j == 0)
        tr->tiles[tr->n_tiles++] = (sa_stream_tile_ev){c, tkt[t], tnt[t]};
      if (emit && other_ok && out_ready)
        tr->outs[tr->n_outs++] = (sa_stream_out_ev){c, tnt[t], j - (R + C - 1)};
    }

    /* the edge at the end of cycle c */
    if (d_fire) d_rcv++, pend[SA_STREAM_TILES] = 0;
    if (w_fire) {
      pend[SA_STREAM_WEIGHTS] = 0;
      if (++ww_r == R) ww_r = 0, ww_t++;
    }
    if (a_fire) {
      pend[SA_STREAM_ACTS] = 0;
      if (++aw_m == M) aw_m = 0, aw_t++;
    }
    if (!advance) continue;
    if (ph == PH_LOAD) {
      if (j == R - 1) ph = PH_STREAM, j = 0;
      else j++;
    } else if (j == S - 1) {
      if (t + 1 >= T) {
        tr->cycles = c + 1;
        break;
      }
      t++, j = 0;
    } else {
      j++;
    }
  }
  tr->stalls = tr->cycles - sa_timing_command_cycles(R, C, M, k, n, keep);
  free(tkt);
  free(tnt);
  return 0;
}
