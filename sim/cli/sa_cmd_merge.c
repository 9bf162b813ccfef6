/* sa_cmd_merge: 'sasp merge DIR... -o OUT' joins the result directories of the shards of one
 * sweep (sasp sweep --shard K/N) into one, identical to an unsharded run. */
#include <stdlib.h>

#include "sa_cmd.h"
#include "sa_sweep.h"

int sa_cmd_merge(int argc, char **argv) {
  const char *out = NULL;
  const sa_opt opts[] = {
      {"out", 'o', SA_OPT_STR, "OUT", "the merged result directory (required)", &out, 0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "merge", "DIR... -o OUT",
      "Joins the result directories of 'sasp sweep --shard K/N' runs of one configuration\n"
      "into OUT (points.csv byte-identical to an unsharded run). Every grid point must be\n"
      "in some DIR; a point found twice must hold the same result.",
      opts, argc, NULL,
  };
  const char **dirs = calloc((size_t)argc, sizeof *dirs);
  if (!dirs) return sa_args_fail(spec.name, "out of memory");
  int n, status, rc;
  if (sa_args_parse(&spec, argc, argv, dirs, &n, &status)) rc = status;
  else if (!out || n == 0) rc = sa_args_usage_error(&spec, "DIR... and -o OUT are required");
  else {
    sa_err e;
    rc = sa_sweep_merge(dirs, n, out, &e) ? sa_cmd_fail(spec.name, &e) : SA_EXIT_OK;
  }
  free(dirs);
  return rc;
}
