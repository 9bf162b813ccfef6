/* sa_cmd_wer: 'sasp wer'. Not built yet: reports so and exits 2. */
#include <stdio.h>

#include "sa_cmd.h"

int sa_cmd_wer(int argc, char **argv) {
  if (sa_cmd_wants_help(argc, argv)) {
    printf("usage: sasp wer ...  (not built yet: the WER engine (issue: ASR workload))\n");
    return 0;
  }
  return sa_cmd_not_built("wer", "the WER engine (issue: ASR workload)");
}
