#!/bin/sh
# The paper's qualitative result on sasp's model of its system (docs/paper-comparison.md):
# configs/paper-v2.yaml (fp32 activations) gains more from pruning than configs/paper-v1.yaml
# (int8) at every array and rate > 0; the speed-up grows with the rate and shrinks with the
# array size (diminishing returns). Also: a key the integration ignores gives one warning, or
# an error with --strict.
# usage: test_paper_v1v2.sh SASP
set -u
sasp=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
for v in v1 v2; do
  "$sasp" sweep configs/paper-$v.yaml -o "$t/$v" --no-plot --quiet --jobs 2 > "$t/$v.log" 2>&1 ||
    { echo "FAIL: sweep paper-$v"; cat "$t/$v.log"; exit 1; }
done
/usr/bin/python3 - "$t/v1/points.csv" "$t/v2/points.csv" <<'PY' || fail=1
import csv, sys
def load(p):
    return {(int(r["rows"]), float(r["rate"])): float(r["speedup_dense"]) for r in csv.DictReader(open(p))}
v1, v2 = load(sys.argv[1]), load(sys.argv[2])
bad = 0
for (a, q), s1 in sorted(v1.items()):
    if q > 0 and not v2[(a, q)] > s1:
        print(f"FAIL: {a}x{a} rate {q}: v2 {v2[(a, q)]:.4f} not above v1 {s1:.4f}"); bad = 1
arrays = sorted({a for a, _ in v1}); rates = sorted({q for _, q in v1})
for d in (v1, v2):
    for a in arrays:
        s = [d[(a, q)] for q in rates]
        if any(y <= x for x, y in zip(s, s[1:])):
            print(f"FAIL: {a}x{a}: speed-up not increasing with the rate: {s}"); bad = 1
    for q in rates[1:]:
        s = [d[(a, q)] for a in arrays]
        if any(y > x for x, y in zip(s, s[1:])):
            print(f"FAIL: rate {q}: speed-up grows with the array: {s}"); bad = 1
sys.exit(bad)
PY
# ignored keys: one warning line naming the key; --strict: exit 1
printf 'include: %s/configs/paper-v1.yaml\nmemory: {dram_latency_cycles: 5}\n' "$PWD" > "$t/ign.yaml"
"$sasp" config "$t/ign.yaml" > /dev/null 2> "$t/err" || { echo "FAIL: config with an ignored key"; fail=1; }
[ "$(grep -c "warning: key 'memory.dram_latency_cycles' is ignored by integration cpu_fed" "$t/err")" = 1 ] ||
  { echo "FAIL: no single warning line:"; cat "$t/err"; fail=1; }
if "$sasp" sim "$t/ign.yaml" --strict > /dev/null 2> "$t/err"; then
  echo "FAIL: --strict accepted an ignored key"; fail=1
fi
grep -q "key 'memory.dram_latency_cycles' is ignored by integration cpu_fed (--strict)" "$t/err" ||
  { echo "FAIL: --strict message:"; cat "$t/err"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
