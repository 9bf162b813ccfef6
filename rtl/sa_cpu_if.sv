// sa_cpu_if: the reference system's CPU interface (integration cpu_fed, docs/timing.md §8.1):
// one custom instruction per cycle over a BusW-wide port drives the array directly, with no
// command, buffers or accumulators. Activations are int8, or fp32 with ActFp (array.act_type
// fp32, docs/timing.md §1.1): P = BusW/8 or BusW/32 activations a word. Instruction kinds
// (ins_op_i, sa_pkg::cpu_op_e):
//   CpuWrite  one word of Pw = BusW/8 weights into the row being assembled (lanes
//             word*Pw ..); the ceil(Cols/Pw)-th word shifts the row into the shadow chain
//             (rows Rows-1 first); the Rows-th row swaps the tile in (its outputs are then
//             counted from step 0)
//   CpuQueue  one word of P activations (lanes pos*P ..) into the step's staging
//   CpuStream the step's last word (lanes (W-1)*P ..): the array advances one step
//   CpuRead   returns the output (int32 or fp32) of lane ins_data_i of the current output row
// W = max(ceil(Rows/P), ceil(Cols/P)) words per step: W-1 queues then one stream.
// Every instruction returns one word in the next cycle (rsp_valid_o): queue/stream return
// word g of the current (de-skewed) output row (g = 0 for a stream, pos+1 for the pos-th
// queue of a step), and rsp_flag_o = the row is
// valid (R+C-1 steps done since the swap). int8: P outputs narrowed to int8 by saturation;
// rsp_psum_o carries the same P outputs at full int32 (observation for the harness;
// docs/timing.md §8.1). fp32: the word is the one fp32 output itself (= rsp_psum_o).
`include "sa_assert.svh"

module sa_cpu_if import sa_pkg::*; #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned BusW = 32,
  parameter bit ActFp = 1'b0,
  localparam int unsigned AW  = ActFp ? FpW : ActW,
  localparam int unsigned P   = BusW / AW,                         // activations per word
  localparam int unsigned Pw  = BusW / WgtW,                       // weights per word
  localparam int unsigned WR  = (Cols + Pw - 1) / Pw,              // weight words per row
  localparam int unsigned WA  = ((Rows > Cols ? Rows : Cols) + P - 1) / P,  // words per step
  localparam int unsigned SW  = cnt_w(Rows + Cols - 1)             // steps since swap, saturating
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // instruction port
  input  logic                       ins_valid_i,
  output logic                       ins_ready_o,
  input  logic [1:0]                 ins_op_i,
  input  logic [BusW-1:0]            ins_data_i,
  // returned word (the cycle after an instruction)
  output logic                       rsp_valid_o,
  output logic                       rsp_flag_o,
  output logic [BusW-1:0]            rsp_data_o,
  output logic [P-1:0][PsumW-1:0]    rsp_psum_o,
  // array
  output logic                       en_o,
  output logic                       wload_o,
  output logic                       swap_o,
  output logic [Cols-1:0][WgtW-1:0]  wrow_o,
  output logic [Rows-1:0][AW-1:0]    act_o,
  input  logic [Cols-1:0][PsumW-1:0] psum_i
);

  localparam int unsigned WRW = idx_w(WR);
  localparam int unsigned WAW = idx_w(WA);
  localparam int unsigned RW  = cnt_w(Rows);
  localparam int unsigned LW  = idx_w(WA * P > Cols ? WA * P : Cols);

  logic fire, op_write, op_queue, op_stream, op_read;
  logic row_done, tile_done;
  logic [WRW-1:0] wword_q;
  logic [RW-1:0]  wrows_q;
  logic [Cols-1:0][WgtW-1:0] wrow_q, wrow_d;
  logic [WAW-1:0] pos_q;
  logic [Rows-1:0][AW-1:0] stage_q, stage_d;
  logic [SW-1:0]  steps_q;
  logic           live_q;   // a tile's weights are active and no weight write followed
  logic           rsp_valid_q, rsp_read_q;
  logic [LW-1:0]  rsp_sel_q;
  logic [Cols-1:0][PsumW-1:0] dsk_in, dsk_out, row;

  assign ins_ready_o = 1'b1;  // every kind completes in one cycle
  assign fire      = ins_valid_i && ins_ready_o;
  assign op_write  = fire && ins_op_i == CpuWrite;
  assign op_queue  = fire && ins_op_i == CpuQueue;
  assign op_stream = fire && ins_op_i == CpuStream;
  assign op_read   = fire && ins_op_i == CpuRead;
  assign row_done  = op_write && 32'(wword_q) == WR - 1;
  assign tile_done = row_done && 32'(wrows_q) == Rows - 1;

  // Weight word into the row being assembled; the row's last word shifts it in.
  always_comb begin
    wrow_d = wrow_q;
    for (int unsigned i = 0; i < Cols; i++) begin
      if (op_write && i / Pw == 32'(wword_q)) wrow_d[i] = ins_data_i[(i % Pw) * WgtW +: WgtW];
    end
  end
  assign wrow_o  = wrow_d;
  assign wload_o = row_done;
  assign swap_o  = tile_done;

  // Activation word into the step's staging; the stream's word goes straight to the array.
  always_comb begin
    stage_d = stage_q;
    for (int unsigned r = 0; r < Rows; r++) begin
      if ((op_queue || op_stream) && r / P == 32'(pos_q)) stage_d[r] = ins_data_i[(r % P) * AW +: AW];
    end
  end
  assign act_o = stage_d;
  assign en_o  = op_stream;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wword_q     <= '0;
      wrows_q     <= '0;
      wrow_q      <= '0;
      pos_q       <= '0;
      stage_q     <= '0;
      steps_q     <= '0;
      live_q      <= 1'b0;
      rsp_valid_q <= 1'b0;
      rsp_read_q  <= 1'b0;
      rsp_sel_q   <= '0;
    end else begin
      wrow_q      <= wrow_d;
      stage_q     <= stage_d;
      rsp_valid_q <= fire;
      rsp_read_q  <= op_read;
      if (op_write) begin
        live_q  <= 1'b0;  // the next tile's weights are coming in: no valid row until swap
        wword_q <= row_done ? '0 : wword_q + 1'b1;
        wrows_q <= tile_done ? '0 : (row_done ? wrows_q + 1'b1 : wrows_q);
      end
      if (tile_done) begin
        live_q  <= 1'b1;
        steps_q <= '0;
        pos_q   <= '0;
      end
      if (op_queue) pos_q <= pos_q + 1'b1;
      if (op_stream) begin
        pos_q <= '0;
        if (32'(steps_q) < Rows + Cols - 1) steps_q <= steps_q + 1'b1;
      end
      // returned word: lane group of a queue/stream, lane of a read
      if (op_stream) rsp_sel_q <= '0;
      else if (op_queue) rsp_sel_q <= LW'((32'(pos_q) + 1) * P);
      else if (op_read) rsp_sel_q <= LW'(ins_data_i);
    end
  end

  // Output de-skew: column c's sum of row m leaves the array Cols-1-c steps before column
  // Cols-1's, so lane Cols-1-c of a skew line delays it by that many steps.
  for (genvar c = 0; c < Cols; c++) begin : g_dsk
    assign dsk_in[Cols-1-c] = psum_i[c];
    assign row[c]           = dsk_out[Cols-1-c];
  end
  sa_skew #(
    .Lanes (Cols),
    .Width (PsumW)
  ) u_dskew (
    .clk_i,
    .rst_ni,
    .en_i   (op_stream),
    .data_i (dsk_in),
    .data_o (dsk_out)
  );

  // An int32 sum narrowed to int8 by saturation (the returned words, docs/timing.md §8.1);
  // in the module, not sa_pkg: Yosys 0.23 resolves no package function in logic.
  function automatic logic [ActW-1:0] sat8(logic [PsumW-1:0] v);
    if ($signed(v) > 32'sd127) sat8 = 8'h7f;
    else if ($signed(v) < -32'sd128) sat8 = 8'h80;
    else sat8 = v[ActW-1:0];
  endfunction

  // Returned word: P lanes from rsp_sel_q, saturated to int8; a read returns one int32; fp32
  // words carry the output as it is.
  always_comb begin
    rsp_data_o = '0;
    rsp_psum_o = '0;
    for (int unsigned p = 0; p < P; p++) begin
      if (32'(rsp_sel_q) + p < Cols) rsp_psum_o[p] = row[32'(rsp_sel_q) + p];
    end
    if (rsp_read_q || ActFp) begin
      // a read's one output; fp32 queue/stream words carry theirs unchanged (P = 1)
      rsp_data_o = BusW'($signed(rsp_psum_o[0]));
    end else begin
      for (int unsigned p = 0; p < P; p++) begin
        rsp_data_o[p * ActW +: ActW] = sat8(rsp_psum_o[p]);
      end
    end
  end
  assign rsp_valid_o = rsp_valid_q;
  assign rsp_flag_o  = live_q && 32'(steps_q) == Rows + Cols - 1;

  // Parameters: a bus word holds whole activation lanes, at least one 32-bit output.
  `ASSERT_INIT(BusWidth_A, BusW >= PsumW && BusW % AW == 0 && BusW % WgtW == 0)
  `ASSERT_KNOWN(InsValidKnown_A, ins_valid_i)
  `ASSERT_KNOWN_IF(InsKnown_A, {ins_op_i, ins_data_i}, ins_valid_i)
  // An offered instruction is held until it is accepted.
  `ASSERT(InsValidHeld_A, ins_valid_i && !ins_ready_o |=>
          ins_valid_i && $stable(ins_op_i) && $stable(ins_data_i))
  // No queue or stream before a whole tile of weights is in, nor while a tile's weight
  // writes are half done (the rows already shifted would mix two tiles).
  `ASSERT(StreamNeedsWeights_A, (op_queue || op_stream) |-> live_q && wrows_q == '0 &&
          wword_q == '0)
  // W-1 queues, then one stream, per step.
  `ASSERT(QueuePerStep_A, op_queue |-> 32'(pos_q) < WA - 1)
  `ASSERT(StreamAfterQueues_A, op_stream |-> 32'(pos_q) == WA - 1)
  // A read names an output lane of the array.
  `ASSERT(ReadLaneInRange_A, op_read |-> ins_data_i < BusW'(Cols))
  `ASSERT_KNOWN(RspKnown_A, {rsp_valid_o, rsp_flag_o})

endmodule
