// sa_pe: one processing element of the weight-stationary array (docs/timing.md §1).
// Holds an int8 active and an int8 shadow weight; multiplies the activation from the left by
// the active weight and adds it to the partial sum from above; passes the activation right and
// the sum down, both registered. int8 activations (ActFp = 0): exact product, int32 sum with
// two's-complement wrap-around. fp32 activations (ActFp = 1, §1.1): the fp32 product a*w and
// the fp32 sum psum + a*w, each rounded to nearest even (sa_fp32_mul, sa_fp32_add; no fused
// multiply-add). The data path advances only when en_i is high (a stall cycle of the
// streaming interface, docs/timing.md §6, holds it); the weight load and swap have their own
// enables.
module sa_pe import sa_pkg::*; #(
  parameter bit ActFp = 1'b0,
  localparam int unsigned AW = act_w(ActFp)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               en_i,      // data path advances (activation, partial sum)
  // weight load: the shadow weights of a column form a shift chain, top to bottom
  input  logic               wload_i,   // shift: shadow takes w_i
  input  logic               swap_i,    // active takes the (new) shadow weight
  input  logic signed [WgtW-1:0]  w_i,
  output logic signed [WgtW-1:0]  w_o,
  // data path
  input  logic [AW-1:0]           act_i,
  output logic [AW-1:0]           act_o,
  input  logic [PsumW-1:0]        psum_i,
  output logic [PsumW-1:0]        psum_o
);

  logic signed [WgtW-1:0]  w_shadow_d, w_shadow_q;
  logic signed [WgtW-1:0]  w_active_d, w_active_q;
  logic [AW-1:0]           act_d, act_q;
  logic [PsumW-1:0]        mac;     // psum_i + w * act_i in the data path's arithmetic
  logic [PsumW-1:0]        psum_d, psum_q;

  if (ActFp) begin : g_fp32
    logic [FpW-1:0] prod;
    sa_fp32_mul u_mul (
      .a_i (act_i),
      .w_i (w_active_q),
      .p_o (prod)
    );
    // psum + prod, as C's `t = t + p` (§1.1)
    sa_fp32_add u_add (
      .a_i (psum_i),
      .b_i (prod),
      .s_o (mac)
    );
  end else begin : g_int8
    localparam int unsigned ProdW = ActW + WgtW;
    logic signed [ProdW-1:0] prod;
    assign prod = ProdW'(w_active_q) * ProdW'($signed(act_i));
    assign mac  = psum_i + PsumW'(prod);
  end

  always_comb begin
    w_shadow_d = wload_i ? w_i : w_shadow_q;
    // The swap takes the value the shadow register is loading in the same cycle, so the
    // last weight row shifted in at the end of a load phase is already active next cycle.
    w_active_d = swap_i ? w_shadow_d : w_active_q;
    act_d      = en_i ? act_i : act_q;
    psum_d     = en_i ? mac : psum_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_shadow_q <= '0;
      w_active_q <= '0;
      act_q      <= '0;
      psum_q     <= '0;
    end else begin
      w_shadow_q <= w_shadow_d;
      w_active_q <= w_active_d;
      act_q      <= act_d;
      psum_q     <= psum_d;
    end
  end

  assign w_o    = w_shadow_q;
  assign act_o  = act_q;
  assign psum_o = psum_q;

endmodule
