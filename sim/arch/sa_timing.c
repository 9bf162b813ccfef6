/* sa_timing: closed-form command cycles (docs/timing.md, "Closed form"). */
#include "sa_timing.h"

int64_t sa_timing_tiles_k(int64_t k, int64_t rows) { return (k + rows - 1) / rows; }
int64_t sa_timing_tiles_n(int64_t n, int64_t cols) { return (n + cols - 1) / cols; }

int64_t sa_timing_stream_cycles(int64_t rows, int64_t cols, int64_t m) {
  return m + rows + cols - 1;
}

int64_t sa_timing_command_cycles(int64_t rows, int64_t cols, int64_t m, int64_t k, int64_t n,
                                 const uint8_t *keep) {
  int64_t tiles = sa_timing_tiles_k(k, rows) * sa_timing_tiles_n(n, cols);
  int64_t kept = tiles;
  if (keep) {
    kept = 0;
    for (int64_t i = 0; i < tiles; i++) kept += keep[i] != 0;
  }
  return kept ? rows + kept * sa_timing_stream_cycles(rows, cols, m) : 0;
}
