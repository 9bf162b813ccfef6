/* sa_cmd_common: helpers shared by the subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sa_cmd.h"

int sa_cmd_fail(const char *name, const sa_err *e) { return sa_args_fail(name, "%s", e->msg); }

int sa_cmd_check_config(const char *name, const sa_config *cfg, int strict,
                        int (*check)(const sa_config *, int, FILE *, sa_err *)) {
  sa_err e;
  /* the warnings too carry the command's prefix */
  char *warn = NULL;
  size_t len = 0;
  FILE *w = open_memstream(&warn, &len);
  int rc = check(cfg, strict, w ? w : stderr, &e);
  if (w) fclose(w);
  for (char *line = warn, *nl; line && *line; line = nl + 1) {
    nl = strchr(line, '\n');
    if (!nl) nl = line + strlen(line) - 1;
    fprintf(stderr, "sasp %s: %.*s\n", name, (int)(nl - line + (*nl != '\n')), line);
  }
  free(warn);
  if (rc) sa_cmd_fail(name, &e);
  return rc ? -1 : 0;
}

int sa_cmd_load_config(const char *name, const char *path, int strict, sa_config *cfg) {
  sa_err e;
  if (sa_config_load(path, cfg, &e)) {
    sa_cmd_fail(name, &e);
    return -1;
  }
  return sa_cmd_check_config(name, cfg, strict, sa_config_check_ignored);
}

void sa_cmd_range_of(sa_opt *o, const char *dotted) {
  int rc = sa_config_key_range(dotted, &o->lo, &o->hi);
  SA_ASSERT(rc == 0); /* a key of the schema, not input */
}

int sa_cmd_parse_tile(const sa_args_spec *s, const char *text, int64_t *rows, int64_t *cols) {
  double rlo, rhi, clo, chi;
  sa_config_key_range("array.rows", &rlo, &rhi);
  sa_config_key_range("array.cols", &clo, &chi);
  sa_shape sh;
  if (sa_config_parse_shape(text, &sh) || sh.rows < rlo || sh.rows > rhi || sh.cols < clo ||
      sh.cols > chi)
    return sa_args_usage_error(s, "--tile '%s': expected RxC with R in %.0f..%.0f and C in "
                               "%.0f..%.0f (as array.rows and array.cols), e.g. 16x16",
                               text, rlo, rhi, clo, chi);
  *rows = sh.rows;
  *cols = sh.cols;
  return 0;
}

int sa_cmd_model_manifest(const sa_args_spec *s, const char *model, char *out, size_t len) {
  struct stat sb;
  int n;
  if (stat(model, &sb) == 0 && S_ISDIR(sb.st_mode))
    n = snprintf(out, len, "%s%smanifest.yaml", model,
                 model[0] && model[strlen(model) - 1] != '/' ? "/" : "");
  else
    n = snprintf(out, len, "%s", model);
  if (n < 0 || (size_t)n >= len) return sa_args_usage_error(s, "--model path too long: %s", model);
  return 0;
}
