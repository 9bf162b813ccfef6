/* sa_cmd_common: helpers shared by the subcommands. */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"

int sa_cmd_load_config(const char *path, int strict, sa_config *cfg) {
  sa_err e;
  if (sa_config_load(path, cfg, &e) || sa_config_check_ignored(cfg, strict, stderr, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return -1;
  }
  return 0;
}

int sa_cmd_not_built(const char *name, const char *issue) {
  fprintf(stderr, "sasp %s: not built yet (%s); nothing was run\n", name, issue);
  return 2;
}

int sa_cmd_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  return 0;
}
