/* fuzz_config: libFuzzer harness for the configuration loader (sa_config_load_buffer) and
 * the writers that echo a loaded configuration (YAML and JSON). The input is named as if it
 * were configs/fuzz.yaml of the source tree (SASP_FUZZ_CONFIG_DIR), so seeds can include the
 * shipped presets and technology files. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sa_config.h"
#include "sa_json.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  devnull = fopen("/dev/null", "w");
  FUZZ_CHECK(devnull);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static sa_config cfg;
  sa_err e = {{0}};
  if (sa_config_load_buffer((const char *)data, size, "fuzz.yaml", SASP_FUZZ_CONFIG_DIR, &cfg,
                            &e) == 0) {
    FUZZ_CHECK(cfg.hw.rows >= 1 && cfg.hw.cols >= 1);
    FUZZ_CHECK(cfg.n_defaulted >= 0 && cfg.n_defaulted <= SA_MAX_KEYS);
    sa_config_write_yaml(&cfg, devnull);
    sa_json j;
    sa_json_init(&j, devnull, 1);
    sa_json_obj(&j);
    sa_json_key(&j, "config");
    sa_config_write_json(&cfg, &j);
    sa_json_end(&j);
  } else {
    /* errors name the input or a file it includes, which may be given by any path */
    FUZZ_CHECK(e.msg[0] && !strchr(e.msg, '\n'));
    FUZZ_CHECK(strstr(e.msg, ": "));
  }
  return 0;
}
