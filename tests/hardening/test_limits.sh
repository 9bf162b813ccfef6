#!/bin/sh
# Absurd but valid inputs are simulated correctly or rejected with a clear message: no crash,
# no overflow, no hang, no multi-GB allocation.
# usage: test_limits.sh SASP PYTHON CASE
#   CASE array1x1:  a 1x1 array
#   CASE gemm1e6:   a 10^6 x 10^6 x 10^6 GEMM (10^18 MACs) in a timing-only manifest
#   CASE overflow:  a GEMM whose MAC count overflows 64 bits (k = n = 2^31-1, m = count = 2^40)
#   CASE rate1:     pruning rate 1.0 (every feed-forward tile), then sim and WER on the result
#   CASE testset0:  a test set of 0 utterances, and one whose references hold no words
#   CASE tensor2e60: a safetensors tensor claiming 2^60 elements
. "$(dirname "$0")/lib.sh"
sasp=$1 py=$2 case=$3
here=$(dirname "$0")
model=workloads/asr
limit=30 # seconds: longer is a hang

# run WHAT CMD...: runs CMD under the time limit; sets rc, output in $tmp/out, $tmp/err
run() {
  what=$1
  shift
  timeout $limit "$@" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  [ $rc -ne 124 ] || bad "$what: neither finished nor was rejected within $limit s"
}
rejected() { # WHAT PATTERN: the last run failed cleanly with a message matching PATTERN
  clean_failure "$1" $rc "$tmp/err" || return 1
  grep -qE "$2" "$tmp/err" || bad "$1: message does not say why ('$2'): $(cat "$tmp/err")"
  echo "$1: rejected: $(tail -n 1 "$tmp/err")"
}

config_for() { # MANIFEST -> $tmp/c.yaml
  cat > "$tmp/c.yaml" <<EOC
include: $PWD/configs/presets/edge-dma.yaml
workload:
  manifest: $1
EOC
}
gemm_manifest() { # K N M COUNT -> $tmp/m.yaml
  cat > "$tmp/m.yaml" <<EOM
format: sasp-manifest/1
name: huge
weights: synthetic:1
arch:
  type: none
schedule:
  tokens: 1
layers:
  - {name: big, role: ff, weight: w, layout: out_in, k: $1, n: $2, m: $3, count: $4}
host_ops:
  - {op: add, elements: 1, count: 1}
EOM
}

case $case in
array1x1)
  printf 'include: %s/configs/regress.yaml\narray: {rows: 1, cols: 1}\n' "$PWD" > "$tmp/c.yaml"
  run "config 1x1" "$sasp" config "$tmp/c.yaml"
  rejected "config 1x1" "array.rows"
  run "sim 1x1" "$sasp" sim "$tmp/c.yaml"
  rejected "sim 1x1" "array.rows"
  ;;
gemm1e6)
  gemm_manifest 1000000 1000000 1000000 1
  config_for "$tmp/m.yaml"
  run "sim 10^6 GEMM" "$sasp" sim "$tmp/c.yaml" --json "$tmp/s.json"
  if [ $rc -eq 0 ]; then
    "$py" "$here/check_sim_json.py" "$tmp/s.json" 1000000000000000000 ||
      bad "sim 10^6 GEMM: wrong or overflowed figures"
  elif [ $rc -ne 124 ]; then
    rejected "sim 10^6 GEMM" "big|GEMM|layers|too large|overflow|exceed"
  fi
  ;;
overflow)
  gemm_manifest 2147483647 2147483647 1099511627776 1099511627776
  config_for "$tmp/m.yaml"
  run "sim 2^142-MAC GEMM" "$sasp" sim "$tmp/c.yaml" --json "$tmp/s.json"
  if [ $rc -eq 0 ]; then
    bad "sim 2^142-MAC GEMM: accepted, but its MAC count cannot be represented"
    "$py" "$here/check_sim_json.py" "$tmp/s.json"
  elif [ $rc -ne 124 ]; then
    rejected "sim 2^142-MAC GEMM" "big|GEMM|layers|too large|overflow|exceed"
  fi
  ;;
