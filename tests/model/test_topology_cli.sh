#!/bin/sh
# A SCALE-Sim topology as the workload (docs/scale-sim.md): 'sasp sim' lowers and times it,
# 'sasp sweep' runs it with the WER stage reported as not applicable, 'sasp prune --config'
# prunes its synthetic weights, and a bad file is one line naming file, line and column
# (exit 1, nothing written). $1 = sasp executable.
set -u
SASP=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $1"; fail=1; fi; }

cat >"$T/alexnet.csv" <<'CSV'
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,
Conv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1      ,
FC, 1, 1, 1, 1, 1024, 1000, 1,
CSV
cat >"$T/cfg.yaml" <<YAML
include: $PWD/configs/presets/paper-cpu-fed.yaml
workload: {topology: alexnet.csv, topology_seed: 3}
prune: {scope: all, rate: 0.25}
sweep: {arrays: [8x8], rates: [0, 0.25], rtl_check: off}
YAML
"$SASP" sim "$T/cfg.yaml" --json "$T/sim.json" >"$T/sim.txt" 2>"$T/err"; rc=$?
check '[ $rc -eq 0 ]'
check 'grep -q "workload alexnet (SCALE-Sim topology .*alexnet.csv), dense" "$T/sim.txt"'
check 'grep -q "^Conv1 .* conv  *2916x363x96 " "$T/sim.txt"'
check 'grep -q "^Conv2 .* conv  *529x2400x256 " "$T/sim.txt"'
check '/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"manifest\"].endswith(\"alexnet.csv\"); assert [(l[\"m\"], l[\"k\"], l[\"n\"]) for l in d[\"layers\"]] == [(2916, 363, 96), (529, 2400, 256), (1, 1024, 1000)]" "$T/sim.json"'

"$SASP" sweep "$T/cfg.yaml" -o "$T/sw" --no-plot --jobs 1 >"$T/sw.txt" 2>"$T/sw.err"; rc=$?
check '[ $rc -eq 0 ]'
check 'grep -q "alexnet.csv: weights are synthetic:3 (timing only): no WER" "$T/sw.err"'
check '/usr/bin/python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert len(r) == 2 and all(x[\"wer\"] == \"\" for x in r); assert r[0][\"tiles_pruned\"] == \"0\" and int(r[1][\"tiles_pruned\"]) > 0; assert float(r[1][\"speedup_dense\"]) > 1" "$T/sw/points.csv"'

"$SASP" prune --config "$T/cfg.yaml" --mask-only -o "$T/p" >"$T/p.txt" 2>"$T/err"; rc=$?
check '[ $rc -eq 0 ]'
check 'grep -q "alexnet: pruned .* all weight tiles" "$T/p.txt"'
check '[ -f "$T/p/mask.bin" ]'
"$SASP" sim "$T/cfg.yaml" --mask "$T/p/mask.bin" >"$T/m.txt" 2>"$T/err"; rc=$?
check '[ $rc -eq 0 ]'
check 'grep -q "speed-up vs the same array dense" "$T/m.txt"'

# bad input: one line, FILE:LINE: column 'NAME', exit 1, no JSON written
sed -i 's/^Conv2     ,27 /Conv2     ,2x7/' "$T/alexnet.csv"
"$SASP" sim "$T/cfg.yaml" --json "$T/bad.json" >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 1 ]'
check '[ "$(wc -l <"$T/err")" -eq 1 ]'
check 'grep -q "alexnet.csv:3: column .IFMAP Height.: expected an integer from 1 to 2147483647, got \"2x7\"" "$T/err"'
check '[ ! -e "$T/bad.json" ]'
# manifest and topology together
printf 'include: cfg.yaml\nworkload: {manifest: m.yaml}\n' >"$T/both.yaml"
"$SASP" sim "$T/both.yaml" >/dev/null 2>"$T/err"; rc=$?
check '[ $rc -eq 1 ]'
check 'grep -q "give one, not both" "$T/err"'
[ $fail -eq 0 ] && echo "topology-cli: ok"
exit $fail
