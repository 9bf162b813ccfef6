/* sa_args: the one command-line parser of every sasp command (getopt_long underneath), so all
 * commands share the same conventions — long options "--name VALUE" or "--name=VALUE", short
 * ones "-o VALUE", options and positional arguments in any order, "--" ends the options — the
 * same help layout (usage, description, options, exit status) and the same exit statuses and
 * message prefix "sasp CMD: ". */
#ifndef SA_ARGS_H
#define SA_ARGS_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses of every sasp command (and what every --help says). */
enum {
  SA_EXIT_OK = 0,    /* success */
  SA_EXIT_FAIL = 1,  /* failure: bad input file, a failed run or check (one line on stderr) */
  SA_EXIT_USAGE = 2, /* usage error, or a feature this build lacks; nothing was run */
};

typedef enum { SA_OPT_FLAG, SA_OPT_STR, SA_OPT_INT, SA_OPT_NUM } sa_opt_kind;

/* One option. dest receives the value: FLAG an int set to 1, STR a const char * (the argv
 * string), INT an int64_t within [lo, hi], NUM a double within [lo, hi]. Given twice, the
 * last value wins. */
typedef struct sa_opt {
  const char *name;  /* long name without "--" */
  char short_name;   /* single-letter form, 0 for none */
  int kind;          /* sa_opt_kind */
  const char *value; /* name of the value in the help ("DIR", "N"); NULL for a FLAG */
  const char *help;  /* help text; "\n" continues it on the next line */
  void *dest;
  double lo, hi;     /* INT and NUM: accepted range */
} sa_opt;

/* A command: its name, usage lines (after "sasp NAME "; "\n" separates alternatives), a
 * description, its options (the array ends with a zeroed entry), how many positional
 * arguments it takes, and what its exit statuses mean beyond the common ones (or NULL). */
typedef struct sa_args_spec {
  const char *name;
  const char *usage;
  const char *about;
  const sa_opt *opts;
  int max_pos;
  const char *exit_notes;
} sa_args_spec;

/* Parses argv (argv[0] = the command name). On success returns 0 with the positional
 * arguments in pos[0..*n_pos) (pos must hold argc entries). Otherwise returns -1 with the
 * exit status in *status: SA_EXIT_OK after printing the help (-h, --help) to stdout, or
 * SA_EXIT_USAGE after printing "sasp NAME: problem (see sasp NAME --help)" to stderr. */
int sa_args_parse(const sa_args_spec *s, int argc, char **argv, const char **pos, int *n_pos,
                  int *status);

/* Prints the help of s: usage lines, description, options, exit statuses. */
void sa_args_help(const sa_args_spec *s, FILE *f);

/* Prints "sasp NAME: <message> (see sasp NAME --help)" to stderr; returns SA_EXIT_USAGE. */
int sa_args_usage_error(const sa_args_spec *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "sasp NAME: <message>" to stderr; returns SA_EXIT_FAIL. */
int sa_args_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif
