/* sa_cmd_plot: 'sasp plot DIR' draws the plots of a sweep directory (sasp_plot.py with
 * /usr/bin/python3 and matplotlib): speedup, energy and WER vs pruning rate and the
 * speedup-WER Pareto front, as PNG and PDF in DIR. */
#include "sa_cmd.h"
#include "sa_sweep.h"

int sa_cmd_plot(int argc, char **argv) {
  const sa_opt opts[] = {{0}};
  const sa_args_spec spec = {
      "plot", "DIR",
      "Draws the plots of the sweep in DIR (DIR/points.csv) into DIR, as PNG and PDF.",
      opts, 1, "1 also when python3 or matplotlib is missing",
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (!n) return sa_args_usage_error(&spec, "DIR is required");
  sa_err e;
  return sa_sweep_plot(pos[0], &e) ? sa_cmd_fail(spec.name, &e) : SA_EXIT_OK;
}
