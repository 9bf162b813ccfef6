/* sa_cmd_prune: 'sasp prune'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_prune(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp prune ...  (not built yet: the pruner (issue: pruner))\n");
    return 0;
  }
  return sa_cmd_not_built("prune", "the pruner (issue: pruner)");
}
