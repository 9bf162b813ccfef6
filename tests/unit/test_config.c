/* Configuration loader: good files load with defaults recorded; every kind of bad input
 * gives one line naming file, line, column and key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_config.h"
#include "sa_test.h"

static sa_config cfg;

#define BASE "tech: tech/45nm.yaml\nworkload: {manifest: m.yaml}\n"

/* Loads text (as configs/t.yaml); expects failure with every needle in the message. */
static void bad(const char *text, size_t len, const char *n1, const char *n2) {
  sa_err e = {{0}};
  int rc = sa_config_load_buffer(text, len ? len : strlen(text), "t.yaml", "configs", &cfg, &e);
  CHECK(rc != 0);
  if (rc == 0) {
    fprintf(stderr, "  accepted: %.60s\n", text);
    return;
  }
  CHECK(strchr(e.msg, '\n') == NULL);
  CHECK_CONTAINS(e.msg, n1);
  if (n2) CHECK_CONTAINS(e.msg, n2);
}

static void good_files(void) {
  sa_err e;
  CHECK(sa_config_load("configs/default.yaml", &cfg, &e) == 0);
  CHECK_EQ_INT(cfg.hw.rows, 16);
  CHECK_EQ_INT(cfg.hw.integration, SA_INTEG_CPU_FED);
  CHECK_EQ_INT(cfg.sweep.n_shapes, 4);
  CHECK_EQ_INT(cfg.sweep.shapes[3].cols, 32);
  CHECK_EQ_INT(cfg.sweep.n_rates, 7);
  CHECK(cfg.tech.e_mac_int8 > 0);
  CHECK_CONTAINS(cfg.workload.manifest, "configs/../workloads/asr/manifest.yaml");
  CHECK(sa_config_was_defaulted(&cfg, "system.dram_banks"));
  CHECK(!sa_config_was_defaulted(&cfg, "array.rows"));
  CHECK(sa_config_load("configs/presets/paper-cpu-fed.yaml", &cfg, &e) != 0); /* no workload */
  CHECK_CONTAINS(e.msg, "workload.manifest");

  /* include + override: the including file wins */
  const char *t = "include: presets/paper-cpu-fed.yaml\narray: {rows: 8, cols: 32}\n"
                  "workload: {manifest: m.yaml}\n";
  CHECK(sa_config_load_buffer(t, strlen(t), "t.yaml", "configs", &cfg, &e) == 0);
  CHECK_EQ_INT(cfg.hw.rows, 8);
  CHECK_EQ_INT(cfg.hw.cols, 32);
  CHECK_EQ_INT(cfg.hw.integration, SA_INTEG_CPU_FED);
  CHECK_EQ_INT(cfg.hw.bus_bits, 32);
  CHECK(!sa_config_was_defaulted(&cfg, "cpu_fed.bus_bits"));

  /* a SCALE-Sim topology instead of a manifest; an included manifest cleared with "" */
  t = "include: default.yaml\nworkload: {manifest: \"\", topology: t.csv, topology_seed: 9}\n";
  CHECK(sa_config_load_buffer(t, strlen(t), "t.yaml", "configs", &cfg, &e) == 0);
  CHECK(!strcmp(cfg.workload.topology, "configs/t.csv") && !cfg.workload.manifest[0]);
  CHECK_EQ_INT(cfg.workload.topology_seed, 9);

  /* defaults */
  CHECK(sa_config_load_buffer(BASE, strlen(BASE), "t.yaml", "configs", &cfg, &e) == 0);
  CHECK(!cfg.workload.topology[0] && cfg.workload.topology_seed == 1);
  CHECK_EQ_INT(cfg.hw.rows, 16);
  CHECK(sa_config_was_defaulted(&cfg, "array.rows"));
  CHECK(sa_config_was_defaulted(&cfg, "prune.criterion"));
  CHECK_EQ_INT(cfg.prune.scope, SA_SCOPE_FF);
  CHECK_EQ_INT(cfg.sweep.n_rates, 7);
}

