// sa_fp32_pack: rounds a normalised magnitude to IEEE-754 binary32, round to nearest, ties to
// even, as C's float arithmetic does (docs/timing.md §1.1): the shared last stage of
// sa_fp32_mul and sa_fp32_add. The value is sig_i * 2^(exp_i - 127 - (SigW - 1)) with
// sig_i[SigW-1] = 1 (exp_i is the biased exponent the result has before rounding). exp_i <= 0
// gives a subnormal (or zero) after a right shift that keeps a sticky bit; exp_i >= 255 and a
// rounding carry out of 254 give infinity. Purely combinational.
module sa_fp32_pack import sa_pkg::*; #(
  parameter int unsigned SigW = 32   // significand bits (>= 26: 24 kept, guard, sticky)
) (
  input  logic                   sign_i,
  input  logic signed [FpExpW-1:0] exp_i,
  input  logic [SigW-1:0]        sig_i,
  output logic [31:0]            res_o
);

  logic [SigW-1:0]   sig;
  logic [FpExpW-1:0] sh;
  logic              sticky_sh, guard, sticky, up;
  logic [7:0]        exp_field;
  logic [30:0]       mag;

  always_comb begin
    sig       = sig_i;
    sticky_sh = 1'b0;
    exp_field = exp_i[7:0];
    sh        = '0;
    if (exp_i <= 0) begin
      // Subnormal: 1 - exp_i places right (the hidden bit leaves the field); what is
      // shifted out only matters as a sticky bit.
      exp_field = '0;
      sh        = FpExpW'(1) - exp_i;
      if (sh >= FpExpW'(SigW)) begin
        sig       = '0;
        sticky_sh = 1'b1;  // sig_i is normalised, hence not zero
      end else begin
        sig       = sig_i >> sh;
        sticky_sh = |(sig_i & ~({SigW{1'b1}} << sh));
      end
    end
    guard  = sig[SigW-25];
    sticky = sticky_sh | (|sig[SigW-26:0]);
    up     = guard & (sticky | sig[SigW-24]);
    // {exponent, fraction} + 1: a carry out of the fraction raises the exponent (a subnormal
    // that rounds up to the smallest normal, 254 that rounds up to infinity).
    mag    = {exp_field, sig[SigW-2:SigW-24]} + 31'(up);
    if (exp_i >= FpExpW'(255)) mag = {8'hff, 23'd0};
    res_o  = {sign_i, mag};
  end

endmodule
