/* sa_cmd_config: 'sasp config CONFIG' validates a configuration and prints it resolved;
 * 'sasp config --doc' prints the configuration reference (docs/config.md). */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"

int sa_cmd_config(int argc, char **argv) {
  int strict = argc == 3 && !strcmp(argv[2], "--strict");
  if (sa_cmd_wants_help(argc, argv) || (argc != 2 && !strict)) {
    int help = sa_cmd_wants_help(argc, argv);
    fprintf(help ? stdout : stderr,
            "usage: sasp config CONFIG [--strict]   validate CONFIG and print it resolved\n"
            "                                       (--strict: keys the integration ignores\n"
            "                                       are errors, not warnings)\n"
            "       sasp config --doc               print the configuration reference\n");
    return help ? 0 : 2;
  }
  if (!strcmp(argv[1], "--doc")) {
    sa_config_write_doc(stdout);
    return 0;
  }
  static sa_config cfg;
  if (sa_cmd_load_config(argv[1], strict, &cfg)) return 1;
  sa_config_write_yaml(&cfg, stdout);
  return 0;
}
