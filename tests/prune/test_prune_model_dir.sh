#!/bin/sh
# 'sasp prune -o OUT' writes a model directory of its own (manifest.yaml naming the pruned
# weights, the vocabulary) that 'sasp wer --model OUT' takes; wer reads the tile from the mask
# (an explicit --tile must match it); with --mask-only the manifest names the original weights.
#   test_prune_model_dir.sh SASP   (run from the source root)
set -u
sasp=$1 src=$PWD
case $sasp in /*) ;; *) sasp=$PWD/$sasp ;; esac
tmp=$(mktemp -d /tmp/sasp-prune-dir.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }
ts=workloads/asr/testsets/main

"$sasp" prune --model workloads/asr --tile 8x8 --rate 0.3 -o "$tmp/p" > /dev/null || die "prune: exit $?"
for f in manifest.yaml model.safetensors vocab.txt mask.bin summary.json summary.csv; do
  [ -s "$tmp/p/$f" ] || die "$f missing from the pruned directory"
done
grep -q '^weights: model.safetensors' "$tmp/p/manifest.yaml" || die "manifest does not name the pruned weights"
cmp -s "$tmp/p/vocab.txt" workloads/asr/vocab.txt || die "vocabulary not copied"
# usable as --model, from another working directory too; the tile comes from the mask
(cd "$tmp" && "$sasp" wer --model p --mask p/mask.bin --testset "$src/$ts" --max-utts 2 --json w.json) > "$tmp/wer.out" 2>&1 ||
  { die "wer --model OUT --mask OUT/mask.bin: exit $?"; cat "$tmp/wer.out"; }
grep -q '(tile 8x8)' "$tmp/wer.out" || die "wer does not report the mask's tile"
grep -q '"tile_rows": 8' "$tmp/w.json" || die "wer JSON lacks the mask's tile"
"$sasp" wer --model "$tmp/p" --mask "$tmp/p/mask.bin" --tile 8x8 --testset $ts --max-utts 2 > /dev/null 2>&1 ||
  die "wer with a matching --tile: exit $?"
"$sasp" wer --model "$tmp/p" --mask "$tmp/p/mask.bin" --tile 16x16 --testset $ts --max-utts 2 > /dev/null 2> "$tmp/err"
st=$?
[ $st = 1 ] || die "wer with a --tile that differs from the mask's: exit $st, want 1"
grep -q "^sasp wer: .*8x8.*16x16" "$tmp/err" || { die "tile mismatch message"; cat "$tmp/err"; }
# the pruned model is what wer runs: its WER equals the original model with the same mask
"$sasp" wer --model workloads/asr --mask "$tmp/p/mask.bin" --testset $ts --max-utts 2 --json "$tmp/o.json" > /dev/null 2>&1 ||
  die "wer of the original model with the mask: exit $?"
/usr/bin/python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert a["wer_pct"]==b["wer_pct"], (a["wer_pct"], b["wer_pct"])' "$tmp/w.json" "$tmp/o.json" ||
  die "pruned directory and original model + mask disagree"
# --mask-only: no pruned weights, the manifest names the original ones (absolute path)
"$sasp" prune --model workloads/asr --tile 8x8 --rate 0.3 --mask-only -o "$tmp/m" > /dev/null || die "prune --mask-only: exit $?"
[ ! -e "$tmp/m/model.safetensors" ] || die "--mask-only wrote model.safetensors"
grep -q "^weights: /.*workloads/asr/model.safetensors" "$tmp/m/manifest.yaml" || die "--mask-only manifest does not name the original weights"
"$sasp" wer --model "$tmp/m" --mask "$tmp/m/mask.bin" --testset $ts --max-utts 2 > /dev/null 2>&1 ||
  die "wer --model of a --mask-only directory: exit $?"
exit $fail
