#!/bin/sh
# A fresh run of the default sweep reproduces the committed results/default/points.csv.
#   check_default.sh SASP exact     the sweep exactly as configs/default.yaml says (every GEMM
#                                   co-simulated): points.csv byte for byte (tier long)
#   check_default.sh SASP sampled   the same sweep with the RTL check sampled (sweep.rtl_check:
#                                   sample, sweep.rtl_sample GEMMs per point), minutes faster:
#                                   every column but the RTL ones byte for byte, and every
#                                   point's sampled check passes (default run)
# Where this build lacks the RTL model of some swept shape (meson -Drtl_sizes), the RTL
# columns of those rows cannot be reproduced: they are compared without them, and that is said.
set -u
sasp=$1 mode=${2:-exact}
ref=results/default/points.csv
if [ ! -f "$ref" ]; then
  echo "no committed $ref yet: nothing to compare"
  exit 77
fi
out=$(mktemp -d /tmp/sasp-default.XXXXXX)
err=$(mktemp /tmp/sasp-default-err.XXXXXX)
trap 'rm -rf "$out" "$err"' EXIT
cfg=configs/default.yaml
case $mode in
exact) ;;
sampled)
  cfg=$out/sampled.yaml
  printf 'include: %s/configs/default.yaml\nsweep: {rtl_check: sample}\n' "$PWD" > "$cfg" ;;
*) echo "usage: check_default.sh SASP exact|sampled"; exit 2 ;;
esac
start=$(date +%s)
"$sasp" sweep "$cfg" -o "$out/s" --no-plot --quiet > /dev/null 2> "$err"
rc=$?
# exit 1 with every point written and only "not checked against the RTL" to report: this
# build lacks the RTL model of some swept shape (compared below without the RTL columns)
if [ $rc != 0 ]; then
  if [ $rc = 1 ] && [ -f "$out/s/points.csv" ] && grep -q "not checked against the RTL" "$err" &&
    ! grep -q "failed the RTL check" "$err"; then
    grep "not checked against the RTL" "$err"
  else
    echo "default sweep failed (exit $rc):"; tail -n 5 "$err"; exit 1
  fi
fi
echo "default sweep ($mode RTL check): $(( $(date +%s) - start )) s"
[ "$mode" = exact ] && cmp -s "$ref" "$out/s/points.csv" && exit 0
# identical apart from rtl_* cells that are 'skipped' here because a shape has no RTL model,
# or (sampled) apart from the RTL columns, whose check must pass?
/usr/bin/python3 - "$ref" "$out/s/points.csv" "$mode" <<'PY'
import csv, sys
a = list(csv.DictReader(open(sys.argv[1], newline="")))
b = list(csv.DictReader(open(sys.argv[2], newline="")))
sampled = sys.argv[3] == "sampled"
rtl = lambda c: c.startswith("rtl_")
bad = 0
if len(a) != len(b) or (a and list(a[0]) != list(b[0])):
    print("points.csv: different rows or columns"); sys.exit(1)
skipped = set()
for x, y in zip(a, b):
    pid = f"{x['rows']}x{x['cols']}@{x['rate']}" + "".join(
        f" {c[5:]}={x[c]}" for c in x if c.startswith("axis."))
    local_skip = y["rtl_check"] == "skipped" and x["rtl_check"] != "skipped"
    for c in x:
        if x[c] != y[c] and not (rtl(c) and (local_skip or sampled)):
            print(f"{pid}: {c}: committed {x[c]!r}, fresh run {y[c]!r}"); bad += 1
    if local_skip:
        skipped.add(f"{x['rows']}x{x['cols']}")
    elif sampled and (y["rtl_check"] != x["rtl_check"] or
                      not 0 < int(y["rtl_gemms"] or 0) <= int(x["rtl_gemms"] or 0)):
        print(f"{pid}: sampled RTL check {y['rtl_check']} of {y['rtl_gemms']!r} GEMMs, "
              f"committed {x['rtl_check']} of {x['rtl_gemms']!r}"); bad += 1
if skipped and not bad:
    print(f"equal except the RTL columns of {', '.join(sorted(skipped))} (no RTL model of "
          "that shape in this build)")
if sampled and not bad:
    print("equal except the RTL columns; every point's sampled RTL check agrees with the "
          "committed one")
sys.exit(1 if bad else 0)
PY
