/* sa_mask: tile masks in memory and the mask file (docs/formats.md, "Mask file"):
 * "SASPMASK", u32 version, u32 layers, u64 R, u64 C, per layer u16 name length, name,
 * u64 K, u64 N, bitmap (1 bit per tile, LSB first, 1 = kept), then CRC-32 of all that.
 * Integers are little-endian. */
#include "sa_mask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sa_file.h"
#include "sa_out.h"

enum { MASK_VERSION = 1, HEADER_BYTES = 32, MAX_LAYERS = 1 << 20, NAME_MAX_LEN = 127 };
/* name length, 1-byte name, K, N, one bitmap byte */
enum { LAYER_MIN_BYTES = 2 + 1 + 16 + 1 };
#define DIM_MAX (((int64_t)1 << 31) - 1)
#define MAX_FILE ((size_t)1 << 32)
static const char magic[8] = {'S', 'A', 'S', 'P', 'M', 'A', 'S', 'K'};

int sa_tilemask_init(sa_tilemask *m, const char *name, int64_t k, int64_t n, int64_t r,
                     int64_t c, sa_err *e) {
  memset(m, 0, sizeof *m);
  size_t nl = strlen(name);
  if (nl == 0 || nl > NAME_MAX_LEN)
    return sa_err_set(e, "mask name '%.60s': must be 1 to %d characters", name, NAME_MAX_LEN);
  if (k < 1 || n < 1 || k > DIM_MAX || n > DIM_MAX || r < 1 || c < 1 || r > DIM_MAX ||
      c > DIM_MAX)
    return sa_err_set(e, "mask '%s': bad dimensions %lldx%lld with %lldx%lld tiles", name,
                      (long long)k, (long long)n, (long long)r, (long long)c);
  memcpy(m->name, name, nl + 1);
  m->k = k;
  m->n = n;
  m->tile_rows = r;
  m->tile_cols = c;
  m->kt = (k + r - 1) / r;
  m->nt = (n + c - 1) / c;
  m->keep = sa_malloc((size_t)(m->kt * m->nt), e);
  if (!m->keep) return sa_err_prefix(e, "mask '%s'", name);
  memset(m->keep, 1, (size_t)(m->kt * m->nt));
  return 0;
}

void sa_tilemask_free(sa_tilemask *m) {
  if (!m) return;
  free(m->keep);
  m->keep = NULL;
}

int64_t sa_tilemask_kept(const sa_tilemask *m) {
  int64_t kept = 0, t = m->kt * m->nt;
  for (int64_t i = 0; i < t; i++) kept += m->keep[i] != 0;
  return kept;
}

void sa_maskset_free(sa_maskset *ms) {
  if (!ms) return;
  for (int i = 0; i < ms->n; i++) sa_tilemask_free(&ms->masks[i]);
  free(ms->masks);
  memset(ms, 0, sizeof *ms);
}

const sa_tilemask *sa_maskset_find(const sa_maskset *ms, const char *name) {
  for (int i = 0; i < ms->n; i++)
    if (!strcmp(ms->masks[i].name, name)) return &ms->masks[i];
  return NULL;
}

/* --- reading --- */

static uint64_t le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

