// sa_acc: the int32 output accumulators of one column strip (docs/timing.md §6): one bank of
// MaxM words per array column, so that the de-skewed results (column c is c cycles late) are
// written in the cycle they leave the array. The first kept tile of a strip writes, later
// tiles add (two's-complement wrap). Row rd_row_i of the strip is read for the output stream
// in the cycle its last column is written: columns 0 .. Cols-2 from the banks, column Cols-1
// from the value being written (so the row leaves without waiting a cycle).
`include "sa_assert.svh"

module sa_acc import sa_pkg::*; #(
  parameter int unsigned Cols = 4,
  parameter int unsigned MaxM = 16,
  localparam int unsigned MW  = idx_w(MaxM)
) (
  input  logic                    clk_i,
  input  logic                    add_i,      // 1: add to the stored value, 0: overwrite
  input  logic [Cols-1:0]         we_i,
  input  logic [Cols-1:0][MW-1:0] row_i,
  input  logic [Cols-1:0][PsumW-1:0] wdata_i,
  input  logic [MW-1:0]           rd_row_i,
  output logic [Cols-1:0][PsumW-1:0] rd_data_o
);

  for (genvar c = 0; c < Cols; c++) begin : g_bank
    logic [PsumW-1:0] mem_q [MaxM];
    logic [PsumW-1:0] wval;

    assign wval = add_i ? mem_q[row_i[c]] + wdata_i[c] : wdata_i[c];

    // Memory idiom: read-modify-write only on an enable.
    always_ff @(posedge clk_i) begin
      if (we_i[c]) begin
        mem_q[row_i[c]] <= wval;
      end
    end

    `ASSERT(RowInRange_A, we_i[c] |-> 32'(row_i[c]) < MaxM, clk_i, 1'b0)

    if (c == Cols - 1) begin : g_last
      assign rd_data_o[c] = wval;
    end else begin : g_stored
      assign rd_data_o[c] = mem_q[rd_row_i];
    end
  end

endmodule
