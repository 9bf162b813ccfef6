#!/bin/sh
# 'sasp cosim' on the command line: agreement (exit 0), a perturbed RTL output detected
# (exit 1, naming the GEMM and element), tile masks, waves, bad input and usage errors.
# usage: test_cosim_cli.sh SASP RxC [traced]   (RxC = a built size, or 'none' for a build
# without RTL; 'traced' when RxC also has a traced model, meson option rtl_trace)
set -u
sasp=$1 size=$2 traced=${3:-}
fail=0
tmp=$(mktemp -d /tmp/sasp-cosim-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SASP_RTL_CACHE="$tmp/cache"  # hermetic: never the user's model cache
check() { # expected-status description command...
  want=$1 what=$2; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"; got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; cat "$tmp/out" "$tmp/err"; fail=1
  fi
}
if [ "$size" = none ]; then
  check 2 "no RTL" "$sasp" cosim configs/default.yaml
  grep -q "built without RTL" "$tmp/err" || { echo "FAIL: no-RTL message"; fail=1; }
  exit $fail
fi
r=${size%x*} c=${size#*x}
# the streaming interface (integration dma); cpu_fed below
printf 'include: %s/configs/default.yaml\narray: {rows: %s, cols: %s}\nintegration: dma\n' \
  "$(pwd)" "$r" "$c" > "$tmp/cfg.yaml"

check 0 "sample agrees" "$sasp" cosim "$tmp/cfg.yaml" --sample 2 --seed 5
grep -q "RTL and C model agree" "$tmp/out" || { echo "FAIL: summary line"; fail=1; }
[ "$(grep -c ' ok$' "$tmp/out")" = 2 ] || { echo "FAIL: expected 2 table rows"; cat "$tmp/out"; fail=1; }

SASP_COSIM_PERTURB=1 check 1 "perturbed output detected" "$sasp" cosim "$tmp/cfg.yaml" --sample 1
grep -q "GEMM '.*' command 0 (rows .*): Y\[[0-9]*\]\[[0-9]*\] RTL .* != C model .* (tile column nt=" \
  "$tmp/err" || { echo "FAIL: mismatch message"; cat "$tmp/err"; fail=1; }
# the other comparisons fail too (cycle count, tile schedule, output beat timing), also with a
# stalling source; --stall on its own agrees
SASP_COSIM_PERTURB=cycles check 1 "perturbed cycle count" "$sasp" cosim "$tmp/cfg.yaml" --sample 1
grep -q "cycles RTL [0-9]* != C model" "$tmp/err" || { echo "FAIL: cycles message"; cat "$tmp/err"; fail=1; }
SASP_COSIM_PERTURB=schedule check 1 "perturbed schedule" "$sasp" cosim "$tmp/cfg.yaml" --sample 1 --stall 60
grep -q "stream phase #[0-9]*: RTL streamed tile .* the C model (stalling source)" "$tmp/err" ||
  { echo "FAIL: schedule message"; cat "$tmp/err"; fail=1; }
SASP_COSIM_PERTURB=output check 1 "perturbed output beat" "$sasp" cosim "$tmp/cfg.yaml" --sample 1
grep -q "output beat #[0-9]*: RTL differs" "$tmp/err" || { echo "FAIL: output beat message"; cat "$tmp/err"; fail=1; }
check 0 "stalling streams agree" "$sasp" cosim "$tmp/cfg.yaml" --sample 2 --stall 40 --seed 3
grep -q "stalling streams" "$tmp/out" || { echo "FAIL: stall header"; fail=1; }
check 2 "bad --stall" "$sasp" cosim "$tmp/cfg.yaml" --stall 0
check 2 "bad --integration" "$sasp" cosim "$tmp/cfg.yaml" --integration pcie
check 0 "--integration cpu_fed" "$sasp" cosim "$tmp/cfg.yaml" --sample 1 --integration cpu_fed
grep -q "cpu_fed: the CPU's instruction stream" "$tmp/out" || { echo "FAIL: --integration header"; fail=1; }

# integration cpu_fed: the CPU's instruction stream through the RTL's CPU port agrees; a
# perturbed instruction cycle and a perturbed value are reported; a bus the RTL's port does
# not have is refused
printf 'include: %s\nintegration: cpu_fed\n' "$tmp/cfg.yaml" > "$tmp/cpu.yaml"
check 0 "cpu_fed agrees" "$sasp" cosim "$tmp/cpu.yaml" --sample 2 --seed 4
grep -q "cpu_fed: the CPU's instruction stream" "$tmp/out" || { echo "FAIL: cpu_fed header"; cat "$tmp/out"; fail=1; }
[ "$(grep -c ' ok$' "$tmp/out")" = 2 ] || { echo "FAIL: expected 2 cpu_fed rows"; cat "$tmp/out"; fail=1; }
SASP_COSIM_PERTURB=ins check 1 "cpu_fed perturbed instruction cycle" "$sasp" cosim "$tmp/cpu.yaml" --sample 1
grep -q "instruction #[0-9]* (tile kt=[0-9]* nt=[0-9]*): RTL stream accepted in cycle [0-9]*, .* the C model: stream in cycle" \
  "$tmp/err" || { echo "FAIL: cpu_fed instruction message"; cat "$tmp/err"; fail=1; }
SASP_COSIM_PERTURB=1 check 1 "cpu_fed perturbed value" "$sasp" cosim "$tmp/cpu.yaml" --sample 1
grep -q "Y\[[0-9]*\]\[[0-9]*\] RTL .* != C model .* (cpu_fed" "$tmp/err" || { echo "FAIL: cpu_fed value message"; cat "$tmp/err"; fail=1; }
printf 'include: %s\ncpu_fed: {bus_bits: 64}\n' "$tmp/cpu.yaml" > "$tmp/cpu64.yaml"
check 2 "cpu_fed 64-bit bus" "$sasp" cosim "$tmp/cpu64.yaml" --sample 1
grep -q "the RTL's CPU port is 32 bits wide" "$tmp/err" || { echo "FAIL: bus message"; cat "$tmp/err"; fail=1; }
# fp32 activations (v2, docs/timing.md §1.1): the fp32 model of the size, built on demand,
# agrees; a perturbed instruction cycle and a perturbed output bit are caught; the streaming
# interface (dma) has no fp32 path and is refused
printf 'include: %s\narray: {act_type: fp32}\n' "$tmp/cpu.yaml" > "$tmp/cpuf.yaml"
check 0 "cpu_fed fp32 agrees" "$sasp" cosim "$tmp/cpuf.yaml" --sample 2 --seed 6
[ "$(grep -c ' ok$' "$tmp/out")" = 2 ] || { echo "FAIL: expected 2 fp32 rows"; cat "$tmp/out" "$tmp/err"; fail=1; }
grep -q "rtl ${size}-fp32: built" "$tmp/err" || { echo "FAIL: fp32 model not built on demand"; cat "$tmp/err"; fail=1; }
SASP_COSIM_PERTURB=ins check 1 "fp32 perturbed instruction cycle" "$sasp" cosim "$tmp/cpuf.yaml" --sample 1
grep -q "instruction #[0-9]* (tile kt=[0-9]* nt=[0-9]*): RTL queue accepted in cycle [0-9]*, .* the C model: queue in cycle" \
  "$tmp/err" || { echo "FAIL: fp32 instruction message"; cat "$tmp/err"; fail=1; }
SASP_COSIM_PERTURB=1 check 1 "fp32 perturbed value" "$sasp" cosim "$tmp/cpuf.yaml" --sample 1
grep -q "Y\[[0-9]*\]\[[0-9]*\] RTL [0-9a-f]\{8\} (.*) != C model [0-9a-f]\{8\} (.*) (cpu_fed fp32" "$tmp/err" ||
  { echo "FAIL: fp32 value message"; cat "$tmp/err"; fail=1; }
check 1 "fp32 through the streams" "$sasp" cosim "$tmp/cpuf.yaml" --sample 1 --integration dma
grep -q "fp32 is co-simulated through the CPU port" "$tmp/err" || { echo "FAIL: fp32 dma message"; cat "$tmp/err"; fail=1; }
# a CPU issuing an instruction in 40 % of the cycles (idle cycles between instructions):
# values agree, every instruction's cycle is the C model's shifted by the gaps (int8 and
# fp32), and a perturbed instruction cycle is still caught
check 0 "cpu_fed --stall" "$sasp" cosim "$tmp/cpu.yaml" --sample 2 --stall 40 --seed 8
grep -q "RTL and C model agree" "$tmp/out" || { echo "FAIL: cpu_fed --stall summary"; cat "$tmp/out" "$tmp/err"; fail=1; }
SASP_COSIM_PERTURB=ins check 1 "cpu_fed --stall perturbed instruction cycle" "$sasp" cosim "$tmp/cpu.yaml" --sample 1 --stall 40
grep -q "instruction #[0-9]* (tile kt=[0-9]* nt=[0-9]*): RTL [a-z]* accepted in cycle [0-9]*" "$tmp/err" ||
  { echo "FAIL: cpu_fed --stall instruction message"; cat "$tmp/err"; fail=1; }
check 0 "fp32 --stall" "$sasp" cosim "$tmp/cpuf.yaml" --sample 1 --stall 40 --seed 9

if [ "$traced" = traced ]; then
  check 0 "waves" "$sasp" cosim "$tmp/cfg.yaml" --sample 1 --trace "$tmp/w.fst"
  [ -s "$tmp/w.fst" ] || { echo "FAIL: no FST written"; fail=1; }
  check 0 "vcd waves" "$sasp" cosim "$tmp/cfg.yaml" --sample 1 --trace "$tmp/w.vcd"
  grep -q 'enddefinitions' "$tmp/w.vcd" || { echo "FAIL: no VCD written"; fail=1; }
  [ ! -e "$tmp/w.vcd.fst.tmp" ] || { echo "FAIL: temporary FST left behind"; fail=1; }
else  # no prebuilt traced model: one is built on demand (in this test's private cache)
  check 0 "waves of an untraced size" "$sasp" cosim "$tmp/cfg.yaml" --sample 1 --trace "$tmp/w.fst"
  grep -q "building the traced (waves) RTL model" "$tmp/err" ||
    { echo "FAIL: no traced model built on demand"; cat "$tmp/err"; fail=1; }
  [ -s "$tmp/w.fst" ] || { echo "FAIL: no FST written"; fail=1; }
fi
check 1 "unknown wave format" "$sasp" cosim "$tmp/cfg.yaml" --sample 1 --trace "$tmp/w.txt"
grep -q "FILE.fst or FILE.vcd" "$tmp/err" || { echo "FAIL: trace name message"; fail=1; }

# masks from the pruner; a mask for another tile shape is refused
if "$sasp" prune --model workloads/asr --tile "$size" --rate 0.6 --mask-only -o "$tmp/p" \
     > /dev/null 2>&1; then
  check 0 "pruned masks agree" "$sasp" cosim "$tmp/cfg.yaml" --mask "$tmp/p/mask.bin" --sample 3
  printf 'include: %s/configs/default.yaml\narray: {rows: %s, cols: %s}\n' "$(pwd)" "$c" "$((r + 1))" \
    > "$tmp/cfg2.yaml"
  check 1 "mask of another tile shape" "$sasp" cosim "$tmp/cfg2.yaml" --mask "$tmp/p/mask.bin"
else
  echo "FAIL: sasp prune did not produce a mask"; fail=1
fi
# A model built on demand right after reset (10x15: found by rtl-random-long): the harness
# once lost reset's second rising edge, and this GEMM's first command then failed
# OutValidHeld_A in cycle 0
printf 'format: sasp-manifest/1\nname: one\nweights: synthetic:1\narch: {type: none}\nschedule: {tokens: 14}\nlayers:\n  - {name: t, role: ff, weight: t.weight, layout: in_out, k: 46, n: 36, m: 14}\n' > "$tmp/m1015.yaml"
printf 'include: %s/configs/dma.yaml\narray: {rows: 10, cols: 15}\nworkload: {manifest: %s, testset: null}\n' \
  "$(pwd)" "$tmp/m1015.yaml" > "$tmp/c1015.yaml"
check 0 "10x15 after reset" "$sasp" cosim "$tmp/c1015.yaml" --all --integration dma
check 1 "missing mask" "$sasp" cosim "$tmp/cfg.yaml" --mask "$tmp/nonexistent.bin"
check 1 "size beyond the RTL" sh -c "printf 'include: $(pwd)/configs/default.yaml\narray: {rows: 2, cols: 300}\n' > $tmp/c3.yaml; exec $sasp cosim $tmp/c3.yaml --sample 1"
grep -q "no RTL model of a 2x300 array" "$tmp/err" || { echo "FAIL: size message"; cat "$tmp/err"; fail=1; }
check 2 "bad --sample" "$sasp" cosim "$tmp/cfg.yaml" --sample 0
check 2 "unknown option" "$sasp" cosim "$tmp/cfg.yaml" --frob
check 2 "no config" "$sasp" cosim
check 1 "missing config" "$sasp" cosim "$tmp/none.yaml"
exit $fail
