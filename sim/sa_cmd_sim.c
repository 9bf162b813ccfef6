/* sa_cmd_sim: 'sasp sim'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_sim(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp sim ...  (not built yet: the accelerator model (issue: accelerator model))\n");
    return 0;
  }
  return sa_cmd_not_built("sim", "the accelerator model (issue: accelerator model)");
}
