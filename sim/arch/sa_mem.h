/* sa_mem: the memory model of integration dma (docs/timing.md §7): double-buffered weight,
 * activation and output scratchpads fed by one DRAM channel; turns the kept-tile sequence of
 * a command into DRAM/SRAM traffic and stall cycles per cause, streaming tile by tile. */
#ifndef SA_MEM_H
#define SA_MEM_H

#include <stdint.h>

#include "sa_config.h"
#include "sa_stats.h"
#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One kept tile, in visit order. */
typedef struct sa_mem_tile {
  int64_t kt, nt;            /* tile position */
  int64_t rows, cols;        /* real (unpadded) rows along K and columns along N */
  int last_in_strip;         /* 1: no later kept tile in this strip (its outputs drain) */
} sa_mem_tile;

/* State of one command; lives on the caller's stack between begin and end. */
typedef struct sa_mem {
  const sa_hw_cfg *hw;
  int64_t m, s;              /* rows of the command, stream cycles per tile */
  int resident;              /* 1: the command's activations fit one half (fetched once) */
  uint8_t *seen;             /* resident: K-blocks already fetched (caller's KT bytes, zeroed) */
  int64_t tiles;             /* tiles received */
  int64_t strip;             /* nt of the previous kept tile (-1: none) */
  int64_t pro_w, pro_a;      /* prologue bytes: weights of tiles 0, 1; activations of tile 0 */
  int64_t ring_w[4], ring_a[4];  /* bytes read during step t (index t % 4) */
  int64_t ring_o[4];             /* output bytes of the strip closed by tile t */
  int ring_end[4];               /* 1: tile t closes its strip */
  int64_t backlog;               /* output bytes still to be written back */
} sa_mem;

/* Checks that one command with m rows can run with cfg's buffers: a tile's weights (R*C
 * bytes) fit the weight half, its activations (m*R) the activation half, and an output strip
 * (m*C*4) the output half. Returns 0, or -1 naming the buffers.* key and both sizes. */
int sa_mem_check(const sa_hw_cfg *hw, int64_t m, int64_t k, sa_err *e);

/* Starts a command of m x k x n; seen must hold ceil(k/R) zero bytes for sa_mem_add_tile
 * (NULL when only sa_mem_add_dense is used). */
void sa_mem_begin(sa_mem *s, const sa_hw_cfg *hw, int64_t m, int64_t k, uint8_t *seen);

/* Adds the next kept tile: its traffic into c, and the stall of the step it completes into t. */
void sa_mem_add_tile(sa_mem *s, const sa_mem_tile *tile, sa_counts *c, sa_time *t);

/* Adds every tile of a dense m x k x n command (all KT x NT tiles kept, visit order) right
 * after sa_mem_begin: the same counts and stalls as adding them one by one with
 * sa_mem_add_tile, but runs of identical tiles and strips are summed once the model reaches a
 * steady state, so the time does not grow with the tile count. The caller guarantees the
 * command's counters fit an int64 (sa_cycle_command's bound, docs/timing.md §7.7). */
void sa_mem_add_dense(sa_mem *s, int64_t k, int64_t n, sa_counts *c, sa_time *t);

/* Adds an output strip whose tiles are all pruned (bytes = M x its columns x 4): the DMA
 * writes its zeros together with the outputs of the strip closed before it (or, before the
 * first kept tile, from step 0 on). */
void sa_mem_zero_strip(sa_mem *s, int64_t bytes, sa_counts *c);

/* Ends the command: mask_bytes read in the prologue; adds the remaining stalls. */
void sa_mem_end(sa_mem *s, int64_t mask_bytes, sa_counts *c, sa_time *t);

/* DRAM cycles to move bytes at hw->dram_bytes_per_cycle: ceil(bytes / bandwidth). */
int64_t sa_mem_dram_cycles(const sa_hw_cfg *hw, int64_t bytes);

#ifdef __cplusplus
}
#endif

#endif
