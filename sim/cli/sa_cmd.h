/* sa_cmd: the sasp subcommands. Each takes argc/argv with argv[0] = the subcommand name,
 * parses them with sa_args (the same conventions and help layout for all), prefixes every
 * message with "sasp NAME: " and returns the process exit status: SA_EXIT_OK (0) success,
 * SA_EXIT_FAIL (1) failure (bad input, failed run or check), SA_EXIT_USAGE (2) usage error
 * or a feature this build lacks. */
#ifndef SA_CMD_H
#define SA_CMD_H

#include <stdint.h>

#include "sa_args.h"
#include "sa_config.h"
#include "sa_err.h"

int sa_cmd_config(int argc, char **argv);
int sa_cmd_sweep(int argc, char **argv);
int sa_cmd_merge(int argc, char **argv);
int sa_cmd_calib(int argc, char **argv);
int sa_cmd_prune(int argc, char **argv);
int sa_cmd_sim(int argc, char **argv);
int sa_cmd_cosim(int argc, char **argv);
int sa_cmd_wer(int argc, char **argv);
int sa_cmd_plot(int argc, char **argv);

/* Loads and validates a configuration for command name; keys the integration ignores give
 * one warning line each on stderr, or with strict an error. Returns 0, or -1 with the message
 * printed ("sasp NAME: ..."). */
int sa_cmd_load_config(const char *name, const char *path, int strict, sa_config *cfg);

/* Runs check (sa_config_check_ignored, sa_sweep_check) on cfg with its warning lines on
 * stderr prefixed "sasp NAME: ". Returns 0, or -1 with the message printed. */
int sa_cmd_check_config(const char *name, const sa_config *cfg, int strict,
                        int (*check)(const sa_config *, int, FILE *, sa_err *));

/* Prints "sasp NAME: <e's message>" to stderr; returns SA_EXIT_FAIL. */
int sa_cmd_fail(const char *name, const sa_err *e);

/* Sets the range of an INT or NUM option from the configuration key dotted ("prune.rate"),
 * so that a flag accepts exactly what the key accepts. */
void sa_cmd_range_of(sa_opt *o, const char *dotted);

/* Parses a --tile value "RxC" with R and C within the limits of array.rows / array.cols.
 * Returns 0, or SA_EXIT_USAGE after the message. */
int sa_cmd_parse_tile(const sa_args_spec *s, const char *text, int64_t *rows, int64_t *cols);

/* The manifest of a --model argument: DIR/manifest.yaml for a directory, else the file
 * itself, into out. Returns 0, or SA_EXIT_USAGE after the message (path too long). */
int sa_cmd_model_manifest(const sa_args_spec *s, const char *model, char *out, size_t len);

#endif
