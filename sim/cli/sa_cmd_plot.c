/* sa_cmd_plot: 'sasp plot DIR' draws the plots of a sweep directory (scripts/sasp_plot.py
 * with /usr/bin/python3 and matplotlib): speedup, energy and WER vs pruning rate and the
 * speedup-WER Pareto front, as PNG and PDF in DIR. */
#include <stdio.h>

#include "sa_cmd.h"
#include "sa_err.h"
#include "sa_sweep.h"

int sa_cmd_plot(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv) || argc != 2) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: sasp plot DIR   plots of the sweep in DIR (DIR/points.csv) into DIR\n");
    return argc == 2 ? 0 : 2;
  }
  sa_err e;
  int rc = sa_sweep_plot(argv[1], &e);
  if (rc) fprintf(stderr, "sasp plot: %s\n", e.msg);
  return rc ? 1 : 0;
}
