// sa_ctrl: executes GEMM commands Y[M x N] = X[M x K] W[K x N] fed through valid/ready
// streams, exactly as docs/timing.md §2-6 specify. The command {M, K, N, T} names T, the
// number of kept tiles; their coordinates arrive on the tile stream in visit order (strips
// outer, kt inner; the source walks the skip-mask, so pruned tiles cost no cycle and any K
// and N run). Per kept tile the weight stream brings its Rows rows (row Rows-1 first, Cols
// lanes each) into the shadow registers and the activation stream its M rows (Rows lanes)
// into the activation buffer; the output stream returns each row of a strip (Cols int32
// lanes) in the last kept tile of the strip.
// Phases: the first tile loads in Rows cycles (one weight row accepted per cycle), then each
// kept tile streams for S = M + Rows + Cols - 1 cycles back to back, swapping the shadow
// weights in on the last edge of the previous phase; the next tile's weights may arrive at
// any time of the current phase. A cycle in which a needed beat is missing (the current
// row's activations, the tile's descriptors, the next tile's last weight row at the swap, or
// an output beat the sink does not take) is a stall: the data path holds (en_o low) and the
// phase position does not move. With always-ready streams no stall happens and done is high
// in cycle R + T*S after acceptance.
// Storage: two tile descriptors (slot = tile index bit 0), the shadow weights (in the
// array), one tile's activations (MaxM rows: row m of tile t+1 may be written once row m of
// tile t has streamed) and one strip's accumulators (sa_acc). Protocol rules (valid held
// until ready on every stream, command preconditions, visit order, one done per command)
// are assertions at the end (sa_assert.svh).
`include "sa_assert.svh"

module sa_ctrl import sa_pkg::*; #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned MaxM = 16,
  localparam int unsigned MW  = idx_w(MaxM),                          // buffer row index
  localparam int unsigned MCW = cnt_w(MaxM),                          // M itself
  localparam int unsigned JW  = idx_w(max_stream(MaxM, Rows, Cols)),  // phase cycle
  localparam int unsigned RW  = idx_w(Rows)                           // weight row of a tile
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // command (valid/ready); the host keeps 1 <= M <= MaxM, K, N >= 1, T <= KT*NT
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [CmdW-1:0]         cmd_m_i,
  input  logic [CmdW-1:0]         cmd_k_i,
  input  logic [CmdW-1:0]         cmd_n_i,
  input  logic [CmdW-1:0]         cmd_tiles_i,
  output logic                    done_o,
  // kept-tile stream: one beat per kept tile, in visit order
  input  logic                    tile_valid_i,
  output logic                    tile_ready_o,
  input  logic [CmdW-1:0]         tile_kt_i,
  input  logic [CmdW-1:0]         tile_nt_i,
  // weight stream (the row itself goes straight into the array's shadow chain)
  input  logic                    w_valid_i,
  output logic                    w_ready_o,
  // activation stream (the row goes into the activation buffer at x_waddr_o)
  input  logic                    x_valid_i,
  output logic                    x_ready_o,
  output logic                    x_we_o,
  output logic [MW-1:0]           x_waddr_o,
  output logic [MW-1:0]           x_raddr_o,
  input  logic [Rows-1:0][ActW-1:0] x_rdata_i,
  // output stream: row out_row_o of strip out_nt_o, lanes enabled where inside N
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic [CmdW-1:0]         out_row_o,
  output logic [CmdW-1:0]         out_nt_o,
  output logic [Cols-1:0]         out_lane_en_o,
  // observation: a kept tile's first stream cycle (advancing), and stall cycles
  output logic                    tile_start_o,
  output logic [CmdW-1:0]         tile_kt_o,
  output logic [CmdW-1:0]         tile_nt_o,
  output logic                    stall_o,
  // array
  output logic                    en_o,
  output logic                    wload_o,
  output logic                    swap_o,
  output logic [Rows-1:0][ActW-1:0] act_o,   // before the input skew
  // accumulators
  output logic                    acc_add_o,
  output logic [Cols-1:0]         acc_we_o,
  output logic [Cols-1:0][MW-1:0] acc_row_o,
  output logic [MW-1:0]           acc_rd_row_o
);

  ctrl_state_e    state_d, state_q;
  logic [JW-1:0]  j_d, j_q;            // cycle of the load (0..R-1) or stream (0..S-1) phase
  logic [CmdW-1:0] t_d, t_q;           // kept tile streaming (or loading, in StLoad)
  logic [MCW-1:0] m_d, m_q;
  logic [CmdW-1:0] k_d, k_q, n_d, n_q, tot_d, tot_q;
  logic [JW-1:0]  s_last_d, s_last_q;  // S - 1
  logic           first_d, first_q;    // tile t is the first kept tile of its strip
  logic           done_d, done_q;
  logic [CmdW-1:0] d_rcv_d, d_rcv_q;   // descriptors received
  logic [1:0][CmdW-1:0] d_kt_d, d_kt_q;  // slot = tile index bit 0
  logic [1:0][CmdW-1:0] d_nt_d, d_nt_q;
  logic [CmdW-1:0] ww_t_d, ww_t_q;     // weight stream: tile being received ...
  logic [RW-1:0]  ww_r_d, ww_r_q;      // ... and its rows received
  logic [CmdW-1:0] aw_t_d, aw_t_q;     // activation stream: tile being received ...
  logic [MW-1:0]  aw_m_d, aw_m_q;      // ... and its rows received

  logic            busy, in_load, in_stream, accept;
  logic [CmdW-1:0] t1, cur_kt, cur_nt, nxt_nt;
  logic [31:0]     j32, m32, aw_m32;  // the narrow counters, widened to compare
  logic            have_next, consumed;
  logic            d_fire, w_fire, x_fire;
  logic            act_ok, desc_ok, w_ok, last_strip, emit, other_ok, advance;

  assign busy        = state_q != StIdle;
  assign in_load     = state_q == StLoad;
  assign in_stream   = state_q == StStream;
  assign cmd_ready_o = !busy;
  assign accept      = cmd_valid_i && cmd_ready_o;

  assign t1        = t_q + 1;
  assign have_next = t1 < tot_q;
  assign cur_kt    = d_kt_q[t_q[0]];
  assign cur_nt    = d_nt_q[t_q[0]];
  assign nxt_nt    = d_nt_q[t1[0]];
  assign j32       = 32'(j_q);
  assign m32       = 32'(m_q);
  assign aw_m32    = 32'(aw_m_q);

  // ---------------------------------------------------------------------------------------
  // Stream readiness: each stream is ready while the storage behind it has room.
  // ---------------------------------------------------------------------------------------
  // descriptors: two slots, the current tile's and the next one's
  assign tile_ready_o = busy && d_rcv_q < tot_q && d_rcv_q <= t1;
  // weights: tile 0 during the load phase, tile t+1 during tile t's stream phase
  assign w_ready_o = busy && ww_t_q < tot_q &&
                     ((in_load && ww_t_q == t_q) || (in_stream && ww_t_q == t1));
  // activations: row m of tile u once row m of tile u-1 has streamed
  assign consumed  = aw_t_q == '0 || aw_t_q - 1 < t_q ||
                     (aw_t_q - 1 == t_q && in_stream && j32 > aw_m32);
  assign x_ready_o = busy && aw_t_q < tot_q && consumed;

  assign d_fire = tile_valid_i && tile_ready_o;
  assign w_fire = w_valid_i && w_ready_o;
  assign x_fire = x_valid_i && x_ready_o;

  // ---------------------------------------------------------------------------------------
  // Stall rule (docs/timing.md §6)
  // ---------------------------------------------------------------------------------------
  always_comb begin
    act_ok     = j32 >= m32 || aw_t_q > t_q || (aw_t_q == t_q && aw_m32 > j32);
    desc_ok    = d_rcv_q > t_q && (j_q == '0 || !have_next || d_rcv_q > t1);
    w_ok       = j_q != s_last_q || !have_next || ww_t_q > t1 ||
                 (ww_t_q == t1 && 32'(ww_r_q) == Rows - 1 && w_fire);
    last_strip = !have_next || nxt_nt != cur_nt;
    emit       = last_strip && j32 >= Rows + Cols - 1 && j32 < m32 + Rows + Cols - 1;
    other_ok   = act_ok && desc_ok && w_ok;
    unique case (state_q)
      StLoad:   advance = w_fire;
      StStream: advance = other_ok && (!emit || out_ready_i);
      default:  advance = 1'b0;
    endcase
  end

  assign out_valid_o = in_stream && emit && other_ok;
  assign en_o        = !in_stream || advance;
  assign stall_o     = busy && !advance;

  // ---------------------------------------------------------------------------------------
  // Sequencing
  // ---------------------------------------------------------------------------------------
  always_comb begin
    state_d  = state_q;
    j_d      = j_q;
    t_d      = t_q;
    m_d      = m_q;
    k_d      = k_q;
    n_d      = n_q;
    tot_d    = tot_q;
    s_last_d = s_last_q;
    first_d  = first_q;
    done_d   = 1'b0;
    d_rcv_d  = d_rcv_q;
    d_kt_d   = d_kt_q;
    d_nt_d   = d_nt_q;
    ww_t_d   = ww_t_q;
    ww_r_d   = ww_r_q;
    aw_t_d   = aw_t_q;
    aw_m_d   = aw_m_q;

    if (d_fire) begin
      d_kt_d[d_rcv_q[0]] = tile_kt_i;
      d_nt_d[d_rcv_q[0]] = tile_nt_i;
      d_rcv_d            = d_rcv_q + 1;
    end
    if (w_fire) begin
      if (32'(ww_r_q) == Rows - 1) begin
        ww_r_d = '0;
        ww_t_d = ww_t_q + 1;
      end else begin
        ww_r_d = ww_r_q + 1'b1;
      end
    end
    if (x_fire) begin
      if (aw_m32 == m32 - 1) begin
        aw_m_d = '0;
        aw_t_d = aw_t_q + 1;
      end else begin
        aw_m_d = aw_m_q + 1'b1;
      end
    end

    unique case (state_q)
      StIdle: begin
        if (accept) begin
          m_d      = MCW'(cmd_m_i);
          k_d      = cmd_k_i;
          n_d      = cmd_n_i;
          tot_d    = cmd_tiles_i;
          s_last_d = JW'(cmd_m_i + Rows + Cols - 2);
          t_d      = '0;
          j_d      = '0;
          first_d  = 1'b1;
          d_rcv_d  = '0;
          ww_t_d   = '0;
          ww_r_d   = '0;
          aw_t_d   = '0;
          aw_m_d   = '0;
          if (cmd_tiles_i != '0) begin
            state_d = StLoad;
          end else begin
            done_d = 1'b1;  // no kept tile: 0 cycles, Y = 0
          end
        end
      end
      StLoad: begin
        if (advance) begin
          if (j32 == Rows - 1) begin
            state_d = StStream;
            j_d     = '0;
          end else begin
            j_d = j_q + 1'b1;
          end
        end
      end
      StStream: begin
        if (advance) begin
          if (j_q == s_last_q) begin
            j_d = '0;
            if (have_next) begin
              t_d     = t1;
              first_d = nxt_nt != cur_nt;
            end else begin
              state_d = StIdle;
              done_d  = 1'b1;
            end
          end else begin
            j_d = j_q + 1'b1;
          end
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      j_q      <= '0;
      t_q      <= '0;
      m_q      <= '0;
      k_q      <= '0;
      n_q      <= '0;
      tot_q    <= '0;
      s_last_q <= '0;
      first_q  <= 1'b0;
      done_q   <= 1'b0;
      d_rcv_q  <= '0;
      d_kt_q   <= '0;
      d_nt_q   <= '0;
      ww_t_q   <= '0;
      ww_r_q   <= '0;
      aw_t_q   <= '0;
      aw_m_q   <= '0;
    end else begin
      state_q  <= state_d;
      j_q      <= j_d;
      t_q      <= t_d;
      m_q      <= m_d;
      k_q      <= k_d;
      n_q      <= n_d;
      tot_q    <= tot_d;
      s_last_q <= s_last_d;
      first_q  <= first_d;
      done_q   <= done_d;
      d_rcv_q  <= d_rcv_d;
      d_kt_q   <= d_kt_d;
      d_nt_q   <= d_nt_d;
      ww_t_q   <= ww_t_d;
      ww_r_q   <= ww_r_d;
      aw_t_q   <= aw_t_d;
      aw_m_q   <= aw_m_d;
    end
  end

  assign done_o       = done_q;
  assign tile_start_o = in_stream && j_q == '0 && advance;
  assign tile_kt_o    = cur_kt;
  assign tile_nt_o    = cur_nt;

  // ---------------------------------------------------------------------------------------
  // Weights: an accepted row shifts into the shadow chain; tile rows arrive bottom row first,
  // so after Rows shifts tile row r sits in PE row r.
  // ---------------------------------------------------------------------------------------
  assign wload_o = w_fire;
  assign swap_o  = (in_load && j32 == Rows - 1 && w_fire) ||
                   (in_stream && advance && j_q == s_last_q && have_next);

  // ---------------------------------------------------------------------------------------
  // Activations: written into the buffer at their row; row j streams in stream cycle j.
  // Lanes past K carry 0 (so padded weight rows contribute nothing).
  // ---------------------------------------------------------------------------------------
  assign x_we_o    = x_fire;
  assign x_waddr_o = aw_m_q;
  assign x_raddr_o = MW'(j_q);

  for (genvar r = 0; r < Rows; r++) begin : g_arow
    assign act_o[r] = (in_stream && j32 < m32 && 64'(cur_kt) * Rows + r < 64'(k_q)) ?
                      x_rdata_i[r] : '0;
  end

  // ---------------------------------------------------------------------------------------
  // Accumulators: column c's result for row m leaves the array in stream cycle m + Rows + c
  // and is written (first tile of the strip) or added then; in the strip's last tile row m
  // leaves on the output stream in cycle m + Rows + Cols - 1, when its last column is
  // written. Lanes past N are disabled (their padded weights are not zero).
  // ---------------------------------------------------------------------------------------
  assign acc_add_o = !first_q;

  for (genvar c = 0; c < Cols; c++) begin : g_ocol
    assign acc_we_o[c]      = in_stream && advance && j32 >= Rows + c && j32 < m32 + Rows + c;
    assign acc_row_o[c]     = MW'(j32 - Rows - c);
    assign out_lane_en_o[c] = 64'(cur_nt) * Cols + c < 64'(n_q);
    `ASSERT(AccRowInRange_A, acc_we_o[c] |-> 32'(acc_row_o[c]) < m32)
  end

  assign out_row_o    = j32 - (Rows + Cols - 1);
  assign out_nt_o     = cur_nt;
  assign acc_rd_row_o = MW'(out_row_o);

  // ---------------------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------------------
  `ASSERT_INIT(ParamsValid_A, Rows >= 2 && Cols >= 2 && MaxM >= 1)

  // Command preconditions: the host (sa_rtl.cpp, the driver) keeps every command within the
  // activation buffer and the accumulators; K and N are free.
  `ASSERT(CmdMInRange_A, accept |-> cmd_m_i >= 1 && cmd_m_i <= MaxM)
  `ASSERT(CmdKNPositive_A, accept |-> cmd_k_i >= 1 && cmd_n_i >= 1)
  // valid/ready: a command or a stream beat offered but not taken stays offered, unchanged,
  // until it is; the output stream holds its beat the same way.
  `ASSERT(CmdValidHeld_A, $past(cmd_valid_i && !cmd_ready_o) |-> cmd_valid_i)
  `ASSERT(CmdStable_A, $past(cmd_valid_i && !cmd_ready_o) |->
                       $stable({cmd_m_i, cmd_k_i, cmd_n_i, cmd_tiles_i}))
  `ASSERT(TileValidHeld_A, $past(tile_valid_i && !tile_ready_o) |-> tile_valid_i)
  `ASSERT(TileStable_A, $past(tile_valid_i && !tile_ready_o) |->
                        $stable({tile_kt_i, tile_nt_i}))
  `ASSERT(WValidHeld_A, $past(w_valid_i && !w_ready_o) |-> w_valid_i)
  `ASSERT(XValidHeld_A, $past(x_valid_i && !x_ready_o) |-> x_valid_i)
  `ASSERT(OutValidHeld_A, $past(out_valid_o && !out_ready_i) |-> out_valid_o)
  `ASSERT(OutStable_A, $past(out_valid_o && !out_ready_i) |-> $stable({out_row_o, out_nt_o}))

  `ASSERT_KNOWN(StateKnown_A, state_q)
  `ASSERT(StateValid_A, state_q inside {StIdle, StLoad, StStream})
  // Streams move only inside a command, and never past its T tiles.
  `ASSERT_NEVER(BeatWhenIdle_A, (tile_ready_o || w_ready_o || x_ready_o || out_valid_o) && !busy)
  `ASSERT(TilesInCommand_A, d_fire |-> d_rcv_q < tot_q)
  `ASSERT(SwapFullTile_A, swap_o |-> (in_stream && ww_t_q > t1) ||
                          (32'(ww_r_q) == Rows - 1 && w_fire))
  // A streamed row of activations is in the buffer (the stall rule guarantees it).
  `ASSERT(ActPresent_A, in_stream && advance && j32 < m32 |->
                        aw_t_q > t_q || (aw_t_q == t_q && aw_m32 > j32))
  `ASSERT(AccWriteInStream_A, |acc_we_o |-> in_stream && advance)

`ifdef SA_INC_ASSERT
  // Checker state: whether an accepted command has not yet signalled done, and the last tile
  // streamed in the current command.
  logic            cmd_open_q;
  logic            seen_q;
  logic [CmdW-1:0] last_kt_q, last_nt_q;

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
        last_kt_q <= cur_kt;
        last_nt_q <= cur_nt;
      end
    end
  end

  // done: one single-cycle pulse per accepted command, in the cycle after its last.
  `ASSERT(DoneInCommand_A, done_o |-> cmd_open_q)
  `ASSERT(DoneWhenIdle_A, done_o |-> state_q == StIdle)
  `ASSERT(AcceptWhenClosed_A, accept |-> !cmd_open_q || done_o)
  // Visit order: kept tiles strictly increasing in (nt, kt); the first tile of each strip
  // writes the accumulators, later ones add.
  `ASSERT(VisitOrder_A, tile_start_o && seen_q |-> {cur_nt, cur_kt} > {last_nt_q, last_kt_q})
  `ASSERT(StripFirst_A, tile_start_o |-> first_q == (!seen_q || cur_nt != last_nt_q))
`endif

endmodule
