// sa_mask_mem: the controller's tile-mask register (docs/timing.md §3). One word of MaxKt
// bits per column strip nt holds the keep bits of tiles (kt, nt), bit kt; a per-strip
// "any kept" vector lets the controller's priority encoders jump over fully pruned strips.
// The host (or DMA) writes the NT strip words of a command before issuing it; bits beyond
// the command's KT x NT grid are ignored by the controller. Two asynchronous read ports.
`include "sa_assert.svh"

module sa_mask_mem import sa_pkg::*; #(
  parameter int unsigned MaxKt = 16,
  parameter int unsigned MaxNt = 16,
  localparam int unsigned NtW = idx_w(MaxNt)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             we_i,
  input  logic [NtW-1:0]   wnt_i,
  input  logic [MaxKt-1:0] wdata_i,
  input  logic [NtW-1:0]   rd0_nt_i,
  output logic [MaxKt-1:0] rd0_o,
  input  logic [NtW-1:0]   rd1_nt_i,
  output logic [MaxKt-1:0] rd1_o,
  output logic [MaxNt-1:0] any_o
);

  logic [MaxKt-1:0] mem_q [MaxNt];
  logic [MaxNt-1:0] any_d, any_q;

  always_comb begin
    any_d = any_q;
    if (we_i) begin
      any_d[wnt_i] = |wdata_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      any_q <= '0;
    end else begin
      any_q <= any_d;
    end
  end

  // Memory idiom: written only on an enable.
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[wnt_i] <= wdata_i;
    end
  end

  assign rd0_o = mem_q[rd0_nt_i];
  assign rd1_o = mem_q[rd1_nt_i];
  assign any_o = any_q;

  `ASSERT(WriteInRange_A, we_i |-> 32'(wnt_i) < MaxNt)

endmodule
