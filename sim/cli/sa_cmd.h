/* sa_cmd: the sasp subcommands. Each takes argc/argv with argv[0] = the subcommand name
 * and returns the process exit status: 0 success, 1 failure (bad input, failed check),
 * 2 usage error or a subcommand that is not built. */
#ifndef SA_CMD_H
#define SA_CMD_H

int sa_cmd_config(int argc, char **argv);
int sa_cmd_sweep(int argc, char **argv);
int sa_cmd_merge(int argc, char **argv);
int sa_cmd_calib(int argc, char **argv);
int sa_cmd_prune(int argc, char **argv);
int sa_cmd_sim(int argc, char **argv);
int sa_cmd_cosim(int argc, char **argv);
int sa_cmd_wer(int argc, char **argv);
int sa_cmd_plot(int argc, char **argv);

/* For subcommands not built yet: says so on stderr and returns 2. */
int sa_cmd_not_built(const char *name, const char *issue);

/* 1 when argv holds -h or --help. */
int sa_cmd_wants_help(int argc, char **argv);

#endif
