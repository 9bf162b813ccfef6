/* sa_cmd_plot: 'sasp plot'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_plot(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp plot ...  (not built yet: the sweep plots (issue: the sweep))\n");
    return 0;
  }
  return sa_cmd_not_built("plot", "the sweep plots (issue: the sweep)");
}
