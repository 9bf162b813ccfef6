/* sa_cmd_plot: 'sasp plot DIR [OPTIONS]' draws the plots of a sweep directory (sasp_plot.py
 * with /usr/bin/python3 and matplotlib): speed-up, energy (total and by component) and WER vs
 * the achieved pruning rate, the speed-up/WER Pareto fronts, and on request a point's tile
 * mask, as PNG and PDF in DIR. The options are checked here and handed to the script. */
#include <stdio.h>

#include "sa_cmd.h"
#include "sa_num.h"
#include "sa_sweep.h"

int sa_cmd_plot(int argc, char **argv) {
  const char *mask = NULL, *clip = NULL, *data = NULL;
  double clip_v = 0;
  int wer_log = 0, no_draw = 0, quiet = 0;
  const sa_opt opts[] = {
      {"mask", 0, SA_OPT_STR, "POINT", "also draw mask_POINT: which tiles of each layer the\n"
       "point prunes (POINT: an id of summary.json such as\n8x8-rate0.3, or a .mask file)", &mask,
       0, 0},
      {"wer-clip", 0, SA_OPT_STR, "PCT", "clip the WER axis at PCT % (0: never); default: at\n"
       "max(25, 5 x the best WER) when a point lies above,\nclipped points marked", &clip, 0, 0},
      {"wer-log", 0, SA_OPT_FLAG, NULL, "logarithmic WER axis instead", &wer_log, 0, 0},
      {"data", 0, SA_OPT_STR, "FILE", "also write what each plot draws as JSON (what tests\n"
       "compare with points.csv)", &data, 0, 0},
      {"no-draw", 0, SA_OPT_FLAG, NULL, "with --data: the data only (no matplotlib needed)",
       &no_draw, 0, 0},
      {"quiet", 'q', SA_OPT_FLAG, NULL, "do not list the files written", &quiet, 0, 0},
      {0},
  };
  const sa_args_spec spec = {
      "plot", "DIR [--mask POINT] [--wer-clip PCT | --wer-log] [--data FILE] [--no-draw]",
      "Plots of the sweep in DIR (DIR/points.csv, summary.json) into DIR, as PNG and PDF:\n"
      "speedup_vs_rate, energy_vs_rate, energy_breakdown, wer_vs_rate, pareto (per array the\n"
      "front over every strategy of sweep.axes; dominated points faded).",
      opts, 1,
      "1 also for an unfinished sweep, a missing points.csv, an unknown point, or\n"
      "  python3-matplotlib missing",
  };
  const char *pos[1];
  int n, status;
  if (sa_args_parse(&spec, argc, argv, pos, &n, &status)) return status;
  if (!n) return sa_args_usage_error(&spec, "DIR is required");
  if (clip && sa_num_f64(clip, 0, 1e9, &clip_v))
    return sa_args_usage_error(&spec, "--wer-clip '%s': expected a percentage >= 0", clip);
  if (clip && wer_log)
    return sa_args_usage_error(&spec, "--wer-log and --wer-clip exclude each other");
  if (no_draw && !data) return sa_args_usage_error(&spec, "--no-draw needs --data FILE");
  const char *args[12];
  int na = 0;
  if (mask) args[na++] = "--mask", args[na++] = mask;
  if (clip) args[na++] = "--wer-clip", args[na++] = clip;
  if (wer_log) args[na++] = "--wer-log";
  if (data) args[na++] = "--data", args[na++] = data;
  if (no_draw) args[na++] = "--no-draw";
  if (quiet) args[na++] = "--quiet";
  sa_err e;
  int rc = sa_sweep_plot(pos[0], args, na, &e);
  if (rc == 1 || rc < 0) sa_cmd_fail(spec.name, &e);
  return rc == 0 ? SA_EXIT_OK : rc == 2 ? SA_EXIT_USAGE : SA_EXIT_FAIL;
}
