/* sa_cmd_merge: 'sasp merge DIR... -o OUT' joins the result directories of the shards of one
 * sweep (sasp sweep --shard K/N) into one, identical to an unsharded run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_err.h"
#include "sa_sweep.h"

int sa_cmd_merge(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp merge DIR... -o OUT\n\n"
           "Joins the result directories of 'sasp sweep --shard K/N' runs of one configuration\n"
           "into OUT (points.csv byte-identical to an unsharded run). Every grid point must be\n"
           "in some DIR; a point found twice must hold the same result.\n");
    return 0;
  }
  const char *out = NULL;
  const char **dirs = calloc((size_t)argc, sizeof *dirs);
  if (!dirs) {
    fprintf(stderr, "sasp merge: out of memory\n");
    return 1;
  }
  int n = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o")) {
      if (i + 1 >= argc || out) {
        fprintf(stderr, "sasp merge: -o needs one value\n");
        free(dirs);
        return 2;
      }
      out = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "sasp merge: unknown option '%s'\n", argv[i]);
      free(dirs);
      return 2;
    } else {
      dirs[n++] = argv[i];
    }
  }
  if (!out || n == 0) {
    fprintf(stderr, "usage: sasp merge DIR... -o OUT\n");
    free(dirs);
    return 2;
  }
  sa_err e;
  int rc = sa_sweep_merge(dirs, n, out, &e);
  free(dirs);
  if (rc) {
    fprintf(stderr, "sasp merge: %s\n", e.msg);
    return 1;
  }
  return 0;
}
