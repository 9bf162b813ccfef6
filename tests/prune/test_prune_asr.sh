#!/bin/sh
# 'sasp prune' on the shipped models: the trained ASR model (workloads/asr) checked against
# scripts/prune_ref.py for both threshold modes, and the paper's synthetic timing model
# (mask only). Skipped (77) while workloads/asr has no trained weights yet.
# Usage: test_prune_asr.sh SASP
set -u
sasp=$1
m=workloads/asr
if [ ! -f $m/manifest.yaml ] || [ ! -f $m/model.safetensors ]; then
  echo "skip: $m has no manifest.yaml/model.safetensors yet"
  exit 77
fi
t=$(mktemp -d /tmp/sasp-prune-asr.XXXXXX)
fail=0
for args in "--tile 16x16 --rate 0.25 --global" "--tile 8x8 --rate 0.4 --per-layer --scope all" \
            "--tile 32x16 --rate 0.6 --global --cap 0.7 --criterion l2"; do
  # shellcheck disable=SC2086
  if ! "$sasp" prune --model $m $args -o "$t/o" > "$t/log" 2>&1; then
    echo "FAIL: sasp prune $args"; cat "$t/log"; fail=1; continue
  fi
  # shellcheck disable=SC2086
  /usr/bin/python3 scripts/prune_ref.py --model $m $args --check "$t/o" || { echo "FAIL: reference differs for $args"; fail=1; }
done
p=workloads/paper-librispeech
if [ -f $p/manifest.yaml ]; then
  "$sasp" prune --model $p --tile 32x32 --rate 0.2 --mask-only -o "$t/p" > "$t/log" 2>&1 || { echo "FAIL: $p"; cat "$t/log"; fail=1; }
  /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(abs(s["tiles_pruned"] - 0.2 * s["tiles_selected"]) >= 1)' "$t/p/summary.json" || { echo "FAIL: $p: achieved rate not within one tile of 0.2"; fail=1; }
  [ -e "$t/p/model.safetensors" ] && { echo "FAIL: --mask-only wrote a model"; fail=1; }
fi
rm -rf "$t"
exit $fail
