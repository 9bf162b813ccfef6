// sa_array: Rows x Cols grid of sa_pe (int8, or with ActFp fp32, activations and sums).
// Activations enter each row from the left (already skewed), partial sums start at 0 (+0.0
// in fp32) at the top and leave the bottom row registered; a weight row enters the shadow
// chain of every column at the top, one row per wload_i cycle. en_i advances the data path
// (activations and partial sums) of every PE.
module sa_array import sa_pkg::*; #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter bit ActFp = 1'b0,
  localparam int unsigned AW = ActFp ? FpW : ActW
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          en_i,
  input  logic                          wload_i,
  input  logic                          swap_i,
  input  logic [Cols-1:0][WgtW-1:0]     wrow_i,   // weight row entering the top of the chain
  input  logic [Rows-1:0][AW-1:0]       act_i,    // activation entering row r
  output logic [Cols-1:0][PsumW-1:0]    psum_o    // bottom-row sums, registered
);

  // Horizontal activation, vertical sum and vertical shadow-weight nets; index 0 is the
  // array edge, index Cols (Rows) is the unused output past the last PE.
  logic [AW-1:0]           act_h  [Rows][Cols+1];
  logic [PsumW-1:0]        psum_v [Rows+1][Cols];
  logic signed [WgtW-1:0]  w_v    [Rows+1][Cols];

  for (genvar r = 0; r < Rows; r++) begin : g_row
    assign act_h[r][0] = act_i[r];
    for (genvar c = 0; c < Cols; c++) begin : g_col
      sa_pe #(
        .ActFp (ActFp)
      ) u_pe (
        .clk_i,
        .rst_ni,
        .en_i,
        .wload_i,
        .swap_i,
        .w_i    (w_v[r][c]),
        .w_o    (w_v[r+1][c]),
        .act_i  (act_h[r][c]),
        .act_o  (act_h[r][c+1]),
        .psum_i (psum_v[r][c]),
        .psum_o (psum_v[r+1][c])
      );
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_edge
    assign w_v[0][c]    = wrow_i[c];
    assign psum_v[0][c] = '0;
    assign psum_o[c]    = psum_v[Rows][c];
  end

endmodule