static void bad_files(void) {
  /* 1 wrong type */
  bad(BASE "array: {rows: sixteen}\n", 0, "configs/t.yaml:3:15: key 'array.rows'",
      "got \"sixteen\"");
  /* 2 missing required key */
  bad("tech: tech/45nm.yaml\n", 0, "key 'workload.manifest'", "required");
  /* a workload is a manifest or a SCALE-Sim topology, not both */
  bad("tech: tech/45nm.yaml\nworkload: {manifest: m.yaml, topology: t.csv}\n", 0,
      "'workload.manifest' and 'workload.topology'",
      "not both");
  bad("tech: tech/45nm.yaml\nworkload: {topology_seed: 3}\n", 0, "key 'workload.manifest'",
      "workload.topology");
  /* 3 unknown key with a suggestion */
  bad(BASE "arrray: {rows: 4}\n", 0, "t.yaml:3:1: key 'arrray': unknown key", "did you mean 'array'");
  bad(BASE "array: {rosw: 4}\n", 0, "key 'array.rosw'", "did you mean 'rows'");
  /* 4 negative size */
  bad(BASE "array: {rows: -4}\n", 0, "key 'array.rows'", "-4");
  /* 5 YAML syntax error */
  bad(BASE "array: [1, 2\n", 0, "t.yaml:", "syntax error");
  /* 6 empty file */
  bad("# only a comment\n", 0, "t.yaml:1:1", "empty");
  /* 7 binary garbage */
  bad("\xff\xfe\x00\x01\x80garbage\x00", 12, "t.yaml:", "");
  /* 8 deeply nested */
  {
    static char deep[4096];
    size_t n = 0;
    n += (size_t)sprintf(deep, BASE "x: ");
    for (int i = 0; i < 200; i++) deep[n++] = '[';
    for (int i = 0; i < 200; i++) deep[n++] = ']';
    deep[n] = 0;
    bad(deep, 0, "t.yaml:", "nesting deeper than 64");
  }
  /* 9 huge input */
  {
    size_t len = (17u << 20);
    char *huge = malloc(len);
    memset(huge, '#', len);
    bad(huge, len, "t.yaml:1:1", "larger than 16 MiB");
    free(huge);
  }
  /* 10 duplicate keys */
  bad(BASE "array: {rows: 4, rows: 8}\n", 0, "key 'rows': duplicate key", "t.yaml:3:");
  /* 11 enum typo */
  bad(BASE "integration: cpu-fed\n", 0, "key 'integration'", "did you mean 'cpu_fed'");
  /* 12 out of range */
  bad(BASE "prune: {rate: 1.5}\n", 0, "key 'prune.rate'", "from 0 to 1");
  /* 13 quoted number */
  bad(BASE "array: {cols: \"16\"}\n", 0, "key 'array.cols'", "got \"16\"");
  /* 14 section that is not a mapping */
  bad(BASE "array: 16\n", 0, "key 'array'", "expected a mapping");
  /* 15 bad shape list */
  bad(BASE "sweep: {arrays: [16by16]}\n", 0, "key 'sweep.arrays'", "16by16");
  bad(BASE "sweep: {arrays: [1x4]}\n", 0, "key 'sweep.arrays'", "1x4");
  bad(BASE "sweep: {arrays: []}\n", 0, "key 'sweep.arrays'", "non-empty");
  /* 16 missing include */
  bad(BASE "include: nope.yaml\n", 0, "nope.yaml", "include");
  /* 17 include cycle */
  bad("include: t.yaml\n", 0, "key 'include'", "");
  /* 18 top level is a list */
  bad("- 1\n- 2\n", 0, "t.yaml:1:1", "top level");
  /* 19 aliases */
  bad(BASE "a: &x 4\narray: {rows: *x}\n", 0, "t.yaml:", "aliases");
  /* 20 NaN and infinity */
  bad(BASE "array: {clock_mhz: .nan}\n", 0, "key 'array.clock_mhz'", ".nan");
  bad(BASE "host: {clock_mhz: 1e999}\n", 0, "key 'host.clock_mhz'", "1e999");
  /* 21 duplicate sweep shape */
  bad(BASE "sweep: {arrays: [4x4, 4x4]}\n", 0, "sweep.arrays", "twice");
  /* 22 missing technology table */
  bad("tech: tech/none.yaml\nworkload: {manifest: m.yaml}\n", 0, "none.yaml", "key 'tech'");
  /* 23 integer with trailing junk, and a float for an integer */
  bad(BASE "array: {rows: 8k}\n", 0, "key 'array.rows'", "8k");
  bad(BASE "array: {rows: 8.5}\n", 0, "key 'array.rows'", "8.5");
  /* 24 a list where a scalar belongs */
  bad(BASE "prune: {criterion: [l2]}\n", 0, "key 'prune.criterion'", "got a list");
  /* 25 two documents */
  bad(BASE "---\na: 1\n", 0, "t.yaml:", "more than one YAML document");
}

