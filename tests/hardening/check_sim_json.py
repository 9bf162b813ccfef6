#!/usr/bin/env python3
"""Checks a 'sasp sim --json' result for the limits tests: every number finite and >= 0
(null only for speed-ups that have no dense baseline) and, if given, the exact MAC total.
usage: check_sim_json.py FILE [MACS]"""
import json
import sys


def walk(x, path, bad):
    if isinstance(x, dict):
        for k, v in x.items():
            walk(v, path + "." + k, bad)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, "%s[%d]" % (path, i), bad)
    elif x is None:
        if not path.startswith(".speedup.") and path not in (".mask",):
            bad.append("%s is null (NaN or infinite?)" % path)
    elif isinstance(x, bool) or isinstance(x, str):
        pass
    elif isinstance(x, (int, float)):
        if x < 0 or x != x or x in (float("inf"), float("-inf")):
            bad.append("%s = %r" % (path, x))


def main():
    d = json.load(open(sys.argv[1]))
    bad = []
    walk({k: v for k, v in d.items() if k not in ("config", "sasp")}, "", bad)
    if len(sys.argv) > 2:
        want = int(sys.argv[2])
        got = d["totals"]["counts"]["macs"]
        if got != want:
            bad.append("totals.counts.macs = %r, expected %d" % (got, want))
    for b in bad[:10]:
        print("bad value:", b)
    sys.exit(1 if bad else 0)


main()
