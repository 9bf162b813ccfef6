/* sa_testset: feats.bin and transcripts.tsv readers (docs/asr.md "Test-set files"). */
#include "sa_testset.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sa_file.h"
#include "sa_out.h"

static const char feat_magic[8] = {'S', 'A', 'S', 'P', 'F', 'E', 'A', 'T'};
enum { FEAT_WRITE_VERSION = 1, FEAT_HEADER = 24 };
/* Version 1 stores int16 values; version 2 a per-utterance int16 base plus int8 offsets. */
enum { V2_BASE_MIN = INT16_MIN + 128, V2_BASE_MAX = INT16_MAX - 127 };

static uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int16_t rd_i16(const uint8_t *p) { return (int16_t)(uint16_t)(p[0] | p[1] << 8); }

static void wr_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t crc32_of(const uint8_t *p, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (n) { /* zlib takes uInt lengths */
    uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
    c = crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return (uint32_t)c;
}

void sa_testset_free(sa_testset *ts) {
  if (!ts) return;
  if (ts->ids)
    for (int64_t i = 0; i < ts->n_utts; i++) free(ts->ids[i]);
  if (ts->refs)
    for (int64_t i = 0; i < ts->n_utts; i++) free(ts->refs[i]);
  free(ts->ids);
  free(ts->refs);
  free(ts->n_frames);
  free(ts->offset);
  free(ts->data);
  memset(ts, 0, sizeof *ts);
}

int sa_testset_parse_feats(const uint8_t *buf, size_t len, const char *name, sa_testset *ts,
                           sa_err *e) {
  memset(ts, 0, sizeof *ts);
  if (len < FEAT_HEADER + 4)
    return sa_err_set(e, "%s: truncated feats.bin (%zu bytes, the header alone needs %d)", name,
                      len, FEAT_HEADER + 4);
  if (memcmp(buf, feat_magic, sizeof feat_magic))
    return sa_err_set(e, "%s: not a feats.bin file (bad magic, expected 'SASPFEAT')", name);
  uint32_t version = rd_u32(buf + 8), n_utts = rd_u32(buf + 12), n_mels = rd_u32(buf + 16);
  uint32_t scale_bits = rd_u32(buf + 20);
  float scale;
  memcpy(&scale, &scale_bits, 4); /* IEEE-754 binary32 */
  if (version != 1 && version != 2)
    return sa_err_set(e, "%s: feats.bin version %u not supported (expected 1 or 2)", name,
                      version);
  if (n_mels < 1 || n_mels > SA_TESTSET_MAX_MELS)
    return sa_err_set(e, "%s: n_mels %u out of range 1..%d", name, n_mels, SA_TESTSET_MAX_MELS);
  if (!isfinite(scale) || !(scale > 0))
    return sa_err_set(e, "%s: scale %g is not a positive finite number", name, (double)scale);
  uint32_t want = rd_u32(buf + len - 4), got = crc32_of(buf, len - 4);
  /* Walk the sizes before trusting the CRC, so that truncation is reported as such. */
  size_t body = len - 4, off = FEAT_HEADER;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n_utts; i++) {
    if (body - off < 4)
      return sa_err_set(e, "%s: truncated: utterance %u of %u starts past the end", name, i,
                        n_utts);
    uint32_t t = rd_u32(buf + off);
    off += 4;
    if (t == 0) return sa_err_set(e, "%s: utterance %u has 0 frames", name, i);
    if (version == 2) {
      if (body - off < 2)
        return sa_err_set(e, "%s: truncated: utterance %u has no base value", name, i);
      int base = rd_i16(buf + off);
      if (base < V2_BASE_MIN || base > V2_BASE_MAX)
        return sa_err_set(e, "%s: utterance %u base %d out of range %d..%d", name, i, base,
                          V2_BASE_MIN, V2_BASE_MAX);
      off += 2;
    }
    uint64_t bytes = (uint64_t)t * n_mels * (version == 1 ? 2 : 1);
    if (bytes > body - off)
      return sa_err_set(e, "%s: truncated: utterance %u claims %u frames, only %zu bytes left",
                        name, i, t, body - off);
    off += (size_t)bytes;
    total += (uint64_t)t * n_mels;
  }
  if (off != body)
    return sa_err_set(e, "%s: %zu unexpected bytes after utterance %u", name, body - off,
                      n_utts);
  if (want != got)
    return sa_err_set(e, "%s: CRC-32 mismatch (stored %08x, computed %08x): file corrupt", name,
                      want, got);
  ts->n_utts = n_utts;
  ts->n_mels = n_mels;
  ts->scale = scale;
  ts->n_frames = sa_calloc(n_utts, sizeof *ts->n_frames, e);
  ts->offset = sa_calloc(n_utts, sizeof *ts->offset, e);
  ts->data = sa_calloc((size_t)total, sizeof *ts->data, e);
  if (!ts->n_frames || !ts->offset || !ts->data) {
    sa_testset_free(ts);
    return sa_err_prefix(e, "%s", name);
  }
  off = FEAT_HEADER;
  int64_t pos = 0;
  for (uint32_t i = 0; i < n_utts; i++) {
    uint32_t t = rd_u32(buf + off);
    off += 4;
    ts->n_frames[i] = t;
    ts->offset[i] = pos;
    if (version == 1) {
      for (uint64_t j = 0; j < (uint64_t)t * n_mels; j++, off += 2)
        ts->data[pos++] = rd_i16(buf + off);
    } else { /* the base range checked above keeps base + offset inside int16 */
      int base = rd_i16(buf + off);
      off += 2;
      for (uint64_t j = 0; j < (uint64_t)t * n_mels; j++, off++)
        ts->data[pos++] = (int16_t)(base + (int8_t)buf[off]);
    }
  }
  return 0;
}

