/* sa_version: locating installed data files. */
#include "sa_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_file.h"

int sa_version_find_data(const char *name, const char *env_var, char *out, size_t len) {
  const char *env = env_var ? getenv(env_var) : NULL;
  if (env && env[0]) {
    snprintf(out, len, "%s", env);
    return sa_file_exists(out) ? 0 : -1;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash && SA_DATA_DIR_REL[0] != '/') {
      *slash = 0;
      snprintf(out, len, "%s/%s/%s", exe, SA_DATA_DIR_REL, name);
      if (sa_file_exists(out)) return 0;
    }
  }
  snprintf(out, len, "%s/%s", SA_DATA_DIR, name);
  if (sa_file_exists(out)) return 0;
  snprintf(out, len, "%s/scripts/%s", SA_SOURCE_DIR, name);
  return sa_file_exists(out) ? 0 : -1;
}