/* sweep.axes and sa_config_set: any scalar key, values checked by the key's own schema. */
static void axes(void) {
  sa_err e;
  const char *t = BASE "sweep:\n  axes:\n    prune.threshold: [global, per_layer]\n"
                  "    integration: [cpu_fed, dma]\n    host.add: [1, 2.5]\n";
  CHECK(sa_config_load_buffer(t, strlen(t), "t.yaml", "configs", &cfg, &e) == 0);
  CHECK_EQ_INT(cfg.sweep.n_axes, 3);
  CHECK(!strcmp(cfg.sweep.axes[1].key, "integration") && cfg.sweep.axes[1].n_values == 2);
  CHECK(!strcmp(cfg.sweep.axes[2].values[1], "2.5"));
  CHECK_EQ_INT(cfg.sweep.axes[0].line, 5);
  CHECK_EQ_INT(cfg.sweep.axes[0].vcol[1], 31);
  /* sa_config_set: as in a file, and no longer marked defaulted */
  CHECK(sa_config_was_defaulted(&cfg, "prune.threshold"));
  CHECK(sa_config_set(&cfg, "prune.threshold", "per_layer", "x.yaml", 3, 7, &e) == 0);
  CHECK_EQ_INT(cfg.prune.threshold, SA_THRESH_PER_LAYER);
  CHECK(!sa_config_was_defaulted(&cfg, "prune.threshold"));
  CHECK(sa_config_set(&cfg, "host.add", "2.5", "x.yaml", 3, 7, &e) == 0 && cfg.host.add == 2.5);
  CHECK(sa_config_set(&cfg, "prune.layer_cap", "2", "x.yaml", 3, 7, &e) != 0);
  CHECK_CONTAINS(e.msg, "x.yaml:3:7: key 'prune.layer_cap': expected a number from 0 to 1");
  CHECK(sa_config_set(&cfg, "array", "4", "x.yaml", 1, 1, &e) != 0);
  CHECK(sa_config_set(&cfg, "sweep.rates", "0", "x.yaml", 1, 1, &e) != 0);
  CHECK(sa_config_set(&cfg, "no.such", "0", "x.yaml", 1, 1, &e) != 0);
  CHECK(sa_config_is_scalar_key("tech") && !sa_config_is_scalar_key("sweep.axes"));
  /* the resolved configuration shows the axes */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  sa_config_load_buffer(t, strlen(t), "t.yaml", "configs", &cfg, &e);
  sa_config_write_yaml(&cfg, f);
  fclose(f);
  CHECK_CONTAINS(buf, "axes: {prune.threshold: [global, per_layer], integration: [cpu_fed, dma], "
                      "host.add: [1, 2.5]}");
  free(buf);
  /* bad axes */
  bad(BASE "sweep: {axes: {prune.critrion: [l2]}}\n", 0, "t.yaml:3:16: key "
      "'sweep.axes.prune.critrion'", "did you mean 'prune.criterion'");
  bad(BASE "sweep: {axes: {prune.criterion: []}}\n", 0, "key 'sweep.axes.prune.criterion'",
      "empty list");
  bad(BASE "sweep: {axes: {prune.criterion: [l2, bogus]}}\n", 0,
      "key 'sweep.axes.prune.criterion'", "bogus");
  bad(BASE "sweep: {axes: {prune.criterion: [l2, l2]}}\n", 0, "listed twice", NULL);
  bad(BASE "sweep: {axes: {prune.criterion: l2}}\n", 0, "expected a list of values", NULL);
  bad(BASE "sweep: {axes: {prune: [l2]}}\n", 0, "'prune' is not a configuration key", NULL);
  bad(BASE "sweep: {axes: [prune.criterion]}\n", 0, "key 'sweep.axes': expected a mapping",
      NULL);
}

int main(void) {
  good_files();
  bad_files();
  axes();
  return sa_test_done("test_config");
}
