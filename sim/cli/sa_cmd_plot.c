/* sa_cmd_plot: 'sasp plot DIR [OPTIONS]' draws the plots of a sweep directory
 * (scripts/sasp_plot.py with /usr/bin/python3 and matplotlib): speed-up, energy (total and by
 * component) and WER vs the achieved pruning rate, the speed-up/WER Pareto fronts, and on
 * request a point's tile mask, as PNG and PDF in DIR. */
#include <stdio.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_err.h"
#include "sa_sweep.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: sasp plot DIR [--mask POINT] [--wer-clip PCT | --wer-log] [--data FILE]\n"
          "                     [--no-draw]\n"
          "\n"
          "Plots of the sweep in DIR (DIR/points.csv, summary.json) into DIR, as PNG and PDF:\n"
          "speedup_vs_rate, energy_vs_rate, energy_breakdown, wer_vs_rate, pareto (per array\n"
          "the front over every strategy of sweep.axes; dominated points faded).\n"
          "\n"
          "  --mask POINT    also draw mask_POINT: which tiles of each layer the point prunes\n"
          "                  (POINT: an id of summary.json such as 8x8-rate0.3, or a .mask file)\n"
          "  --wer-clip PCT  clip the WER axis at PCT %% (0: never); default: at max(25, 5 x\n"
          "                  the best WER) when a point lies above, clipped points marked\n"
          "  --wer-log       logarithmic WER axis instead\n"
          "  --data FILE     also write what each plot draws as JSON (what tests compare with\n"
          "                  points.csv)\n"
          "  --no-draw       with --data: the data only (no matplotlib needed)\n"
          "\n"
          "Exit status: 0 done, 1 bad input (an unfinished sweep, a missing points.csv, an\n"
          "unknown point) or python3-matplotlib missing, 2 usage error.\n");
}

int sa_cmd_plot(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    usage(stdout);
    return 0;
  }
  if (argc < 2 || argv[1][0] == '-') {
    usage(stderr);
    return 2;
  }
  sa_err e;
  int rc = sa_sweep_plot(argv[1], (const char *const *)argv + 2, argc - 2, &e);
  if (rc == 1 || rc < 0) fprintf(stderr, "sasp plot: %s\n", e.msg);
  return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}
