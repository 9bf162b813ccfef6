#!/usr/bin/python3
"""Checks the data the plots of a sweep draw (sasp plot DIR --data FILE) against the sweep's
points.csv, recomputing each figure's content independently: every point drawn once at its
achieved rate with its own values, the energy breakdown summing to energy_pj, the Pareto
fronts (per array, over every strategy), the clipping of the WER axis, labels that do not
overlap, and (when the data holds one) the mask picture against tiles_pruned/tiles_total.

usage: check_plot.py POINTS_CSV DATA_JSON
Prints what is wrong and exits 1, or exits 0."""
import csv
import json
import sys

errors = []


def bad(msg):
    errors.append(msg)


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def main():
    csv_path, data_path = sys.argv[1:3]
    with open(csv_path, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames
    data = json.load(open(data_path))
    axes = [c for c in header if c.startswith("axis.")]
    if data["axes"] != axes:
        bad(f"axes {data['axes']} != axis columns of points.csv {axes}")

    def key(arr, rate, strat):
        return (arr, float(rate), tuple(strat.get(a) for a in axes))

    want = {key(f"{r['rows']}x{r['cols']}", r["rate"], {a: r[a] for a in axes}): r
            for r in rows}
    if len(want) != len(rows):
        bad("points.csv holds two rows for one (array, rate, strategy)")
    plots = data["plots"]

    # rate plots: each row once, x = rate_achieved, y = the row's values, rates ascending
    for name in ("speedup_vs_rate", "energy_vs_rate", "wer_vs_rate"):
        p = plots.get(name)
        if p is None:
            if all(r.get("wer" if name == "wer_vs_rate" else "energy_pj") for r in rows):
                bad(f"{name}: not drawn although its columns are filled")
            continue
        seen = set()
        for ser in p["series"]:
            rates = [q["rate"] for q in ser["points"]]
            if rates != sorted(rates):
                bad(f"{name}: series {ser['array']} {ser['strategy']} not in rate order")
            for q in ser["points"]:
                k = key(ser["array"], q["rate"], ser["strategy"])
                r = want.get(k)
                if r is None or k in seen:
                    bad(f"{name}: point {k} drawn but not in points.csv, or drawn twice")
                    continue
                seen.add(k)
                if q["x"] != float(r["rate_achieved"]):
                    bad(f"{name}: {k} drawn at x = {q['x']}, rate_achieved {r['rate_achieved']}")
                for c, v in q["y"].items():
                    if v != float(r[c]):
                        bad(f"{name}: {k} {c} drawn as {v}, points.csv {r[c]}")
        if seen != set(want):
            bad(f"{name}: points missing: {sorted(set(want) - seen)}")

    p = plots.get("energy_breakdown")
    if p:
        comp = {c for c in header if c.startswith("energy_") and c.endswith("_pj")
                and c != "energy_pj"}
        used = [c for cs in p["groups"].values() for c in cs]
        if sorted(used) != sorted(comp):
            bad(f"energy_breakdown: groups {p['groups']} do not cover the components {comp} "
                "exactly once")
        seen = set()
        for b in p["bars"]:
            k = key(b["array"], b["rate"], b["strategy"])
            r = want.get(k)
            if r is None:
                bad(f"energy_breakdown: bar {k} not in points.csv")
                continue
            seen.add(k)
            for g, cs in p["groups"].items():
                if not close(b["parts_pj"][g], sum(float(r[c]) for c in cs), 1e-9):
                    bad(f"energy_breakdown: {k} {g} = {b['parts_pj'][g]}, points.csv sum "
                        f"{sum(float(r[c]) for c in cs)}")
            if not close(sum(b["parts_pj"].values()), float(r["energy_pj"]), 1e-6):
                bad(f"energy_breakdown: {k} parts sum to {sum(b['parts_pj'].values())}, "
                    f"energy_pj {r['energy_pj']}")
        if seen != set(want):
            bad(f"energy_breakdown: bars missing: {sorted(set(want) - seen)}")

    wers = [float(r["wer"]) for r in rows if r.get("wer")]
    p = plots.get("wer_vs_rate")
    if p and p["clip"] is not None:
        clip = p["clip"]
        if not any(w > clip for w in wers):
            bad(f"wer_vs_rate: clipped at {clip} although no WER exceeds it")
        lab = p.get("labels")
        if lab is not None:
            want_l = sorted(f"{w:.0f}" for w in wers if w > clip)
            if sorted(lb["text"] for lb in lab) != want_l:
                bad(f"wer_vs_rate: clipped-value labels {sorted(lb['text'] for lb in lab)} "
                    f"!= the clipped WERs {want_l}")
            overlaps("wer_vs_rate", lab)

    p = plots.get("pareto")
    if p:
        clip = p["clip"]
        for a in p["arrays"]:
            mine = {k: r for k, r in want.items() if k[0] == a["array"]}
            got = {key(a["array"], q["rate"], q["strategy"]): q for q in a["points"]}
            if set(got) != set(mine):
                bad(f"pareto {a['array']}: points {sorted(got)} != points.csv {sorted(mine)}")
                continue
            for k, r in mine.items():
                q = got[k]
                w, s = float(r["wer"]), float(r["speedup_host"])
                if (q["x"], q["y"]) != (w, s):
                    bad(f"pareto: {k} drawn at {(q['x'], q['y'])}, points.csv {(w, s)}")
                dominated = any(float(o["wer"]) <= w and float(o["speedup_host"]) >= s and
                                (float(o["wer"]) < w or float(o["speedup_host"]) > s)
                                for o in mine.values())
                if q["front"] == dominated:
                    bad(f"pareto: {k} front={q['front']} but {'' if dominated else 'not '}"
                        "dominated within its array")
                if q["clipped"] != (clip is not None and w > clip):
                    bad(f"pareto: {k} clipped={q['clipped']} with clip {clip}")
        lab = p.get("labels")
        if lab is not None:
            # one label per front point; coinciding points of one array share it
            n_front = len({(a["array"], q["x"], q["y"], f"{q['rate_achieved']:.2f}")
                           for a in p["arrays"] for q in a["points"] if q["front"]})
            if len(lab) != n_front:
                bad(f"pareto: {len(lab)} labels for {n_front} distinct front points")
            overlaps("pareto", lab)

    p = plots.get("mask")
    if p:
        r = want.get(key(p["array"], p["rate"], p["strategy"])) if p.get("point") else None
        pruned = sum(L["pruned"] for L in p["layers"])
        tiles = sum(L["tiles"] for L in p["layers"])
        for L in p["layers"]:
            kt, nt = len(L["kept"]), len(L["kept"][0])
            if (kt, nt) != (-(-L["K"] // L["tile"][0]), -(-L["N"] // L["tile"][1])):
                bad(f"mask {L['layer']}: {kt}x{nt} tiles for K={L['K']}, N={L['N']}")
            if sum(row.count(0) for row in L["kept"]) != L["pruned"]:
                bad(f"mask {L['layer']}: pruned count != zeros drawn")
        if r is None:
            bad(f"mask {p.get('point')}: no such row in points.csv")
        elif (pruned, tiles) != (int(r["tiles_pruned"]), int(r["tiles_total"])):
            bad(f"mask {p['point']}: {pruned} of {tiles} tiles pruned, points.csv "
                f"{r['tiles_pruned']} of {r['tiles_total']}")

def overlaps(name, labels):
    boxes = [lb["box"] for lb in labels if lb["box"] is not None]
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            if not (a[2] <= b[0] or a[0] >= b[2] or a[3] <= b[1] or a[1] >= b[3]):
                bad(f"{name}: labels overlap: {a} and {b}")


if __name__ == "__main__":
    main()
    for m in errors:
        print(f"check_plot: {m}")
    sys.exit(1 if errors else 0)
