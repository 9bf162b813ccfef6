// sa_fp32_add: binary32 a + b, rounded to binary32 (round to nearest, ties to even): bit for
// bit what C computes for `float s = a + b` (docs/timing.md §1.1). The smaller operand is
// aligned to the larger with a guard, a round and a sticky bit (enough for a correctly rounded
// sum or difference), then sa_fp32_pack normalises and rounds. An exact zero sum is +0 unless
// both operands are -0; subnormals and overflow to infinity as IEEE 754; inf + -inf and NaN
// inputs give the quiet NaN 0x7fc00000 (see sa_fp32_mul). Purely combinational.
module sa_fp32_add import sa_pkg::*; (
  input  logic [FpW-1:0] a_i,
  input  logic [FpW-1:0] b_i,
  output logic [FpW-1:0] s_o
);

  localparam int unsigned GrsW = 3;             // guard, round, sticky below the significand
  localparam int unsigned ExtW = 24 + GrsW;     // an aligned significand
  localparam int unsigned SigW = ExtW + 1;      // the sum, with its carry

  logic [FpW-1:0]    x, y;                      // |x| >= |y|
  logic              a_nan, b_nan, a_inf, b_inf, sub;
  logic [7:0]        dexp;
  logic [ExtW-1:0]   x_ext, y_ext;
  logic [ExtW+23:0]  y_wide;
  logic [SigW-1:0]   sum, norm;
  logic [FpExpW-1:0] lead;
  logic signed [FpExpW-1:0] exp;
  logic [FpW-1:0]    packed_res;

  // A significand with its hidden bit and the exponent it counts from (subnormals: 1).
  function automatic logic [23:0] sig_of(logic [30:0] v);
    sig_of = {v[30:23] != 8'h00, v[22:0]};
  endfunction
  function automatic logic [7:0] exp_of(logic [7:0] e);
    exp_of = (e == 8'h00) ? 8'd1 : e;
  endfunction

  always_comb begin
    a_nan = a_i[30:23] == 8'hff && a_i[22:0] != '0;
    b_nan = b_i[30:23] == 8'hff && b_i[22:0] != '0;
    a_inf = a_i[30:0] == {8'hff, 23'd0};
    b_inf = b_i[30:0] == {8'hff, 23'd0};
    // Magnitudes order like their bit patterns.
    if (a_i[30:0] >= b_i[30:0]) begin
      x = a_i;
      y = b_i;
    end else begin
      x = b_i;
      y = a_i;
    end
    sub    = x[31] ^ y[31];
    dexp   = exp_of(x[30:23]) - exp_of(y[30:23]);
    x_ext  = {sig_of(x[30:0]), GrsW'(0)};
    // y shifted right by dexp; what leaves the guard and round bits is kept as the sticky
    // bit. From dexp = ExtW on, all of y lies below them (y_wide would lose bits).
    y_wide = {sig_of(y[30:0]), GrsW'(0), 24'd0} >> dexp;
    if (dexp >= 8'(ExtW)) y_ext = {(ExtW-1)'(0), sig_of(y[30:0]) != '0};
    else y_ext = {y_wide[ExtW+23:25], |y_wide[24:0]};
    sum    = sub ? SigW'(x_ext) - SigW'(y_ext) : SigW'(x_ext) + SigW'(y_ext);
    lead   = '0;
    for (int unsigned i = 0; i < SigW; i++) begin
      if (sum[i]) lead = FpExpW'(i);
    end
    norm   = sum << (FpExpW'(SigW - 1) - lead);
    // sum * 2^(e_x - 153) = 1.f * 2^(lead + e_x - 153): biased lead + e_x - 26.
    exp    = $signed(lead) + $signed(FpExpW'(exp_of(x[30:23]))) - $signed(FpExpW'(26));
  end

  sa_fp32_pack #(
    .SigW (SigW)
  ) u_pack (
    .sign_i (x[31]),
    .exp_i  (exp),
    .sig_i  (norm),
    .res_o  (packed_res)
  );

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_inf && sub)) s_o = FpNaN;
    else if (a_inf || b_inf) s_o = x;                  // x is the infinity
    else if (sum == '0) s_o = {a_i[31] & b_i[31], 31'd0};  // exact zero: +0 unless -0 + -0
    else s_o = packed_res;
  end

endmodule