int sa_testset_read_feats(const char *path, sa_testset *ts, sa_err *e) {
  uint8_t *buf;
  size_t len;
  memset(ts, 0, sizeof *ts);
  if (!(buf = sa_file_read(path, SA_TESTSET_MAX_FILE, &len, e))) return -1;
  int rc = sa_testset_parse_feats(buf, len, path, ts, e);
  free(buf);
  return rc;
}

int sa_testset_read_transcripts(const char *path, sa_testset *ts, sa_err *e) {
  uint8_t *buf;
  size_t len;
  if (!(buf = sa_file_read(path, SA_TESTSET_MAX_FILE, &len, e))) return -1;
  char **ids = sa_calloc(ts->n_utts ? ts->n_utts : 1, sizeof *ids, e);
  char **refs = sa_calloc(ts->n_utts ? ts->n_utts : 1, sizeof *refs, e);
  int64_t k = 0;
  int rc = 0;
  if (!ids || !refs) rc = sa_err_prefix(e, "%s", path);
  size_t p = 0;
  for (int lineno = 1; rc == 0 && p < len; lineno++) {
    size_t q = p;
    while (q < len && buf[q] != '\n') q++;
    size_t n = q - p;
    if (n && buf[p + n - 1] == '\r') n--;
    const char *s = (const char *)buf + p;
    p = q + 1;
    if (n == 0) continue;
    if (n > SA_TESTSET_MAX_LINE) {
      rc = sa_err_set(e, "%s:%d: line longer than %d bytes", path, lineno, SA_TESTSET_MAX_LINE);
      break;
    }
    if (memchr(s, '\0', n)) {
      rc = sa_err_set(e, "%s:%d: NUL byte in a text file", path, lineno);
      break;
    }
    const char *tab = memchr(s, '\t', n);
    if (!tab || tab == s) {
      rc = sa_err_set(e, "%s:%d: expected 'id<TAB>words'", path, lineno);
      break;
    }
    if (k >= ts->n_utts) {
      rc = sa_err_set(e, "%s:%d: more transcripts than the %lld utterances of feats.bin", path,
                      lineno, (long long)ts->n_utts);
      break;
    }
    size_t idn = (size_t)(tab - s);
    ids[k] = sa_malloc(idn + 1, e);
    refs[k] = sa_malloc(n - idn, e);
    if (!ids[k] || !refs[k]) {
      k++;
      rc = sa_err_prefix(e, "%s", path);
      break;
    }
    memcpy(ids[k], s, idn);
    ids[k][idn] = 0;
    /* words: split on blanks, re-join with single spaces */
    char *out = refs[k];
    size_t o = 0;
    for (size_t i = idn + 1; i < n;) {
      while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
      if (i >= n) break;
      if (o) out[o++] = ' ';
      while (i < n && s[i] != ' ' && s[i] != '\t') out[o++] = s[i++];
    }
    out[o] = 0;
    k++;
  }
  free(buf);
  if (rc == 0 && k != ts->n_utts)
    rc = sa_err_set(e, "%s: %lld transcripts for %lld utterances in feats.bin", path,
                    (long long)k, (long long)ts->n_utts);
  if (rc) {
    for (int64_t i = 0; ids && i < k; i++) free(ids[i]);
    for (int64_t i = 0; refs && i < k; i++) free(refs[i]);
    free(ids);
    free(refs);
    return -1;
  }
  ts->ids = ids;
  ts->refs = refs;
  return 0;
}

int sa_testset_load(const char *dir, sa_testset *ts, sa_err *e) {
  char path[2048];
  size_t n = strlen(dir);
  const char *sep = n && dir[n - 1] == '/' ? "" : "/";
  snprintf(path, sizeof path, "%s%sfeats.bin", dir, sep);
  if (sa_testset_read_feats(path, ts, e)) return -1;
  snprintf(path, sizeof path, "%s%stranscripts.tsv", dir, sep);
  if (sa_testset_read_transcripts(path, ts, e)) {
    sa_testset_free(ts);
    return -1;
  }
  return 0;
}

