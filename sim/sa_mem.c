/* sa_mem: DMA memory model (docs/timing.md §7). Step t is the stream phase of kept tile t
 * (S = M+R+C-1 array cycles). During step t the single DRAM channel first carries the reads
 * for later tiles (the weights of tile t+2, then the activations of tile t+1); a step lasts
 * at least as long as they take and the excess is a stall charged to weights or activations.
 * The channel's spare cycles drain the outputs of the previous strip, which must be out by
 * the end of the following strip (the output buffer's other half is then needed again); what
 * is left at that deadline is an output stall. Everything tiles 0 and 1 need comes in an
 * exposed prologue (DRAM latency once), the last strip's outputs in an exposed epilogue. */
#include "sa_mem.h"

#include <math.h>
#include <string.h>

int64_t sa_mem_dram_cycles(const sa_hw *hw, int64_t bytes) {
  if (bytes <= 0) return 0;
  return (int64_t)ceil((double)bytes / hw->dram_bytes_per_cycle);
}

static int64_t half_bytes(double kib) { return (int64_t)floor(kib * 1024.0); }

int sa_mem_check(const sa_hw *hw, int64_t m, int64_t k, sa_err *e) {
  (void)k;
  int64_t r = hw->rows, c = hw->cols;
  if (r * c > half_bytes(hw->weight_buf_kib))
    return sa_err_set(e, "buffers.weight_kib: a %lldx%lld weight tile needs %lld B, one half of "
                      "the weight buffer holds %lld B", (long long)r, (long long)c,
                      (long long)(r * c), (long long)half_bytes(hw->weight_buf_kib));
  if (m * r > half_bytes(hw->act_buf_kib))
    return sa_err_set(e, "buffers.act_kib: the activations of one tile (M=%lld x R=%lld) need "
                      "%lld B, one half of the activation buffer holds %lld B", (long long)m,
                      (long long)r, (long long)(m * r), (long long)half_bytes(hw->act_buf_kib));
  if (m * c * 4 > half_bytes(hw->out_buf_kib))
    return sa_err_set(e, "buffers.out_kib: one output strip (M=%lld x C=%lld int32) needs %lld B, "
                      "one half of the output buffer holds %lld B", (long long)m, (long long)c,
                      (long long)(m * c * 4), (long long)half_bytes(hw->out_buf_kib));
  return 0;
}

void sa_mem_begin(sa_mem *s, const sa_hw *hw, int64_t m, int64_t k, uint8_t *seen) {
  memset(s, 0, sizeof *s);
  s->hw = hw;
  s->m = m;
  s->s = m + hw->rows + hw->cols - 1;
  s->resident = m * k <= half_bytes(hw->act_buf_kib);
  s->seen = seen;
  s->strip = -1;
}

static int64_t overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1) {
  int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
  return hi > lo ? hi - lo : 0;
}

/* Closes step t (ring slot i). */
static void finish_step(sa_mem *s, int i, sa_time *t) {
  int64_t cw = sa_mem_dram_cycles(s->hw, s->ring_w[i]);
  int64_t ca = sa_mem_dram_cycles(s->hw, s->ring_a[i]);
  if (cw + ca > s->s) {
    t->stall_weights += overlap(0, cw, s->s, cw + ca);
    t->stall_acts += overlap(cw, cw + ca, s->s, cw + ca);
  }
  int64_t spare = s->s - cw - ca;
  if (spare > 0) { /* spare channel cycles drain pending outputs */
    int64_t can = (int64_t)floor((double)spare * s->hw->dram_bytes_per_cycle);
    s->backlog -= can < s->backlog ? can : s->backlog;
  }
  if (s->ring_end[i]) { /* tile t closes a strip: the previous strip must be out now */
    t->stall_outputs += sa_mem_dram_cycles(s->hw, s->backlog);
    s->backlog = s->ring_o[i];
  }
  s->ring_w[i] = s->ring_a[i] = s->ring_o[i] = 0;
  s->ring_end[i] = 0;
}

void sa_mem_add_tile(sa_mem *s, const sa_mem_tile *tile, sa_counts *c, sa_time *t) {
  int64_t u = s->tiles;
  int64_t w = tile->rows * tile->cols;
  int64_t a_need = s->m * tile->rows; /* streamed out of the activation buffer */
  int64_t a = a_need;                 /* fetched from DRAM */
  if (s->resident) {
    if (s->seen[tile->kt]) a = 0;
    s->seen[tile->kt] = 1;
  }
  int64_t strip_bytes = s->m * tile->cols * 4;
  c->dram_read += w + a;
  c->wbuf_write += w;
  c->wbuf_read += w;
  c->abuf_write += a;
  c->abuf_read += a_need;
  if (tile->nt != s->strip) { /* first kept tile of its strip: writes the partial sums */
    s->strip = tile->nt;
    c->obuf_write += strip_bytes;
  } else { /* later tiles add to them */
    c->obuf_read += strip_bytes;
    c->obuf_write += strip_bytes;
  }
  if (tile->last_in_strip) { /* the strip drains to DRAM from step u+1 on */
    c->obuf_read += strip_bytes;
    c->dram_write += strip_bytes;
    s->ring_o[u % 4] = strip_bytes;
    s->ring_end[u % 4] = 1;
  }
  if (u >= 2) s->ring_w[(u - 2) % 4] += w;
  else s->pro_w += w;
  if (u >= 1) s->ring_a[(u - 1) % 4] += a;
  else s->pro_a += a;
  s->tiles++;
  if (u >= 2) finish_step(s, (int)((u - 2) % 4), t);
}

void sa_mem_zero_strip(sa_mem *s, int64_t bytes, sa_counts *c) {
  c->dram_write += bytes;
  if (s->tiles == 0) s->backlog += bytes; /* before any step: drains from step 0 on */
  else s->ring_o[(s->tiles - 1) % 4] += bytes; /* joins the strip just closed */
}

void sa_mem_end(sa_mem *s, int64_t mask_bytes, sa_counts *c, sa_time *t) {
  int64_t n = s->tiles;
  for (int64_t st = n >= 2 ? n - 2 : 0; st < n; st++) finish_step(s, (int)(st % 4), t);
  t->stall_weights += s->hw->dram_latency_cycles + sa_mem_dram_cycles(s->hw, mask_bytes) +
                      sa_mem_dram_cycles(s->hw, s->pro_w);
  t->stall_acts += sa_mem_dram_cycles(s->hw, s->pro_a);
  /* the last strip's outputs (and zero strips after it) have no step left to hide in */
  t->stall_outputs += sa_mem_dram_cycles(s->hw, s->backlog);
  s->backlog = 0;
  c->dram_read += mask_bytes;
}
