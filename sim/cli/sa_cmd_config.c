/* sa_cmd_config: 'sasp config CONFIG' validates a configuration and prints it resolved;
 * 'sasp config --doc' prints the configuration reference (docs/config.md). */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_config.h"

int sa_cmd_config(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv) || argc != 2) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: sasp config CONFIG   validate CONFIG and print it resolved\n"
            "       sasp config --doc    print the configuration reference (markdown)\n");
    return argc == 2 ? 0 : 2;
  }
  if (!strcmp(argv[1], "--doc")) {
    sa_config_write_doc(stdout);
    return 0;
  }
  static sa_config cfg;
  sa_err e;
  if (sa_config_load(argv[1], &cfg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  sa_config_write_yaml(&cfg, stdout);
  return 0;
}
