/* sasp: command-line entry point; dispatches to the subcommands in sa_cmd_*.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_err.h"
#include "sa_num.h"
#include "sa_version.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} command;

static const command commands[] = {
    {"sweep", sa_cmd_sweep, "run the sweep over array sizes and pruning rates (CONFIG)"},
    {"merge", sa_cmd_merge, "merge the result directories of sharded sweeps"},
    {"calib", sa_cmd_calib, "calibration statistics of a model for pruning (docs/pruning.md)"},
    {"prune", sa_cmd_prune, "block-prune a model with tiles sized to the array"},
    {"sim", sa_cmd_sim, "cycle, energy and system model of one workload (CONFIG)"},
    {"cosim", sa_cmd_cosim, "run the workload's GEMMs on the RTL and the C model, compare"},
    {"wer", sa_cmd_wer, "word error rate of the (pruned) int8 model on a test set"},
    {"plot", sa_cmd_plot, "plots of a sweep directory"},
    {"config", sa_cmd_config, "validate a configuration and print it resolved (--doc: reference)"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: sasp COMMAND [ARGS]   (sasp COMMAND --help for its options)\n\n"
             "sasp %s: systolic-array / structured-pruning co-design simulator\n\ncommands:\n",
          SA_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-7s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "  help    this text\n\n  --version  print the version and git revision\n\n"
             "Every command: exit status 0 success, 1 failure (bad input, a failed run or check),\n"
             "2 usage error or a feature this build lacks; messages start with 'sasp CMD: '.\n");
}

/* A report that could not be written (disk full, closed pipe) is a failure, not a success. */
static int finish(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "sasp: writing standard output failed: %s\n", strerror(errno ? errno : EIO));
    return status ? status : 1;
  }
  return status;
}

int main(int argc, char **argv) {
  const char *fail = getenv("SASP_FAIL_ALLOC");
  int64_t after;
  if (fail && !sa_num_i64(fail, 0, INT32_MAX, &after)) sa_alloc_fail_after((long)after);
  if (argc < 2) {
    usage(stderr);
    return SA_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
    usage(stdout);
    return finish(0);
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("sasp %s (git %s)\n", SA_VERSION, SA_GIT_REV);
    return finish(0);
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return finish(commands[i].run(argc - 1, argv + 1));
  fprintf(stderr, "sasp: unknown command '%s' (try 'sasp help')\n", cmd);
  return SA_EXIT_USAGE;
}
