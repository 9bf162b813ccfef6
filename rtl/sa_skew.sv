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
    // Bits [s*Width +: Width] hold the value s+1 cycles old. One flat vector, so a shift is
    // one assignment: Verilator turns element-wise non-blocking writes into an unpacked array
    // into a set flag and a value per element (about 30 % of a 32x32 cpu_fed co-simulation
    // went into those of the input skew and the output de-skew).
    logic [i*Width-1:0] stage_q;

    // Shifted inside the enable rather than through always_comb _d signals: en_i depends on
    // sa_top's inputs, and Verilator re-settles input-dependent logic on every eval()
    // (the reason is in sa_pe.sv).
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        stage_q <= '0;
      end else if (en_i) begin
        stage_q <= (stage_q << Width) | (i*Width)'(data_i[i]);
      end
    end

    assign data_o[i] = stage_q[(i-1)*Width +: Width];
  end

endmodule
