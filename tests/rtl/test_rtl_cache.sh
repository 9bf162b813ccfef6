#!/bin/sh
# RTL models built on demand (rtl/README.md "Models built on demand"), in a private cache:
# two processes asking for the same new size build it once; later uses load it in well under a
# second; a damaged entry is rebuilt; a changed RTL source makes a new entry; a failing build,
# a missing verilator and impossible sizes are one-line errors with the documented exit
# status and leave nothing half-written; a sweep over an unbuildable size says so and fails.
# usage: test_rtl_cache.sh SASP   (run from the source root)
set -u
sasp=$1
fail=0
tmp=$(mktemp -d /tmp/sasp-rtl-cache.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SASP_RTL_CACHE="$tmp/cache"
unset SASP_RTL_SRC SASP_VERILATOR
say() { echo "FAIL: $*"; fail=1; }
cfg() { # R C -> config path
  printf 'include: %s/configs/default.yaml\narray: {rows: %s, cols: %s}\n' "$(pwd)" "$1" "$2" \
    > "$tmp/c$1x$2.yaml"
  echo "$tmp/c$1x$2.yaml"
}
entries() { ls -d "$SASP_RTL_CACHE"/$1-* 2>/dev/null | grep -v '\.lock$' | wc -l; }
c35=$(cfg 3 5)

# two processes, one build
"$sasp" cosim "$c35" --sample 1 > "$tmp/o1" 2> "$tmp/e1" & p1=$!
"$sasp" cosim "$c35" --sample 1 > "$tmp/o2" 2> "$tmp/e2" & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ] || { say "concurrent runs exit $r1 $r2"; cat "$tmp"/e1 "$tmp"/e2; }
n=$(cat "$tmp/e1" "$tmp/e2" | grep -c 'building the RTL model')
[ "$n" = 1 ] || { say "expected one build, saw $n"; cat "$tmp"/e1 "$tmp"/e2; }
grep -q 'RTL and C model agree' "$tmp/o1" && grep -q 'RTL and C model agree' "$tmp/o2" ||
  say "concurrent runs did not agree"
[ "$(entries 3x5)" = 1 ] || say "expected one 3x5 entry"
ls -a "$SASP_RTL_CACHE" | grep -q '^\.tmp' && say "temporary build directory left behind"

# later use: no build, fast
t0=$(date +%s%N)
"$sasp" cosim "$c35" --sample 1 > /dev/null 2> "$tmp/e3" || say "cached run failed"
t1=$(date +%s%N)
grep -q 'building' "$tmp/e3" && say "cached run rebuilt"
echo "cached 3x5 run: $(( (t1 - t0) / 1000000 )) ms"

# a damaged entry is rebuilt
so=$(ls "$SASP_RTL_CACHE"/3x5-*/model.so)
printf 'garbage' | dd of="$so" bs=1 seek=4096 conv=notrunc 2>/dev/null
"$sasp" cosim "$c35" --sample 1 > /dev/null 2> "$tmp/e4" || { say "damaged entry: run failed"; cat "$tmp/e4"; }
grep -q 'is damaged (model.so does not match its ok stamp); rebuilding' "$tmp/e4" ||
  { say "damaged entry not reported"; cat "$tmp/e4"; }
"$sasp" cosim "$c35" --sample 1 > /dev/null 2> "$tmp/e5" && ! grep -q building "$tmp/e5" ||
  say "rebuilt entry not reused"

# a changed RTL source is a different model
mkdir "$tmp/src"
cp rtl/sa_pe.sv "$tmp/src/" && echo '// changed' >> "$tmp/src/sa_pe.sv"
SASP_RTL_SRC="$tmp/src" "$sasp" cosim "$c35" --sample 1 > /dev/null 2> "$tmp/e6" ||
  { say "changed source: run failed"; cat "$tmp/e6"; }
grep -q 'building the RTL model' "$tmp/e6" || say "changed source did not rebuild"
[ "$(entries 3x5)" = 2 ] || say "changed source: expected two 3x5 entries"

# a build failure: one line naming the log, exit 2, nothing in the cache
echo 'module sa_pe (input logic clk_i' > "$tmp/src/sa_pe.sv"
c43=$(cfg 4 3)
SASP_RTL_SRC="$tmp/src" "$sasp" cosim "$c43" --sample 1 > /dev/null 2> "$tmp/e7"; r=$?
[ $r = 2 ] || say "failed build: exit $r, want 2"
grep -q "building the RTL model of a 4x3 array failed: verilator exited with status [0-9]* (log: $SASP_RTL_CACHE/failed/4x3-[0-9a-f]*.log)" "$tmp/e7" ||
  { say "failed build message"; cat "$tmp/e7"; }
grep -q 'sa_pe' "$SASP_RTL_CACHE"/failed/4x3-*.log 2>/dev/null || say "failed build log lacks the error"
[ "$(entries 4x3)" = 0 ] || say "failed build left an entry"
ls -a "$SASP_RTL_CACHE" | grep -q '^\.tmp' && say "failed build left a temporary directory"

# no verilator
SASP_VERILATOR=/nonexistent/verilator "$sasp" cosim "$c43" --sample 1 > /dev/null 2> "$tmp/e8"; r=$?
[ $r = 2 ] || say "missing verilator: exit $r, want 2"
[ "$(grep -c . "$tmp/e8")" = 1 ] && grep -q "cannot build the RTL model of a 4x3 array: verilator not found" "$tmp/e8" ||
  { say "missing verilator message"; cat "$tmp/e8"; }

# impossible sizes: exit 1, one line
"$sasp" cosim "$(cfg 300 5)" --sample 1 > /dev/null 2> "$tmp/e9"; r=$?
[ $r = 1 ] && grep -q 'no RTL model of a 300x5 array: the RTL has 2 ... 256 rows and columns' "$tmp/e9" ||
  { say "300x5: exit $r"; cat "$tmp/e9"; }
"$sasp" cosim "$(cfg 0 4)" --sample 1 > /dev/null 2> "$tmp/e10"; r=$?
[ $r = 1 ] && [ "$(grep -c . "$tmp/e10")" = 1 ] || { say "0x4: exit $r"; cat "$tmp/e10"; }
"$sasp" cosim "$(cfg 5000 5000)" --sample 1 > /dev/null 2> "$tmp/e11"; r=$?
[ $r = 1 ] && [ "$(grep -c . "$tmp/e11")" = 1 ] || { say "5000x5000: exit $r"; cat "$tmp/e11"; }

# a sweep whose RTL check cannot run says so and exits non-zero
printf 'include: %s/configs/default.yaml\nworkload: {manifest: %s/workloads/asr/manifest.yaml}\nsweep: {arrays: [4x3], rates: [0.0], rtl_check: sample, rtl_sample: 1}\n' \
  "$(pwd)" "$(pwd)" > "$tmp/sw.yaml"
SASP_VERILATOR=/nonexistent/verilator "$sasp" sweep "$tmp/sw.yaml" -o "$tmp/sw" --jobs 1 --no-plot \
  > /dev/null 2> "$tmp/e12"; r=$?
[ $r = 1 ] || say "unchecked sweep: exit $r, want 1"
grep -q '[0-9]* point(s) not checked against the RTL.*cannot build the RTL model of a 4x3 array: verilator not found' "$tmp/e12" ||
  { say "unchecked sweep message"; cat "$tmp/e12"; }
exit $fail
