// sa_ram_1w1r: behavioural memory for simulation: one synchronous write port and one
// asynchronous (same-cycle) read port. The array model assumes ideal, always-ready buffers
// (docs/timing.md §7), so reads never stall.
`include "sa_assert.svh"

module sa_ram_1w1r import sa_pkg::*; #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 16,
  localparam int unsigned AddrW = idx_w(Depth)
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);

  logic [Width-1:0] mem_q [Depth];

  // Memory idiom (as lowRISC's prim_ram_1p): the array is written only on an enable.
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
  end

  assign rdata_o = mem_q[raddr_i];

  // A write past Depth (not a power of two) would alias another word. No reset here: the
  // check runs from the first edge (the host keeps we_i low during reset).
  `ASSERT(WriteInRange_A, we_i |-> 32'(waddr_i) < Depth, clk_i, 1'b0)

endmodule
