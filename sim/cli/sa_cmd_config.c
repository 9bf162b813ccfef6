/* sa_cmd_config: 'sasp config CONFIG' validates a configuration and prints it resolved;
 * 'sasp config --doc' prints the configuration reference (docs/config.md). */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_config(int argc, char **argv) {
  int doc = 0, strict = 0;
  const sa_opt opts[] = {
      {"strict", 0, SA_OPT_FLAG, NULL, "keys the integration ignores are errors, not warnings",
       &strict, 0, 0},
      {"doc", 0, SA_OPT_FLAG, NULL, "print the configuration reference (markdown) instead", &doc,
       0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "config", "CONFIG [--strict]\n--doc",
      "Validates CONFIG (following its include: chain) and prints it resolved, each defaulted\n"
      "key marked.",
      opts, 1, NULL,
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (doc) {
    if (n) return sa_args_usage_error(&spec, "--doc takes no CONFIG");
    sa_config_write_doc(stdout);
    return SA_EXIT_OK;
  }
  if (!n) return sa_args_usage_error(&spec, "CONFIG is required");
  static sa_config cfg;
  if (sa_cmd_load_config(spec.name, pos[0], strict, &cfg)) return SA_EXIT_FAIL;
  sa_config_write_yaml(&cfg, stdout);
  return SA_EXIT_OK;
}
