// sa_obuf: the int32 output (accumulator) buffer, one bank per array column so that the
// de-skewed results (column c is c cycles late) are written in the cycle they leave the
// array. Bank c holds Y[m][nt*Cols + c] at address nt*MaxM + m. The first kept tile of a
// strip writes, later tiles add (two's-complement wrap). Each strip has a valid bit,
// cleared when a command is accepted; reading an invalid strip returns 0, which is how a
// fully pruned strip yields Y = 0 without any array work (docs/timing.md §2).
`include "sa_assert.svh"

module sa_obuf import sa_pkg::*; #(
  parameter int unsigned Cols  = 4,
  parameter int unsigned MaxM  = 16,
  parameter int unsigned MaxNt = 16,
  localparam int unsigned Depth = o_depth(MaxM, MaxNt),
  localparam int unsigned AddrW = idx_w(Depth),
  localparam int unsigned MW    = idx_w(MaxM),
  localparam int unsigned NtW   = idx_w(MaxNt)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // strip valid bits
  input  logic                  clear_i,
  input  logic                  set_valid_i,
  input  logic [NtW-1:0]        strip_i,    // strip being written by the array
  // array write ports, one per column
  input  logic                  acc_i,      // 1: add to the stored value, 0: overwrite
  input  logic [Cols-1:0]       we_i,
  input  logic [Cols-1:0][MW-1:0] row_i,
  input  logic [Cols-1:0][PsumW-1:0] wdata_i,
  // host read port: one row of one strip
  input  logic [NtW-1:0]        rd_strip_i,
  input  logic [MW-1:0]         rd_row_i,
  output logic [Cols-1:0][PsumW-1:0] rd_data_o
);

  logic [MaxNt-1:0] valid_d, valid_q;

  always_comb begin
    valid_d = valid_q;
    if (clear_i) begin
      valid_d = '0;
    end else if (set_valid_i) begin
      valid_d[strip_i] = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
    end else begin
      valid_q <= valid_d;
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_bank
    logic [PsumW-1:0] mem_q [Depth];
    logic [AddrW-1:0] waddr, raddr;

    assign waddr = AddrW'(32'(strip_i) * MaxM + 32'(row_i[c]));
    assign raddr = AddrW'(32'(rd_strip_i) * MaxM + 32'(rd_row_i));

    // Memory idiom: read-modify-write only on an enable.
    always_ff @(posedge clk_i) begin
      if (we_i[c]) begin
        mem_q[waddr] <= acc_i ? mem_q[waddr] + wdata_i[c] : wdata_i[c];
      end
    end

    assign rd_data_o[c] = valid_q[rd_strip_i] ? mem_q[raddr] : '0;

    `ASSERT(RowInRange_A, we_i[c] |-> 32'(row_i[c]) < MaxM)
  end

  // Writes go to a strip whose first tile has started (its valid bit is set), never to a
  // strip being cleared by a new command.
  `ASSERT(WriteValidStrip_A, |we_i |-> valid_q[strip_i])
  `ASSERT_NEVER(ClearWhileWriting_A, clear_i && |we_i)
  `ASSERT(StripInRange_A, set_valid_i || |we_i |-> 32'(strip_i) < MaxNt)

endmodule
