// sa_fp32_add: binary32 a + b, rounded to binary32: fp32_add of sa_fp32.svh (what C computes
// for `float s = a + b`; docs/timing.md §1.1) as a combinational module, for the unit test
// (tests/rtl/test_rtl_fp32.cpp) and synthesis (scripts/synth).
module sa_fp32_add import sa_pkg::*; (
  input  logic [FpW-1:0] a_i,
  input  logic [FpW-1:0] b_i,
  output logic [FpW-1:0] s_o
);

`include "sa_fp32.svh"

  assign s_o = fp32_add(a_i, b_i);

endmodule