int sa_maskset_read_buffer(const uint8_t *buf, size_t len, const char *name, int64_t want_r,
                           int64_t want_c, sa_maskset *ms, sa_err *e) {
  memset(ms, 0, sizeof *ms);
  if (len < HEADER_BYTES + 4 || memcmp(buf, magic, 8))
    return sa_err_set(e, "%s: not a sasp mask file (bad magic or shorter than %d bytes)", name,
                      HEADER_BYTES + 4);
  uint32_t version = (uint32_t)le(buf + 8, 4);
  if (version != MASK_VERSION)
    return sa_err_set(e, "%s: mask file version %u not supported (this build reads %d)", name,
                      version, MASK_VERSION);
  uint32_t stored = (uint32_t)le(buf + len - 4, 4);
  uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
  size_t body = len - 4, off = 0;
  while (off < body) { /* zlib's crc32 takes uInt lengths */
    size_t chunk = body - off > (1u << 30) ? (1u << 30) : body - off;
    crc = (uint32_t)crc32(crc, buf + off, (uInt)chunk);
    off += chunk;
  }
  if (crc != stored)
    return sa_err_set(e, "%s: checksum mismatch (stored 0x%08x, computed 0x%08x): file is "
                      "corrupt or truncated", name, stored, crc);
  uint64_t nl = le(buf + 12, 4), r = le(buf + 16, 8), c = le(buf + 24, 8);
  /* each layer takes at least LAYER_MIN_BYTES: check before allocating the table */
  if (nl < 1 || nl > MAX_LAYERS || nl > (len - HEADER_BYTES - 4) / LAYER_MIN_BYTES)
    return sa_err_set(e, "%s: bad layer count %llu for a %zu-byte file", name,
                      (unsigned long long)nl, len);
  if (r < 1 || c < 1 || r > (uint64_t)DIM_MAX || c > (uint64_t)DIM_MAX)
    return sa_err_set(e, "%s: bad tile shape %llux%llu", name, (unsigned long long)r,
                      (unsigned long long)c);
  if ((want_r && (int64_t)r != want_r) || (want_c && (int64_t)c != want_c))
    return sa_err_set(e, "%s: mask tile shape %llux%llu does not match the array %lldx%lld "
                      "(prune again with --tile %lldx%lld)", name, (unsigned long long)r,
                      (unsigned long long)c, (long long)want_r, (long long)want_c,
                      (long long)want_r, (long long)want_c);
  ms->tile_rows = (int64_t)r;
  ms->tile_cols = (int64_t)c;
  ms->masks = sa_calloc((size_t)nl, sizeof *ms->masks, e);
  if (!ms->masks) return sa_err_prefix(e, "%s", name);
  size_t p = HEADER_BYTES;
  for (uint64_t i = 0; i < nl; i++) {
    if (body - p < 2) goto truncated;
    size_t namelen = (size_t)le(buf + p, 2);
    p += 2;
    if (namelen < 1 || namelen > NAME_MAX_LEN) {
      sa_maskset_free(ms);
      return sa_err_set(e, "%s: layer %llu: bad name length %zu", name, (unsigned long long)i,
                        namelen);
    }
    if (body - p < namelen + 16) goto truncated;
    char lname[NAME_MAX_LEN + 1];
    memcpy(lname, buf + p, namelen);
    lname[namelen] = 0;
    p += namelen;
    if (strlen(lname) != namelen) {
      sa_maskset_free(ms);
      return sa_err_set(e, "%s: layer %llu: NUL byte in name", name, (unsigned long long)i);
    }
    uint64_t k = le(buf + p, 8), n = le(buf + p + 8, 8);
    p += 16;
    if (k < 1 || n < 1 || k > (uint64_t)DIM_MAX || n > (uint64_t)DIM_MAX) {
      sa_maskset_free(ms);
      return sa_err_set(e, "%s: layer '%s': bad dimensions %llux%llu", name, lname,
                        (unsigned long long)k, (unsigned long long)n);
    }
    uint64_t kt = (k + r - 1) / r, nt = (n + c - 1) / c, tiles = kt * nt; /* < 2^62 */
    uint64_t bytes = (tiles + 7) / 8;
    if ((uint64_t)(body - p) < bytes) goto truncated;
    if (sa_maskset_find(ms, lname)) {
      sa_maskset_free(ms);
      return sa_err_set(e, "%s: layer '%s' appears twice", name, lname);
    }
    sa_tilemask *m = &ms->masks[ms->n];
    if (sa_tilemask_init(m, lname, (int64_t)k, (int64_t)n, (int64_t)r, (int64_t)c, e)) {
      sa_maskset_free(ms);
      return sa_err_prefix(e, "%s", name);
    }
    ms->n++;
    const uint8_t *bits = buf + p;
    for (uint64_t t = 0; t < tiles; t++) m->keep[t] = (bits[t >> 3] >> (t & 7)) & 1;
    if ((tiles & 7) && (bits[bytes - 1] >> (tiles & 7))) {
      sa_maskset_free(ms);
      return sa_err_set(e, "%s: layer '%s': padding bits after the last tile are not zero",
                        name, lname);
    }
    p += (size_t)bytes;
  }
  if (p != body) {
    sa_maskset_free(ms);
    return sa_err_set(e, "%s: %zu unexpected bytes after the last layer", name, body - p);
  }
  return 0;
truncated:
  sa_maskset_free(ms);
  return sa_err_set(e, "%s: truncated: layer table ends early (header says %llu layers)", name,
                    (unsigned long long)nl);
}

