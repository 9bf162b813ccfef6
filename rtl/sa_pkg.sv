// sa_pkg: definitions shared by the sasp RTL modules: data-path widths, the controller's FSM
// state type, and the derived-parameter arithmetic (tile counts, memory depths, index,
// address and counter widths) that sa_top, sa_ctrl, sa_obuf and sa_mask_mem need, so that
// each is written once (as ibex_pkg does for Ibex). Functions assign their name instead of
// `return` (Yosys 0.23 reads no return statement; scripts/synth).
package sa_pkg;

  // Data path (docs/timing.md §1): int8 activations and weights, int32 partial sums.
  parameter int unsigned ActW  = 8;
  parameter int unsigned WgtW  = 8;
  parameter int unsigned PsumW = 32;
  // Command fields and tile observation at sa_top's ports (the harness's 32-bit words).
  parameter int unsigned CmdW  = 32;

  // Controller phases (docs/timing.md §2-4).
  typedef enum logic [1:0] {
    StIdle,    // ready for a command
    StLoad,    // weight load of the first kept tile, Rows cycles
    StStream   // stream phase of a kept tile, S = M + Rows + Cols - 1 cycles
  } ctrl_state_e;

  // ceil(a / b), b > 0.
  function automatic int unsigned ceil_div(int unsigned a, int unsigned b);
    ceil_div = (a + b - 1) / b;
  endfunction

  // Bits of an index of n items, 0 .. n-1 (at least 1 bit).
  function automatic int unsigned idx_w(int unsigned n);
    idx_w = (n > 1) ? $clog2(n) : 1;
  endfunction

  // Bits of a count 0 .. n.
  function automatic int unsigned cnt_w(int unsigned n);
    cnt_w = $clog2(n + 1);
  endfunction

  // Tiles along K (kt) and N (nt) of the largest command.
  function automatic int unsigned max_kt(int unsigned kk, int unsigned rows);
    max_kt = ceil_div(kk, rows);
  endfunction
  function automatic int unsigned max_nt(int unsigned nn, int unsigned cols);
    max_nt = ceil_div(nn, cols);
  endfunction

  // Memory depths in words (layouts in sa_ctrl.sv) for the largest command of mm rows,
  // kts x nts tiles: activations (kt, m); weights of every tile (kt, nt), one word per tile
  // row; one output buffer bank (nt, m).
  function automatic int unsigned x_depth(int unsigned mm, int unsigned kts);
    x_depth = kts * mm;
  endfunction
  function automatic int unsigned w_depth(int unsigned kts, int unsigned nts,
                                          int unsigned rows);
    w_depth = kts * nts * rows;
  endfunction
  function automatic int unsigned o_depth(int unsigned mm, int unsigned nts);
    o_depth = mm * nts;
  endfunction

  // Longest stream phase, S = M + Rows + Cols - 1 at M = MaxM: the controller's cycle counter
  // counts 0 .. S-1 (the load phase's 0 .. Rows-1 fits too).
  function automatic int unsigned max_stream(int unsigned mm, int unsigned rows,
                                             int unsigned cols);
    max_stream = mm + rows + cols - 1;
  endfunction

endpackage
