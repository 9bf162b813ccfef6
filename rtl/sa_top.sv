// sa_top: the accelerator co-simulated against the C model: controller, input skew, Rows x
// Cols array, the activation buffer of one tile and the accumulators of one strip, fed and
// drained through valid/ready streams (docs/timing.md §6): a command {M, K, N, T}, the T
// kept tiles' coordinates, their weight rows and activation rows in, output rows out. On-chip
// storage depends on the array and MaxM (rows per command) only, so any K and N run.
// With cpu_mode_i high (a configuration pin: tie it off in a real design) the array is
// driven instead by sa_cpu_if, the reference system's custom-instruction port (integration
// cpu_fed, docs/timing.md §8.1), and the streams stay idle. ActFp = 1 builds the fp32
// activation data path (array.act_type fp32, docs/timing.md §1.1): fp32 PEs and a CPU port
// of one fp32 activation per word; fp32 runs only through the CPU port (the streaming
// interface and its accumulators are the int8 dma integration's, and stay int8).
`include "sa_assert.svh"

module sa_top import sa_pkg::*; #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned MaxM = 1024,
  parameter int unsigned BusW = 32,
  parameter bit ActFp = 1'b0,
  localparam int unsigned AW  = ActFp ? FpW : ActW,
  localparam int unsigned P   = BusW / AW,
  localparam int unsigned MW  = idx_w(MaxM)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   cpu_mode_i,      // 1: the CPU port drives the array
  // CPU custom-instruction port (cpu_mode_i; sa_cpu_if)
  input  logic                   ins_valid_i,
  output logic                   ins_ready_o,
  input  logic [1:0]             ins_op_i,
  input  logic [BusW-1:0]        ins_data_i,
  output logic                   rsp_valid_o,
  output logic                   rsp_flag_o,
  output logic [BusW-1:0]        rsp_data_o,
  output logic [P-1:0][PsumW-1:0] rsp_psum_o,
  // command
  input  logic                   cmd_valid_i,
  output logic                   cmd_ready_o,
  input  logic [CmdW-1:0]          cmd_m_i,
  input  logic [CmdW-1:0]          cmd_k_i,
  input  logic [CmdW-1:0]          cmd_n_i,
  input  logic [CmdW-1:0]          cmd_tiles_i,     // T: kept tiles that will follow
  output logic                   done_o,
  // kept tiles in visit order (strips outer, kt inner)
  input  logic                   tile_valid_i,
  output logic                   tile_ready_o,
  input  logic [CmdW-1:0]          tile_kt_i,
  input  logic [CmdW-1:0]          tile_nt_i,
  // per kept tile, Rows weight rows, row Rows-1 first: lane c = W[kt*Rows + r][nt*Cols + c]
  input  logic                   w_valid_i,
  output logic                   w_ready_o,
  input  logic [Cols-1:0][WgtW-1:0] w_data_i,
  // per kept tile, M activation rows: lane r = X[m][kt*Rows + r]
  input  logic                   x_valid_i,
  output logic                   x_ready_o,
  input  logic [Rows-1:0][ActW-1:0] x_data_i,
  // per strip with a kept tile, M output rows: lane c = Y[out_row_o][out_nt_o*Cols + c]
  // (0 past N)
  output logic                   out_valid_o,
  input  logic                   out_ready_i,
  output logic [CmdW-1:0]          out_row_o,
  output logic [CmdW-1:0]          out_nt_o,
  output logic [Cols-1:0][PsumW-1:0] out_data_o,
  // observation for the harness (docs/timing.md §4, §6)
  output logic                   tile_start_o,
  output logic [CmdW-1:0]          tile_kt_o,
  output logic [CmdW-1:0]          tile_nt_o,
  output logic                   stall_o
);

  logic                     x_we;
  logic [MW-1:0]            x_waddr, x_raddr;
  logic [Rows-1:0][ActW-1:0] x_rdata;
  logic                     en, wload, swap;
  logic                     s_en, s_wload, s_swap, c_en, c_wload, c_swap;
  logic [Cols-1:0][WgtW-1:0] c_wrow, wrow;
  logic [Rows-1:0][ActW-1:0] s_act;
  logic [Rows-1:0][AW-1:0]  act, c_act, act_skewed;
  logic [Cols-1:0][PsumW-1:0] psum;
  logic                     acc_add;
  logic [Cols-1:0]          acc_we;
  logic [Cols-1:0][MW-1:0]  acc_row;
  logic [MW-1:0]            acc_rd_row;
  logic [Cols-1:0][PsumW-1:0] acc_rd;
  logic [Cols-1:0]          out_lane_en;

  sa_ctrl #(
    .Rows (Rows),
    .Cols (Cols),
    .MaxM (MaxM)
  ) u_ctrl (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_m_i,
    .cmd_k_i,
    .cmd_n_i,
    .cmd_tiles_i,
    .done_o,
    .tile_valid_i,
    .tile_ready_o,
    .tile_kt_i,
    .tile_nt_i,
    .w_valid_i,
    .w_ready_o,
    .x_valid_i,
    .x_ready_o,
    .x_we_o        (x_we),
    .x_waddr_o     (x_waddr),
    .x_raddr_o     (x_raddr),
    .x_rdata_i     (x_rdata),
    .out_valid_o,
    .out_ready_i,
    .out_row_o,
    .out_nt_o,
    .out_lane_en_o (out_lane_en),
    .tile_start_o,
    .tile_kt_o,
    .tile_nt_o,
    .stall_o,
    .en_o          (s_en),
    .wload_o       (s_wload),
    .swap_o        (s_swap),
    .act_o         (s_act),
    .acc_add_o     (acc_add),
    .acc_we_o      (acc_we),
    .acc_row_o     (acc_row),
    .acc_rd_row_o  (acc_rd_row)
  );

  sa_cpu_if #(
    .Rows (Rows),
    .Cols (Cols),
    .BusW (BusW),
    .ActFp (ActFp)
  ) u_cpu (
    .clk_i,
    .rst_ni,
    .ins_valid_i (ins_valid_i && cpu_mode_i),
    .ins_ready_o,
    .ins_op_i,
    .ins_data_i,
    .rsp_valid_o,
    .rsp_flag_o,
    .rsp_data_o,
    .rsp_psum_o,
    .en_o        (c_en),
    .wload_o     (c_wload),
    .swap_o      (c_swap),
    .wrow_o      (c_wrow),
    .act_o       (c_act),
    .psum_i      (psum)
  );

  // The array's driver: the controller (streams) or the CPU port.
  assign en    = cpu_mode_i ? c_en    : s_en;
  assign wload = cpu_mode_i ? c_wload : s_wload;
  assign swap  = cpu_mode_i ? c_swap  : s_swap;
  for (genvar r = 0; r < Rows; r++) begin : g_act
    assign act[r] = cpu_mode_i ? c_act[r] : AW'(s_act[r]);  // fp32: streams unused (below)
  end
  assign wrow  = cpu_mode_i ? c_wrow  : w_data_i;

  // One tile's activations: MaxM rows of Rows lanes.
  sa_ram_1w1r #(
    .Width (Rows * ActW),
    .Depth (MaxM)
  ) u_xbuf (
    .clk_i,
    .we_i    (x_we),
    .waddr_i (x_waddr),
    .wdata_i (x_data_i),
    .raddr_i (x_raddr),
    .rdata_o (x_rdata)
  );

  sa_skew #(
    .Lanes (Rows),
    .Width (AW)
  ) u_skew (
    .clk_i,
    .rst_ni,
    .en_i   (en),
    .data_i (act),
    .data_o (act_skewed)
  );

  sa_array #(
    .Rows  (Rows),
    .Cols  (Cols),
    .ActFp (ActFp)
  ) u_array (
    .clk_i,
    .rst_ni,
    .en_i    (en),
    .wload_i (wload),
    .swap_i  (swap),
    .wrow_i  (wrow),
    .act_i   (act_skewed),
    .psum_o  (psum)
  );

  sa_acc #(
    .Cols (Cols),
    .MaxM (MaxM)
  ) u_acc (
    .clk_i,
    .add_i     (acc_add),
    .we_i      (acc_we),
    .row_i     (acc_row),
    .wdata_i   (psum),
    .rd_row_i  (acc_rd_row),
    .rd_data_o (acc_rd)
  );

  for (genvar c = 0; c < Cols; c++) begin : g_out
    assign out_data_o[c] = out_lane_en[c] ? acc_rd[c] : '0;
  end

  // Inputs and outputs carry no X/Z (4-state simulators; Verilator is 2-state).
  `ASSERT_KNOWN(CpuModeKnown_A, cpu_mode_i)
  // The mode pin is static while anything is in flight.
  `ASSERT(CpuModeStable_A, $stable(cpu_mode_i) || (cmd_ready_o && !rsp_valid_o))
  `ASSERT_NEVER(StreamsIdleInCpuMode_A, cpu_mode_i && (cmd_valid_i || tile_valid_i ||
                w_valid_i || x_valid_i))
  `ASSERT_NEVER(InsOnlyInCpuMode_A, !cpu_mode_i && ins_valid_i)
  // fp32 activations run through the CPU port only.
  `ASSERT_NEVER(Fp32CpuModeOnly_A, ActFp && !cpu_mode_i && cmd_valid_i)
  `ASSERT_KNOWN(CmdValidKnown_A, cmd_valid_i)
  `ASSERT_KNOWN_IF(CmdKnown_A, {cmd_m_i, cmd_k_i, cmd_n_i, cmd_tiles_i}, cmd_valid_i)
  `ASSERT_KNOWN(ValidsKnown_A, {tile_valid_i, w_valid_i, x_valid_i, out_ready_i})
  `ASSERT_KNOWN_IF(TileKnownIn_A, {tile_kt_i, tile_nt_i}, tile_valid_i)
  `ASSERT_KNOWN_IF(WKnown_A, w_data_i, w_valid_i)
  `ASSERT_KNOWN_IF(XKnown_A, x_data_i, x_valid_i)
  `ASSERT_KNOWN(ReadyKnown_A, {cmd_ready_o, tile_ready_o, w_ready_o, x_ready_o})
  `ASSERT_KNOWN(DoneKnown_A, done_o)
  `ASSERT_KNOWN(OutValidKnown_A, out_valid_o)
  `ASSERT_KNOWN_IF(OutKnown_A, {out_row_o, out_nt_o, out_data_o}, out_valid_o)
  `ASSERT_KNOWN(TileStartKnown_A, tile_start_o)
  `ASSERT_KNOWN_IF(TileKnown_A, {tile_kt_o, tile_nt_o}, tile_start_o)

endmodule
