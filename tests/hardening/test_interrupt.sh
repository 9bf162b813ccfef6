#!/bin/sh
# Interrupted sweeps: a sweep killed with SIGKILL (its whole process group, workers included)
# at random moments, then resumed with --resume — several times over, kills landing in resumed
# runs too — ends with exactly the rows of an uninterrupted run. A killed run never leaves a
# temporary file behind once resumed, nor a points.csv that is not complete.
# usage: test_interrupt.sh SASP [KILLS]
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tiny_sweep.sh"
sasp=$1 kills=${2:-5}
command -v setsid > /dev/null || { echo "setsid missing"; exit 77; }

start=$(date +%s.%N)
"$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/ref" --jobs 2 --no-plot --quiet || die "reference sweep failed"
span=$(echo "$start $(date +%s.%N)" | awk '{ print $2 - $1 }')
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
echo "uninterrupted sweep: $span s; kill delays drawn with seed $seed"

i=0
resume=
while [ $i -lt $kills ]; do
  delay=$(awk -v s="$seed" -v i=$i -v t="$span" 'BEGIN { srand(s + i); print 0.05 + rand() * t }')
  setsid "$sasp" sweep "$tmp/tiny.yaml" -o "$tmp/k" --jobs 2 --no-plot --quiet $resume \
    > /dev/null 2> "$tmp/err" &
  pid=$!
  sleep "$delay"
  kill -9 -- -$pid 2> /dev/null
  wait $pid
  rc=$?
  # a run that finished before the kill must have succeeded
  [ $rc -eq 137 ] || [ $rc -eq 0 ] || bad "kill $i: sweep exited $rc: $(tail -n 2 "$tmp/err")"
  if [ -f "$tmp/k/points.csv" ]; then
    cmp -s "$tmp/k/points.csv" "$tmp/ref/points.csv" ||
      bad "kill $i after $delay s: points.csv present but not complete"
  fi
  echo "kill $i after $delay s: status $rc, $(ls "$tmp/k/points" 2> /dev/null | grep -vc '\.tmp\.') point files"
  resume=--resume
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
