// sa_fp32.svh: the fp32 arithmetic of the fp32 data path (docs/timing.md §1.1) as functions,
// included inside the modules that use them (sa_pe computes its next state inside always_ff,
// rtl/README.md; sa_fp32_mul and sa_fp32_add wrap them for the unit test and synthesis).
// IEEE-754 binary32, round to nearest, ties to even: bit for bit what C computes for
// `float p = a * (float)w` and `float s = a + b` (no fused multiply-add, no flush to zero).
// Signed zeros, subnormal inputs and results, overflow to infinity as IEEE 754; a NaN result
// (NaN input, inf * 0, inf - inf) is the quiet NaN Fp32NaN = 0x7fc00000 (C's NaN sign and
// payload are the CPU's choice; comparisons treat every NaN as equal). Exponents before
// rounding are 10-bit signed (-49 ... 262 occur). Functions assign their name and the file
// uses no sa_pkg name (Yosys 0.23 reads no return statement, and scripts/synth's lowering
// cannot qualify a package name in a cast).

localparam logic [31:0] Fp32NaN = 32'h7fc0_0000;  // the one NaN the units produce

// Rounds a normalised magnitude: sig[31] = 1, value 1.f * 2^(exp - 127) with exp the biased
// exponent before rounding. exp <= 0: subnormal (or zero) after a right shift by 1 - exp that
// keeps a sticky bit; exp >= 255 or a rounding carry out of 254: infinity.
function automatic logic [31:0] fp32_pack(logic sign, logic signed [9:0] exp,
                                          logic [31:0] sig);
  logic [31:0]       s;
  logic [9:0] sh;
  logic              sticky_sh, up;
  logic [7:0]        e;
  logic [30:0]       mag;
  s         = sig;
  sticky_sh = 1'b0;
  e         = exp[7:0];
  if (exp <= 0) begin
    e  = '0;
    sh = 10'(1) - exp;
    if (sh >= 10'(32)) begin
      s         = '0;
      sticky_sh = 1'b1;  // sig is normalised, hence not zero
    end else begin
      s         = sig >> sh;
      sticky_sh = |(sig & ~(32'hffff_ffff << sh));
    end
  end
  // guard s[7], sticky s[6:0], lsb s[8]; {exponent, fraction} + 1 carries into the exponent
  // (a subnormal rounding up to the smallest normal, 254 rounding up to infinity)
  up  = s[7] & (sticky_sh | (|s[6:0]) | s[8]);
  mag = {e, s[30:8]} + 31'(up);
  if (exp >= 10'(255)) mag = {8'hff, 23'd0};
  fp32_pack = {sign, mag};
endfunction

// Position of the leading one of v (v != 0), as a 10-bit count.
function automatic logic [9:0] fp32_lead(logic [31:0] v);
  fp32_lead = '0;
  for (int unsigned i = 0; i < 32; i++) begin
    if (v[i]) fp32_lead = 10'(i);
  end
endfunction

// a * (float)w: the 24 x 8-bit product of the significands is exact, so the only rounding is
// fp32_pack's.
function automatic logic [31:0] fp32_mul_i8(logic [31:0] a, logic signed [7:0] w);
  logic              sign;
  logic [7:0]        ae, ea;
  logic [7:0]        wm;
  logic [31:0]       prod;
  logic [9:0] lead;
  sign = a[31] ^ w[7];
  ae   = a[30:23];
  ea   = (ae == 8'h00) ? 8'd1 : ae;         // subnormals: the smallest normal's exponent
  wm   = w[7] ? 8'(-w) : 8'(w);             // -128 -> 8'h80 = 128
  prod = 32'({ae != 8'h00, a[22:0]}) * 32'(wm);
  lead = fp32_lead(prod);
  if (ae == 8'hff) begin
    fp32_mul_i8 = (a[22:0] != '0 || w == '0) ? Fp32NaN : {sign, 8'hff, 23'd0};
  end else if (prod == '0) begin
    fp32_mul_i8 = {sign, 31'd0};             // a zero or w = 0: a signed zero
  end else begin
    // prod * 2^(e_a - 150) = 1.f * 2^(lead + e_a - 150): biased lead + e_a - 23
    fp32_mul_i8 = fp32_pack(sign, $signed(lead) + $signed(10'(ea)) - $signed(10'(23)),
                            prod << (10'(31) - lead));
  end
endfunction

// a + b: the smaller magnitude aligned to the larger with guard, round and sticky bits (a
// correctly rounded sum or difference), normalised and rounded by fp32_pack. An exact zero is
// +0 unless both operands are -0.
function automatic logic [31:0] fp32_add(logic [31:0] a, logic [31:0] b);
  logic [31:0]       x, y;                   // |x| >= |y|
  logic [7:0]        ex, ey, d;
  logic [23:0]       mx, my;
  logic [50:0]       y_wide;
  logic [26:0]       xe, ye;                 // significand, guard, round, sticky
  logic [27:0]       sum;
  logic [9:0] lead;
  logic              a_nan, b_nan, a_inf, b_inf;
  a_nan = a[30:23] == 8'hff && a[22:0] != '0;
  b_nan = b[30:23] == 8'hff && b[22:0] != '0;
  a_inf = a[30:0] == {8'hff, 23'd0};
  b_inf = b[30:0] == {8'hff, 23'd0};
  if (a[30:0] >= b[30:0]) begin              // magnitudes order like their bit patterns
    x = a;
    y = b;
  end else begin
    x = b;
    y = a;
  end
  ex = (x[30:23] == 8'h00) ? 8'd1 : x[30:23];
  ey = (y[30:23] == 8'h00) ? 8'd1 : y[30:23];
  mx = {x[30:23] != 8'h00, x[22:0]};
  my = {y[30:23] != 8'h00, y[22:0]};
  d  = ex - ey;
  xe = {mx, 3'b000};
  // y right by d; what leaves the guard and round bits survives as the sticky bit. From
  // d = 27 on all of y lies below them.
  y_wide = {my, 3'b000, 24'd0} >> d;
  ye     = (d >= 8'd27) ? {26'd0, my != '0} : {y_wide[50:25], |y_wide[24:0]};
  sum    = (x[31] ^ y[31]) ? 28'(xe) - 28'(ye) : 28'(xe) + 28'(ye);
  lead   = fp32_lead({4'd0, sum});
  if (a_nan || b_nan || (a_inf && b_inf && a[31] != b[31])) begin
    fp32_add = Fp32NaN;
  end else if (a_inf || b_inf) begin
    fp32_add = x;                            // x is the infinity
  end else if (sum == '0) begin
    fp32_add = {a[31] & b[31], 31'd0};
  end else begin
    // sum * 2^(e_x - 153) = 1.f * 2^(lead + e_x - 153): biased lead + e_x - 26
    fp32_add = fp32_pack(x[31], $signed(lead) + $signed(10'(ex)) - $signed(10'(26)),
                         32'({sum, 4'd0}) << (10'(27) - lead));
  end
endfunction
