// sa_pkg: definitions shared by the sasp RTL modules: data-path widths, the controller's FSM
// state type, and the derived-parameter arithmetic (index and counter widths) that sa_top,
// sa_ctrl and sa_acc need, so that each is written once (as ibex_pkg does for Ibex).
// Functions assign their name instead of `return` (Yosys 0.23 reads no return statement;
// scripts/synth).
package sa_pkg;

  // Data path (docs/timing.md §1): int8 activations and weights, int32 partial sums.
  parameter int unsigned ActW  = 8;
  parameter int unsigned WgtW  = 8;
  parameter int unsigned PsumW = 32;
  // Command fields, tile coordinates and tile counts (docs/timing.md §6): 32-bit words, so K
  // and N are bounded only by 2^32 tiles.
  parameter int unsigned CmdW  = 32;
  // fp32 data path (sa_top's ActFp, array.act_type fp32, docs/timing.md §1.1): binary32
  // activations and partial sums (the arithmetic: sa_fp32.svh).
  parameter int unsigned FpW   = 32;

  // Controller phases (docs/timing.md §4, §6).
  typedef enum logic [1:0] {
    StIdle,    // ready for a command
    StLoad,    // weight load of the first kept tile, Rows advancing cycles
    StStream   // stream phase of a kept tile, S = M + Rows + Cols - 1 advancing cycles
  } ctrl_state_e;

  // Custom instructions of the CPU interface (integration cpu_fed, docs/timing.md §8.1;
  // sa_cpu_if).
  typedef enum logic [1:0] {
    CpuWrite  = 2'd0,  // one word of weights into the shadow registers
    CpuQueue  = 2'd1,  // one word of activations queued
    CpuStream = 2'd2,  // the step's last word of activations; the array advances one step
    CpuRead   = 2'd3   // one int32 output of the current output row
  } cpu_op_e;

  // Bits of an index of n items, 0 .. n-1 (at least 1 bit).
  function automatic int unsigned idx_w(int unsigned n);
    idx_w = (n > 1) ? $clog2(n) : 1;
  endfunction

  // Bits of a count 0 .. n.
  function automatic int unsigned cnt_w(int unsigned n);
    cnt_w = $clog2(n + 1);
  endfunction

  // Longest stream phase, S = M + Rows + Cols - 1 at M = MaxM: the controller's phase counter
  // counts 0 .. S-1 (the load phase's 0 .. Rows-1 fits too).
  function automatic int unsigned max_stream(int unsigned mm, int unsigned rows,
                                             int unsigned cols);
    max_stream = mm + rows + cols - 1;
  endfunction

endpackage
