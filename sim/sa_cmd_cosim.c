/* sa_cmd_cosim: 'sasp cosim'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_cosim(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp cosim ...  (not built yet: the RTL co-simulation (issue: RTL))\n");
    return 0;
  }
  return sa_cmd_not_built("cosim", "the RTL co-simulation (issue: RTL)");
}
