#!/bin/bash
# End-to-end tests of 'sasp sweep' / 'sasp merge' on configs/regress.yaml (2 arrays x 3 rates of
# the ASR model, WER on 8 utterances). Run from the source root.
#   test_sweep.sh SASP PART RTL   PART: e2e | resume | shard | bad;  RTL: expected rtl_check
#   (pass | skipped, or per array: 4x4=pass,8x8=skipped)
set -u
sasp=$1 part=$2 rtl=$3
cfg=configs/regress.yaml
arrays=4x4,8x8 rates=0,0.3,0.6 npoints=6
py=/usr/bin/python3
here=$(dirname "$0")
tmp=$(mktemp -d /tmp/sasp-sweep-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }

# sweep into $1 with the remaining arguments; must succeed (exit 1 when this build has no RTL:
# the config asks for an RTL check that cannot run)
sweep_ok=0
[ "$rtl" = skipped ] && sweep_ok=1
sweep() {
  local d=$1; shift
  "$sasp" sweep "$cfg" -o "$d" --no-plot "$@"; local got=$?
  [ $got = $sweep_ok ] || die "sweep -o $d $*: exit $got"
}

# expect-error STATUS PATTERN command...: the command fails with STATUS and a one-line message
# matching PATTERN
expect_error() {
  local want=$1 pat=$2; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?
  [ "$got" = "$want" ] || { die "$*: exit $got, want $want"; cat "$tmp/err"; return; }
  grep -qE -- "$pat" "$tmp/err" || { die "$*: message does not match '$pat':"; cat "$tmp/err"; }
  [ "$(wc -l < "$tmp/err")" = 1 ] || { die "$*: error is not one line:"; cat "$tmp/err"; }
}

case $part in
e2e)
  sweep "$tmp/a" --jobs 2
  $py "$here/check_points.py" "$tmp/a/points.csv" "$arrays" "$rates" "$rtl" || die "points.csv checks"
  for f in summary.json config.resolved.yaml grid.tsv; do [ -s "$tmp/a/$f" ] || die "$f missing"; done
  [ "$(ls "$tmp/a/points" | wc -l)" = $npoints ] || die "points/ does not hold $npoints files"
  [ "$(ls "$tmp/a/masks" | wc -l)" = $npoints ] || die "masks/ does not hold $npoints masks"
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["points"])==6 and d["sasp"]["version"] and d["config"]["sweep"]' "$tmp/a/summary.json" || die "summary.json content"
  # deterministic: one worker or two, same bytes; the files are rebuilt from points/ alone
  sweep "$tmp/b" --jobs 1
  cmp "$tmp/a/points.csv" "$tmp/b/points.csv" || die "points.csv differs between --jobs 2 and --jobs 1"
  # a fresh run (no --resume) into a used directory recomputes; --resume keeps everything
  sweep "$tmp/b" --jobs 2 --resume
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["points_resumed"]==6 and d["run"]["points_run"]==0, d["run"]' "$tmp/b/summary.json" || die "resume of a finished sweep recomputed points"
  cmp "$tmp/a/points.csv" "$tmp/b/points.csv" || die "points.csv differs after a no-op resume"
  # plots (where Debian's python3-matplotlib is installed)
  if $py -c 'import matplotlib' 2> /dev/null; then
    "$sasp" plot "$tmp/a" > /dev/null || die "sasp plot failed"
    for p in speedup_vs_rate energy_vs_rate wer_vs_rate pareto; do
      for x in png pdf; do [ -s "$tmp/a/$p.$x" ] || die "plot $p.$x missing"; done
    done
  fi
  # a grid extended by one rate: resume computes only the new points
  printf 'include: %s/%s\nsweep: {rates: [0, 0.15, 0.3, 0.6]}\n' "$PWD" "$cfg" > "$tmp/ext.yaml"
  "$sasp" sweep "$tmp/ext.yaml" -o "$tmp/b" --no-plot --resume || die "resume with an extended grid"
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["points_resumed"]==6 and d["run"]["points_run"]==2, d["run"]' "$tmp/b/summary.json" || die "extended grid: wrong points recomputed"
  grep -v ',0.15,' "$tmp/b/points.csv" | cmp - "$tmp/a/points.csv" || die "extended grid changed the other points"
  # the point's mask file, run through 'sasp sim' on its array, gives the point's figures
  printf 'include: %s/%s\narray: {rows: 8, cols: 8}\n' "$PWD" "$cfg" > "$tmp/c88.yaml"
  "$sasp" sim "$tmp/c88.yaml" --mask "$tmp/a/masks/8x8-rate0.3.mask" --json "$tmp/sim.json" > /dev/null || die "sasp sim with the sweep's mask"
  $py - "$tmp/sim.json" "$tmp/a/points.csv" <<'PY' || die "sasp sim disagrees with the sweep's row for 8x8 rate 0.3"
