/* sa_mask: per-tile skip-masks. One mask per weight GEMM: a KT x NT grid of tiles, each
 * R rows along K by C columns along N; keep = 1 means the tile is executed, 0 skipped.
 * The binary file layout is documented in docs/formats.md. */
#ifndef SA_MASK_H
#define SA_MASK_H

#include <stdint.h>

#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_tilemask {
  char name[128];       /* manifest layer name */
  int64_t k, n;         /* GEMM reduction size and output features */
  int64_t tile_rows;    /* R: tile height along K */
  int64_t tile_cols;    /* C: tile width along N */
  int64_t kt, nt;       /* tiles along K and N: ceil(k/R), ceil(n/C) */
  uint8_t *keep;        /* kt*nt bytes, index kt_i*nt + nt_i; 1 = kept */
} sa_tilemask;

typedef struct sa_maskset {
  int64_t tile_rows, tile_cols;
  int n;                /* number of layers */
  sa_tilemask *masks;   /* owned */
} sa_maskset;

/* Allocates a dense (all kept) mask for a k x n GEMM with r x c tiles. */
int sa_tilemask_init(sa_tilemask *m, const char *name, int64_t k, int64_t n, int64_t r,
                     int64_t c, sa_err *e);
void sa_tilemask_free(sa_tilemask *m);
int64_t sa_tilemask_kept(const sa_tilemask *m);

/* Reads a mask file; rejects bad magic, version, sizes, checksum. If want_r/want_c are
 * non-zero, a mask whose tile shape differs is rejected with a message naming both. */
int sa_maskset_read(const char *path, int64_t want_r, int64_t want_c, sa_maskset *ms,
                    sa_err *e);
int sa_maskset_read_buffer(const uint8_t *buf, size_t len, const char *name, int64_t want_r,
                           int64_t want_c, sa_maskset *ms, sa_err *e);
/* Writes atomically. */
int sa_maskset_write(const char *path, const sa_maskset *ms, sa_err *e);
const sa_tilemask *sa_maskset_find(const sa_maskset *ms, const char *name);
void sa_maskset_free(sa_maskset *ms);

#ifdef __cplusplus
}
#endif

#endif
