/* sa_cmd_merge: 'sasp merge'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_merge(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp merge ...  (not built yet: sweep and merge are being built (issue: the sweep))\n");
    return 0;
  }
  return sa_cmd_not_built("merge", "sweep and merge are being built (issue: the sweep)");
}
