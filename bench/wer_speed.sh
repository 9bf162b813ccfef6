#!/bin/sh
# WER speed: one pruned model (mean_abs tiles, ff layers, 25 % at 16x16, made by sasp prune)
# scored in int8 on the array's arithmetic over the whole main test set with 2 threads.
# Target: <= 20 s on 2 cores. Then the dense int8 and fp32 WERs of the same set, to report the
# quantisation gap (target: int8 within +0.5 points of fp32 for the final model; checked when
# workloads/asr/STATUS says "final").
# usage: wer_speed.sh SASP   (run from the source root)
set -u
sasp=$1
limit=20
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$sasp" prune --model workloads/asr --tile 16x16 --rate 0.25 -o "$tmp/p" > /dev/null || exit 1
t0=$(date +%s.%N)
"$sasp" wer --model workloads/asr --mask "$tmp/p/mask.bin" --tile 16x16 --threads 2 \
  --json "$tmp/pruned.json" || exit 1
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "pruned model, whole main test set, 2 threads: $secs s (target <= $limit s)"
"$sasp" wer --model workloads/asr --mode int8 --threads 2 --json "$tmp/int8.json" > /dev/null || exit 1
"$sasp" wer --model workloads/asr --mode fp32 --threads 2 --json "$tmp/fp32.json" > /dev/null || exit 1
wer() { sed -n 's/.*"wer_pct": *\([0-9.eE+-]*\).*/\1/p' "$1" | awk '{ printf "%.2f", $1 }'; }
q=$(wer "$tmp/int8.json") f=$(wer "$tmp/fp32.json") p=$(wer "$tmp/pruned.json")
gap=$(awk -v q="$q" -v f="$f" 'BEGIN { printf "%+.2f", q - f }')
echo "main WER: fp32 $f %, int8 $q % (gap $gap points), int8 pruned 25 % @16x16 $p %"
status=0
awk -v s="$secs" -v l="$limit" 'BEGIN { exit !(s <= l) }' || { echo "FAIL: slower than $limit s"; status=1; }
if head -1 workloads/asr/STATUS 2> /dev/null | grep -q '^final'; then
  awk -v g="$gap" 'BEGIN { exit !(g <= 0.5) }' || { echo "FAIL: int8 gap above 0.5 points"; status=1; }
fi
exit $status
