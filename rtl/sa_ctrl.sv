// sa_ctrl: executes GEMM commands Y[M x N] = X[M x K] W[K x N] on the array exactly as
// docs/timing.md §2-4 specify: kept tiles only, visited strip by strip (nt outer, kt inner);
// weight load of the first tile in cycles [0, Rows), the next tile's load hidden in the first
// Rows cycles of each stream phase, swap on the last edge before a stream phase, stream
// phases of S = M + Rows + Cols - 1 cycles back to back, done pulsed in cycle R + T*S (the
// first cycle after the command), i.e. array_cycles cycles after acceptance.
// The next kept tile is found by priority encoders over the mask (no cycles spent on
// pruned tiles). Memory layouts (flat word addresses):
//   activations: word (kt, m) at kt*MaxM + m holds X[m][kt*Rows + r] in lane r
//   weights:     word ((kt*MaxNt + nt)*Rows + r) holds W[kt*Rows + r][nt*Cols + c] in lane c
// Registers are sized from the parameters (sa_pkg); the protocol rules the host must keep
// and the visit order the controller promises are assertions at the end of this file.
`include "sa_assert.svh"

module sa_ctrl import sa_pkg::*; #(
  parameter int unsigned Rows  = 4,
  parameter int unsigned Cols  = 4,
  parameter int unsigned MaxM  = 16,
  parameter int unsigned MaxKt = 16,
  parameter int unsigned MaxNt = 16,
  localparam int unsigned XDepth = x_depth(MaxM, MaxKt),
  localparam int unsigned WDepth = w_depth(MaxKt, MaxNt, Rows),
  localparam int unsigned XAddrW = idx_w(XDepth),
  localparam int unsigned WAddrW = idx_w(WDepth),
  localparam int unsigned MW     = idx_w(MaxM),
  localparam int unsigned NtW    = idx_w(MaxNt)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // command interface (valid/ready); the host keeps 1 <= M <= MaxM, 1 <= K <= MaxKt*Rows,
  // 1 <= N <= MaxNt*Cols, and holds valid and the fields until ready
  input  logic                       cmd_valid_i,
  output logic                       cmd_ready_o,
  input  logic [CmdW-1:0]            cmd_m_i,
  input  logic [CmdW-1:0]            cmd_k_i,
  input  logic [CmdW-1:0]            cmd_n_i,
  output logic                       done_o,
  // observation: high in the first stream cycle of each kept tile, with that tile
  output logic                       tile_start_o,
  output logic [CmdW-1:0]            tile_kt_o,
  output logic [CmdW-1:0]            tile_nt_o,
  // tile mask
  output logic [NtW-1:0]             mask_rd0_nt_o,
  input  logic [MaxKt-1:0]           mask_rd0_i,
  output logic [NtW-1:0]             mask_rd1_nt_o,
  input  logic [MaxKt-1:0]           mask_rd1_i,
  input  logic [MaxNt-1:0]           mask_any_i,
  // activation and weight memories
  output logic [XAddrW-1:0]          x_raddr_o,
  input  logic [Rows-1:0][ActW-1:0]  x_rdata_i,
  output logic [WAddrW-1:0]          w_raddr_o,
  input  logic [Cols-1:0][WgtW-1:0]  w_rdata_i,
  // array
  output logic                       wload_o,
  output logic                       swap_o,
  output logic [Cols-1:0][WgtW-1:0]  wrow_o,
  output logic [Rows-1:0][ActW-1:0]  act_o,     // before the input skew
  // output buffer
  output logic                       obuf_clear_o,
  output logic                       obuf_set_valid_o,
  output logic [NtW-1:0]             obuf_strip_o,
  output logic                       obuf_acc_o,
  output logic [Cols-1:0]            obuf_we_o,
  output logic [Cols-1:0][MW-1:0]    obuf_row_o
);

  // Widths of the command registers: indices 0 .. n-1 (idx_w), counts 0 .. n (cnt_w).
  localparam int unsigned KtW    = idx_w(MaxKt);
  localparam int unsigned KtCntW = cnt_w(MaxKt);
  localparam int unsigned NtCntW = cnt_w(MaxNt);
  localparam int unsigned MCntW  = cnt_w(MaxM);
  localparam int unsigned KW     = cnt_w(MaxKt * Rows);
  localparam int unsigned NW     = cnt_w(MaxNt * Cols);
  localparam int unsigned RowW   = idx_w(Rows);
  // cycle within a load (0 .. Rows-1) or stream (0 .. S-1) phase
  localparam int unsigned CntW   = idx_w(max_stream(MaxM, Rows, Cols));

  ctrl_state_e       state_d, state_q;
  logic [CntW-1:0]   cnt_d, cnt_q;
  logic [MCntW-1:0]  m_d, m_q;
  logic [KW-1:0]     k_d, k_q;
  logic [NW-1:0]     n_d, n_q;
  logic [KtCntW-1:0] kt_tot_d, kt_tot_q;
  logic [NtCntW-1:0] nt_tot_d, nt_tot_q;
  logic [CntW-1:0]   s_last_d, s_last_q;    // S - 1
  logic [KtW-1:0]    cur_kt_d, cur_kt_q, nxt_kt_d, nxt_kt_q;
  logic [NtW-1:0]    cur_nt_d, cur_nt_q, nxt_nt_d, nxt_nt_q;
  logic              nxt_valid_d, nxt_valid_q;
  logic              first_d, first_q;      // current tile is the first kept tile of its strip
  logic              done_d, done_q;

  logic              accept;
  logic [KtCntW-1:0] cmd_kt;
  logic [NtCntW-1:0] cmd_nt;

  assign cmd_ready_o = (state_q == StIdle);
  assign accept      = cmd_valid_i && cmd_ready_o;
  assign cmd_kt      = KtCntW'((cmd_k_i + Rows - 1) / Rows);
  assign cmd_nt      = NtCntW'((cmd_n_i + Cols - 1) / Cols);

  // ---------------------------------------------------------------------------------------
  // Next-kept-tile search: the first kept tile (kt, nt) in visit order with nt == srch_nt and
  // kt >= srch_kt_lo, or failing that in a later strip. Combinational; only evaluated in the
  // cycles that need it (command accept, first load cycle, last stream cycle).
  // ---------------------------------------------------------------------------------------
  logic              srch_en;
  logic [NtW-1:0]    srch_nt;
  logic [KtCntW-1:0] srch_kt_lo, srch_kt_tot;
  logic [NtCntW-1:0] srch_nt_tot;
  logic              srch1_found, srch2_found, srch3_found;
  logic [KtW-1:0]    srch1_kt, srch3_kt;
  logic [NtW-1:0]    srch2_nt;
  logic              srch_found;
  logic [KtW-1:0]    srch_kt;
  logic [NtW-1:0]    srch_nt_res;

  always_comb begin
    srch_en     = 1'b0;
    srch_nt     = '0;
    srch_kt_lo  = '0;
    srch_kt_tot = kt_tot_q;
    srch_nt_tot = nt_tot_q;
    unique case (state_q)
      StIdle: begin
        srch_en     = cmd_valid_i;
        srch_kt_tot = cmd_kt;
        srch_nt_tot = cmd_nt;
      end
      StLoad: begin
        srch_en    = (cnt_q == '0);
        srch_nt    = cur_nt_q;
        srch_kt_lo = KtCntW'(cur_kt_q) + 1'b1;
      end
      StStream: begin
        srch_en    = (cnt_q == s_last_q) && nxt_valid_q;
        srch_nt    = nxt_nt_q;
        srch_kt_lo = KtCntW'(nxt_kt_q) + 1'b1;
      end
      default: ;
    endcase
  end

  assign mask_rd0_nt_o = srch_nt;
  assign mask_rd1_nt_o = srch2_nt;

  // step 1: later kept tile in the same strip
  always_comb begin
    srch1_found = 1'b0;
    srch1_kt    = '0;
    if (srch_en) begin
      for (int unsigned i = 0; i < MaxKt; i++) begin
        if (!srch1_found && KtCntW'(i) >= srch_kt_lo && KtCntW'(i) < srch_kt_tot &&
            mask_rd0_i[i]) begin
          srch1_found = 1'b1;
          srch1_kt    = KtW'(i);
        end
      end
    end
  end

  // step 2: the next strip holding any kept tile
  always_comb begin
    srch2_found = 1'b0;
    srch2_nt    = '0;
    if (srch_en && !srch1_found) begin
      for (int unsigned j = 0; j < MaxNt; j++) begin
        if (!srch2_found && NtCntW'(j) > NtCntW'(srch_nt) && NtCntW'(j) < srch_nt_tot &&
            mask_any_i[j]) begin
          srch2_found = 1'b1;
          srch2_nt    = NtW'(j);
        end
      end
    end
  end

  // step 3: the first kept tile of that strip
  always_comb begin
    srch3_found = 1'b0;
    srch3_kt    = '0;
    if (srch2_found) begin
      for (int unsigned i = 0; i < MaxKt; i++) begin
        if (!srch3_found && KtCntW'(i) < srch_kt_tot && mask_rd1_i[i]) begin
          srch3_found = 1'b1;
          srch3_kt    = KtW'(i);
        end
      end
    end
  end

  always_comb begin
    srch_found  = srch1_found || srch3_found;
    srch_kt     = srch1_found ? srch1_kt : srch3_kt;
    srch_nt_res = srch1_found ? srch_nt : srch2_nt;
  end

  // ---------------------------------------------------------------------------------------
  // Phase sequencing
  // ---------------------------------------------------------------------------------------
  always_comb begin
    state_d     = state_q;
    cnt_d       = cnt_q;
    m_d         = m_q;
    k_d         = k_q;
    n_d         = n_q;
    kt_tot_d    = kt_tot_q;
    nt_tot_d    = nt_tot_q;
    s_last_d    = s_last_q;
    cur_kt_d    = cur_kt_q;
    cur_nt_d    = cur_nt_q;
    nxt_kt_d    = nxt_kt_q;
    nxt_nt_d    = nxt_nt_q;
    nxt_valid_d = nxt_valid_q;
    first_d     = first_q;
    done_d      = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (accept) begin
          m_d         = MCntW'(cmd_m_i);
          k_d         = KW'(cmd_k_i);
          n_d         = NW'(cmd_n_i);
          kt_tot_d    = cmd_kt;
          nt_tot_d    = cmd_nt;
          s_last_d    = CntW'(cmd_m_i + Rows + Cols - 2);
          cur_kt_d    = srch_kt;
          cur_nt_d    = srch_nt_res;
          nxt_valid_d = 1'b0;
          first_d     = 1'b1;
          cnt_d       = '0;
          if (srch_found) begin
            state_d = StLoad;
          end else begin
            done_d = 1'b1;  // no kept tile: 0 cycles, Y = 0
          end
        end
      end
      StLoad: begin
        if (cnt_q == '0) begin
          nxt_valid_d = srch_found;
          nxt_kt_d    = srch_kt;
          nxt_nt_d    = srch_nt_res;
        end
        if (cnt_q == CntW'(Rows - 1)) begin
          state_d = StStream;
          cnt_d   = '0;
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end
      StStream: begin
        if (cnt_q == s_last_q) begin
          cnt_d = '0;
          if (nxt_valid_q) begin
            cur_kt_d    = nxt_kt_q;
            cur_nt_d    = nxt_nt_q;
            first_d     = (nxt_nt_q != cur_nt_q);
            nxt_valid_d = srch_found;
            nxt_kt_d    = srch_kt;
            nxt_nt_d    = srch_nt_res;
          end else begin
            state_d = StIdle;
            done_d  = 1'b1;
          end
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      cnt_q       <= '0;
      m_q         <= '0;
      k_q         <= '0;
      n_q         <= '0;
      kt_tot_q    <= '0;
      nt_tot_q    <= '0;
      s_last_q    <= '0;
      cur_kt_q    <= '0;
      cur_nt_q    <= '0;
      nxt_kt_q    <= '0;
      nxt_nt_q    <= '0;
      nxt_valid_q <= 1'b0;
      first_q     <= 1'b0;
      done_q      <= 1'b0;
    end else begin
      state_q     <= state_d;
      cnt_q       <= cnt_d;
      m_q         <= m_d;
      k_q         <= k_d;
      n_q         <= n_d;
      kt_tot_q    <= kt_tot_d;
      nt_tot_q    <= nt_tot_d;
      s_last_q    <= s_last_d;
      cur_kt_q    <= cur_kt_d;
      cur_nt_q    <= cur_nt_d;
      nxt_kt_q    <= nxt_kt_d;
      nxt_nt_q    <= nxt_nt_d;
      nxt_valid_q <= nxt_valid_d;
      first_q     <= first_d;
      done_q      <= done_d;
    end
  end

  assign done_o       = done_q;
  assign tile_start_o = (state_q == StStream) && cnt_q == '0;
  assign tile_kt_o    = CmdW'(cur_kt_q);
  assign tile_nt_o    = CmdW'(cur_nt_q);

  // ---------------------------------------------------------------------------------------
  // Weight load: tile rows enter the top of the shadow chain bottom row first, so after
  // Rows shifts tile row r sits in PE row r. Padding rows/columns load 0.
  // ---------------------------------------------------------------------------------------
  logic            in_load, in_stream;
  logic            wl_en;
  logic [KtW-1:0]  wl_kt;
  logic [NtW-1:0]  wl_nt;
  logic [RowW-1:0] wl_row;

  assign in_load   = (state_q == StLoad);
  assign in_stream = (state_q == StStream);

  always_comb begin
    wl_en  = in_load || (in_stream && 32'(cnt_q) < Rows && nxt_valid_q);
    wl_kt  = in_load ? cur_kt_q : nxt_kt_q;
    wl_nt  = in_load ? cur_nt_q : nxt_nt_q;
    wl_row = RowW'(Rows - 1 - 32'(cnt_q));
  end

  assign w_raddr_o = WAddrW'((32'(wl_kt) * MaxNt + 32'(wl_nt)) * Rows + 32'(wl_row));
  assign wload_o   = wl_en;
  assign swap_o    = (in_load && cnt_q == CntW'(Rows - 1)) ||
                     (in_stream && cnt_q == s_last_q && nxt_valid_q);

  for (genvar c = 0; c < Cols; c++) begin : g_wcol
    assign wrow_o[c] = (wl_en && 32'(wl_kt) * Rows + 32'(wl_row) < 32'(k_q) &&
                        32'(wl_nt) * Cols + c < 32'(n_q)) ? w_rdata_i[c] : '0;
  end

  // ---------------------------------------------------------------------------------------
  // Stream: row m of X enters the skew in stream cycle m; padding lanes carry 0.
  // ---------------------------------------------------------------------------------------
  logic act_en;

  assign act_en    = in_stream && 32'(cnt_q) < 32'(m_q);
  assign x_raddr_o = XAddrW'(32'(cur_kt_q) * MaxM + 32'(cnt_q));

  for (genvar r = 0; r < Rows; r++) begin : g_arow
    assign act_o[r] = (act_en && 32'(cur_kt_q) * Rows + r < 32'(k_q)) ? x_rdata_i[r] : '0;
  end

  // ---------------------------------------------------------------------------------------
  // Output de-skew: column c's result for row m leaves the array in stream cycle
  // m + Rows + c and is written (first tile of the strip) or added in that cycle.
  // ---------------------------------------------------------------------------------------
  assign obuf_clear_o     = accept;
  assign obuf_set_valid_o = in_stream && first_q && cnt_q == '0;
  assign obuf_strip_o     = cur_nt_q;
  assign obuf_acc_o       = !first_q;

  for (genvar c = 0; c < Cols; c++) begin : g_ocol
    assign obuf_we_o[c]  = in_stream && 32'(cnt_q) >= Rows + c &&
                           32'(cnt_q) < 32'(m_q) + Rows + c;
    assign obuf_row_o[c] = MW'(32'(cnt_q) - Rows - c);
    `ASSERT(ObufRowInRange_A, obuf_we_o[c] |-> 32'(obuf_row_o[c]) < 32'(m_q))
  end

  // ---------------------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------------------
  `ASSERT_INIT(ParamsValid_A, Rows >= 1 && Cols >= 1 && MaxM >= 1 && MaxKt >= 1 && MaxNt >= 1)

  // Command preconditions: the host (sa_rtl.cpp, the driver) keeps every command within the
  // memories; the registers above are sized for exactly that range.
  `ASSERT(CmdMInRange_A, accept |-> cmd_m_i >= 1 && cmd_m_i <= MaxM)
  `ASSERT(CmdKInRange_A, accept |-> cmd_k_i >= 1 && cmd_k_i <= MaxKt * Rows)
  `ASSERT(CmdNInRange_A, accept |-> cmd_n_i >= 1 && cmd_n_i <= MaxNt * Cols)
  // valid/ready: a command offered while busy stays offered, unchanged, until accepted.
  `ASSERT(CmdValidHeld_A, $past(cmd_valid_i && !cmd_ready_o) |-> cmd_valid_i)
  `ASSERT(CmdStable_A, $past(cmd_valid_i && !cmd_ready_o) |->
                       $stable({cmd_m_i, cmd_k_i, cmd_n_i}))

  `ASSERT_KNOWN(StateKnown_A, state_q)
  `ASSERT(StateValid_A, state_q inside {StIdle, StLoad, StStream})
  // The array and the output buffer work only inside a command.
  `ASSERT_NEVER(LoadWhenIdle_A, wload_o && state_q == StIdle)
  `ASSERT(ObufWriteInStream_A, |obuf_we_o |-> in_stream)
  // Addresses stay inside the memories (the casts above would wrap silently otherwise).
  `ASSERT(WAddrInRange_A, wl_en |->
          (32'(wl_kt) * MaxNt + 32'(wl_nt)) * Rows + 32'(wl_row) < WDepth)
  `ASSERT(XAddrInRange_A, act_en |-> 32'(cur_kt_q) * MaxM + 32'(cnt_q) < XDepth)
  // Only kept tiles are loaded: the first of a command when its load starts, every later one
  // when it becomes current (the search reads mask_rd0 of that tile's strip then).
  `ASSERT(LoadTileKept_A, in_load && cnt_q == '0 |-> mask_rd0_i[cur_kt_q])
  `ASSERT(NextTileKept_A, in_stream && cnt_q == s_last_q && nxt_valid_q |->
                          mask_rd0_i[nxt_kt_q])

