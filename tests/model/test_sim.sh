#!/bin/sh
# 'sasp sim': dense and masked runs, JSON output, and the error paths. $1 = sasp executable.
set -u
SASP=$1
D=tests/model/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }

"$SASP" sim $D/sim-dma.yaml --json "$T/dense.json" >"$T/dense.txt" 2>"$T/err"; rc=$?
check '[ $rc -eq 0 ]'
check 'grep -q "totals per inference" "$T/dense.txt"'
check 'grep -q "^a.ff1 " "$T/dense.txt"'
check 'grep -q "memory stalls" "$T/dense.txt"'
check '/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"totals\"][\"time\"][\"array\"] == 2*((4+6*15)+(4+6*9))+(4+4*10), d[\"totals\"][\"time\"]; assert d[\"config\"][\"array\"][\"rows\"] == 4; assert \"sasp\" in d" "$T/dense.json"'

"$SASP" prune --model $D/tiny.yaml --tile 4x4 --rate 0.5 --scope all -o "$T/p" >/dev/null 2>&1
check '[ -f "$T/p/mask.bin" ]'
"$SASP" sim $D/sim-cpu.yaml --mask "$T/p/mask.bin" --json "$T/m.json" >"$T/m.txt" 2>"$T/err"; rc=$?
check '[ $rc -eq 0 ]'
check 'grep -q "speed-up vs the same array dense" "$T/m.txt"'
check 'grep -q "cpu_fed instructions" "$T/m.txt"'
check '/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); T=d[\"totals\"]; t=T[\"counts\"]; assert t[\"tile_passes_kept\"] < t[\"tile_passes\"]; assert T[\"weight_tiles_kept\"] < T[\"weight_tiles\"] == sum(l[\"weight_tiles\"] for l in d[\"layers\"]); assert all(l[\"counts\"][\"tile_passes\"] == l[\"weight_tiles\"] * l[\"counts\"][\"commands\"] for l in d[\"layers\"]); assert d[\"speedup\"][\"vs_dense\"] > 1" "$T/m.json"'
# weight tiles mean what 'sasp prune' counts: all layers' tiles, less the pruned ones
check '/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[\"totals\"]; p=json.load(open(sys.argv[2])); assert d[\"weight_tiles\"] == p[\"tiles_all_layers\"] and d[\"weight_tiles_kept\"] == p[\"tiles_all_layers\"] - p[\"tiles_pruned\"], (d, p)" "$T/m.json" "$T/p/summary.json"'
check 'grep -q "weight tiles kept .* as .sasp prune. counts" "$T/m.txt"'
check 'grep -q "tile passes kept" "$T/m.txt"'

# wrong tile shape: the mask is 4x4, the array 8x8
sed 's/rows: 4, cols: 4/rows: 8, cols: 8/' $D/sim-dma.yaml >"$T/c8.yaml"
sed -i "s#tech: ../../../configs#tech: $PWD/configs#; s#manifest: tiny.yaml#manifest: $PWD/$D/tiny.yaml#" "$T/c8.yaml"
"$SASP" sim "$T/c8.yaml" --mask "$T/p/mask.bin" --json "$T/bad.json" >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 1 ]'
check 'grep -q "4" "$T/err"'
check '[ ! -e "$T/bad.json" ]'
# bad options
"$SASP" sim $D/sim-dma.yaml --system gem5 >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 2 ]'
check 'grep -q "expected fast .* or sc" "$T/err"'
# --backend and --trace-bus are options of the SystemC model only (usage error, nothing written)
"$SASP" sim $D/sim-dma.yaml --backend rtl >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 2 ]'
check 'grep -q "add --system sc" "$T/err"'
"$SASP" sim $D/sim-dma.yaml --system fast --trace-bus "$T/t.csv" >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 2 ]'
check '[ ! -e "$T/t.csv" ]'
# --system sc: the SystemC model, or a clear refusal in a build without it
"$SASP" sim --help >"$T/help" 2>&1
check 'grep -q -- "--system fast|sc" "$T/help"'
"$SASP" sim $D/sim-dma.yaml --system sc --json "$T/sc.json" >"$T/sc.txt" 2>"$T/err"; rc=$?
if grep -q "not in this build" "$T/help"; then
  check '[ $rc -eq 2 ]'
  check 'grep -q "built without SystemC" "$T/err"'
  check '[ ! -e "$T/sc.json" ]'
else
  check '[ $rc -eq 0 ]'
  check 'grep -q "system model: SystemC" "$T/sc.txt"'
  check 'grep -q "\"model\": \"systemc\"" "$T/sc.json"'
fi
"$SASP" sim $D/sim-dma.yaml --frob >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 2 ]'
"$SASP" sim $D/sim-dma.yaml --mask "$T/none.bin" >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 1 ]'
check 'grep -q "none.bin" "$T/err"'
# buffer too small for one tile
sed 's/weight_kib: 1,/weight_kib: 0.0078125,/' "$T/c8.yaml" >"$T/small.yaml"
"$SASP" sim "$T/small.yaml" >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 1 ]'
exit $fail
