/* test_topology: the SCALE-Sim topology reader (sa_topology) on layers of SCALE-Sim's own
 * example topologies (alexnet, resnet18, mobilenet, gpt2 and the v3 sparsity files, written
 * here as text with their quirks: trailing commas, '#dw' comments, blank lines, tabs, a row
 * without its trailing comma, a repeated name), checking the im2col M, K, N and count of
 * every layer against SCALE-Sim's lowering worked out by hand; then the error messages. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sa_topology.h"
#include "sa_test.h"

static char path[64];

/* Writes text to a fresh temporary .csv file (path) and loads it. */
static int load(const char *text, sa_manifest **m, sa_err *e) {
  snprintf(path, sizeof path, "/tmp/sasp-topoXXXXXX");
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) return -1;
  size_t n = strlen(text);
  CHECK(write(fd, text, n) == (ssize_t)n);
  close(fd);
  int rc = sa_topology_load(path, 7, m, e);
  unlink(path);
  return rc;
}

typedef struct want {
  const char *name;
  int64_t m, k, n, count;
  int role;
} want;

static void expect(const char *what, const char *text, const want *w, int nw) {
  sa_manifest *m = NULL;
  sa_err e = {{0}};
  int rc = load(text, &m, &e);
  if (rc) fprintf(stderr, "%s: %s\n", what, e.msg);
  CHECK(rc == 0);
  if (rc) return;
  CHECK_EQ_INT(m->n_layers, nw);
  CHECK(m->synthetic && m->synthetic_seed == 7 && !strcmp(m->arch.type, "none"));
  CHECK(m->n_hostops == 0 && m->tokens == 1);
  for (int i = 0; i < nw && i < m->n_layers; i++) {
    const sa_layer *l = &m->layers[i];
    if (strcmp(l->name, w[i].name) || l->m != w[i].m || l->k != w[i].k || l->n != w[i].n ||
        l->count != w[i].count || l->role != w[i].role) {
      fprintf(stderr, "%s: layer %d is %s %lldx%lldx%lld x%lld role %s, want %s "
              "%lldx%lldx%lld x%lld role %s\n", what, i, l->name, (long long)l->m,
              (long long)l->k, (long long)l->n, (long long)l->count,
              sa_manifest_role_name(l->role), w[i].name, (long long)w[i].m, (long long)w[i].k,
              (long long)w[i].n, (long long)w[i].count, sa_manifest_role_name(w[i].role));
      CHECK(0);
    }
  }
  sa_manifest_free(m);
}

static void expect_error(const char *text, const char *what) {
  sa_manifest *m = NULL;
  sa_err e = {{0}};
  CHECK(load(text, &m, &e) == -1);
  CHECK(m == NULL);
  CHECK(!strncmp(e.msg, path, strlen(path)) && e.msg[strlen(path)] == ':');
  CHECK(strchr(e.msg, '\n') == NULL);
  CHECK_CONTAINS(e.msg, what);
}

enum { CONV = SA_ROLE_CONV, FF = SA_ROLE_FF };

