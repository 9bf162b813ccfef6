// sa_assert.svh: the assertion macros of the sasp RTL, after lowRISC's prim_assert.sv (as used
// by Ibex). Include in a module body; every macro names its assertion (UpperCamelCase ending
// in _A), so a failure reads "[ASSERT FAILED] [<hierarchy>] <Name> (<file>:<line>)".
//   `ASSERT(Name, Prop, Clk = clk_i, Rst = !rst_ni)  Prop holds at every rising edge of Clk
//        outside reset (a concurrent assertion; $past/$stable/|-> as Verilator supports them)
//   `ASSERT_NEVER(Name, Prop, ...)                   Prop never holds
//   `ASSERT_KNOWN(Name, Sig, ...)                    Sig carries no X or Z bit (4-state
//        simulators; Verilator is 2-state, where uninitialised state shows up instead as a
//        mismatch against the C model with random initial values, rtl/README.md)
//   `ASSERT_KNOWN_IF(Name, Sig, Cond, ...)           the same while Cond holds
//   `ASSERT_INIT(Name, Prop)                         Prop holds at time 0 (parameter checks)
// With SYNTHESIS defined (Yosys, scripts/synth) the macros are empty and SA_INC_ASSERT is not
// defined; checker-only bookkeeping logic sits inside `ifdef SA_INC_ASSERT.
`ifndef SA_ASSERT_SVH
`define SA_ASSERT_SVH

`define SA_STRINGIFY(__x) `"__x`"

`ifdef SYNTHESIS

`define ASSERT(__name, __prop, __clk = clk_i, __rst = !rst_ni)
`define ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst = !rst_ni)
`define ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst = !rst_ni)
`define ASSERT_KNOWN_IF(__name, __sig, __cond, __clk = clk_i, __rst = !rst_ni)
`define ASSERT_INIT(__name, __prop)

`else

`define SA_INC_ASSERT

`define ASSERT_ERROR(__name) \
  $error("[ASSERT FAILED] [%m] %s (%s:%0d)", `SA_STRINGIFY(__name), `__FILE__, `__LINE__);

`define ASSERT(__name, __prop, __clk = clk_i, __rst = !rst_ni) \
  __name: assert property (@(posedge __clk) disable iff ((__rst) !== 1'b0) (__prop)) \
    else begin `ASSERT_ERROR(__name) end

`define ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst = !rst_ni) \
  `ASSERT(__name, !(__prop), __clk, __rst)

`define ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst = !rst_ni) \
  `ASSERT(__name, !$isunknown(__sig), __clk, __rst)

`define ASSERT_KNOWN_IF(__name, __sig, __cond, __clk = clk_i, __rst = !rst_ni) \
  `ASSERT(__name, !(__cond) || !$isunknown(__sig), __clk, __rst)

`define ASSERT_INIT(__name, __prop) \
  initial begin : __name \
    assert (__prop) else begin `ASSERT_ERROR(__name) end \
  end

`endif

`endif
