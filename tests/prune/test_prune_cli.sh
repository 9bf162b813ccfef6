#!/bin/sh
# 'sasp prune' command line: usage errors (exit 2), bad inputs (exit 1, one located line, no
# output written), outputs and options taken from a config.  Usage: test_prune_cli.sh SASP
set -u
sasp=$1
m=tests/prune/data/tiny
t=$(mktemp -d /tmp/sasp-prune-cli.XXXXXX)
fail=0
check() { # expected-status description command...
  want=$1 what=$2; shift 2
  "$@" > "$t/log" 2>&1; got=$?
  if [ "$got" != "$want" ]; then echo "FAIL: $what: exit $got, want $want"; cat "$t/log"; fail=1; fi
}
msg() { # description pattern: the last command's output is one line matching pattern
  grep -q -- "$2" "$t/log" || { echo "FAIL: $1: no '$2' in:"; cat "$t/log"; fail=1; }
  [ "$(wc -l < "$t/log")" = 1 ] || { echo "FAIL: $1: message is not one line"; cat "$t/log"; fail=1; }
}

check 0 "help" "$sasp" prune --help
grep -q -- "--per-layer" "$t/log" || { echo "FAIL: help text"; fail=1; }
check 2 "no model" "$sasp" prune --tile 4x4 --rate 0.1 -o "$t/o"
check 2 "no out" "$sasp" prune --model $m --tile 4x4 --rate 0.1
check 2 "no tile" "$sasp" prune --model $m --rate 0.1 -o "$t/o"
check 2 "no rate" "$sasp" prune --model $m --tile 4x4 -o "$t/o"
check 2 "tile 0x4" "$sasp" prune --model $m --tile 0x4 --rate 0.1 -o "$t/o"
check 2 "tile 4" "$sasp" prune --model $m --tile 4 --rate 0.1 -o "$t/o"
check 2 "rate 1.5" "$sasp" prune --model $m --tile 4x4 --rate 1.5 -o "$t/o"
msg "rate 1.5" "--rate '1.5': expected a number from 0 to 1"
check 2 "rate abc" "$sasp" prune --model $m --tile 4x4 --rate abc -o "$t/o"
check 2 "cap -1" "$sasp" prune --model $m --tile 4x4 --rate 0.1 --cap -1 -o "$t/o"
check 2 "criterion" "$sasp" prune --model $m --tile 4x4 --rate 0.1 --criterion mean -o "$t/o"
check 2 "scope" "$sasp" prune --model $m --tile 4x4 --rate 0.1 --scope ffn -o "$t/o"
check 2 "unknown option" "$sasp" prune --model $m --tile 4x4 --rate 0.1 --frobnicate -o "$t/o"
check 2 "missing value" "$sasp" prune --model $m --tile 4x4 --rate 0.1 -o
check 2 "extra argument" "$sasp" prune --model $m --tile 4x4 --rate 0.1 -o "$t/o" extra
check 2 "act_aware without norms" "$sasp" prune --model $m --tile 4x4 --rate 0.1 --criterion act_aware -o "$t/o"
[ -e "$t/o" ] && { echo "FAIL: usage errors created the output directory"; fail=1; }

check 1 "no such model" "$sasp" prune --model /nonexistent --tile 4x4 --rate 0.1 -o "$t/o"
msg "no such model" "^sasp prune: /nonexistent: cannot open"
# a manifest with a misspelt key
mkdir -p "$t/bad"
cp $m/model.safetensors "$t/bad/"
sed 's/^schedule:/shedule:/' $m/manifest.yaml > "$t/bad/manifest.yaml"
check 1 "bad manifest" "$sasp" prune --model "$t/bad" --tile 4x4 --rate 0.1 -o "$t/o"
msg "bad manifest" "^sasp prune: $t/bad/manifest.yaml:[0-9]*:1: key 'shedule': unknown key (did you mean 'schedule'?)"
# truncated weights
cp $m/manifest.yaml "$t/bad/"
head -c 5000 $m/model.safetensors > "$t/bad/model.safetensors"
check 1 "truncated weights" "$sasp" prune --model "$t/bad" --tile 4x4 --rate 0.1 -o "$t/o"
msg "truncated weights" "^sasp prune: $t/bad/model.safetensors: tensor '.*': data_offsets end .*file truncated?)"
# a norms file of the wrong model
check 1 "wrong norms" "$sasp" prune --model $m --tile 4x4 --rate 0.1 --criterion act_aware --act-norms $m/model.safetensors -o "$t/o"
msg "wrong norms" "names no layer of"
[ -e "$t/o" ] && { echo "FAIL: a failed run created the output directory"; fail=1; }

# a good run: a model directory (manifest, pruned weights; this model has no vocabulary) with
# the mask and the summaries, nothing else; a rerun replaces them
check 0 "prune" "$sasp" prune --model $m --tile 4x4 --rate 0.3 --scope all --per-layer --cap 0.5 -o "$t/o"
[ "$(ls "$t/o" | tr '\n' ' ')" = "manifest.yaml mask.bin model.safetensors summary.csv summary.json " ] || { echo "FAIL: outputs: $(ls -a "$t/o")"; fail=1; }
grep -q '"threshold": "per_layer"' "$t/o/summary.json" || { echo "FAIL: summary threshold"; fail=1; }
grep -q '"layer_cap": 0.5' "$t/o/summary.json" || { echo "FAIL: summary cap"; fail=1; }
check 0 "act_aware" "$sasp" prune --model $m/manifest.yaml --tile 4x4 --rate 0.3 --criterion act_aware --act-norms $m/norms.safetensors -o "$t/o"
grep -q '"criterion": "act_aware"' "$t/o/summary.json" || { echo "FAIL: rerun did not replace the summary"; fail=1; }
check 0 "mask only" "$sasp" prune --model $m --tile 2x2 --rate 0.3 --mask-only -o "$t/o"
[ -e "$t/o/model.safetensors" ] && { echo "FAIL: --mask-only left a stale model"; fail=1; }
# defaults from a config: tile = array shape, prune.* options, flags override
printf 'include: %s/configs/presets/edge-dma.yaml\nworkload: {manifest: %s/manifest.yaml}\narray: {rows: 8, cols: 4}\nprune: {rate: 0.5, scope: all, threshold: per_layer}\n' "$PWD" "$PWD/$m" > "$t/c.yaml"
check 0 "config" "$sasp" prune --config "$t/c.yaml" --scope ff -o "$t/o2"
grep -q '"rows": 8' "$t/o2/summary.json" && grep -q '"cols": 4' "$t/o2/summary.json" &&
  grep -q '"scope": "ff"' "$t/o2/summary.json" && grep -q '"threshold": "per_layer"' "$t/o2/summary.json" &&
  grep -q '"rate_requested": 0.5' "$t/o2/summary.json" || { echo "FAIL: config defaults"; cat "$t/o2/summary.json"; fail=1; }
rm -rf "$t"
exit $fail
