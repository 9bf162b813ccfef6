// sa_fp32_unit: test top of the fp32 units (tests/rtl/test_rtl_fp32.cpp): p_o = a_i * w_i
// (sa_fp32_mul) and s_o = a_i + b_i (sa_fp32_add), combinational.
module sa_fp32_unit import sa_pkg::*; (
  input  logic [FpW-1:0]         a_i,
  input  logic [FpW-1:0]         b_i,
  input  logic signed [WgtW-1:0] w_i,
  output logic [FpW-1:0]         p_o,
  output logic [FpW-1:0]         s_o
);

  sa_fp32_mul u_mul (
    .a_i,
    .w_i,
    .p_o
  );

  sa_fp32_add u_add (
    .a_i,
    .b_i,
    .s_o
  );

endmodule
