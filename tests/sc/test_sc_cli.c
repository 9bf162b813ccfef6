/* test_sc_cli: 'sasp sim CONFIG --system sc' through sa_cmd_sim — report, JSON with the
 * system section, transaction trace, and the usage errors of the SystemC options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_cmd.h"
#include "sa_file.h"
#include "sa_test.h"

static int run(int argc, const char **argv) { return sa_cmd_sim(argc, (char **)argv); }

/* The number after "key": in JSON text j (-1 when absent). */
static double num(const char *j, const char *key) {
  char k[128];
  snprintf(k, sizeof k, "\"%s\": ", key);
  const char *p = strstr(j, k);
  return p ? strtod(p + strlen(k), NULL) : -1;
}

int main(void) {
  char json[512], csv[512];
  const char *dir = getenv("MESON_BUILD_ROOT");
  snprintf(json, sizeof json, "%s/test_sc_cli.json", dir ? dir : "/tmp");
  snprintf(csv, sizeof csv, "%s/test_sc_cli.csv", dir ? dir : "/tmp");
  const char *ok[] = {"sim", "tests/sc/data/contend-rr.yaml", "--system", "sc", "--json", json,
                      "--trace-bus", csv};
  CHECK_EQ_INT(run(8, ok), 0);
  size_t n;
  char *j = sa_file_read(json, 1 << 20, &n, NULL);
  CHECK(j != NULL);
  if (j) {
    CHECK_CONTAINS(j, "\"system\"");
    CHECK_CONTAINS(j, "\"model\": \"systemc\"");
    CHECK_CONTAINS(j, "\"diff_vs_fast\"");
    CHECK_CONTAINS(j, "\"interconnect\"");
    CHECK_CONTAINS(j, "\"arbitration\": \"round_robin\"");
    CHECK_CONTAINS(j, "\"totals\"");
    /* the simulated span is host cycles, also given in accelerator clocks (equal clocks here) */
    double host = num(j, "host_system_cycles"), span = num(j, "span_accel_clock_cycles");
    CHECK(host > 0 && span > 0 && span > host - 1 && span < host + 1);
    CHECK(strstr(j, "sim_accel_cycles") == NULL);
  }
  char *c = sa_file_read(csv, 1 << 20, &n, NULL);
  CHECK(c != NULL);
  if (c) CHECK_CONTAINS(c, "dma.weights,mask,0,");
  free(j);
  free(c);
  remove(json);
  remove(csv);
  const char *bad_backend[] = {"sim", "tests/sc/data/dma.yaml", "--system", "sc", "--backend",
                               "verilog"};
  CHECK_EQ_INT(run(6, bad_backend), 2);
  const char *bad_system[] = {"sim", "tests/sc/data/dma.yaml", "--system", "gem5"};
  CHECK_EQ_INT(run(4, bad_system), 2);
  /* --backend and --trace-bus belong to the SystemC model, wherever --system comes. */
  const char *fast_backend[] = {"sim", "tests/sc/data/dma.yaml", "--backend", "rtl"};
  CHECK_EQ_INT(run(4, fast_backend), 2);
  const char *fast_trace[] = {"sim", "tests/sc/data/dma.yaml", "--trace-bus", csv, "--system",
                              "fast"};
  CHECK_EQ_INT(run(6, fast_trace), 2);
  CHECK(fopen(csv, "r") == NULL);
  const char *late_system[] = {"sim", "tests/sc/data/dma.yaml", "--backend", "c", "--system",
                               "sc"};
  CHECK_EQ_INT(run(6, late_system), 0);
  /* The fast model's JSON has no system section. */
  const char *fast[] = {"sim", "tests/sc/data/dma.yaml", "--json", json};
  CHECK_EQ_INT(run(4, fast), 0);
  j = sa_file_read(json, 1 << 20, &n, NULL);
  CHECK(j != NULL);
  if (j) {
    CHECK_CONTAINS(j, "\"totals\"");
    CHECK(strstr(j, "\"model\": \"systemc\"") == NULL);
  }
  free(j);
  remove(json);
  const char *no_cfg[] = {"sim", "--system", "sc"};
  CHECK_EQ_INT(run(3, no_cfg), 2);
  const char *missing[] = {"sim", "tests/sc/data/nope.yaml", "--system", "sc"};
  CHECK_EQ_INT(run(4, missing), 1);
  const char *no_mask[] = {"sim", "tests/sc/data/dma.yaml", "--system", "sc", "--mask",
                           "tests/sc/data/nope.mask"};
  CHECK_EQ_INT(run(6, no_mask), 1);
  return sa_test_done("test_sc_cli");
}
