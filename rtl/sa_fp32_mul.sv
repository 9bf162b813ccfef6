// sa_fp32_mul: binary32 a times int8 w, rounded to binary32 (round to nearest, ties to even):
// bit for bit what C computes for `float p = a * (float)w` (w converts to float exactly;
// docs/timing.md §1.1). Signed zeros, subnormal inputs and results and overflow to infinity
// as IEEE 754; inf * 0 and NaN inputs give the quiet NaN 0x7fc00000 (C's NaN results carry a
// sign and payload that depend on the CPU: comparisons treat every NaN as equal). The 24 x 8
// bit product is exact, so the only rounding is sa_fp32_pack's. Purely combinational.
module sa_fp32_mul import sa_pkg::*; (
  input  logic [FpW-1:0]         a_i,
  input  logic signed [WgtW-1:0] w_i,
  output logic [FpW-1:0]         p_o
);

  localparam int unsigned SigW = 24 + WgtW;   // exact product of the significands

  logic              sign, a_nan, a_inf, a_zero;
  logic [7:0]        a_exp, a_e;
  logic [23:0]       a_sig;
  logic [WgtW-1:0]   w_mag;
  logic [SigW-1:0]   prod, norm;
  logic [FpExpW-1:0] lead;
  logic signed [FpExpW-1:0] exp;
  logic [FpW-1:0]    packed_res;

  always_comb begin
    sign   = a_i[31] ^ w_i[WgtW-1];
    a_exp  = a_i[30:23];
    a_nan  = a_exp == 8'hff && a_i[22:0] != '0;
    a_inf  = a_exp == 8'hff && a_i[22:0] == '0;
    a_zero = a_exp == 8'h00 && a_i[22:0] == '0;
    // Subnormals have no hidden bit and the exponent of the smallest normal.
    a_sig  = {a_exp != 8'h00, a_i[22:0]};
    a_e    = (a_exp == 8'h00) ? 8'd1 : a_exp;
    w_mag  = w_i[WgtW-1] ? WgtW'(-w_i) : WgtW'(w_i);  // -128 -> 8'h80, unsigned 128
    prod   = SigW'(a_sig) * SigW'(w_mag);
    // Leading one of the product; the value is prod * 2^(e_a - 150) with e_a >= 1.
    lead   = '0;
    for (int unsigned i = 0; i < SigW; i++) begin
      if (prod[i]) lead = FpExpW'(i);
    end
    norm   = prod << (FpExpW'(SigW - 1) - lead);
    // Biased exponent of 1.f * 2^(lead + e_a - 150): lead + e_a - 23.
    exp    = $signed(lead) + $signed(FpExpW'(a_e)) -
             $signed(FpExpW'(23));
  end

  sa_fp32_pack #(
    .SigW (SigW)
  ) u_pack (
    .sign_i (sign),
    .exp_i  (exp),
    .sig_i  (norm),
    .res_o  (packed_res)
  );

  always_comb begin
    if (a_nan || (a_inf && w_i == '0)) p_o = FpNaN;
    else if (a_inf) p_o = {sign, 8'hff, 23'd0};
    else if (a_zero || w_i == '0) p_o = {sign, 31'd0};
    else p_o = packed_res;
  end

endmodule
