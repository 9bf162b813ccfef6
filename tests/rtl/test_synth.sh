#!/bin/sh
# scripts/synth (Yosys) on small arrays: synthesis of 2x2 and 4x4 succeeds, the array holds
# Rows x Cols PEs of one and the same size, the array's gates scale with the PE count, the
# controller and skew synthesise to some logic, and bad arguments are refused.
# Small co-simulation bounds keep the controller quick; the numbers of docs/area.md use the
# default bounds. Exits 77 (skipped) without yosys.
# usage: test_synth.sh   (run from the source root)
set -u
command -v yosys > /dev/null || { echo "yosys not installed: skipped"; exit 77; }
fail=0
tmp=$(mktemp -d /tmp/sasp-synth.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
say() { echo "FAIL: $*"; fail=1; }
scripts/synth --max-m 32 --csv "$tmp/a.csv" 2x2 4x4 > "$tmp/out" 2> "$tmp/err" ||
  { say "scripts/synth exited $?"; cat "$tmp/out" "$tmp/err"; exit 1; }
cat "$tmp/out"
/usr/bin/python3 - "$tmp/a.csv" <<'PY' || fail=1
import csv, sys
rows = {(r['array'], r['block']): r for r in csv.DictReader(open(sys.argv[1]))}
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
pe2, pe4 = float(rows[('2x2', 'pe')]['nand2_eq']), float(rows[('4x4', 'pe')]['nand2_eq'])
need(pe2 > 200, f'a PE of {pe2} NAND2 equivalents is too small for an int8 MAC')
need(abs(pe2 - pe4) < 1e-6, f'the PE differs between arrays: {pe2} vs {pe4}')
for tag, n in (('2x2', 4), ('4x4', 16)):
    arr = rows[(tag, 'array')]
    need(int(arr['count']) == n, f'{tag}: {arr["count"]} PEs, want {n}')
    need(abs(float(arr['nand2_eq']) - n * pe2) <= 0.01 * n * pe2,
         f'{tag}: array {arr["nand2_eq"]} GE is not {n} x PE {pe2}')
    for blk in ('ctrl', 'skew'):
        need(float(rows[(tag, blk)]['nand2_eq']) > 0, f'{tag}: empty {blk}')
    um2, ge = float(rows[(tag, 'total')]['synth_um2']), float(rows[(tag, 'total')]['nand2_eq'])
    need(abs(um2 - ge * 0.798) < 0.01 * um2, f'{tag}: 45 nm area is not GE x 0.798 um^2')
need(float(rows[('4x4', 'skew')]['nand2_eq']) > float(rows[('2x2', 'skew')]['nand2_eq']),
     'the 4-lane skew is not larger than the 2-lane one')
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
PY
scripts/synth 4y4 > /dev/null 2> "$tmp/err"; r=$?
[ $r = 2 ] && grep -q '"4y4" is not RxC' "$tmp/err" || { say "bad size: exit $r"; cat "$tmp/err"; }
scripts/synth --tech "$tmp/none.yaml" 4x4 > /dev/null 2> "$tmp/err"; r=$?
[ $r = 2 ] || say "missing tech table: exit $r"
exit $fail