int sa_maskset_read(const char *path, int64_t want_r, int64_t want_c, sa_maskset *ms,
                    sa_err *e) {
  memset(ms, 0, sizeof *ms);
  size_t len;
  uint8_t *buf = sa_file_read(path, MAX_FILE, &len, e);
  if (!buf) return -1;
  int rc = sa_maskset_read_buffer(buf, len, path, want_r, want_c, ms, e);
  free(buf);
  return rc;
}

/* --- writing --- */

static void put_le(FILE *f, uint64_t v, int bytes, uLong *crc) {
  uint8_t b[8];
  for (int i = 0; i < bytes; i++) b[i] = (uint8_t)(v >> (8 * i));
  fwrite(b, 1, (size_t)bytes, f);
  *crc = crc32(*crc, b, (uInt)bytes);
}

int sa_maskset_write(const char *path, const sa_maskset *ms, sa_err *e) {
  if (ms->n < 1 || ms->n > MAX_LAYERS)
    return sa_err_set(e, "%s: a mask file holds 1 to %d layers, not %d", path, MAX_LAYERS,
                      ms->n);
  for (int i = 0; i < ms->n; i++) {
    const sa_tilemask *m = &ms->masks[i];
    size_t nl = strlen(m->name);
    if (m->tile_rows != ms->tile_rows || m->tile_cols != ms->tile_cols)
      return sa_err_set(e, "%s: layer '%s' has %lldx%lld tiles, the set %lldx%lld", path,
                        m->name, (long long)m->tile_rows, (long long)m->tile_cols,
                        (long long)ms->tile_rows, (long long)ms->tile_cols);
    if (nl < 1 || nl > NAME_MAX_LEN || m->k < 1 || m->n < 1 || m->k > DIM_MAX ||
        m->n > DIM_MAX || m->kt != (m->k + m->tile_rows - 1) / m->tile_rows ||
        m->nt != (m->n + m->tile_cols - 1) / m->tile_cols)
      return sa_err_set(e, "%s: layer '%s': inconsistent mask", path, m->name);
    for (int j = 0; j < i; j++)
      if (!strcmp(ms->masks[j].name, m->name))
        return sa_err_set(e, "%s: layer '%s' appears twice", path, m->name);
  }
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  uLong crc = crc32(0L, Z_NULL, 0);
  fwrite(magic, 1, 8, o.f);
  crc = crc32(crc, (const Bytef *)magic, 8);
  put_le(o.f, MASK_VERSION, 4, &crc);
  put_le(o.f, (uint64_t)ms->n, 4, &crc);
  put_le(o.f, (uint64_t)ms->tile_rows, 8, &crc);
  put_le(o.f, (uint64_t)ms->tile_cols, 8, &crc);
  for (int i = 0; i < ms->n; i++) {
    const sa_tilemask *m = &ms->masks[i];
    size_t nl = strlen(m->name);
    put_le(o.f, nl, 2, &crc);
    fwrite(m->name, 1, nl, o.f);
    crc = crc32(crc, (const Bytef *)m->name, (uInt)nl);
    put_le(o.f, (uint64_t)m->k, 8, &crc);
    put_le(o.f, (uint64_t)m->n, 8, &crc);
    int64_t tiles = m->kt * m->nt;
    for (int64_t t = 0; t < tiles; t += 8) {
      uint8_t byte = 0;
      for (int b = 0; b < 8 && t + b < tiles; b++) byte |= (uint8_t)((m->keep[t + b] != 0) << b);
      fputc(byte, o.f);
      crc = crc32(crc, &byte, 1);
    }
  }
  uLong dummy = 0;
  put_le(o.f, (uint32_t)crc, 4, &dummy);
  return sa_out_commit(&o, e);
}
