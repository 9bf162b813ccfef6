/* sa_args: command-line parsing and help of the sasp commands. */
#include "sa_args.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sa_num.h"

enum { MAX_OPTS = 64, HELP_COL = 24 };

static int n_opts(const sa_args_spec *s) {
  int n = 0;
  while (s->opts && s->opts[n].name) n++;
  return n;
}

void sa_args_help(const sa_args_spec *s, FILE *f) {
  /* usage: one line per alternative */
  const char *u = s->usage;
  for (int first = 1; u; first = 0) {
    const char *nl = strchr(u, '\n');
    int len = nl ? (int)(nl - u) : (int)strlen(u);
    fprintf(f, "%s sasp %s %.*s\n", first ? "usage:" : "      ", s->name, len, u);
    u = nl ? nl + 1 : NULL;
  }
  if (s->about) fprintf(f, "\n%s\n", s->about);
  fprintf(f, "\noptions:\n");
  int n = n_opts(s);
  for (int i = 0; i <= n; i++) {
    static const sa_opt help = {"help", 'h', SA_OPT_FLAG, NULL, "this help", NULL, 0, 0};
    const sa_opt *o = i < n ? &s->opts[i] : &help;
    char head[80];
    int k = o->short_name ? snprintf(head, sizeof head, "  -%c, --%s", o->short_name, o->name)
                          : snprintf(head, sizeof head, "      --%s", o->name);
    if (o->value) snprintf(head + k, sizeof head - (size_t)k, " %s", o->value);
    fprintf(f, "%s", head);
    int col = (int)strlen(head);
    const char *h = o->help;
    if (col >= HELP_COL - 1) {
      fputc('\n', f);
      col = 0;
    }
    while (h) {
      const char *nl = strchr(h, '\n');
      int len = nl ? (int)(nl - h) : (int)strlen(h);
      fprintf(f, "%*s%.*s\n", HELP_COL - col, "", len, h);
      col = 0;
      h = nl ? nl + 1 : NULL;
    }
  }
  fprintf(f, "\nexit status: 0 success; 1 failure (bad input, a failed run or check: one line on\n"
             "  stderr); 2 usage error or a feature this build lacks (nothing was run)%s%s\n",
          s->exit_notes ? "\n  " : "", s->exit_notes ? s->exit_notes : "");
}

static int vmsg(const char *name, const char *tail, const char *fmt, va_list ap) {
  fprintf(stderr, "sasp %s: ", name);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "%s\n", tail);
  return 0;
}

int sa_args_usage_error(const sa_args_spec *s, const char *fmt, ...) {
  char tail[96];
  snprintf(tail, sizeof tail, " (see sasp %s --help)", s->name);
  va_list ap;
  va_start(ap, fmt);
  vmsg(s->name, tail, fmt, ap);
  va_end(ap);
  return SA_EXIT_USAGE;
}

int sa_args_fail(const char *name, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(name, "", fmt, ap);
  va_end(ap);
  return SA_EXIT_FAIL;
}

/* Stores the value of option o. Returns 0, or SA_EXIT_USAGE after the message. */
static int store(const sa_args_spec *s, const sa_opt *o, const char *v) {
  char want[96];
  switch (o->kind) {
    case SA_OPT_FLAG: *(int *)o->dest = 1; return 0;
    case SA_OPT_STR: *(const char **)o->dest = v; return 0;
    case SA_OPT_INT:
      if (!sa_num_i64(v, (int64_t)o->lo, (int64_t)o->hi, (int64_t *)o->dest)) return 0;
      sa_num_describe(1, o->lo, o->hi, want, sizeof want);
      break;
    default:
      if (!sa_num_f64(v, o->lo, o->hi, (double *)o->dest)) return 0;
      sa_num_describe(0, o->lo, o->hi, want, sizeof want);
      break;
  }
  return sa_args_usage_error(s, "--%s '%s': expected %s", o->name, v, want);
}

int sa_args_parse(const sa_args_spec *s, int argc, char **argv, const char **pos, int *n_pos,
                  int *status) {
  int n = n_opts(s);
  if (n >= MAX_OPTS) abort(); /* a command's table, not input */
  struct option lo[MAX_OPTS + 2];
  /* "-": positional arguments come back in order as value 1; ":": a missing value is ':' */
  char shorts[3 * MAX_OPTS + 8] = "-:h";
  size_t sl = strlen(shorts);
  for (int i = 0; i < n; i++) {
    const sa_opt *o = &s->opts[i];
    lo[i] = (struct option){o->name, o->kind == SA_OPT_FLAG ? no_argument : required_argument,
                            NULL, 256 + i};
    if (o->short_name) {
      shorts[sl++] = o->short_name;
      if (o->kind != SA_OPT_FLAG) shorts[sl++] = ':';
    }
  }
  shorts[sl] = 0;
  lo[n] = (struct option){"help", no_argument, NULL, 'h'};
  lo[n + 1] = (struct option){0, 0, 0, 0};
  *n_pos = 0;
  optind = 0; /* a full reset (glibc): each command parses afresh */
  opterr = 0;
  int ch, rc = 0;
  while (!rc && (ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
    if (ch == 'h') {
      sa_args_help(s, stdout);
      *status = SA_EXIT_OK;
      return -1;
    }
    if (ch == 1) {
      if (*n_pos >= s->max_pos)
        rc = s->max_pos ? sa_args_usage_error(s, "unexpected argument '%s'", optarg)
                        : sa_args_usage_error(s, "takes no argument ('%s')", optarg);
      else pos[(*n_pos)++] = optarg;
      continue;
    }
    if (ch == ':') {
      rc = sa_args_usage_error(s, "%s needs a value", argv[optind - 1]);
      continue;
    }
    if (ch == '?') {
      rc = sa_args_usage_error(s, "unknown option '%s'", argv[optind - 1]);
      continue;
    }
    const sa_opt *o = NULL;
    if (ch >= 256) o = &s->opts[ch - 256];
    else
      for (int i = 0; i < n && !o; i++)
        if (s->opts[i].short_name == ch) o = &s->opts[i];
    if (!o) abort();
    rc = store(s, o, optarg);
  }
  /* after "--": the rest are positional */
  for (int i = optind; !rc && i < argc; i++) {
    if (*n_pos >= s->max_pos) rc = sa_args_usage_error(s, "unexpected argument '%s'", argv[i]);
    else pos[(*n_pos)++] = argv[i];
  }
  if (rc) {
    *status = rc;
    return -1;
  }
  return 0;
}