rate1)
  run "prune rate 1" "$sasp" prune --model $model --tile 8x8 --rate 1 -o "$tmp/p"
  [ $rc -eq 0 ] || bad "prune --rate 1 failed: $(cat "$tmp/err")"
  printf 'include: %s/configs/regress.yaml\narray: {rows: 8, cols: 8}\n' "$PWD" > "$tmp/c.yaml"
  run "sim rate 1" "$sasp" sim "$tmp/c.yaml" --mask "$tmp/p/mask.bin" --json "$tmp/s.json"
  if [ $rc -eq 0 ]; then
    "$py" "$here/check_sim_json.py" "$tmp/s.json" || bad "sim rate 1: bad figures"
  else
    bad "sim with every ff tile pruned failed: $(cat "$tmp/err")"
  fi
  run "wer rate 1" "$sasp" wer --model $model --mask "$tmp/p/mask.bin" --tile 8x8 \
    --max-utts 2 --boot 10 --threads 1 --json "$tmp/w.json"
  [ $rc -eq 0 ] || bad "wer with every ff tile pruned failed: $(cat "$tmp/err")"
  grep -qiE 'nan|inf' "$tmp/w.json" 2> /dev/null && bad "wer rate 1: NaN or inf in $(cat "$tmp/w.json")"
  ;;
testset0)
  "$py" - "$tmp" <<'EOP'
import os, struct, sys, zlib
def feats(d, utts, frames, refs):
    os.makedirs(d)
    b = b"SASPFEAT" + struct.pack("<IIIf", 1, utts, 40, 100.0)
    for _ in range(utts):
        b += struct.pack("<I", frames) + bytes(frames * 40 * 2)
    open(d + "/feats.bin", "wb").write(b + struct.pack("<I", zlib.crc32(b)))
    open(d + "/transcripts.tsv", "w").write(refs)
feats(sys.argv[1] + "/ts0", 0, 0, "")
feats(sys.argv[1] + "/silent", 1, 30, "u1\t\n")
EOP
  run "wer on 0 utterances" "$sasp" wer --model $model --testset "$tmp/ts0" --boot 10 \
    --threads 1 --json "$tmp/w.json"
  if [ $rc -eq 0 ]; then
    grep -qiE 'nan|inf|null' "$tmp/w.json" && bad "wer on 0 utterances: undefined WER written"
  else
    rejected "wer on 0 utterances" "utterance"
  fi
  run "wer on references without words" "$sasp" wer --model $model --testset "$tmp/silent" \
    --boot 10 --threads 1 --json "$tmp/w2.json"
  if [ $rc -eq 0 ]; then
    grep -qiE 'nan|inf|null' "$tmp/w2.json" && bad "wer without reference words: undefined WER written"
  else
    rejected "wer on references without words" "word"
  fi
  [ -e "$tmp/w.json" ] && [ $rc -ne 0 ] && bad "a rejected wer run wrote its JSON"
  ;;
tensor2e60)
  mkdir "$tmp/m"
  sed 's/^weights:.*/weights: model.safetensors/' $model/manifest.yaml > "$tmp/m/manifest.yaml"
  cp $model/vocab.txt "$tmp/m/" 2> /dev/null
  # a header claiming [2^30, 2^30] F32 = 2^60 elements (2^62 bytes) stored in 16 bytes
  "$py" - "$tmp/m/model.safetensors" <<'EOP'
import json, struct, sys
h = json.dumps({"encoder.0.ff1.weight": {"dtype": "F32", "shape": [1 << 30, 1 << 30],
                "data_offsets": [0, 16]}}).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + bytes(16))
EOP
  run "prune a 2^60-element tensor" "$sasp" prune --model "$tmp/m" --tile 8x8 --rate 0.5 -o "$tmp/p"
  rejected "prune a 2^60-element tensor" "model.safetensors"
  grep -q "out of memory" "$tmp/err" && bad "the 2^60-element tensor reached an allocation"
  run "wer a 2^60-element tensor" "$sasp" wer --model "$tmp/m" --max-utts 1 --boot 10 --threads 1
  rejected "wer a 2^60-element tensor" "model.safetensors"
  grep -q "out of memory" "$tmp/err" && bad "the 2^60-element tensor reached an allocation"
  ;;
*) die "unknown case $case" ;;
esac
finish
