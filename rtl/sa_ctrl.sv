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
// tile t has streamed) and one strip's accumulators (sa_acc).
module sa_ctrl #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned MaxM = 16,
  localparam int unsigned MW  = (MaxM > 1) ? $clog2(MaxM) : 1
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // command (valid/ready); the host keeps 1 <= M <= MaxM, K, N >= 1, T <= KT*NT
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [31:0]             cmd_m_i,
  input  logic [31:0]             cmd_k_i,
  input  logic [31:0]             cmd_n_i,
  input  logic [31:0]             cmd_tiles_i,
  output logic                    done_o,
  // kept-tile stream: one beat per kept tile, in visit order
  input  logic                    tile_valid_i,
  output logic                    tile_ready_o,
  input  logic [31:0]             tile_kt_i,
  input  logic [31:0]             tile_nt_i,
  // weight stream (the row itself goes straight into the array's shadow chain)
  input  logic                    w_valid_i,
  output logic                    w_ready_o,
  // activation stream (the row goes into the activation buffer at x_waddr_o)
  input  logic                    x_valid_i,
  output logic                    x_ready_o,
  output logic                    x_we_o,
  output logic [MW-1:0]           x_waddr_o,
  output logic [MW-1:0]           x_raddr_o,
  input  logic [Rows-1:0][7:0]    x_rdata_i,
  // output stream: row out_row_o of strip out_nt_o, lanes enabled where inside N
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic [31:0]             out_row_o,
  output logic [31:0]             out_nt_o,
  output logic [Cols-1:0]         out_lane_en_o,
  // observation: a kept tile's first stream cycle (advancing), and stall cycles
  output logic                    tile_start_o,
  output logic [31:0]             tile_kt_o,
  output logic [31:0]             tile_nt_o,
  output logic                    stall_o,
  // array
  output logic                    en_o,
  output logic                    wload_o,
  output logic                    swap_o,
  output logic [Rows-1:0][7:0]    act_o,     // before the input skew
  // accumulators
  output logic                    acc_add_o,
  output logic [Cols-1:0]         acc_we_o,
  output logic [Cols-1:0][MW-1:0] acc_row_o,
  output logic [MW-1:0]           acc_rd_row_o
);

  typedef enum logic [1:0] {
    StIdle,
    StLoad,
    StStream
  } state_e;

  state_e      state_d, state_q;
  logic [31:0] j_d, j_q;              // cycle of the load (0..R-1) or stream (0..S-1) phase
  logic [31:0] t_d, t_q;              // kept tile streaming (or loading, in StLoad)
  logic [31:0] m_d, m_q, k_d, k_q, n_d, n_q, tot_d, tot_q;
  logic [31:0] s_last_d, s_last_q;    // S - 1
  logic        first_d, first_q;      // tile t is the first kept tile of its strip
  logic        done_d, done_q;
  logic [31:0] d_rcv_d, d_rcv_q;      // descriptors received
  logic [31:0] d_kt_d [2], d_kt_q [2];
  logic [31:0] d_nt_d [2], d_nt_q [2];
  logic [31:0] ww_t_d, ww_t_q;        // weight stream: tile being received ...
  logic [31:0] ww_r_d, ww_r_q;        // ... and its rows received
  logic [31:0] aw_t_d, aw_t_q;        // activation stream: tile being received ...
  logic [31:0] aw_m_d, aw_m_q;        // ... and its rows received

  logic        busy, in_load, in_stream, accept;
  logic [31:0] t1, cur_kt, cur_nt, nxt_nt;
  logic        have_next, consumed;
  logic        d_fire, w_fire, x_fire;
  logic        act_ok, desc_ok, w_ok, last_strip, emit, other_ok, advance;

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

  // ---------------------------------------------------------------------------------------
  // Stream readiness: each stream is ready while the storage behind it has room.
  // ---------------------------------------------------------------------------------------
  // descriptors: two slots, the current tile's and the next one's
  assign tile_ready_o = busy && d_rcv_q < tot_q && d_rcv_q <= t1;
  // weights: tile 0 during the load phase, tile t+1 during tile t's stream phase
  assign w_ready_o = busy && ww_t_q < tot_q &&
                     ((in_load && ww_t_q == t_q) || (in_stream && ww_t_q == t1));
  // activations: row m of tile u once row m of tile u-1 has streamed
  assign consumed  = aw_t_q == 0 || aw_t_q - 1 < t_q ||
                     (aw_t_q - 1 == t_q && in_stream && j_q > aw_m_q);
  assign x_ready_o = busy && aw_t_q < tot_q && consumed;

  assign d_fire = tile_valid_i && tile_ready_o;
  assign w_fire = w_valid_i && w_ready_o;
  assign x_fire = x_valid_i && x_ready_o;

  // ---------------------------------------------------------------------------------------
  // Stall rule (docs/timing.md §6)
  // ---------------------------------------------------------------------------------------
  always_comb begin
    act_ok     = j_q >= m_q || aw_t_q > t_q || (aw_t_q == t_q && aw_m_q > j_q);
    desc_ok    = d_rcv_q > t_q && (j_q == 0 || !have_next || d_rcv_q > t1);
    w_ok       = j_q != s_last_q || !have_next || ww_t_q > t1 ||
                 (ww_t_q == t1 && ww_r_q == Rows - 1 && w_fire);
    last_strip = !have_next || nxt_nt != cur_nt;
    emit       = last_strip && j_q >= Rows + Cols - 1 && j_q < m_q + Rows + Cols - 1;
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
      if (ww_r_q == Rows - 1) begin
        ww_r_d = '0;
        ww_t_d = ww_t_q + 1;
      end else begin
        ww_r_d = ww_r_q + 1;
      end
    end
    if (x_fire) begin
      if (aw_m_q == m_q - 1) begin
        aw_m_d = '0;
        aw_t_d = aw_t_q + 1;
      end else begin
        aw_m_d = aw_m_q + 1;
      end
    end

    unique case (state_q)
      StIdle: begin
        if (accept) begin
          m_d      = cmd_m_i;
          k_d      = cmd_k_i;
          n_d      = cmd_n_i;
          tot_d    = cmd_tiles_i;
          s_last_d = cmd_m_i + Rows + Cols - 2;
          t_d      = '0;
          j_d      = '0;
          first_d  = 1'b1;
          d_rcv_d  = '0;
          ww_t_d   = '0;
          ww_r_d   = '0;
          aw_t_d   = '0;
          aw_m_d   = '0;
          if (cmd_tiles_i != 0) begin
            state_d = StLoad;
          end else begin
            done_d = 1'b1;  // no kept tile: 0 cycles, Y = 0
          end
        end
      end
      StLoad: begin
        if (advance) begin
          if (j_q == Rows - 1) begin
            state_d = StStream;
            j_d     = '0;
          end else begin
            j_d = j_q + 1;
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
            j_d = j_q + 1;
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
      d_kt_q   <= '{default: '0};
      d_nt_q   <= '{default: '0};
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
  assign tile_start_o = in_stream && j_q == 0 && advance;
  assign tile_kt_o    = cur_kt;
  assign tile_nt_o    = cur_nt;

  // ---------------------------------------------------------------------------------------
  // Weights: an accepted row shifts into the shadow chain; tile rows arrive bottom row first,
  // so after Rows shifts tile row r sits in PE row r.
  // ---------------------------------------------------------------------------------------
  assign wload_o = w_fire;
  assign swap_o  = (in_load && j_q == Rows - 1 && w_fire) ||
                   (in_stream && advance && j_q == s_last_q && have_next);

  // ---------------------------------------------------------------------------------------
  // Activations: written into the buffer at their row; row j streams in stream cycle j.
  // Lanes past K carry 0 (so padded weight rows contribute nothing).
  // ---------------------------------------------------------------------------------------
  assign x_we_o    = x_fire;
  assign x_waddr_o = MW'(aw_m_q);
  assign x_raddr_o = MW'(j_q);

  for (genvar r = 0; r < Rows; r++) begin : g_arow
    assign act_o[r] = (in_stream && j_q < m_q && cur_kt * Rows + r < k_q) ? x_rdata_i[r] : '0;
  end

  // ---------------------------------------------------------------------------------------
  // Accumulators: column c's result for row m leaves the array in stream cycle m + Rows + c
  // and is written (first tile of the strip) or added then; in the strip's last tile row m
  // leaves on the output stream in cycle m + Rows + Cols - 1, when its last column is
  // written. Lanes past N are disabled (their padded weights are not zero).
  // ---------------------------------------------------------------------------------------
  assign acc_add_o = !first_q;

  for (genvar c = 0; c < Cols; c++) begin : g_ocol
    assign acc_we_o[c]      = in_stream && advance && j_q >= Rows + c && j_q < m_q + Rows + c;
    assign acc_row_o[c]     = MW'(j_q - Rows - c);
    assign out_lane_en_o[c] = cur_nt * Cols + c < n_q;
  end

  assign out_row_o    = j_q - (Rows + Cols - 1);
  assign out_nt_o     = cur_nt;
  assign acc_rd_row_o = MW'(out_row_o);

endmodule
