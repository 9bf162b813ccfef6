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
module sa_ctrl #(
  parameter int unsigned Rows  = 4,
  parameter int unsigned Cols  = 4,
  parameter int unsigned MaxM  = 16,
  parameter int unsigned MaxKt = 16,
  parameter int unsigned MaxNt = 16,
  localparam int unsigned XDepth = MaxKt * MaxM,
  localparam int unsigned WDepth = MaxKt * MaxNt * Rows,
  localparam int unsigned XAddrW = $clog2(XDepth),
  localparam int unsigned WAddrW = $clog2(WDepth),
  localparam int unsigned MW     = (MaxM > 1) ? $clog2(MaxM) : 1,
  localparam int unsigned NtW    = (MaxNt > 1) ? $clog2(MaxNt) : 1
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // command interface (valid/ready); the host keeps M <= MaxM, K <= MaxKt*Rows,
  // N <= MaxNt*Cols, each >= 1
  input  logic                   cmd_valid_i,
  output logic                   cmd_ready_o,
  input  logic [31:0]            cmd_m_i,
  input  logic [31:0]            cmd_k_i,
  input  logic [31:0]            cmd_n_i,
  output logic                   done_o,
  // observation: high in the first stream cycle of each kept tile, with that tile
  output logic                   tile_start_o,
  output logic [31:0]            tile_kt_o,
  output logic [31:0]            tile_nt_o,
  // tile mask
  output logic [NtW-1:0]         mask_rd0_nt_o,
  input  logic [MaxKt-1:0]       mask_rd0_i,
  output logic [NtW-1:0]         mask_rd1_nt_o,
  input  logic [MaxKt-1:0]       mask_rd1_i,
  input  logic [MaxNt-1:0]       mask_any_i,
  // activation and weight memories
  output logic [XAddrW-1:0]      x_raddr_o,
  input  logic [Rows-1:0][7:0]   x_rdata_i,
  output logic [WAddrW-1:0]      w_raddr_o,
  input  logic [Cols-1:0][7:0]   w_rdata_i,
  // array
  output logic                   wload_o,
  output logic                   swap_o,
  output logic [Cols-1:0][7:0]   wrow_o,
  output logic [Rows-1:0][7:0]   act_o,     // before the input skew
  // output buffer
  output logic                   obuf_clear_o,
  output logic                   obuf_set_valid_o,
  output logic [NtW-1:0]         obuf_strip_o,
  output logic                   obuf_acc_o,
  output logic [Cols-1:0]        obuf_we_o,
  output logic [Cols-1:0][MW-1:0] obuf_row_o
);

  typedef enum logic [1:0] {
    StIdle,
    StLoad,
    StStream
  } state_e;

  state_e      state_d, state_q;
  logic [31:0] cnt_d, cnt_q;          // cycle within the load (0..R-1) or stream (0..S-1) phase
  logic [31:0] m_d, m_q, k_d, k_q, n_d, n_q;
  logic [31:0] kt_tot_d, kt_tot_q, nt_tot_d, nt_tot_q;
  logic [31:0] s_last_d, s_last_q;    // S - 1
  logic [31:0] cur_kt_d, cur_kt_q, cur_nt_d, cur_nt_q;
  logic [31:0] nxt_kt_d, nxt_kt_q, nxt_nt_d, nxt_nt_q;
  logic        nxt_valid_d, nxt_valid_q;
  logic        first_d, first_q;      // current tile is the first kept tile of its strip
  logic        done_d, done_q;

  logic        accept;
  logic [31:0] cmd_kt, cmd_nt;

  assign cmd_ready_o = (state_q == StIdle);
  assign accept      = cmd_valid_i && cmd_ready_o;
  assign cmd_kt      = (cmd_k_i + Rows - 1) / Rows;
  assign cmd_nt      = (cmd_n_i + Cols - 1) / Cols;

  // ---------------------------------------------------------------------------------------
  // Next-kept-tile search: the first kept tile (kt, nt) in visit order with nt == srch_nt and
  // kt >= srch_kt_lo, or failing that in a later strip. Combinational; only evaluated in the
  // cycles that need it (command accept, first load cycle, last stream cycle).
  // ---------------------------------------------------------------------------------------
  logic        srch_en;
  logic [31:0] srch_nt, srch_kt_lo, srch_kt_tot, srch_nt_tot;
  logic        srch1_found, srch2_found, srch3_found;
  logic [31:0] srch1_kt, srch2_nt, srch3_kt;
  logic        srch_found;
  logic [31:0] srch_kt, srch_nt_res;

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
        srch_en    = (cnt_q == 0);
        srch_nt    = cur_nt_q;
        srch_kt_lo = cur_kt_q + 1;
      end
      StStream: begin
        srch_en    = (cnt_q == s_last_q) && nxt_valid_q;
        srch_nt    = nxt_nt_q;
        srch_kt_lo = nxt_kt_q + 1;
      end
      default: ;
    endcase
  end

  assign mask_rd0_nt_o = NtW'(srch_nt);
  assign mask_rd1_nt_o = NtW'(srch2_nt);

  // step 1: later kept tile in the same strip
  always_comb begin
    srch1_found = 1'b0;
    srch1_kt    = '0;
    if (srch_en) begin
      for (int unsigned i = 0; i < MaxKt; i++) begin
        if (!srch1_found && i >= srch_kt_lo && i < srch_kt_tot && mask_rd0_i[i]) begin
          srch1_found = 1'b1;
          srch1_kt    = i;
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
        if (!srch2_found && j > srch_nt && j < srch_nt_tot && mask_any_i[j]) begin
          srch2_found = 1'b1;
          srch2_nt    = j;
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
        if (!srch3_found && i < srch_kt_tot && mask_rd1_i[i]) begin
          srch3_found = 1'b1;
          srch3_kt    = i;
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
          m_d         = cmd_m_i;
          k_d         = cmd_k_i;
          n_d         = cmd_n_i;
          kt_tot_d    = cmd_kt;
          nt_tot_d    = cmd_nt;
          s_last_d    = cmd_m_i + Rows + Cols - 2;
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
        if (cnt_q == 0) begin
          nxt_valid_d = srch_found;
          nxt_kt_d    = srch_kt;
          nxt_nt_d    = srch_nt_res;
        end
        if (cnt_q == Rows - 1) begin
          state_d = StStream;
          cnt_d   = '0;
        end else begin
          cnt_d = cnt_q + 1;
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
          cnt_d = cnt_q + 1;
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
  assign tile_start_o = (state_q == StStream) && cnt_q == 0;
  assign tile_kt_o    = cur_kt_q;
  assign tile_nt_o    = cur_nt_q;

  // ---------------------------------------------------------------------------------------
  // Weight load: tile rows enter the top of the shadow chain bottom row first, so after
  // Rows shifts tile row r sits in PE row r. Padding rows/columns load 0.
  // ---------------------------------------------------------------------------------------
  logic        in_load, in_stream;
  logic        wl_en;
  logic [31:0] wl_kt, wl_nt, wl_row;

  assign in_load   = (state_q == StLoad);
  assign in_stream = (state_q == StStream);

  always_comb begin
    wl_en  = in_load || (in_stream && cnt_q < Rows && nxt_valid_q);
    wl_kt  = in_load ? cur_kt_q : nxt_kt_q;
    wl_nt  = in_load ? cur_nt_q : nxt_nt_q;
    wl_row = Rows - 1 - cnt_q;
  end

  assign w_raddr_o = WAddrW'((wl_kt * MaxNt + wl_nt) * Rows + wl_row);
  assign wload_o   = wl_en;
  assign swap_o    = (in_load && cnt_q == Rows - 1) ||
                     (in_stream && cnt_q == s_last_q && nxt_valid_q);

  for (genvar c = 0; c < Cols; c++) begin : g_wcol
    assign wrow_o[c] = (wl_en && wl_kt * Rows + wl_row < k_q && wl_nt * Cols + c < n_q) ?
                       w_rdata_i[c] : '0;
  end

  // ---------------------------------------------------------------------------------------
  // Stream: row m of X enters the skew in stream cycle m; padding lanes carry 0.
  // ---------------------------------------------------------------------------------------
  logic act_en;

  assign act_en    = in_stream && cnt_q < m_q;
  assign x_raddr_o = XAddrW'(cur_kt_q * MaxM + cnt_q);

  for (genvar r = 0; r < Rows; r++) begin : g_arow
    assign act_o[r] = (act_en && cur_kt_q * Rows + r < k_q) ? x_rdata_i[r] : '0;
  end

  // ---------------------------------------------------------------------------------------
  // Output de-skew: column c's result for row m leaves the array in stream cycle
  // m + Rows + c and is written (first tile of the strip) or added in that cycle.
  // ---------------------------------------------------------------------------------------
  assign obuf_clear_o     = accept;
  assign obuf_set_valid_o = in_stream && first_q && cnt_q == 0;
  assign obuf_strip_o     = NtW'(cur_nt_q);
  assign obuf_acc_o       = !first_q;

  for (genvar c = 0; c < Cols; c++) begin : g_ocol
    assign obuf_we_o[c]  = in_stream && cnt_q >= Rows + c && cnt_q < m_q + Rows + c;
    assign obuf_row_o[c] = MW'(cnt_q - Rows - c);
  end

endmodule
