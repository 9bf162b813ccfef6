/* sa_cmd_common: helpers shared by the subcommands. */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"

int sa_cmd_not_built(const char *name, const char *issue) {
  fprintf(stderr, "sasp %s: not built yet (%s); nothing was run\n", name, issue);
  return 2;
}

int sa_cmd_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  return 0;
}
