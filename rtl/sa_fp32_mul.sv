// sa_fp32_mul: binary32 a times int8 w, rounded to binary32: fp32_mul_i8 of sa_fp32.svh (what
// C computes for `float p = a * (float)w`; docs/timing.md §1.1) as a combinational module,
// for the unit test (tests/rtl/test_rtl_fp32.cpp) and synthesis (scripts/synth).
module sa_fp32_mul import sa_pkg::*; (
  input  logic [FpW-1:0]         a_i,
  input  logic signed [WgtW-1:0] w_i,
  output logic [FpW-1:0]         p_o
);

`include "sa_fp32.svh"

  assign p_o = fp32_mul_i8(a_i, w_i);

endmodule