int main(void) {
  /* scale-sim-v2 topologies/conv_nets/alexnet.csv: ofmap = (ifmap - filter) / stride + 1,
   * M = ofmap_h * ofmap_w, K = filter_h * filter_w * channels, N = num_filter */
  const want alexnet[] = {
      {"Conv1", 54 * 54, 11 * 11 * 3, 96, 1, CONV},     /* (224-11)/4+1 = 54 */
      {"Conv2", 23 * 23, 5 * 5 * 96, 256, 1, CONV},     /* (27-5)/1+1 = 23 */
      {"Conv3", 11 * 11, 3 * 3 * 256, 384, 1, CONV},
      {"Conv4", 11 * 11, 3 * 3 * 384, 384, 1, CONV},
      {"Conv5", 11 * 11, 3 * 3 * 384, 256, 1, CONV},
  };
  expect("alexnet",
         "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
         "Filter, Strides,\n"
         "Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4 "
         "     ,\n"
         "Conv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1  "
         "    ,\n"
         "Conv3     ,13          ,13         ,3            ,3           ,256     ,384       ,1 "
         "     ,\n"
         "Conv4     ,13          ,13         ,3            ,3           ,384     ,384       ,1 "
         "     ,\n"
         "Conv5     ,13          ,13         ,3            ,3           ,384     ,256       ,1 "
         "     ,\n",
         alexnet, 5);

  /* scale-sim-v2 topologies/sparsity/Resnet18.csv (SCALE-Sim pads nothing: 224 -> 109) */
  const want resnet18[] = {
      {"Conv1", 109 * 109, 7 * 7 * 3, 64, 1, CONV},     /* (224-7)/2+1 = 109 */
      {"Conv2_1a", 54 * 54, 3 * 3 * 64, 64, 1, CONV},
      {"Conv3_1a", 27 * 27, 3 * 3 * 64, 128, 1, CONV},  /* (56-3)/2+1 = 27 */
      {"Conv3_s", 28 * 28, 64, 128, 1, CONV},           /* (56-1)/2+1 = 28 */
      {"Conv5_1b", 5 * 5, 3 * 3 * 512, 512, 1, CONV},
      {"FC", 1, 512, 1000, 1, CONV},
  };
  expect("resnet18",
         "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
         "Filter, Strides, \n"
         "Conv1,224,224,7,7,3,64,2,\n"
         "Conv2_1a,56,56,3,3,64,64,1,\n"
         "Conv3_1a,56,56,3,3,64,128,2,\n"
         "Conv3_s,56,56,1,1,64,128,2,\n"
         "Conv5_1b,7,7,3,3,512,512,1,\n"
         "FC,1,1,1,1,512,1000,1,",
         resnet18, 6);

  /* scale-sim-v2 topologies/conv_nets/mobilnet_paper.csv: a blank line, '#dw' comments,
   * a row without its trailing comma, tab-indented rows, CRLF line ends */
  const want mobilenet[] = {
      {"Conv1", 111 * 111, 27, 32, 1, CONV},            /* (224-3)/2+1 = 111 */
      {"Conv2_dw", 110 * 110, 9, 1, 1, CONV},
      {"Conv4_dw", 55 * 55, 9, 1, 1, CONV},             /* (112-3)/2+1 = 55 */
      {"Conv11", 28 * 28, 256, 256, 1, CONV},
      {"Conv14_dw_0", 12 * 12, 9, 1, 1, CONV},
      {"FC", 1, 1024, 1000, 1, CONV},
  };
  expect("mobilenet",
         "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
         "Filter, Strides,\r\n"
         "\r\n"
         "Conv1, 224, 224, 3, 3, 3, 32, 2,\r\n"
         "Conv2_dw, 112, 112, 3, 3, 1, 1, 1,#dw\r\n"
         "Conv4_dw, 112, 112, 3, 3, 1, 1, 2,#dw\r\n"
         "Conv11,28,28,1,1,256,256,1\r\n"
         "\tConv14_dw_0,14,14,3,3,1,1,1,\r\n"
         "FC, 1, 1, 1, 1, 1024, 1000, 1,\r\n",
         mobilenet, 6);

  /* scale-sim-v2 topologies/GEMM_mnk/gpt2.csv: Layer, M, N, K (no trailing commas) */
  const want gpt2[] = {
      {"QKT", 1024, 64, 1024, 1, FF},
      {"QKTV", 1024, 1024, 64, 1, FF},
      {"Linear1", 1024, 1600, 4800, 1, FF},
      {"PW-FF-L2", 1024, 3072, 1600, 1, FF},
  };
  expect("gpt2",
         "Layer,M,N,K\nQKT,1024,1024,64\nQKTV,1024,64,1024\nLinear1,1024,4800,1600\n"
         "PW-FF-L2,1024,1600,3072\n",
         gpt2, 4);

  /* scale-sim-v2 topologies/sparsity/gemm.csv and conv.csv (v3 format: a Sparsity column,
   * read and ignored; the repeated name GEMM_1 becomes GEMM_1#2) */
  const want sparse_gemm[] = {{"GEMM_1", 3, 16, 5, 1, FF}, {"GEMM_1#2", 1, 16, 5, 1, FF}};
  expect("sparsity gemm",
         "Layer Name, M, N, K, Sparsity,\nGEMM_1, 3, 5, 16, 3:4,\nGEMM_1, 1, 5, 16, 1:4,",
         sparse_gemm, 2);
  const want sparse_conv[] = {{"CONV_1", 9, 18, 6, 1, CONV}};
  expect("sparsity conv",
         "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
         "Filter, Strides, Sparsity,\n"
         "CONV_1,     5,            5,           3,             3,            2,        6,   "
         "       1,       2:4,",
         sparse_conv, 1);

  /* two stride columns (SCALE-Sim's own writer); depthwise "DP" layers: one GEMM per channel */
  const want strides[] = {
      {"L", 8 * 6, 3 * 5 * 2, 4, 1, CONV},              /* (10-3)/1+1, (20-5)/3+1 */
      {"Conv_DP1", 110 * 110, 9, 1, 32, CONV},
  };
  expect("strides + depthwise",
         "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,"
         "Stride height,Stride width,\n"
         "L,10,20,3,5,2,4,1,3,\n"
         "Conv_DP1,112,112,3,3,32,1,1,1,\n",
         strides, 2);

  /* bad input: one line naming the file, the line and the column */
  const char *conv_h = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                       "Channels, Num Filter, Strides,\n";
  char buf[1024];
  snprintf(buf, sizeof buf, "%sConv1,224,abc,11,11,3,96,4,\n", conv_h);
  expect_error(buf, ":2: column 'IFMAP Width': expected an integer from 1 to 2147483647, got "
                    "\"abc\"");
  snprintf(buf, sizeof buf, "%s\n# a comment\nConv1,224,224,11,11,0,96,4,\n", conv_h);
  expect_error(buf, ":4: column 'Channels': expected an integer");
  snprintf(buf, sizeof buf, "%sConv1,5,224,11,11,3,96,4,\n", conv_h);
  expect_error(buf, ":2: column 'Filter Height': expected at most the IFMAP Height (5)");
  snprintf(buf, sizeof buf, "%sConv1,224,224,11,11,3,96\n", conv_h);
  expect_error(buf, ":2: 7 columns, the header has 8");
  snprintf(buf, sizeof buf, "%sConv1,2000000000,2000000000,1,1,1,1,1\n", conv_h);
  expect_error(buf, ":2: column 'IFMAP Height': the output map");
  snprintf(buf, sizeof buf, "%sConv1,100000,100000,50000,50000,2000,1,1\n", conv_h);
  expect_error(buf, ":2: column 'Channels': the im2col K");
  expect_error("Layer, M, N, K\nbig, 1099511627776, 2147483647, 2147483647\n",
               ":2: layer 'big':");
  expect_error("Layer, M, N, K\nA, 4, 4, 99999999999\n", ":2: column 'K': expected an integer");
  expect_error("Layer, M, N, K, Sparsity\nA, 4, 4, 4, 5:4\n", ":2: column 'Sparsity'");
  expect_error("Layer, M, N, K\n, 4, 4, 4\n", ":2: column 'Layer': expected a layer name");
  expect_error("Layer, M, Q, K\nA, 1, 2, 3\n", ":1: header: column 3 'Q': expected 'N' (SCALE-Sim GEMM columns");
  expect_error("Layer name, IFMAP Height, IFMAP Width, Filter Height\nA,1,1,1\n",
               ":1: header: column 5 missing: expected 'Filter Width'");
  expect_error("name,a,b\n1,2,3\n", ":1: header 'name, ...': expected SCALE-Sim topology");
  expect_error("Layer, M, N, K, Extra\nA,1,1,1,1\n", ":1: header: column 5 'Extra': expected no further column (or 'Sparsity')");
  expect_error("Layer, M, N, K\n", ":1: no layers after the header");
  expect_error("", ":1: no header");
  {
    sa_manifest *m = NULL;
    sa_err e = {{0}};
    CHECK(sa_topology_load("/nonexistent/t.csv", 1, &m, &e) == -1 && m == NULL);
    CHECK_CONTAINS(e.msg, "/nonexistent/t.csv");
  }
  return sa_test_done("topology");
}