import csv, json, sys
s = json.load(open(sys.argv[1]))
p = [r for r in csv.DictReader(open(sys.argv[2])) if (r["rows"], r["cols"], r["rate"]) == ("8", "8", "0.3")][0]
assert s["totals"]["time"]["array"] == int(p["array_cycles"]), (s["totals"]["time"]["array"], p["array_cycles"])
assert f'{s["speedup"]["vs_dense"]:.6f}' == p["speedup_dense"], (s["speedup"], p["speedup_dense"])
assert f'{s["speedup"]["vs_host_only"]:.6f}' == p["speedup_host"], (s["speedup"], p["speedup_host"])
PY
  ;;
resume)
  sweep "$tmp/ref" --jobs 2
  # kill the sweep (SIGKILL: no clean-up at all) once some but not all points are done
  "$sasp" sweep "$cfg" -o "$tmp/k" --no-plot --jobs 1 2> /dev/null &
  pid=$!
  for _ in $(seq 3000); do
    n=$(ls "$tmp/k/points" 2>/dev/null | grep -c '\.tsv$')
    [ "$n" -ge 2 ] && break
    sleep 0.02
  done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  done_before=$(ls "$tmp/k/points" | grep -c '\.tsv$')
  [ "$done_before" -ge 1 ] && [ "$done_before" -lt $npoints ] || die "kill came at $done_before/$npoints points: cannot test resume"
  [ -e "$tmp/k/points.csv" ] && die "a killed sweep left points.csv"
  sleep 0.2 # the worker dies with its parent (PR_SET_PDEATHSIG)
  sweep "$tmp/k" --jobs 2 --resume
  cmp "$tmp/ref/points.csv" "$tmp/k/points.csv" || die "resumed points.csv differs from an uninterrupted run"
  $py -c 'import json,sys; r=json.load(open(sys.argv[1]))["run"]; assert r["points_resumed"]>=1 and r["points_run"]>=1, r' "$tmp/k/summary.json" || die "resume did not reuse finished points"
  ls "$tmp/k/points" "$tmp/k/masks" | grep -q '\.tmp\.' && die "temporary files left after resume"
  ;;
shard)
  sweep "$tmp/ref" --jobs 2
  # three independent shard jobs through GNU parallel, then merge
  command -v parallel > /dev/null || { echo "GNU parallel not installed"; exit 77; }
  parallel --will-cite --halt now,fail=1 -j 2 \
    "$sasp" sweep "$cfg" -o "$tmp/s{}" --no-plot --jobs 1 --shard {}/3 ::: 1 2 3 || die "sharded sweeps failed"
  for k in 1 2 3; do [ "$(tail -n +2 "$tmp/s$k/points.csv" | wc -l)" = 2 ] || die "shard $k/3 does not hold 2 points"; done
  "$sasp" merge "$tmp/s1" "$tmp/s2" "$tmp/s3" -o "$tmp/m" || die "merge failed"
  cmp "$tmp/ref/points.csv" "$tmp/m/points.csv" || die "merged points.csv differs from the single run"
  [ "$(ls "$tmp/m/masks" | wc -l)" = $npoints ] || die "merged masks/ incomplete"
  # merging twice the same shard is fine; a missing shard is not
  "$sasp" merge "$tmp/s1" "$tmp/s2" "$tmp/s3" "$tmp/s1" -o "$tmp/m2" || die "merge with a repeated shard failed"
  cmp "$tmp/ref/points.csv" "$tmp/m2/points.csv" || die "merge with a repeated shard differs"
  expect_error 1 "point .* is in none of the directories" "$sasp" merge "$tmp/s1" "$tmp/s3" -o "$tmp/m3"
  [ -e "$tmp/m3" ] && die "a failed merge wrote $tmp/m3"
  expect_error 1 "not a sweep result directory" "$sasp" merge "$tmp/s1" "$tmp/nope" -o "$tmp/m4"
  ;;