void sa_testset_feats(const sa_testset *ts, int64_t i, float *out) {
  SA_ASSERT(i >= 0 && i < ts->n_utts);
  const int16_t *q = ts->data + ts->offset[i];
  int64_t n = ts->n_frames[i] * ts->n_mels;
  for (int64_t j = 0; j < n; j++) out[j] = (float)q[j] / ts->scale;
}

int sa_testset_write_feats(const char *path, int64_t n, int64_t n_mels, float scale,
                           const int16_t *const *utts, const int64_t *frames, sa_err *e) {
  if (n < 0 || n > UINT32_MAX || n_mels < 1 || n_mels > SA_TESTSET_MAX_MELS ||
      !isfinite(scale) || !(scale > 0))
    return sa_err_set(e, "%s: bad feats.bin parameters (n=%lld, n_mels=%lld, scale=%g)", path,
                      (long long)n, (long long)n_mels, (double)scale);
  uint64_t size = FEAT_HEADER + 4;
  for (int64_t i = 0; i < n; i++) {
    if (frames[i] < 1 || frames[i] > UINT32_MAX)
      return sa_err_set(e, "%s: utterance %lld has %lld frames", path, (long long)i,
                        (long long)frames[i]);
    size += 4 + (uint64_t)frames[i] * n_mels * 2;
  }
  if (size > SA_TESTSET_MAX_FILE)
    return sa_err_set(e, "%s: %llu bytes exceed the feats.bin limit", path,
                      (unsigned long long)size);
  uint8_t *b = sa_malloc((size_t)size, e);
  if (!b) return sa_err_prefix(e, "%s", path);
  memcpy(b, feat_magic, 8);
  wr_u32(b + 8, FEAT_WRITE_VERSION);
  wr_u32(b + 12, (uint32_t)n);
  wr_u32(b + 16, (uint32_t)n_mels);
  uint32_t scale_bits;
  memcpy(&scale_bits, &scale, 4);
  wr_u32(b + 20, scale_bits);
  size_t off = FEAT_HEADER;
  for (int64_t i = 0; i < n; i++) {
    wr_u32(b + off, (uint32_t)frames[i]);
    off += 4;
    for (int64_t j = 0; j < frames[i] * n_mels; j++, off += 2) {
      uint16_t v = (uint16_t)utts[i][j];
      b[off] = (uint8_t)v;
      b[off + 1] = (uint8_t)(v >> 8);
    }
  }
  wr_u32(b + off, crc32_of(b, off));
  int rc = sa_out_write_file(path, b, (size_t)size, e);
  free(b);
  return rc;
}

/* 1 when b_dir/feats.bin is the file as (same inode) or has the bytes a. */
static int same_feats(const uint8_t *a, size_t alen, const struct stat *as,
                      const char *b_dir) {
  char p[4200];
  snprintf(p, sizeof p, "%s/feats.bin", b_dir);
  struct stat bs;
  if (stat(p, &bs)) return 0;
  if (bs.st_dev == as->st_dev && bs.st_ino == as->st_ino) return 1;
  if ((size_t)bs.st_size != alen) return 0;
  size_t blen;
  sa_err e;
  uint8_t *b = sa_file_read(p, SA_TESTSET_MAX_FILE, &blen, &e);
  if (!b) return 0;
  int same = blen == alen && !memcmp(a, b, alen);
  free(b);
  return same;
}

int sa_testset_check_calib(const char *calib_dir, const char *manifest_dir, const char *testset,
                           sa_err *e) {
  char p[4200];
  snprintf(p, sizeof p, "%s/feats.bin", calib_dir);
  struct stat as;
  uint8_t *a = NULL;
  size_t alen;
  if (stat(p, &as) || !(a = sa_file_read(p, SA_TESTSET_MAX_FILE, &alen, e)))
    return sa_err_set(e, "calibration set %s: no readable feats.bin (%s)", calib_dir, p);
  int rc = 0;
  if (testset && testset[0] && same_feats(a, alen, &as, testset))
    rc = sa_err_set(e, "calibration set %s is the test set %s: statistics, scores and "
                    "reconstruction must not see test data (use workloads/asr/calib)", calib_dir,
                    testset);
  char root[4200];
  snprintf(root, sizeof root, "%stestsets", manifest_dir ? manifest_dir : "");
  DIR *d = rc ? NULL : opendir(root);
  for (struct dirent *de; d && !rc && (de = readdir(d));) {
    if (de->d_name[0] == '.') continue;
    char sub[4200 + 256];
    snprintf(sub, sizeof sub, "%s/%s", root, de->d_name);
    if (same_feats(a, alen, &as, sub))
      rc = sa_err_set(e, "calibration set %s is the test set %s: statistics, scores and "
                      "reconstruction must not see test data (use workloads/asr/calib)",
                      calib_dir, sub);
  }
  if (d) closedir(d);
  free(a);
  return rc;
}
