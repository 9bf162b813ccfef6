#!/usr/bin/python3
"""'sasp prune' against scripts/prune_ref.py (an independent numpy implementation) on the tiny
test model: every criterion, threshold mode, scope, several tile shapes, rates and caps; plus
rate 0 / rate 1, the achieved count within one tile, exact tie-breaking and the paper's rule.
Usage: test_prune_ref.py SASP   (run from the source root)"""
import math
import os
import subprocess
import sys
import tempfile
import types

sys.path.insert(0, "scripts")
import prune_ref as R  # noqa: E402

SASP = sys.argv[1]
MODEL = "tests/prune/data/tiny"
NORMS = MODEL + "/norms.safetensors"
man = R.load_manifest(MODEL + "/manifest.yaml")
names, arrays, _ = R.read_safetensors(MODEL + "/model.safetensors")
norms = R.read_safetensors(NORMS)[1]
failures, runs = [], 0
tmp = tempfile.mkdtemp(prefix="sasp-prune-ref-")


def fail(what):
    failures.append(what)
    print("FAIL:", what, file=sys.stderr)


def run(tile, rate, crit="mean_abs", scope="ff", thr="global", cap=1.0):
    """Runs sasp prune and compares with the reference; returns the reference keep masks."""
    global runs
    runs += 1
    out = os.path.join(tmp, f"o{runs}")
    cmd = [SASP, "prune", "--model", MODEL, "--tile", tile, "--rate", repr(rate), "--criterion",
           crit, "--scope", scope, "--global" if thr == "global" else "--per-layer", "--cap",
           repr(cap), "-o", out]
    if crit == "act_aware":
        cmd += ["--act-norms", NORMS]
    what = f"{tile} rate={rate} {crit} {scope} {thr} cap={cap}"
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        fail(f"{what}: sasp exit {p.returncode}: {p.stderr.strip()}")
        return None
    r, c = (int(x) for x in tile.split("x"))
    keep, total = R.prune(man, arrays, r, c, rate, crit, scope, thr, cap, norms)
    args = types.SimpleNamespace(check=out, r=r, c=c)
    for b in R.check(args, man, names, arrays, keep, total):
        fail(f"{what}: {b}")
    # rules that hold independently of the scores
    sel = [l for l in man["layers"] if l["role"] in R.ROLES_IN_SCOPE[scope]]
    pruned = {l["name"]: int((keep[l["name"]] == 0).sum()) for l in man["layers"]}
    tiles = {l["name"]: keep[l["name"]].size for l in man["layers"]}
    for l in man["layers"]:
        if l not in sel and pruned[l["name"]]:
            fail(f"{what}: out-of-scope layer {l['name']} pruned")
        if pruned[l["name"]] > math.floor(cap * tiles[l["name"]] + 1e-9):
            fail(f"{what}: cap exceeded in {l['name']}")
    tot = sum(pruned.values())
    if rate == 0 and tot:
        fail(f"{what}: rate 0 pruned {tot}")
    if rate == 1 and cap == 1 and tot != total:
        fail(f"{what}: rate 1 pruned {tot} of {total}")
    if cap == 1:
        if thr == "global" and abs(tot - rate * total) >= 1:
            fail(f"{what}: achieved {tot} not within one tile of {rate * total}")
        if thr == "per_layer":
            for l in sel:
                if abs(pruned[l["name"]] - rate * tiles[l["name"]]) >= 1:
                    fail(f"{what}: layer {l['name']} off by a tile or more")
    if crit == "mean_abs" and thr == "global" and cap == 1 and 0 < rate < 1:
        paper = R.paper_rule(man, arrays, r, c, rate, scope)
        sc = sorted(float(s) for l in sel
                    for s in R.tile_scores(R.layer_matrix(arrays, l), r, c, "mean_abs").ravel())
        i = int(rate * len(sc))
        if 0 < i < len(sc) and sc[i - 1] < sc[i] and int(rate * len(sc)) == round(rate * len(sc), 6):
            for n, k in paper.items():
                if (k != keep[n]).any():
                    fail(f"{what}: differs from the paper's threshold rule in {n}")
    return keep


RATES = [0.0, 0.1, 0.37, 0.5, 1.0]
CRITS = ["mean_abs", "l2", "act_aware"]
THRS = ["global", "per_layer"]
for crit in CRITS:
    for thr in THRS:
        for rate in RATES:
            run("4x4", rate, crit, "ff", thr)
for tile in ["3x5", "16x16", "2x2", "5x2"]:  # tiles of at least 2x2, as array.rows/cols
    for scope in ["ff", "attn", "all"]:
        for crit in CRITS:
            for thr in THRS:
                run(tile, 0.37, crit, scope, thr)
for cap in [0.4, 0.0]:
    for rate in [0.5, 1.0]:
        for crit in CRITS:
            for thr in THRS:
                run("3x5", rate, crit, "all", thr, cap)

# Every achievable count on the 96 ff tiles of 4x4: exact, and the two tiles with equal
# score 0.125 (enc.0.ff1 tile 0, enc.1.ff2 tile 0) are taken in layer order.
s1 = R.tile_scores(R.layer_matrix(arrays, man["layers"][4]), 4, 4, "mean_abs")[0, 0]
s2 = R.tile_scores(R.layer_matrix(arrays, man["layers"][7]), 4, 4, "mean_abs")[0, 0]
if not (s1 == s2 == 0.125):
    fail(f"test data: tied tiles have scores {s1}, {s2}")
split = 0
for t in range(97):
    keep = run("4x4", t / 96)
    if keep is None:
        continue
    n = sum(int((k == 0).sum()) for k in keep.values())
    if n != t:
        fail(f"count {t}: reference pruned {n}")
    a, b = keep["enc.0.ff1"][0, 0], keep["enc.1.ff2"][0, 0]
    if a == 1 and b == 0:
        fail(f"count {t}: tie broken against layer order")
    split += a == 0 and b == 1
if split != 1:
    fail(f"the tie between layers was split by {split} counts, expected exactly 1")

subprocess.run(["rm", "-rf", tmp])
print(f"prune-vs-numpy: {runs} runs, {len(failures)} failures")
sys.exit(1 if failures else 0)
