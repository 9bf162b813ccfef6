/* fuzz_merge: libFuzzer harness for the sweep result readers behind 'sasp merge'
 * (sa_sweep_merge: grid.tsv and points/<id>.tsv of each shard directory). An input is a
 * bundle of files, each introduced by a line "=== RELATIVE_PATH" (grid.tsv,
 * config.resolved.yaml, points/NAME or masks/NAME); the harness writes them into a scratch
 * directory and merges it — alone, and with itself as a second shard — into another. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "sa_sweep.h"

static char root[256], shard[300], out[300];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void rm_tree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void cleanup(void) {
  if (root[0]) rm_tree(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *tmp = getenv("TMPDIR");
  snprintf(root, sizeof root, "%s/sasp-fuzz-merge-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  FUZZ_CHECK(mkdtemp(root));
  snprintf(shard, sizeof shard, "%s/shard", root);
  snprintf(out, sizeof out, "%s/out", root);
  atexit(cleanup);
  return 0;
}

/* A bundle path is accepted only in the shapes above, so inputs never write elsewhere. */
static int safe_name(const char *p) {
  if (!strcmp(p, "grid.tsv") || !strcmp(p, "config.resolved.yaml")) return 1;
  const char *name = !strncmp(p, "points/", 7) ? p + 7 : !strncmp(p, "masks/", 6) ? p + 6 : NULL;
  if (!name || !name[0] || strlen(name) > 100) return 0;
  for (const char *c = name; *c; c++)
    if (!(*c == '.' || *c == '-' || *c == '_' || (*c >= '0' && *c <= '9') ||
          (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
      return 0;
  return strcmp(name, ".") && strcmp(name, "..");
}

static void write_bundle(const uint8_t *data, size_t size) {
  char path[512];
  mkdir(shard, 0755);
  snprintf(path, sizeof path, "%s/points", shard);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/masks", shard);
  mkdir(path, 0755);
  size_t p = 0;
  while (p + 4 <= size) {
    if (memcmp(data + p, "=== ", 4) != 0) { /* skip to the next header line */
      const uint8_t *nl = memchr(data + p, '\n', size - p);
      if (!nl) break;
      p = (size_t)(nl - data) + 1;
      continue;
    }
    const uint8_t *nl = memchr(data + p, '\n', size - p);
    if (!nl) break;
    size_t hl = (size_t)(nl - data) - p - 4;
    char name[128];
    if (hl >= sizeof name) hl = sizeof name - 1;
    memcpy(name, data + p + 4, hl);
    name[hl] = 0;
    p = (size_t)(nl - data) + 1;
    size_t q = p; /* body: up to the next line starting with "=== " */
    while (q < size && !(q + 4 <= size && (q == p || data[q - 1] == '\n') &&
                         !memcmp(data + q, "=== ", 4)))
      q++;
    if (safe_name(name)) {
      snprintf(path, sizeof path, "%s/%s", shard, name);
      FILE *f = fopen(path, "wb");
      FUZZ_CHECK(f);
      fwrite(data + p, 1, q - p, f);
      fclose(f);
    }
    p = q;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  write_bundle(data, size);
  for (int n = 1; n <= 2; n++) {
    const char *dirs[2] = {shard, shard};
    sa_err e = {{0}};
    if (sa_sweep_merge(dirs, n, out, &e) == 0) {
      char path[512];
      struct stat st;
      snprintf(path, sizeof path, "%s/points.csv", out);
      FUZZ_CHECK(stat(path, &st) == 0 && st.st_size > 0);
    } else {
      FUZZ_CHECK(e.msg[0] && !strchr(e.msg, '\n'));
    }
    rm_tree(out);
  }
  rm_tree(shard);
  return 0;
}
