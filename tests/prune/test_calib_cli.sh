#!/bin/sh
# Calibration data and statistics on the shipped ASR model (docs/pruning.md): the calibration
# set's checksums and its disjointness from every test set; 'sasp calib' refuses test sets
# (also a copy); a missing statistics file is an error naming it; 'sasp prune' with lsq
# keeps every layer's calibration output error below the zeroed one, changes nothing at rate
# 0, never changes the mask, and 'sasp wer --model OUT' runs the compensated model; a config
# whose prune.calibration is the test set is refused. Skipped (77) without the trained model.
# Usage: test_calib_cli.sh SASP
set -u
sasp=$1
m=workloads/asr
if [ ! -f $m/model.safetensors ] || [ ! -f $m/calib/feats.bin ]; then
  echo "skip: $m has no model.safetensors or calib/"; exit 77
fi
t=$(mktemp -d /tmp/sasp-calib-cli.XXXXXX)
fail=0
check() { # expected-status description command...
  want=$1 what=$2; shift 2
  "$@" > "$t/log" 2>&1; got=$?
  if [ "$got" != "$want" ]; then echo "FAIL: $what: exit $got, want $want"; cat "$t/log"; fail=1; fi
}
has() { grep -q -- "$2" "$t/log" || { echo "FAIL: $1: no '$2' in:"; cat "$t/log"; fail=1; }; }

# the calibration set: checksums as recorded, texts disjoint from every test set
(cd $m && grep '^sha256 ' calib/SOURCES | awk '{print $2 "  " $3}' | sha256sum -c --quiet) ||
  { echo "FAIL: calib/SOURCES checksums"; fail=1; }
cut -f2 $m/calib/transcripts.tsv | sort -u > "$t/c"
cat $m/testsets/*/transcripts.tsv | cut -f2 | sort -u > "$t/s"
[ -z "$(comm -12 "$t/c" "$t/s")" ] || { echo "FAIL: calibration texts in a test set"; fail=1; }
[ "$(wc -l < $m/calib/transcripts.tsv)" -ge 100 ] || { echo "FAIL: calib too small"; fail=1; }

check 2 "calib help-less usage" "$sasp" calib --model $m
check 1 "calib = main" "$sasp" calib --model $m --calib $m/testsets/main -o "$t/x.st"
has "calib = main" "is the test set"
mkdir "$t/copy" && cp $m/testsets/unseen/feats.bin $m/testsets/unseen/transcripts.tsv "$t/copy/"
check 1 "calib = copy of unseen" "$sasp" calib --model $m --calib "$t/copy" -o "$t/x.st"
has "calib = copy of unseen" "testsets/unseen"
[ -e "$t/x.st" ] && { echo "FAIL: statistics written after a refusal"; fail=1; }
check 1 "missing statistics" "$sasp" prune --model $m --tile 8x8 --rate 0.2 --compensation lsq \
  --stats "$t/none.safetensors" -o "$t/o"
has "missing statistics" "$t/none.safetensors"
check 2 "lsq without statistics" "$sasp" prune --model $m --tile 8x8 --rate 0.2 \
  --compensation lsq -o "$t/o"
check 1 "prune --calib = test set" "$sasp" prune --model $m --tile 8x8 --rate 0.2 \
  --compensation lsq --calib $m/testsets/main -o "$t/o"
has "prune --calib = test set" "is the test set"

check 0 "calib" "$sasp" calib --model $m --max-utts 24 --threads 2 -o "$t/c.st"
check 0 "calib, one thread" "$sasp" calib --model $m --max-utts 24 --threads 1 -o "$t/c1.st"
cmp -s "$t/c.st" "$t/c1.st" || { echo "FAIL: statistics depend on the thread count"; fail=1; }
check 0 "prune lsq" "$sasp" prune --model $m --tile 16x16 --rate 0.3 --threshold sensitivity \
  --compensation lsq --stats "$t/c.st" -o "$t/l"
check 0 "prune paper" "$sasp" prune --model $m --tile 16x16 --rate 0.3 --threshold sensitivity \
  -o "$t/p" --stats "$t/c.st"
cmp -s "$t/l/mask.bin" "$t/p/mask.bin" || { echo "FAIL: compensation changed the mask"; fail=1; }
/usr/bin/python3 - "$t/l/summary.json" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
bad = [l["name"] for l in s["layers"] if l["pruned"] and
       not l["output_error_final"] < l["output_error_pruned"]]
if bad or s["compensation"] != "lsq" or s["calibration_key"] is None:
    print("FAIL: lsq did not bring these layers closer to the dense outputs:", bad)
    sys.exit(1)
PY
check 0 "prune lsq rate 0" "$sasp" prune --model $m --tile 8x8 --rate 0 --compensation lsq \
  --stats "$t/c.st" -o "$t/z"
/usr/bin/python3 - "$t/z/model.safetensors" $m/model.safetensors <<'PY' || fail=1
import json, struct, sys
def load(p):
    b = open(p, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
    return {k: b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]
            for k, v in h.items() if k != "__metadata__"}
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    print("FAIL: lsq at rate 0 changed weights:", [k for k in a if a[k] != b.get(k)][:5])
    sys.exit(1)
PY
check 0 "wer of the compensated model" "$sasp" wer --model "$t/l" --mask "$t/l/mask.bin" \
  --testset $m/testsets/main \
  --tile 16x16 --max-utts 10 --boot 10 --json "$t/w.json"
grep -q "$t/l/manifest.yaml" "$t/w.json" || { echo "FAIL: wer did not run the pruned model"; fail=1; }

cat > "$t/bad.yaml" <<YAML
tech: $PWD/configs/tech/45nm.yaml
workload: {manifest: $PWD/$m/manifest.yaml, testset: $PWD/$m/testsets/main}
prune: {compensation: lsq, calibration: $PWD/$m/testsets/main}
YAML
check 1 "config calibration = testset" "$sasp" config "$t/bad.yaml"
has "config calibration = testset" "key 'prune.calibration'"
rm -rf "$t"
exit $fail
