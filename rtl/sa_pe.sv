// sa_pe: one processing element of the weight-stationary array (docs/timing.md §1).
// Holds an int8 active and an int8 shadow weight; multiplies the activation from the left by
// the active weight and adds it to the partial sum from above; passes the activation right and
// the sum down, both registered. int8 activations (ActFp = 0): exact product, int32 sum with
// two's-complement wrap-around. fp32 activations (ActFp = 1, §1.1): the fp32 product a*w and
// the fp32 sum psum + a*w, each rounded to nearest even (sa_fp32.svh; no fused multiply-add).
// The data path advances only when en_i is high (a stall cycle of the streaming interface,
// docs/timing.md §6, holds it); the weight load and swap have their own enables.
module sa_pe import sa_pkg::*; #(
  parameter bit ActFp = 1'b0,
  localparam int unsigned AW = ActFp ? FpW : ActW
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

`include "sa_fp32.svh"

  localparam int unsigned ProdW = ActW + WgtW;

  logic signed [WgtW-1:0]  w_shadow_q, w_active_q;
  logic [AW-1:0]           act_q;
  logic [PsumW-1:0]        psum_q;

  // The next state is computed inside the flop's enables, not as always_comb _d signals (an
  // exception to STYLE.md): en_i, the weight row and the activation depend combinationally
  // on sa_top's inputs (stream valids, the CPU port), and Verilator 5.006 re-settles all
  // logic downstream of an input on every eval(); with the multiply-add in always_comb the
  // whole array was settled three times per cycle (45 % of a 16x16 cosim). Here it is
  // computed once per clock edge, the same flops: with the harness's fewer evals a 32x32
  // cpu_fed cosim ran 6x faster (rtl/README.md). The fp32 multiply-add (functions of
  // sa_fp32.svh) follows the same rule.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_shadow_q <= '0;
      w_active_q <= '0;
      act_q      <= '0;
      psum_q     <= '0;
    end else begin
      if (wload_i) w_shadow_q <= w_i;
      // The swap takes the value the shadow register is loading in the same cycle, so the
      // last weight row shifted in at the end of a load phase is already active next cycle.
      if (swap_i) w_active_q <= wload_i ? w_i : w_shadow_q;
      if (en_i) begin
        act_q <= act_i;
        if (ActFp) begin
          // psum + a*w as C's `t = t + p` (§1.1): two roundings
          psum_q <= fp32_add(psum_i, fp32_mul_i8(FpW'(act_i), w_active_q));
        end else begin
          psum_q <= psum_i + PsumW'(ProdW'(w_active_q) * ProdW'($signed(act_i[ActW-1:0])));
        end
      end
    end
  end

  assign w_o    = w_shadow_q;
  assign act_o  = act_q;
  assign psum_o = psum_q;

endmodule
