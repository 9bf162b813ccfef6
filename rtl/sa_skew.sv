// sa_skew: triangular delay line. Lane i of the output is lane i of the input delayed by
// i clock cycles (lane 0 passes through combinationally). Used as the input skew of the
// array: activation X[m][r] presented at stream cycle m enters row r at cycle m + r. The
// delay stages shift only when en_i is high (stall cycles hold them, docs/timing.md §6).
module sa_skew #(
  parameter int unsigned Lanes = 4,
  parameter int unsigned Width = 8
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         en_i,
  input  logic [Lanes-1:0][Width-1:0]  data_i,
  output logic [Lanes-1:0][Width-1:0]  data_o
);

  assign data_o[0] = data_i[0];

  for (genvar i = 1; i < Lanes; i++) begin : g_lane
    // stage_q[0] holds the value one cycle old, stage_q[i-1] the value i cycles old
    logic [Width-1:0] stage_q [i];

    // Shifted inside the enable rather than through always_comb _d signals: en_i depends on
    // sa_top's inputs, and Verilator re-settles input-dependent logic on every eval()
    // (the reason is in sa_pe.sv).
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned s = 0; s < i; s++) begin
          stage_q[s] <= '0;
        end
      end else if (en_i) begin
        // element by element (not a whole-array copy: Yosys 0.23, scripts/synth)
        stage_q[0] <= data_i[i];
        for (int unsigned s = 1; s < i; s++) begin
          stage_q[s] <= stage_q[s-1];
        end
      end
    end

    assign data_o[i] = stage_q[i-1];
  end

endmodule
