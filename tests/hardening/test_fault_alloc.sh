#!/bin/sh
# Fault injection: the N-th allocation fails (SASP_FAIL_ALLOC=N) for N = 1, 2, ... (every N
# up to 32, then steps of N/16) until a run gets through. Every failing run must exit 1 with a
# message, never crash, and leave no temporary or half-written result file.
# usage: test_fault_alloc.sh SASP CASE
#   CASE: config | sim | prune | calib | wer | sweep | merge | topology
. "$(dirname "$0")/lib.sh"
sasp=$1 case=$2
model=workloads/asr

cat > "$tmp/tiny.yaml" <<EOC
include: $PWD/configs/presets/edge-dma.yaml
workload:
  manifest: $PWD/$model/manifest.yaml
  testset: $PWD/$model/testsets/main
  max_utts: 1
sweep:
  arrays: [4x4]
  rates: [0, 0.5]
  rtl_check: off
EOC

# a SCALE-Sim topology with more rows than the reader's first allocation (64 layers)
{
  echo "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,"
  i=0
  while [ $i -lt 70 ]; do echo "Conv$i,28,28,3,3,16,32,1,"; i=$((i + 1)); done
} > "$tmp/topo.csv"
printf 'include: %s/configs/presets/edge-dma.yaml\nworkload: {topology: topo.csv}\n' "$PWD" \
  > "$tmp/topo.yaml"

# run OUT: the command of CASE writing into directory OUT (created empty)
run() {
  out=$1
  mkdir -p "$out"
  case $case in
  config) "$sasp" config configs/regress.yaml > "$out/config.yaml" ;;
  sim) "$sasp" sim configs/regress.yaml --json "$out/sim.json" > /dev/null ;;
  prune) "$sasp" prune --model "$model" --tile 16x16 --rate 0.5 -o "$out/p" > /dev/null ;;
  calib) # statistics, then a calibrated strategy reading them
    "$sasp" calib --model "$model" --max-utts 1 --threads 1 -o "$out/c.st" > /dev/null &&
      "$sasp" prune --model "$model" --tile 32x32 --rate 0.5 --threshold sensitivity \
        --compensation lsq --stats "$out/c.st" -o "$out/p" > /dev/null ;;
  wer) "$sasp" wer --model "$model" --max-utts 1 --threads 1 --boot 10 \
         --json "$out/wer.json" --hyp "$out/hyp.tsv" > /dev/null ;;
  sweep) "$sasp" sweep "$tmp/tiny.yaml" -o "$out/s" --jobs 1 --no-plot --quiet ;;
  merge) "$sasp" merge "$tmp/shard" -o "$out/m" > /dev/null ;;
  topology) "$sasp" sim "$tmp/topo.yaml" --json "$out/sim.json" > /dev/null ;;
  *) die "unknown case $case" ;;
  esac
}

if [ "$case" = merge ]; then
  "$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/shard" --jobs 1 --no-plot --quiet --shard 1/1 ||
    die "the sweep to merge failed"
fi
run "$tmp/ref" 2> "$tmp/err" || die "$case: the run without fault injection failed: $(cat "$tmp/err")"
n=1 runs=0
while :; do
  rm -rf "$tmp/out"
  SASP_FAIL_ALLOC=$n run "$tmp/out" 2> "$tmp/err"
  rc=$?
  runs=$((runs + 1))
  if [ $rc -eq 0 ]; then
    # the injected failure came after the last allocation (or was survived): same result
    files_complete "$case N=$n" "$tmp/out" "$tmp/ref"
    break
  fi
  if clean_failure "$case N=$n" $rc "$tmp/err"; then
    case $case in
    config) rm -f "$tmp/out/config.yaml" ;; # stdout, not a result file
    esac
    no_temp_files "$case N=$n" "$tmp/out"
    files_complete "$case N=$n" "$tmp/out" "$tmp/ref"
  fi
  [ $fails -lt 5 ] || break
  [ $runs -lt 400 ] || die "$case: still failing after $runs runs (N=$n)"
  step=$((n / 16))
  n=$((n + (step > 0 ? step : 1)))
done
echo "$case: $runs runs, every injected failure up to N=$n handled"
finish
