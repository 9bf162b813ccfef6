#!/usr/bin/python3
"""Checks a sweep's points.csv: the contract's leading columns in order, one row per grid
point sorted by (rows, cols, rate), every cell of an available stage filled, and the
consistency the model guarantees.

usage: check_points.py POINTS_CSV ARRAYS RATES RTL
  ARRAYS  e.g. 4x4,8x8      RATES  e.g. 0,0.3,0.6
  RTL     expected rtl_check: pass | skipped for every array, or per array: 4x4=pass,8x8=skipped
Prints what is wrong and exits 1, or exits 0."""
import csv
import sys

HEAD = ["rows", "cols", "rate", "rate_achieved", "criterion", "scope", "array_cycles",
        "system_cycles", "speedup_dense", "speedup_host", "energy_pj", "energy_ratio",
        "area_mm2", "wer", "wer_lo", "wer_hi", "rtl_check"]
CYCLE = ["array_cycles", "system_cycles", "speedup_dense", "speedup_host", "energy_pj",
         "energy_ratio", "area_mm2", "accel_cycles", "dense_system_cycles", "host_only_cycles",
         "energy_mac_pj", "weight_bytes", "meta_bytes", "footprint_bytes"]
WER = ["wer", "wer_lo", "wer_hi", "wer_sub", "wer_ins", "wer_del", "wer_words", "wer_utts",
       "wer_engine"]

errors = []


def bad(msg):
    errors.append(msg)


def main():
    path, arrays, rates, rtl = sys.argv[1:5]
    arrays = [tuple(int(x) for x in a.split("x")) for a in arrays.split(",")]
    rates = [float(r) for r in rates.split(",")]
    if "=" in rtl:
        want_rtl = {tuple(int(x) for x in k.split("x")): v
                    for k, v in (item.split("=") for item in rtl.split(","))}
    else:
        want_rtl = {a: rtl for a in arrays}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r)) for r in reader]
        f.seek(0)
        widths = {len(r) for r in csv.reader(f)}
    if header[:len(HEAD)] != HEAD:
        bad(f"leading columns {header[:len(HEAD)]} != {HEAD}")
    if widths != {len(header)}:
        bad(f"rows of different widths: {sorted(widths)}")
    want = [(r, c, x) for (r, c) in sorted(arrays) for x in sorted(rates)]
    got = [(int(p["rows"]), int(p["cols"]), float(p["rate"])) for p in rows]
    if got != want:
        bad(f"points {got} != grid {want} (sorted by rows, cols, rate)")
    for p in rows:
        pid = f"{p['rows']}x{p['cols']}@{p['rate']}"
        for c in CYCLE + WER + ["rate_achieved", "tiles_pruned", "tiles_selected"]:
            if p.get(c, "") == "":
                bad(f"{pid}: column {c} empty")
        rtl = want_rtl.get((int(p["rows"]), int(p["cols"])))
        if p["rtl_check"] != rtl:
            bad(f"{pid}: rtl_check {p['rtl_check']!r}, expected {rtl!r}")
        if rtl == "pass" and not (int(p["rtl_gemms"] or 0) > 0 and int(p["rtl_cycles_compared"] or 0) > 0):
            bad(f"{pid}: RTL check passed without GEMMs compared")
        if errors:
            continue
        ach, rate = float(p["rate_achieved"]), float(p["rate"])
        if not (ach <= rate + 1e-9 and ach >= rate - 0.01):
            bad(f"{pid}: rate_achieved {ach} far from rate {rate}")
        if not float(p["wer_lo"]) <= float(p["wer"]) <= float(p["wer_hi"]):
            bad(f"{pid}: wer {p['wer']} outside [{p['wer_lo']}, {p['wer_hi']}]")
        e = int(p["wer_sub"]) + int(p["wer_ins"]) + int(p["wer_del"])
        if abs(100.0 * e / int(p["wer_words"]) - float(p["wer"])) > 0.001:
            bad(f"{pid}: wer {p['wer']} != 100 (S+I+D)/words")
        parts = sum(float(p[c]) for c in p
                    if c.startswith("energy_") and c.endswith("_pj") and c != "energy_pj")
        if abs(parts - float(p["energy_pj"])) > 1e-6 * float(p["energy_pj"]):
            bad(f"{pid}: energy breakdown sums to {parts}, energy_pj {p['energy_pj']}")
        sp = float(p["dense_system_cycles"]) / float(p["system_cycles"])
        if abs(sp - float(p["speedup_dense"])) > 1e-5 * sp:
            bad(f"{pid}: speedup_dense {p['speedup_dense']} != dense/system cycles {sp}")
        if int(p["footprint_bytes"]) != int(p["weight_bytes"]) + int(p["meta_bytes"]):
            bad(f"{pid}: footprint_bytes {p['footprint_bytes']} != weight_bytes + meta_bytes")
        sh = float(p["host_only_cycles"]) / float(p["system_cycles"])
        if abs(sh - float(p["speedup_host"])) > 1e-5 * sh:
            bad(f"{pid}: speedup_host {p['speedup_host']} != host-only/system cycles {sh}")
    if errors:
        return
    dense_wer = set()
    for (r, c) in arrays:
        pts = sorted((p for p in rows if (int(p["rows"]), int(p["cols"])) == (r, c)),
                     key=lambda p: float(p["rate"]))
        z = pts[0]
        if float(z["rate"]) == 0:
            if z["speedup_dense"] != "1.000000" or z["energy_ratio"] != "1.000000":
                bad(f"{r}x{c}: rate 0 has speedup_dense {z['speedup_dense']}, energy_ratio "
                    f"{z['energy_ratio']} (want 1.000000)")
            if z["tiles_pruned"] != "0":
                bad(f"{r}x{c}: rate 0 pruned {z['tiles_pruned']} tiles")
            dense_wer.add(z["wer"])
        if len({p["area_mm2"] for p in pts}) != 1:
            bad(f"{r}x{c}: area changes with the pruning rate")
        for a, b in zip(pts, pts[1:]):
            # A higher rate prunes a superset of tiles (one score order), so the array does
            # strictly less work: fewer kept tiles, fewer array cycles, fewer MACs.
            if int(b["tiles_pruned"]) < int(a["tiles_pruned"]):
                bad(f"{r}x{c}: tiles_pruned falls from rate {a['rate']} to {b['rate']}")
            if int(b["array_cycles"]) > int(a["array_cycles"]):
                bad(f"{r}x{c}: array_cycles rise from rate {a['rate']} to {b['rate']}")
            if float(b["energy_mac_pj"]) > float(a["energy_mac_pj"]):
                bad(f"{r}x{c}: MAC energy rises from rate {a['rate']} to {b['rate']}")
            # pruned tiles are not stored: more pruned tiles, fewer weight bytes
            if int(b["tiles_pruned"]) > int(a["tiles_pruned"]) and \
                    int(b["weight_bytes"]) >= int(a["weight_bytes"]):
                bad(f"{r}x{c}: weight_bytes do not fall from rate {a['rate']} to {b['rate']}")
    # The dense int8 model computes the same integers on any array: one WER for all shapes.
    if len(dense_wer) > 1:
        bad(f"WER of the dense model differs between array shapes: {sorted(dense_wer)}")


if __name__ == "__main__":
    main()
    for m in errors:
        print(f"check_points: {m}")
    sys.exit(1 if errors else 0)
