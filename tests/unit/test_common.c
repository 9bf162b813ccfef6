/* Common helpers: JSON/CSV escaping, atomic output, file reader, path join, numbers,
 * suggestions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_csv.h"
#include "sa_file.h"
#include "sa_json.h"
#include "sa_num.h"
#include "sa_out.h"
#include "sa_test.h"
#include "sa_yaml.h"

int main(void) {
  char dir[] = "/tmp/sasp-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/a.json", dir);
  sa_err e;
  sa_out o;
  CHECK(sa_out_open(&o, path, &e) == 0);
  sa_json j;
  sa_json_init(&j, o.f, 0);
  sa_json_obj(&j);
  sa_json_key(&j, "s");
  sa_json_str(&j, "a\"b\\c\n");
  sa_json_key(&j, "l");
  sa_json_arr(&j);
  sa_json_int(&j, -3);
  sa_json_num(&j, 0.5);
  sa_json_num(&j, 0.0 / 0.0);
  sa_json_end(&j);
  sa_json_end(&j);
  CHECK(access(path, F_OK) != 0); /* nothing under the real name before commit */
  CHECK(sa_out_commit(&o, &e) == 0);
  size_t n;
  char *s = sa_file_read(path, 1 << 20, &n, &e);
  CHECK(s && strcmp(s, "{\"s\":\"a\\\"b\\\\c\\n\",\"l\":[-3,0.5,null]}") == 0);

  snprintf(path, sizeof path, "%s/a.csv", dir);
  CHECK(sa_out_open(&o, path, &e) == 0);
  sa_csv c;
  sa_csv_init(&c, o.f);
  sa_csv_str(&c, "x,y");
  sa_csv_str(&c, "q\"q");
  sa_csv_empty(&c);
  sa_csv_num(&c, 1.25, 6);
  sa_csv_eol(&c);
  CHECK(sa_out_commit(&o, &e) == 0);
  free(s);
  s = sa_file_read(path, 1 << 20, &n, &e);
  CHECK(s && strcmp(s, "\"x,y\",\"q\"\"q\",,1.25\n") == 0);

  free(s);

  /* the file reader: exact limit, one byte over, a directory, a missing file */
  size_t full = strlen("\"x,y\",\"q\"\"q\",,1.25\n");
  s = sa_file_read(path, full, &n, &e);
  CHECK(s && n == full && s[full] == 0);
  free(s);
  CHECK(sa_file_read(path, full - 1, &n, &e) == NULL);
  CHECK_CONTAINS(e.msg, "a.csv: larger than 18 bytes");
  CHECK(sa_file_read(dir, 1 << 20, &n, &e) == NULL);
  CHECK_CONTAINS(e.msg, "is a directory");
  CHECK(sa_file_read("/nonexistent-dir/x", 1 << 20, &n, &e) == NULL);
  CHECK_CONTAINS(e.msg, "/nonexistent-dir/x: cannot open");
  CHECK(sa_file_exists(path) && !sa_file_exists(dir));
  char *joined = sa_path_join("a/b", "c.txt", &e);
  CHECK(joined && !strcmp(joined, "a/b/c.txt"));
  free(joined);

  /* numbers: whole string, in range */
  int64_t iv;
  uint64_t uv;
  double dv;
  CHECK(sa_num_i64("42", 0, 100, &iv) == 0 && iv == 42);
  CHECK(sa_num_i64("101", 0, 100, &iv) == -1 && iv == 42);
  CHECK(sa_num_i64("4x", 0, 100, &iv) == -1 && sa_num_i64("", 0, 100, &iv) == -1);
  CHECK(sa_num_i64("99999999999999999999", INT64_MIN, INT64_MAX, &iv) == -1);
  CHECK(sa_num_u64("18446744073709551615", &uv) == 0 && uv == UINT64_MAX);
  CHECK(sa_num_u64("-1", &uv) == -1 && sa_num_u64("18446744073709551616", &uv) == -1);
  CHECK(sa_num_f64("0.5", 0, 1, &dv) == 0 && dv == 0.5);
  CHECK(sa_num_f64("nan", -1e9, 1e9, &dv) == -1 && sa_num_f64("1.5", 0, 1, &dv) == -1);
  char want[64];
  sa_num_describe(1, 1, 1024, want, sizeof want);
  CHECK(!strcmp(want, "an integer from 1 to 1024"));

  /* a failed write leaves no file behind */
  CHECK(sa_out_open(&o, "/nonexistent-dir/x.csv", &e) != 0);
  CHECK_CONTAINS(e.msg, "/nonexistent-dir/x.csv");
  snprintf(path, sizeof path, "rm -rf %s", dir);
  CHECK(system(path) == 0);

  const char *cands[] = {"rows", "cols", "dataflow"};
  CHECK(sa_yaml_suggest("rwos", cands, 3) && !strcmp(sa_yaml_suggest("rwos", cands, 3), "rows"));
  CHECK(sa_yaml_suggest("zzzzzzzz", cands, 3) == NULL);
  return sa_test_done("test_common");
}