bad)
  # configurations the sweep rejects, with FILE[:LINE:COL]: key '...': problem
  mk() { printf 'include: %s/configs/regress.yaml\n%s\n' "$PWD" "$2" > "$tmp/$1.yaml"; }
  mk duprate 'sweep: {rates: [0, 0.1, 0.10]}'
  expect_error 1 "duprate.yaml: key 'sweep.rates': rate 0.1 listed twice" "$sasp" sweep "$tmp/duprate.yaml" -o "$tmp/x"
  mk norate 'sweep: {rates: []}'
  expect_error 1 "norate.yaml.*key 'sweep.rates'" "$sasp" sweep "$tmp/norate.yaml" -o "$tmp/x"
  mk dupshape 'sweep: {arrays: [4x4, 4x4]}'
  expect_error 1 "dupshape.yaml.*key 'sweep.arrays'" "$sasp" sweep "$tmp/dupshape.yaml" -o "$tmp/x"
  mk badshape 'sweep: {arrays: [4x4, 1x8]}'
  expect_error 1 "badshape.yaml:2:.*key 'sweep.arrays'" "$sasp" sweep "$tmp/badshape.yaml" -o "$tmp/x"
  mk badrate 'sweep: {rates: [0, 1.5]}'
  expect_error 1 "badrate.yaml:2:.*key 'sweep.rates'" "$sasp" sweep "$tmp/badrate.yaml" -o "$tmp/x"
  mk typo 'sweep: {ratez: [0]}'
  expect_error 1 "typo.yaml:2:.*ratez" "$sasp" sweep "$tmp/typo.yaml" -o "$tmp/x"
  mk nomanifest 'workload: {manifest: /nonexistent/manifest.yaml}'
  expect_error 1 "/nonexistent/manifest.yaml" "$sasp" sweep "$tmp/nomanifest.yaml" -o "$tmp/x"
  [ -e "$tmp/x/points.csv" ] && die "a rejected sweep wrote points.csv"
  expect_error 2 "--shard '4/3'" "$sasp" sweep "$cfg" -o "$tmp/x" --shard 4/3
  expect_error 2 "--shard '0/2'" "$sasp" sweep "$cfg" -o "$tmp/x" --shard 0/2
  expect_error 2 "--jobs '0'" "$sasp" sweep "$cfg" -o "$tmp/x" --jobs 0
  expect_error 2 "unknown option '--frob'" "$sasp" sweep "$cfg" --frob
  expect_error 1 "nonexistent/points.csv: no such file" "$sasp" plot "$tmp/nonexistent"
  # resuming a directory with another configuration is refused
  "$sasp" sweep "$cfg" -o "$tmp/r" --no-plot --shard 1/6 || die "shard 1/6"
  mk other 'array: {clock_mhz: 500}'
  expect_error 1 "different configuration" "$sasp" sweep "$tmp/other.yaml" -o "$tmp/r" --no-plot --resume
  "$sasp" sweep "$tmp/other.yaml" -o "$tmp/o" --no-plot --shard 2/6 || die "shard 2/6 of other"
  expect_error 1 "not shards of one sweep" "$sasp" merge "$tmp/r" "$tmp/o" -o "$tmp/m"
  ;;
*) echo "unknown part $part"; exit 2 ;;
esac
exit $fail
