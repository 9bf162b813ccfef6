#!/bin/sh
# 'sasp wer' on the bring-your-own-model example (tests/wer/data/byom, made by
# scripts/export_example.py): fp32 reproduces the PyTorch transcripts, int8 and a pruned mask
# run, results and files are deterministic, bad input is a one-line error and writes nothing.
set -u
sasp=$1
m=tests/wer/data/byom
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$sasp" wer --model $m --mode fp32 --compare $m/expected.hyp.tsv --hyp "$tmp/h.tsv" \
  --json "$tmp/a.json" > "$tmp/out" 2>&1 || { bad "fp32 run"; cat "$tmp/out"; }
grep -q "identical to $m/expected.hyp.tsv: 2 of 2" "$tmp/out" || { bad "fp32 != PyTorch"; cat "$tmp/out"; }
cmp -s "$tmp/h.tsv" $m/expected.hyp.tsv || bad "hypothesis file differs from PyTorch's"
grep -q '"wer_pct"' "$tmp/a.json" && grep -q '"mode": "fp32"' "$tmp/a.json" || bad "json content"
grep -q '^WER [0-9.]* % (95 % CI [0-9.]*-[0-9.]*' "$tmp/out" || bad "WER line"
grep -q '^errors [0-9]*: [0-9]* substitutions, [0-9]* insertions, [0-9]* deletions' "$tmp/out" || bad "S/I/D line"
# deterministic: same JSON apart from the run time
"$sasp" wer --model $m --mode fp32 --threads 1 --json "$tmp/b.json" > /dev/null 2>&1 || bad "second run"
grep -v seconds "$tmp/a.json" | grep -v compare > "$tmp/a2"; grep -v seconds "$tmp/b.json" > "$tmp/b2"
cmp -s "$tmp/a2" "$tmp/b2" || { bad "results differ between runs"; diff "$tmp/a2" "$tmp/b2"; }
"$sasp" wer --model $m/manifest.yaml --max-utts 1 > "$tmp/out" 2>&1 || bad "int8 run, manifest path"
grep -q ": 1 utterances" "$tmp/out" || bad "--max-utts"
# a pruned mask (from sasp prune) runs; the wrong tile for it is an error
if "$sasp" prune --model $m --tile 4x4 --rate 0.5 --scope all -o "$tmp/p" > /dev/null 2>&1; then
  "$sasp" wer --model $m --mask "$tmp/p/mask.bin" --tile 4x4 > "$tmp/out" 2>&1 || { bad "masked run"; cat "$tmp/out"; }
  "$sasp" wer --model $m --mask "$tmp/p/mask.bin" --tile 8x8 > "$tmp/out" 2>&1
  [ $? = 1 ] && [ "$(wc -l < "$tmp/out")" = 1 ] || { bad "tile mismatch not a one-line error"; cat "$tmp/out"; }
else
  bad "sasp prune failed on the example"
fi
# fp32_int8 sums in the array's order: dense needs the array's tile (--tile), and dense on
# RxC equals the mask of rate 0 on RxC (the same order), hypothesis for hypothesis
"$sasp" wer --model $m --mode fp32_int8 --tile 4x4 --hyp "$tmp/f.tsv" > "$tmp/out" 2>&1 ||
  { bad "fp32_int8 dense on 4x4"; cat "$tmp/out"; }
if "$sasp" prune --model $m --tile 4x4 --rate 0 --scope all -o "$tmp/p0" > /dev/null 2>&1; then
  "$sasp" wer --model $m --mode fp32_int8 --mask "$tmp/p0/mask.bin" --compare "$tmp/f.tsv" \
    > "$tmp/out" 2>&1 && grep -q "identical to $tmp/f.tsv: 2 of 2" "$tmp/out" ||
    { bad "fp32_int8 --tile 4x4 differs from the rate-0 4x4 mask"; cat "$tmp/out"; }
else
  bad "sasp prune --rate 0 failed on the example"
fi
# activation norms for the act_aware criterion feed sasp prune; they are measured on a
# calibration set (here the ASR workload's: the same features), never on a test set
"$sasp" wer --model $m --act-norms "$tmp/n.st" --testset workloads/asr/calib --max-utts 3 \
  > "$tmp/out" 2>&1 || { bad "act-norms"; cat "$tmp/out"; }
"$sasp" wer --model $m --act-norms "$tmp/t.st" --testset $m/testsets/main > "$tmp/out" 2>&1
[ $? = 1 ] && grep -q "is the test set" "$tmp/out" && [ ! -e "$tmp/t.st" ] ||
  { bad "act-norms on a test set not refused"; cat "$tmp/out"; }
"$sasp" prune --model $m --tile 4x4 --rate 0.3 --criterion act_aware --act-norms "$tmp/n.st" \
  -o "$tmp/pa" > "$tmp/out" 2>&1 || { bad "prune with the norms"; cat "$tmp/out"; }
# usage errors: exit 2
for args in "" "--model $m --mode int4" "--model $m --mask x.bin --tile 4" "--model $m --tile 4x4" "--model $m --mode fp32_int8" \
            "--model $m --max-utts -1" "--model $m --frobnicate 1" "--model" \
            "--model $m --act-norms n.st --mask m.bin --tile 4x4"; do
  "$sasp" wer $args > /dev/null 2>&1
  [ $? = 2 ] || bad "usage error not exit 2: sasp wer $args"
done
# bad input: exit 1, one line naming the file, no result written
mkdir -p "$tmp/c/testsets/main"
cp $m/manifest.yaml $m/model.safetensors $m/vocab.txt "$tmp/c/"
cp $m/testsets/main/transcripts.tsv "$tmp/c/testsets/main/"
head -c 1000 $m/testsets/main/feats.bin > "$tmp/c/testsets/main/feats.bin"
"$sasp" wer --model "$tmp/c" --json "$tmp/c.json" --hyp "$tmp/c.tsv" > "$tmp/out" 2>&1
st=$?
[ $st = 1 ] || bad "truncated feats.bin: exit $st"
grep -q "feats.bin: truncated" "$tmp/out" && [ "$(wc -l < "$tmp/out")" = 1 ] || { bad "truncated message"; cat "$tmp/out"; }
[ ! -e "$tmp/c.json" ] && [ ! -e "$tmp/c.tsv" ] || bad "files written on error"
"$sasp" wer --model /nonexistent > "$tmp/out" 2>&1
[ $? = 1 ] && grep -q "/nonexistent" "$tmp/out" || bad "missing model"
exit $fail
