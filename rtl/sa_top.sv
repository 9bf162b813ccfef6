// sa_top: the accelerator model co-simulated against the C model: controller, input skew,
// Rows x Cols array, and behavioural memories (activations, tile-ordered weights, tile mask,
// int32 output buffer). The host port loads the memories and reads results back; memory
// sizes bound one command to M <= MaxM, K <= MaxK, N <= MaxN. Host port rule (asserted
// below): the memories are written only while the controller is idle (cmd_ready_o).
`include "sa_assert.svh"

module sa_top import sa_pkg::*; #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned MaxM = 1024,
  parameter int unsigned MaxK = 1024,
  parameter int unsigned MaxN = 1024,
  localparam int unsigned MaxKt  = max_kt(MaxK, Rows),
  localparam int unsigned MaxNt  = max_nt(MaxN, Cols),
  localparam int unsigned XDepth = x_depth(MaxM, MaxKt),
  localparam int unsigned WDepth = w_depth(MaxKt, MaxNt, Rows),
  localparam int unsigned XAddrW = idx_w(XDepth),
  localparam int unsigned WAddrW = idx_w(WDepth),
  localparam int unsigned MW     = idx_w(MaxM),
  localparam int unsigned NtW    = idx_w(MaxNt)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // command
  input  logic                   cmd_valid_i,
  output logic                   cmd_ready_o,
  input  logic [CmdW-1:0]          cmd_m_i,
  input  logic [CmdW-1:0]          cmd_k_i,
  input  logic [CmdW-1:0]          cmd_n_i,
  output logic                   done_o,
  // observation for the harness: a kept tile's stream phase starts (docs/timing.md §4)
  output logic                   tile_start_o,
  output logic [CmdW-1:0]          tile_kt_o,
  output logic [CmdW-1:0]          tile_nt_o,
  // host writes (layouts in sa_ctrl.sv)
  input  logic                   host_x_we_i,
  input  logic [XAddrW-1:0]      host_x_addr_i,
  input  logic [Rows-1:0][ActW-1:0] host_x_wdata_i,
  input  logic                   host_w_we_i,
  input  logic [WAddrW-1:0]      host_w_addr_i,
  input  logic [Cols-1:0][WgtW-1:0] host_w_wdata_i,
  input  logic                   host_mask_we_i,    // strip word: bit kt = keep (kt, nt)
  input  logic [NtW-1:0]         host_mask_nt_i,
  input  logic [MaxKt-1:0]       host_mask_wdata_i,
  // host read of the output buffer: row m of strip nt (0 for a strip with no kept tile)
  input  logic [NtW-1:0]         host_rd_strip_i,
  input  logic [MW-1:0]          host_rd_row_i,
  output logic [Cols-1:0][PsumW-1:0] host_rd_data_o
);

  logic [NtW-1:0]           mask_rd0_nt, mask_rd1_nt;
  logic [MaxKt-1:0]         mask_rd0, mask_rd1;
  logic [MaxNt-1:0]         mask_any;
  logic [XAddrW-1:0]        x_raddr;
  logic [Rows-1:0][ActW-1:0]  x_rdata;
  logic [WAddrW-1:0]        w_raddr;
  logic [Cols-1:0][WgtW-1:0]  w_rdata;
  logic                     wload, swap;
  logic [Cols-1:0][WgtW-1:0]  wrow;
  logic [Rows-1:0][ActW-1:0]  act, act_skewed;
  logic [Cols-1:0][PsumW-1:0] psum;
  logic                     obuf_clear, obuf_set_valid, obuf_acc;
  logic [NtW-1:0]           obuf_strip;
  logic [Cols-1:0]          obuf_we;
  logic [Cols-1:0][MW-1:0]  obuf_row;

  sa_ctrl #(
    .Rows  (Rows),
    .Cols  (Cols),
    .MaxM  (MaxM),
    .MaxKt (MaxKt),
    .MaxNt (MaxNt)
  ) u_ctrl (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_m_i,
    .cmd_k_i,
    .cmd_n_i,
    .done_o,
    .tile_start_o,
    .tile_kt_o,
    .tile_nt_o,
    .mask_rd0_nt_o    (mask_rd0_nt),
    .mask_rd0_i       (mask_rd0),
    .mask_rd1_nt_o    (mask_rd1_nt),
    .mask_rd1_i       (mask_rd1),
    .mask_any_i       (mask_any),
    .x_raddr_o        (x_raddr),
    .x_rdata_i        (x_rdata),
    .w_raddr_o        (w_raddr),
    .w_rdata_i        (w_rdata),
    .wload_o          (wload),
    .swap_o           (swap),
    .wrow_o           (wrow),
    .act_o            (act),
    .obuf_clear_o     (obuf_clear),
    .obuf_set_valid_o (obuf_set_valid),
    .obuf_strip_o     (obuf_strip),
    .obuf_acc_o       (obuf_acc),
    .obuf_we_o        (obuf_we),
    .obuf_row_o       (obuf_row)
  );

  sa_mask_mem #(
    .MaxKt (MaxKt),
    .MaxNt (MaxNt)
  ) u_mask (
    .clk_i,
    .rst_ni,
    .we_i     (host_mask_we_i),
    .wnt_i    (host_mask_nt_i),
    .wdata_i  (host_mask_wdata_i),
    .rd0_nt_i (mask_rd0_nt),
    .rd0_o    (mask_rd0),
    .rd1_nt_i (mask_rd1_nt),
    .rd1_o    (mask_rd1),
    .any_o    (mask_any)
  );

  sa_ram_1w1r #(
    .Width (Rows * ActW),
    .Depth (XDepth)
  ) u_xmem (
    .clk_i,
    .we_i    (host_x_we_i),
    .waddr_i (host_x_addr_i),
    .wdata_i (host_x_wdata_i),
    .raddr_i (x_raddr),
    .rdata_o (x_rdata)
  );

  sa_ram_1w1r #(
    .Width (Cols * WgtW),
    .Depth (WDepth)
  ) u_wmem (
    .clk_i,
    .we_i    (host_w_we_i),
    .waddr_i (host_w_addr_i),
    .wdata_i (host_w_wdata_i),
    .raddr_i (w_raddr),
    .rdata_o (w_rdata)
  );

  sa_skew #(
    .Lanes (Rows),
    .Width (ActW)
  ) u_skew (
    .clk_i,
    .rst_ni,
    .data_i (act),
    .data_o (act_skewed)
  );

  sa_array #(
    .Rows (Rows),
    .Cols (Cols)
  ) u_array (
    .clk_i,
    .rst_ni,
    .wload_i (wload),
    .swap_i  (swap),
    .wrow_i  (wrow),
    .act_i   (act_skewed),
    .psum_o  (psum)
  );

  sa_obuf #(
    .Cols  (Cols),
    .MaxM  (MaxM),
    .MaxNt (MaxNt)
  ) u_obuf (
    .clk_i,
    .rst_ni,
    .clear_i     (obuf_clear),
    .set_valid_i (obuf_set_valid),
    .strip_i     (obuf_strip),
    .acc_i       (obuf_acc),
    .we_i        (obuf_we),
    .row_i       (obuf_row),
    .wdata_i     (psum),
    .rd_strip_i  (host_rd_strip_i),
    .rd_row_i    (host_rd_row_i),
    .rd_data_o   (host_rd_data_o)
  );

  // Host port: loading a memory while a command runs would change its operands mid-flight.
  `ASSERT_NEVER(HostWriteWhileBusy_A,
                !cmd_ready_o && (host_x_we_i || host_w_we_i || host_mask_we_i))
  // No X on the control inputs and outputs once out of reset (4-state simulators).
  `ASSERT_KNOWN(CmdValidKnown_A, cmd_valid_i)
  `ASSERT_KNOWN_IF(CmdKnown_A, {cmd_m_i, cmd_k_i, cmd_n_i}, cmd_valid_i)
  `ASSERT_KNOWN(HostWeKnown_A, {host_x_we_i, host_w_we_i, host_mask_we_i})
  `ASSERT_KNOWN(CmdReadyKnown_A, cmd_ready_o)
  `ASSERT_KNOWN(DoneKnown_A, done_o)
  `ASSERT_KNOWN(TileStartKnown_A, tile_start_o)
  `ASSERT_KNOWN_IF(TileKnown_A, {tile_kt_o, tile_nt_o}, tile_start_o)

endmodule
