#!/bin/sh
# The RTL's own assertions are live: each seeded bug below, put into a copy of sa_ctrl.sv and
# built on demand (SASP_RTL_SRC, private model cache) for a 3x5 array, must stop the random
# co-simulation (always-ready and stalling streams) with the assertion that guards that rule,
# named in a readable message.
# usage: test_rtl_mutants.sh TEST_RTL_COSIM   (run from the source root)
set -u
cosim=$1
fail=0
tmp=$(mktemp -d /tmp/sasp-rtl-mutants.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SASP_RTL_CACHE="$tmp/cache"
mutant() { # name assertion(s, an ERE) original replacement
  name=$1 want=$2
  mkdir -p "$tmp/$name"
  ORIG=$3 REPL=$4 /usr/bin/python3 -c '
import os, sys
s = open("rtl/sa_ctrl.sv").read()
o, r = os.environ["ORIG"], os.environ["REPL"]
if s.count(o) != 1:
    sys.exit("mutant: the original text is not in rtl/sa_ctrl.sv exactly once: " + o)
open(sys.argv[1], "w").write(s.replace(o, r))' "$tmp/$name/sa_ctrl.sv" || { fail=1; return; }
  SASP_RTL_SRC="$tmp/$name" "$cosim" 3 5 7 5 > "$tmp/$name/out" 2>&1
  if grep -Eq "RTL assertion $want failed in cycle [0-9]+ of the command \(M=.* on 3x5\) \(sa_top.u_ctrl, sa_ctrl.sv:[0-9]+\)" \
       "$tmp/$name/out"; then
    echo "$name: caught by $want"
  else
    echo "FAIL: $name: no $want"; grep -v '^sasp: rtl' "$tmp/$name/out" | head -5; fail=1
  fi
}
mutant every-tile-overwrites StripFirst_A \
  "first_d = nxt_nt != cur_nt;" "first_d = 1'b1;"
mutant same-tile-again VisitOrder_A \
  "t_d     = t1;" "t_d     = t_q;"
mutant drops-output-beats '(OutValidHeld|OutStable)_A' \
  "StStream: advance = other_ok && (!emit || out_ready_i);" "StStream: advance = other_ok;"
exit $fail
