// sa_rtl_size: compiled once per array size by rtl/meson.build with SA_RTL_CLASS (the
// Verilated model class), SA_RTL_HEADER, SA_RTL_ROWS/COLS, SA_RTL_MAX_M and
// SA_RTL_FACTORY defined (and SA_RTL_ACT_FP=1 for an fp32 model); instantiates the harness
// template for that model. Models built on demand (sa_rtl_cache.cpp) compile it into their
// shared object as sa_rtl_dyn_make.
#include SA_RTL_HEADER

#include "sa_rtl_model.h"

extern "C" SaRtlModel *SA_RTL_FACTORY(VerilatedContext *ctx);

extern "C" SaRtlModel *SA_RTL_FACTORY(VerilatedContext *ctx) {
  SaRtlModel *m = new SaRtlModelImpl<SA_RTL_CLASS>(ctx);
  m->rows = SA_RTL_ROWS;
  m->cols = SA_RTL_COLS;
#ifdef SA_RTL_ACT_FP
  m->act_fp = SA_RTL_ACT_FP != 0;
#endif
  m->max_m = SA_RTL_MAX_M;
  return m;
}
