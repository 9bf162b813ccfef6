#!/bin/sh
# Interrupted sweeps: a sweep killed with SIGKILL (its whole process group, workers included)
# at random moments, then resumed with --resume — several times over, kills landing in resumed
# runs too — ends with exactly the rows of an uninterrupted run. A killed run never leaves a
# temporary file behind once resumed, nor a points.csv that is not complete.
# usage: test_interrupt.sh SASP [KILLS]
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tiny_sweep.sh"
sasp=$1 kills=${2:-8}
command -v setsid > /dev/null || { echo "setsid missing"; exit 77; }

start=$(date +%s.%N)
"$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/ref" --jobs 2 --no-plot --quiet || die "reference sweep failed"
span=$(echo "$start $(date +%s.%N)" | awk '{ print $2 - $1 }')
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
echo "uninterrupted sweep: $span s; kill delays drawn with seed $seed"

delays=$(awk -v s="$seed" -v n="$kills" -v t="$span" \
  'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f ", 0.05 + rand() * t }')
i=0
resume=
for delay in $delays; do
  rm -f "$tmp/pgid" "$tmp/rc"
  # a new session, so the kill takes the sweep and its workers; the shell records the
  # group id and, if the sweep ends before the kill, its exit status
  setsid sh -c 'echo $$ > "$1/pgid"; shift; "$@"; echo $? > "$0/rc"' "$tmp" "$tmp" \
    "$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/k" --jobs 2 --no-plot --quiet $resume \
    > /dev/null 2> "$tmp/err" &
  pid=$!
  sleep "$delay"
  while [ ! -s "$tmp/pgid" ]; do sleep 0.01; done
  env kill -s KILL -- -"$(cat "$tmp/pgid")" 2> /dev/null
  wait $pid 2> /dev/null
  if [ -f "$tmp/rc" ]; then
    # the sweep ended before the kill: it must have succeeded
    [ "$(cat "$tmp/rc")" = 0 ] || bad "run $i: sweep exited $(cat "$tmp/rc"): $(tail -n 2 "$tmp/err")"
    status="finished first"
  else
    status=killed
  fi
  if [ -f "$tmp/k/points.csv" ]; then
    cmp -s "$tmp/k/points.csv" "$tmp/ref/points.csv" ||
      bad "run $i, killed after $delay s: points.csv present but not complete"
  fi
  echo "run $i: $status after $delay s, $(find "$tmp/k/points" -name '*.tsv' 2> /dev/null | wc -l) point files"
  resume=--resume
  if [ "$status" != killed ]; then
    # nothing left to interrupt: compare, then start the next runs afresh
    cmp -s "$tmp/k/points.csv" "$tmp/ref/points.csv" || bad "run $i: points.csv differs (seed $seed)"
    rm -rf "$tmp/k"
    resume=
  fi
  i=$((i + 1))
done
"$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/k" --jobs 2 --no-plot --quiet --resume 2> "$tmp/err" ||
  die "final --resume failed: $(cat "$tmp/err")"
cmp "$tmp/ref/points.csv" "$tmp/k/points.csv" ||
  bad "resumed points.csv differs from an uninterrupted run (seed $seed)"
for f in $(cd "$tmp/ref" && find masks -type f); do
  cmp -s "$tmp/ref/$f" "$tmp/k/$f" || bad "resumed $f differs (seed $seed)"
done
no_temp_files "after resume" "$tmp/k"
finish
