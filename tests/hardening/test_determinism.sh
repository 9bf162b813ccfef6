#!/bin/sh
# Determinism: the same inputs give byte-identical results on repeated runs and whatever
# the parallelism (run times excepted).
# usage: test_determinism.sh SASP CASE
#   CASE prune: model.safetensors, mask.bin and summaries of two runs
#   CASE wer:   hypotheses and WER with --threads 1 and --threads 2
#   CASE sweep: points.csv, masks/ and points/ of --jobs 1, --jobs 2 and --jobs 2 again
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tiny_sweep.sh"
sasp=$1 case=$2
model=workloads/asr

same_tree() { # WHAT A B: every file of A and B holds the same result
  what=$1
  (cd "$2" && find . -type f | sort) > "$tmp/la"
  (cd "$3" && find . -type f | sort) > "$tmp/lb"
  cmp -s "$tmp/la" "$tmp/lb" || bad "$what: different files: $(diff "$tmp/la" "$tmp/lb" | head -n 4)"
  for f in $(cat "$tmp/la"); do
    [ -f "$3/$f" ] || continue
    case $f in */summary.json) continue ;; esac # run statistics: times, points resumed
    same_result "$2/$f" "$3/$f" || bad "$what: $f differs"
  done
  echo "$what: $(wc -l < "$tmp/la") files compared"
}

case $case in
prune)
  for i in 1 2; do
    "$sasp" prune --model $model --tile 8x8 --rate 0.4 --scope all -o "$tmp/p$i" > /dev/null ||
      die "prune run $i failed"
  done
  same_tree "prune twice" "$tmp/p1" "$tmp/p2"
  ;;
wer)
  for t in 1 2; do
    mkdir "$tmp/w$t"
    "$sasp" wer --model $model --max-utts 3 --boot 50 --threads $t --json "$tmp/w$t/wer.json" \
      --hyp "$tmp/w$t/hyp.tsv" > /dev/null || die "wer --threads $t failed"
  done
  same_tree "wer --threads 1 vs 2" "$tmp/w1" "$tmp/w2"
  ;;
sweep)
  for run in "1 a" "2 b" "2 c"; do
    set -- $run
    "$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/$2" --jobs $1 --no-plot --quiet ||
      die "sweep --jobs $1 failed"
  done
  same_tree "sweep --jobs 1 vs 2" "$tmp/a" "$tmp/b"
  same_tree "sweep --jobs 2 twice" "$tmp/b" "$tmp/c"
  ;;
*) die "unknown case $case" ;;
esac
finish
