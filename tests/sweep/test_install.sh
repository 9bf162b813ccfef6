#!/bin/sh
# 'meson install --destdir' gives a working sasp: run from an unrelated working directory, the
# installed binary sweeps configs/regress.yaml (by absolute path) with plots, and reports the
# git revision the build recorded (scripts/git-rev), in --version and in summary.json.
#   test_install.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
tmp=$(mktemp -d /tmp/sasp-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet > "$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "FAIL: meson install"; exit 1; }
sasp=$(find "$tmp/root" -type f -name sasp -perm -u+x | head -1)
[ -n "$sasp" ] || { echo "FAIL: no sasp installed under $tmp/root"; exit 1; }
[ -n "$(find "$tmp/root" -name sasp_plot.py)" ] || die "sasp_plot.py not installed"

rev=$(sh "$src/scripts/git-rev" "$src")
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere" || exit 1
"$sasp" --version > version.txt 2>&1 || die "--version: exit $?"
grep -q "(git $rev)" version.txt || { die "--version does not name git $rev:"; cat version.txt; }
# the plot script must come from the installed tree, not the source tree or the environment
unset SASP_PLOT_SCRIPT
"$sasp" sweep "$src/configs/regress.yaml" -o out --jobs 2 --quiet > sweep.log 2>&1 ||
  { die "installed sweep: exit $?"; cat sweep.log; }
for f in points.csv summary.json speedup_vs_rate.png pareto.png; do
  [ -s "out/$f" ] || die "out/$f missing"
done
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sasp"]["git"] == sys.argv[2], d["sasp"]' \
  out/summary.json "$rev" || die "summary.json git revision is not $rev"
if grep -q "fatal:" "$tmp/install.log" sweep.log version.txt; then die "git noise in the output"; fi
exit $fail
