// sa_rtl_print: where the Verilator runtime prints. rtl/meson.build compiles the runtime with
// VL_PRINTF=sa_rtl_vl_printf and includes this header into it (VL_VERILATED_INCLUDE), so the
// messages of failed assertions ($error), $display and Verilator's own reach the harness
// (sa_rtl.cpp), which makes them the error of the call that ran the model instead of lines
// on stdout. Defined in sa_rtl.cpp.
#ifndef SA_RTL_PRINT_H
#define SA_RTL_PRINT_H

void sa_rtl_vl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
