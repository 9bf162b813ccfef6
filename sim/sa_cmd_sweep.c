/* sa_cmd_sweep: 'sasp sweep'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_sweep(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp sweep ...  (not built yet: sweep and merge are being built (issue: the sweep))\n");
    return 0;
  }
  return sa_cmd_not_built("sweep", "sweep and merge are being built (issue: the sweep)");
}
