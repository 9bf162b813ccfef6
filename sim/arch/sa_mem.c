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

int64_t sa_mem_dram_cycles(const sa_hw_cfg *hw, int64_t bytes) {
  if (bytes <= 0) return 0;
  return (int64_t)ceil((double)bytes / hw->dram_bytes_per_cycle);
}

static int64_t half_bytes(double kib) { return (int64_t)floor(kib * 1024.0); }

int sa_mem_check(const sa_hw_cfg *hw, int64_t m, int64_t k, sa_err *e) {
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

void sa_mem_begin(sa_mem *s, const sa_hw_cfg *hw, int64_t m, int64_t k, uint8_t *seen) {
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

/* Adds the next kept tile; fetch: its activations come from DRAM (else they are resident). */
static void add_one(sa_mem *s, const sa_mem_tile *tile, int fetch, sa_counts *c, sa_time *t) {
  int64_t u = s->tiles;
  int64_t w = tile->rows * tile->cols;
  int64_t a_need = s->m * tile->rows;  /* streamed out of the activation buffer */
  int64_t a = fetch ? a_need : 0;      /* fetched from DRAM */
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

void sa_mem_add_tile(sa_mem *s, const sa_mem_tile *tile, sa_counts *c, sa_time *t) {
  int fetch = 1;
  if (s->resident) {
    SA_ASSERT(s->seen);
    fetch = !s->seen[tile->kt];
    s->seen[tile->kt] = 1;
  }
  add_one(s, tile, fetch, c, t);
}

/* --- dense commands in time independent of their size ---
 * The model is a deterministic function of its state and the next tile. Its state, taken
 * relative to the step counter (ring slot of step `tiles + j` as entry j), is a snapshot; when
 * adding a tile (or a strip) leaves the snapshot unchanged, every further identical tile (or
 * strip) repeats the same counts and stalls, so they are added at once. While only the
 * pending write-back differs, falling by the same unclamped amount each step (no strip closes
 * in the pending steps), the tiles that keep it above that amount are added at once too. */

typedef struct snap {
  int64_t tiles, strip, pro_w, pro_a, backlog;
  int64_t w[4], a[4], o[4];
  int end[4];
} snap;

static void snap_take(const sa_mem *s, snap *p) {
  p->tiles = s->tiles;
  p->strip = s->strip;
  p->pro_w = s->pro_w;
  p->pro_a = s->pro_a;
  p->backlog = s->backlog;
  for (int j = 0; j < 4; j++) {
    int i = (int)((s->tiles + j) % 4);
    p->w[j] = s->ring_w[i];
    p->a[j] = s->ring_a[i];
    p->o[j] = s->ring_o[i];
    p->end[j] = s->ring_end[i];
  }
}

/* 1 when a and b are equal apart from tiles, strip and backlog. */
static int snap_same_ring(const snap *a, const snap *b) {
  if (a->pro_w != b->pro_w || a->pro_a != b->pro_a) return 0;
  for (int j = 0; j < 4; j++)
    if (a->w[j] != b->w[j] || a->a[j] != b->a[j] || a->o[j] != b->o[j] || a->end[j] != b->end[j])
      return 0;
  return 1;
}

static int snap_closes(const snap *p) {
  return p->end[0] || p->end[1] || p->end[2] || p->end[3];
}

/* Moves the step counter on by n tiles, keeping the ring relative to it. */
static void advance(sa_mem *s, int64_t n) {
  snap p;
  snap_take(s, &p);
  s->tiles += n;
  for (int j = 0; j < 4; j++) {
    int i = (int)((s->tiles + j) % 4);
    s->ring_w[i] = p.w[j];
    s->ring_a[i] = p.a[j];
    s->ring_o[i] = p.o[j];
    s->ring_end[i] = p.end[j];
  }
}

/* c += (c - c0) * n and the same for the stalls of t (the only times the model changes). */
static void repeat(sa_counts *c, const sa_counts *c0, sa_time *t, const sa_time *t0, int64_t n) {
  sa_counts d = *c;
  int64_t *pd = (int64_t *)&d;
  const int64_t *p0 = (const int64_t *)c0;
  for (size_t i = 0; i < sizeof d / sizeof(int64_t); i++) pd[i] -= p0[i];
  sa_counts_add(c, &d, n);
  t->stall_weights += (t->stall_weights - t0->stall_weights) * n;
  t->stall_acts += (t->stall_acts - t0->stall_acts) * n;
  t->stall_outputs += (t->stall_outputs - t0->stall_outputs) * n;
}

/* Adds n tiles equal to *tile (same strip) in a row. */
static void add_run(sa_mem *s, const sa_mem_tile *tile, int64_t n, int fetch, sa_counts *c,
                    sa_time *t) {
  while (n > 0) {
    snap p0, p1;
    sa_counts c0 = *c;
    sa_time t0 = *t;
    snap_take(s, &p0);
    add_one(s, tile, fetch, c, t);
    n--;
    snap_take(s, &p1);
    if (!n || p0.tiles < 2 || p0.strip != p1.strip || !snap_same_ring(&p0, &p1)) continue;
    int64_t drop = p0.backlog - p1.backlog, x = 0;
    if (drop == 0) x = n;
    else if (drop > 0 && p1.backlog > 0 && !snap_closes(&p1)) x = p1.backlog / drop;
    if (x > n) x = n;
    if (x <= 0) continue;
    repeat(c, &c0, t, &t0, x);
    advance(s, x);
    s->backlog -= drop * x;
    n -= x;
  }
}

/* Adds strip nt of a dense command: kt_n tiles, the last one rows_last high. */
static void add_strip(sa_mem *s, int64_t nt, int64_t cols, int64_t kt_n, int64_t rows_last,
                      int fetch, sa_counts *c, sa_time *t) {
  const int64_t r = s->hw->rows;
  if (kt_n == 1) {
    add_one(s, &(sa_mem_tile){0, nt, rows_last, cols, 1}, fetch, c, t);
    return;
  }
  add_one(s, &(sa_mem_tile){0, nt, r, cols, 0}, fetch, c, t);
  add_run(s, &(sa_mem_tile){1, nt, r, cols, 0}, kt_n - 2, fetch, c, t);
  add_one(s, &(sa_mem_tile){kt_n - 1, nt, rows_last, cols, 1}, fetch, c, t);
}

void sa_mem_add_dense(sa_mem *s, int64_t k, int64_t n, sa_counts *c, sa_time *t) {
  const int64_t r = s->hw->rows, cl = s->hw->cols;
  SA_ASSERT(s->tiles == 0 && k >= 1 && n >= 1);
  const int64_t kt_n = (k + r - 1) / r, nt_n = (n + cl - 1) / cl;
  const int64_t rows_last = k - (kt_n - 1) * r, cols_last = n - (nt_n - 1) * cl;
  /* strip 0 fetches every K-block; later strips only when the activations are not resident */
  const int later = !s->resident;
  add_strip(s, 0, nt_n == 1 ? cols_last : cl, kt_n, rows_last, 1, c, t);
  int64_t nt = 1, left = nt_n >= 2 ? nt_n - 2 : 0; /* full strips before the last one */
  while (left > 0) {
    snap p0, p1;
    sa_counts c0 = *c;
    sa_time t0 = *t;
    snap_take(s, &p0);
    add_strip(s, nt, cl, kt_n, rows_last, later, c, t);
    nt++;
    left--;
    snap_take(s, &p1);
    if (!left || p0.tiles < 2 || p0.backlog != p1.backlog || !snap_same_ring(&p0, &p1)) continue;
    repeat(c, &c0, t, &t0, left);
    advance(s, left * kt_n);
    nt += left;
    s->strip = nt - 1;
    left = 0;
  }
  if (nt_n >= 2) add_strip(s, nt_n - 1, cols_last, kt_n, rows_last, later, c, t);
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