`ifdef SA_INC_ASSERT
  // Checker state: whether an accepted command has not yet signalled done, and the last tile
  // streamed in the current command.
  logic           cmd_open_q;
  logic           seen_q;
  logic [KtW-1:0] last_kt_q;
  logic [NtW-1:0] last_nt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmd_open_q <= 1'b0;
      seen_q     <= 1'b0;
      last_kt_q  <= '0;
      last_nt_q  <= '0;
    end else begin
      cmd_open_q <= accept || (cmd_open_q && !done_o);
      if (accept) begin
        seen_q <= 1'b0;
      end else if (tile_start_o) begin
        seen_q    <= 1'b1;
        last_kt_q <= cur_kt_q;
        last_nt_q <= cur_nt_q;
      end
    end
  end

  // done: one single-cycle pulse per accepted command, in the cycle after its last.
  `ASSERT(DoneInCommand_A, done_o |-> cmd_open_q)
  `ASSERT(DoneWhenIdle_A, done_o |-> state_q == StIdle)
  `ASSERT(AcceptWhenClosed_A, accept |-> !cmd_open_q || done_o)
  // Visit order: kept tiles inside the command's grid, strictly increasing in (nt, kt); the
  // first tile of each strip writes the output buffer, later ones accumulate.
  `ASSERT(TileInGrid_A, tile_start_o |->
          KtCntW'(cur_kt_q) < kt_tot_q && NtCntW'(cur_nt_q) < nt_tot_q)
  `ASSERT(VisitOrder_A, tile_start_o && seen_q |->
          {cur_nt_q, cur_kt_q} > {last_nt_q, last_kt_q})
  `ASSERT(StripFirst_A, tile_start_o |-> first_q == (!seen_q || cur_nt_q != last_nt_q))
`endif

endmodule
