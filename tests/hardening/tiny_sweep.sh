# Writes $tmp/tiny.yaml: a sweep of 2 arrays x 2 rates of the ASR model with WER on 2
# utterances and no RTL check, small enough to run many times in one test (sourced).
# shellcheck disable=SC2154 # tmp comes from lib.sh
cat > "$tmp/tiny.yaml" <<EOC
include: $PWD/configs/presets/edge-dma.yaml
workload:
  manifest: $PWD/workloads/asr/manifest.yaml
  testset: $PWD/workloads/asr/testsets/main
  max_utts: 2
sweep:
  arrays: [4x4, 8x8]
  rates: [0, 0.5]
  rtl_check: off
  seed: 3
EOC
