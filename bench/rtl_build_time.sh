#!/bin/sh
# First-use build time of RTL models built on demand (rtl/README.md "Models built on demand"),
# in a fresh private cache: 32x32 (target <= 2 min on 2 cores) and 64x64 (<= 10 min), then the
# time a later use takes to start (target < 1 s). ccache is bypassed so the build is real.
# Besides wall-clock time it reports the CPU time of the first use (user + sys of sasp and
# every compiler it ran: /usr/bin/time) and the load average before it (the machine may be
# shared: wall time then says little, CPU time stays comparable).
# usage: rtl_build_time.sh SASP [RxC ...]   (default sizes 32x32 64x64; run from the source root)
set -u
sasp=$1; shift
[ $# -gt 0 ] || set -- 32x32 64x64
tmp=$(mktemp -d /tmp/sasp-rtl-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SASP_RTL_CACHE="$tmp/cache" CCACHE_DISABLE=1
status=0
printf '%-8s %14s %16s %14s  %s\n' array "first use [s]" "first use CPU [s]" "later use [s]" \
  "load average before"
for size in "$@"; do
  r=${size%x*} c=${size#*x}
  # One GEMM of one tile and one row: the times are the model's (build, load), not the
  # simulation's.
  printf 'format: sasp-manifest/1\nname: one-tile\nweights: synthetic:1\narch: {type: none}\nschedule: {tokens: 1}\nlayers:\n  - {name: t, role: ff, weight: t.weight, layout: in_out, k: %s, n: %s, m: 1}\n' \
    "$r" "$c" > "$tmp/m.yaml"
  printf 'include: %s/configs/default.yaml\narray: {rows: %s, cols: %s}\nworkload: {manifest: %s, testset: null}\n' \
    "$(pwd)" "$r" "$c" "$tmp/m.yaml" > "$tmp/c.yaml"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$sasp" cosim "$tmp/c.yaml" --sample 1 > "$tmp/out" \
    2> "$tmp/err" || { cat "$tmp/err"; status=1; }
  t1=$(date +%s.%N)
  cpu=$(awk 'END { print $1 + $2 }' "$tmp/cpu")
  grep -q "building the RTL model" "$tmp/err" ||
    load="$load (not built: prebuilt in this build, meson -Drtl_sizes)"
  "$sasp" cosim "$tmp/c.yaml" --sample 1 > /dev/null 2> "$tmp/err2" || status=1
  t2=$(date +%s.%N)
  printf '%-8s %14.1f %16.1f %14.2f  %s\n' "$size" "$(awk "BEGIN{print $t1 - $t0}")" "$cpu" \
    "$(awk "BEGIN{print $t2 - $t1}")" "$load"
done
exit $status
