#!/bin/sh
# The paper's qualitative result on sasp's model of its system (docs/paper-comparison.md):
# configs/paper-v2.yaml (fp32 activations) gains more from pruning than configs/paper-v1.yaml
# (int8) at every array and rate > 0; the speed-up grows with the rate and shrinks with the
# array size (diminishing returns). Also: a key the integration ignores gives one warning, or
# an error with --strict; the attention products (role attn_matmul) are never pruned.
# usage: test_paper_v1v2.sh SASP
set -u
sasp=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
for v in v1 v2; do
  # timing only here: the RTL check of paper-v1 (minutes) is the rtl suite's business
  printf 'include: %s/configs/paper-%s.yaml\nsweep: {rtl_check: off}\n' "$PWD" "$v" > "$t/$v.yaml"
  "$sasp" sweep "$t/$v.yaml" -o "$t/$v" --no-plot --quiet --jobs 2 > "$t/$v.log" 2>&1 ||
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
# The attention products (role attn_matmul: activation x activation) are never pruned, store
# no weights, are refused in a mask that skips their tiles, and cost host.attn_mac per MAC in
# host-only execution.
man=workloads/paper-librispeech
"$sasp" prune --model $man --tile 16x16 --rate 0.5 --scope all --mask-only -o "$t/all" > /dev/null 2>&1 ||
  { echo "FAIL: prune --scope all of the paper manifest"; fail=1; }
/usr/bin/python3 - "$t/all/summary.csv" <<'PY' || fail=1
import csv, sys
rows = {r["layer"]: r for r in csv.DictReader(open(sys.argv[1]))}
for name, r in rows.items():
    if name in ("total", "selected"):
        continue
    am = r["role"] == "attn_matmul"
    if am != (name in ("attn.qk", "attn.sv")):
        print(f"FAIL: {name} has role {r['role']}"); sys.exit(1)
    if am and (r["selected"] != "0" or r["pruned"] != "0"):
        print(f"FAIL: scope all selected/pruned the activation product {name}: {r}"); sys.exit(1)
    if not am and (r["selected"] != "1" or r["pruned"] == "0"):
        print(f"FAIL: scope all left the weight layer {name} unpruned: {r}"); sys.exit(1)
PY
# a mask that skips tiles of attn.qk (made from a copy whose products carry a weight role)
mkdir -p "$t/qkv"
sed 's/role: attn_matmul/role: attn_qkv/' $man/manifest.yaml > "$t/qkv/manifest.yaml"
"$sasp" prune --model "$t/qkv/manifest.yaml" --tile 16x16 --rate 0.5 --scope all --per-layer --mask-only -o "$t/qkvp" > /dev/null 2>&1 ||
  { echo "FAIL: prune of the attn_qkv copy"; fail=1; }
printf 'include: %s/configs/paper-v1.yaml\narray: {rows: 16, cols: 16}\n' "$PWD" > "$t/p16.yaml"
if "$sasp" sim "$t/p16.yaml" --mask "$t/qkvp/mask.bin" > /dev/null 2> "$t/err"; then
  echo "FAIL: sim accepted a mask skipping tiles of an attn_matmul layer"; fail=1
fi
grep -q "mask of layer 'attn.qk' skips tiles, but the layer has role attn_matmul" "$t/err" ||
  { echo "FAIL: attn_matmul mask message:"; cat "$t/err"; fail=1; }
for a in 1 3; do
  printf 'include: %s\nhost: {attn_mac: %s}\n' "$t/p16.yaml" $a > "$t/am$a.yaml"
  "$sasp" sim "$t/am$a.yaml" --mask "$t/all/mask.bin" --json "$t/am$a.json" > /dev/null 2>&1 ||
    { echo "FAIL: sim with host.attn_mac $a"; fail=1; }
done
/usr/bin/python3 - "$t/am1.json" "$t/am3.json" <<'PY' || fail=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
lay = {l["name"]: l for l in a["layers"]}
for n in ("attn.qk", "attn.sv"):
    if lay[n]["weight_bytes"] != 0 or lay[n]["meta_bytes"] != 0:
        print(f"FAIL: {n} stores {lay[n]['weight_bytes']} + {lay[n]['meta_bytes']} bytes"); sys.exit(1)
fp = a["footprint"]
if fp["weight_bytes"] != sum(l["weight_bytes"] for l in a["layers"]) or fp["weight_bytes"] <= 0:
    print(f"FAIL: footprint {fp}"); sys.exit(1)
# host-only: 2 products x 4 heads x 128^3 MACs, 2 cycles per MAC more at attn_mac 3 than 1
macs = 2 * 4 * 128 ** 3
d = b["totals"]["host_only_cycles"] - a["totals"]["host_only_cycles"]
if abs(d - 2 * macs) > 1e-6 * macs:
    print(f"FAIL: host-only cycles grow by {d} with attn_mac 1 -> 3, want {2 * macs}"); sys.exit(1)
PY
[ $fail = 0 ] && echo ok
exit $fail
