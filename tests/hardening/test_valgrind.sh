#!/bin/sh
# Valgrind memcheck over a small sweep (fork()ed workers included): no invalid access, no use
# of uninitialised values, no leak "definitely lost" in the sweep or any worker.
# Skipped (77) when valgrind is missing; meson only registers it for builds without sanitizers.
# usage: test_valgrind.sh SASP
. "$(dirname "$0")/lib.sh"
sasp=$1
command -v valgrind > /dev/null || { echo "valgrind missing"; exit 77; }
cat > "$tmp/vg.yaml" <<EOC
include: $PWD/configs/presets/edge-dma.yaml
workload:
  manifest: $PWD/workloads/asr/manifest.yaml
  testset: $PWD/workloads/asr/testsets/main
  max_utts: 1
sweep:
  arrays: [8x8]
  rates: [0, 0.5]
  rtl_check: off
EOC
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
  --trace-children=yes --log-file="$tmp/vg.%p.log" \
  "$sasp" sweep "$tmp/vg.yaml" -o "$tmp/r" --jobs 1 --no-plot --quiet 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || bad "sweep under valgrind exited $rc: $(tail -n 2 "$tmp/err")"
for log in "$tmp"/vg.*.log; do
  if grep -qE '^==[0-9]+== .*(Invalid (read|write|free)|uninitialised|definitely lost in|Mismatched|overlap|Syscall param)' "$log"; then
    bad "valgrind: $(basename "$log"):"
    sed -n '1,40p' "$log" >&2
  fi
done
[ -f "$tmp/r/points.csv" ] || bad "no points.csv"
finish
