#!/usr/bin/python3
"""The host-cost presets are in step with docs/host-costs.md (both written by scripts/host-costs).

Every value of configs/presets/paper-cpu-fed-costs.yaml, paper-host-int8.yaml and
paper-host-fp32.yaml must equal its derivation from the table: the kernel's AArch64
instructions per unit (less the custom instruction for the issuing loops, per element for the
int8 add) x the kernel's CPI, rounded to 0.01; a value edited by hand, a table regenerated
without the presets (or the reverse) fails. usage: check_host_costs.py SOURCE_ROOT
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
table = {}  # (kernel, what) -> (instructions, cpi, cycles)
with open(os.path.join(root, "docs", "host-costs.md")) as f:
    for line in f:
        c = [x.strip() for x in line.strip().strip("|").split("|")]
        if len(c) == 8 and c[1].startswith("`k_"):
            table[(c[1].strip("`")[2:], c[2])] = (float(c[4]), float(c[5].split()[0]), float(c[6]))
if not table:
    sys.exit("FAIL: docs/host-costs.md holds no kernel table")
bad = 0
for k, (i, cpi, cyc) in table.items():
    if abs(i * cpi - cyc) > 0.011:
        print(f"FAIL: docs/host-costs.md k_{k[0]} ({k[1]}): {i} x {cpi} != {cyc}")
        bad = 1


def row(kernel, what=""):
    for (k, w), v in table.items():
        if k == kernel and w.startswith(what):
            return v
    print(f"FAIL: docs/host-costs.md has no row k_{kernel} {what}")
    return None


# key -> (kernel in the comment, row selector, instructions from the row's count)
cpu_fed = {"weight_loop_cycles": ("", lambda n: n - 1), "stream_loop_cycles": ("", lambda n: n - 1),
           "add_int8_cycles": ("", lambda n: n / 4), "add_fp32_cycles": ("", lambda n: n),
           "tile_cycles": ("per tile", lambda n: n), "strip_cycles": ("per column", lambda n: n),
           "word_cycles": ("per weight word", lambda n: n)}
seen = 0
for name in ("paper-cpu-fed-costs", "paper-host-int8", "paper-host-fp32"):
    path = os.path.join(root, "configs", "presets", name + ".yaml")
    with open(path) as f:
        for no, line in enumerate(f, 1):
            m = re.match(r"\s*(\w+): ([0-9.]+)\s+# k_(\w+): ([0-9.]+) instr.* x CPI ([0-9.]+)$", line)
            if not m:
                if re.match(r"\s*\w+: [0-9.]+", line):
                    print(f"FAIL: {path}:{no}: a value without its derivation: {line.strip()}")
                    bad = 1
                continue
            key, val, kern, n, cpi = m.group(1), float(m.group(2)), m.group(3), float(m.group(4)), float(m.group(5))
            sel, fn = cpu_fed.get(key, ("", lambda x: x))
            r = row(kern, sel)
            seen += 1
            if r is None:
                bad = 1
            elif abs(fn(r[0]) - n) > 0.006 or abs(r[1] - cpi) > 0.006 or abs(round(fn(r[0]) * r[1], 2) - val) > 0.011:
                print(f"FAIL: {path}:{no}: {key}: {val} (from {n} instr x CPI {cpi}) but the table "
                      f"gives k_{kern} {r[0]} instr, CPI {r[1]}")
                bad = 1
if seen < 30:
    print(f"FAIL: only {seen} derived values found in the presets")
    bad = 1
sys.exit(bad)
