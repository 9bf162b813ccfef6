#!/bin/bash
# End-to-end tests of 'sasp sweep' / 'sasp merge' on configs/regress.yaml (2 arrays x 3 rates of
# the ASR model, WER on 8 utterances). Run from the source root.
#   test_sweep.sh SASP PART RTL   PART: e2e | resume | shard | bad | axes | v2 | rules | fail;
#   RTL: expected rtl_check (pass | skipped, or per array: 4x4=pass,8x8=skipped)
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

# A point whose RTL check cannot run (no RTL model of its size) makes the sweep exit 1 with a
# line saying so; expected where RTL says 'skipped' for some array.
case $rtl in *skipped*) want_rc=1 ;; *) want_rc=0 ;; esac
# run-sweep CONFIG DIR ARGS...: the sweep ends with exit $want_rc (and says why when 1)
run_sweep() {
  local c=$1 d=$2; shift 2
  "$sasp" sweep "$c" -o "$d" --no-plot "$@" > "$tmp/sweep.out" 2> "$tmp/sweep.err"; local got=$?
  [ "$got" = "$want_rc" ] || { die "sweep $c -o $d $*: exit $got, want $want_rc"; tail -n 3 "$tmp/sweep.err"; return; }
  if [ "$want_rc" = 1 ]; then
    grep -q "not checked against the RTL" "$tmp/sweep.err" ||
      die "sweep $c -o $d: exit 1 without saying which points the RTL did not check"
  fi
}
# sweep into $1 with the remaining arguments; must succeed
sweep() { local d=$1; shift; run_sweep "$cfg" "$d" "$@"; }

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
  # the closing summary says where the results are and the best speed-up per array; piped,
  # progress is one line per finished point
  grep -q "^sweep: $npoints points in $tmp/b/points.csv" "$tmp/sweep.out" || die "summary does not say where points.csv is"
  grep -q "best speed-up" "$tmp/sweep.out" && grep -qE '^    8x8: ' "$tmp/sweep.out" || die "summary lacks the best speed-up per array"
  [ "$(grep -c '^sweep: \[[0-9]*/6\] ' "$tmp/sweep.err")" = 0 ] || die "a resumed finished sweep printed point lines"
  sweep "$tmp/p" --jobs 1
  [ "$(grep -c '^sweep: \[[0-9]/6\] .* done in ' "$tmp/sweep.err")" = $npoints ] || { die "piped progress is not one line per point:"; cat "$tmp/sweep.err"; }
  # plots: the data each one draws equals points.csv (no matplotlib needed for the data)
  "$sasp" plot "$tmp/a" --no-draw --data "$tmp/plot.json" --mask 8x8-rate0.3 || die "sasp plot --data failed"
  $py "$here/check_plot.py" "$tmp/a/points.csv" "$tmp/plot.json" || die "plotted data differs from points.csv"
  expect_error 1 "--mask '9x9-rate0': no such point" "$sasp" plot "$tmp/a" --no-draw --data "$tmp/x.json" --mask 9x9-rate0
  expect_error 2 "unknown option '--frob'" "$sasp" plot "$tmp/a" --frob
  if $py -c 'import matplotlib' 2> /dev/null; then
    "$sasp" plot "$tmp/a" --data "$tmp/plot2.json" --mask 4x4-rate0.6 > /dev/null || die "sasp plot failed"
    for p in speedup_vs_rate energy_vs_rate energy_breakdown wer_vs_rate pareto mask_4x4-rate0.6; do
      for x in png pdf; do [ -s "$tmp/a/$p.$x" ] || die "plot $p.$x missing"; done
    done
    # drawn: labels placed (and checked not to overlap), clipping decided
    $py "$here/check_plot.py" "$tmp/a/points.csv" "$tmp/plot2.json" || die "drawn plots' data differs from points.csv"
    "$sasp" plot "$tmp/a" --wer-clip 10 --no-draw --data "$tmp/plot3.json" || die "sasp plot --wer-clip"
    $py -c 'import json,sys; d=json.load(open(sys.argv[1]))["plots"]; assert d["wer_vs_rate"]["clip"]==10 and any(q["clipped"] for a in d["pareto"]["arrays"] for q in a["points"]), d["wer_vs_rate"]["clip"]' "$tmp/plot3.json" || die "--wer-clip 10 did not clip the WERs above 10 %"
  fi
  # a grid extended by one rate: resume computes only the new points
  printf 'include: %s/%s\nsweep: {rates: [0, 0.15, 0.3, 0.6]}\n' "$PWD" "$cfg" > "$tmp/ext.yaml"
  run_sweep "$tmp/ext.yaml" "$tmp/b" --resume
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
  "$sasp" sweep "$cfg" -o "$tmp/k" --no-plot --jobs 1 > /dev/null 2>&1 &
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
  parallel --will-cite -j 2 "'$sasp' sweep '$cfg' -o '$tmp/s{}' --no-plot --jobs 1 --shard {}/3 > /dev/null 2>&1; echo \$? > '$tmp/rc{}'" ::: 1 2 3
  for k in 1 2 3; do [ "$(cat "$tmp/rc$k")" = $want_rc ] || die "shard $k/3: exit $(cat "$tmp/rc$k"), want $want_rc"; done
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
  mk off 'sweep: {rtl_check: off}'
  "$sasp" sweep "$tmp/off.yaml" -o "$tmp/r" --no-plot --quiet --shard 1/6 > /dev/null || die "shard 1/6"
  mk other 'sweep: {rtl_check: off}
array: {clock_mhz: 500}'
  expect_error 1 "different configuration" "$sasp" sweep "$tmp/other.yaml" -o "$tmp/r" --no-plot --resume
  "$sasp" sweep "$tmp/other.yaml" -o "$tmp/o" --no-plot --quiet --shard 2/6 > /dev/null || die "shard 2/6 of other"
  expect_error 1 "not shards of one sweep" "$sasp" merge "$tmp/r" "$tmp/o" -o "$tmp/m"
  ;;
axes)
  # strategies as axes: 1 array x 2 rates x (2 thresholds x 2 integrations) = 8 points
  case $rtl in skipped | *4x4=skipped*) want_rc=1 ;; *) want_rc=0 ;; esac # 4x4 only here
  printf 'include: %s/%s\nsweep:\n  arrays: [4x4]\n  rates: [0, 0.3]\n  axes:\n    prune.threshold: [global, per_layer]\n    integration: [dma, cpu_fed]\n' "$PWD" "$cfg" > "$tmp/ax.yaml"
  run_sweep "$tmp/ax.yaml" "$tmp/ax" --jobs 2
  cp "$tmp/sweep.out" "$tmp/ax.out"
  # the same grid without axes, once per combination, through plain configurations
  for th in global per_layer; do for it in dma cpu_fed; do
    printf 'include: %s/%s\nsweep: {arrays: [4x4], rates: [0, 0.3]}\nprune: {threshold: %s}\nintegration: %s\n' "$PWD" "$cfg" $th $it > "$tmp/$th-$it.yaml"
    run_sweep "$tmp/$th-$it.yaml" "$tmp/$th-$it" --jobs 2
  done; done
  $py - "$tmp" <<'PY' || die "axes: points.csv of the axes sweep does not match the plain sweeps"
import csv, sys
t = sys.argv[1]
rd = lambda p: list(csv.reader(open(p, newline="")))
ax = rd(f"{t}/ax/points.csv")
plain = rd(f"{t}/global-dma/points.csv")
head, n = ax[0], len(plain[0])
assert head[:n] == plain[0], "the fixed columns changed"
assert head[n:] == ["axis.prune.threshold", "axis.integration"], head[n:]
assert len(ax) == 1 + 8, len(ax)
# order: rows, cols, rate, then the axes' values in config order (last axis fastest)
want = [(r, th, it) for r in ("0", "0.3") for th in ("global", "per_layer") for it in ("dma", "cpu_fed")]
assert [(x[2], x[n], x[n + 1]) for x in ax[1:]] == want, [(x[2], x[n], x[n + 1]) for x in ax[1:]]
for x in ax[1:]:
    ref = [y for y in rd(f"{t}/{x[n]}-{x[n + 1]}/points.csv")[1:] if y[2] == x[2]]
    assert x[:n] == ref[0], f"{x[n]}/{x[n + 1]} rate {x[2]}: differs from its plain sweep"
PY
  # identical RTL work (rate 0: no tile pruned, so both thresholds give the same masks and
  # weights) shares one content key per integration and is co-simulated once
  [ "$want_rc" = 0 ] && { $py - "$tmp/ax/points.csv" "$tmp/ax.out" <<'PY' || die "axes: identical RTL work not keyed and run once"
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
w = {(x["rate"], x["axis.prune.threshold"], x["axis.integration"]): x["rtl_work"] for x in rows}
assert all(re.fullmatch(r"[0-9a-f]{16}", k) for k in w.values()), w
for it in ("dma", "cpu_fed"):
    assert w[("0", "global", it)] == w[("0", "per_layer", it)], (it, w)
    assert w[("0", "global", it)] != w[("0.3", "global", it)], (it, w)
assert w[("0", "global", "dma")] != w[("0", "global", "cpu_fed")], w
for x in rows:  # the shared outcome is the point's own figures
    twin = [y for y in rows if y["rtl_work"] == x["rtl_work"]]
    assert all(y["rtl_check"] == "pass" and y["rtl_values_compared"] == x["rtl_values_compared"]
               for y in twin), twin
distinct = len(set(w.values()))
out = open(sys.argv[2]).read()
m = re.search(r"RTL work: (\d+) co-simulations for the (\d+) points computed", out)
assert m and int(m.group(1)) == distinct and int(m.group(2)) == 8 and distinct < 8, (distinct, out)
PY
  }
  [ -e "$tmp/ax/rtl-work" ] && die "axes: rtl-work/ left behind"
  [ "$(ls "$tmp/ax/points" | wc -l)" = 8 ] && [ -f "$tmp/ax/points/4x4-rate0.3-per_layer-cpu_fed.tsv" ] || die "axes: point files not named by their values"
  grep -q '^axis	prune.threshold	global	per_layer$' "$tmp/ax/grid.tsv" || die "axes: grid.tsv lacks the axis"
  grep -q '^axis' "$tmp/global-dma/grid.tsv" && die "a sweep without axes wrote an axis line"
  # plots: per array the front over every strategy, checked against points.csv
  "$sasp" plot "$tmp/ax" --no-draw --data "$tmp/ax.json" --mask 4x4-rate0.3-per_layer-dma || die "plot of the axes sweep"
  $py "$here/check_plot.py" "$tmp/ax/points.csv" "$tmp/ax.json" || die "axes: plotted data differs from points.csv"
  # resume with one more rate computes only its points (point indices shift, ids do not)
  printf 'include: %s\nsweep:\n  axes:\n    prune.threshold: [global, per_layer]\n    integration: [dma, cpu_fed]\n  rates: [0, 0.15, 0.3]\n' "$tmp/ax.yaml" > "$tmp/ax2.yaml"
  run_sweep "$tmp/ax2.yaml" "$tmp/ax" --resume --jobs 2
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["points_resumed"]==8 and d["run"]["points_run"]==4, d["run"]' "$tmp/ax/summary.json" || die "axes: resume recomputed finished points"
  # shards and merge over axes give the single run's file
  for k in 1 2 3; do run_sweep "$tmp/ax.yaml" "$tmp/as$k" --jobs 1 --shard $k/3; done
  "$sasp" merge "$tmp/as1" "$tmp/as2" "$tmp/as3" -o "$tmp/am" || die "axes: merge failed"
  run_sweep "$tmp/ax.yaml" "$tmp/ax1" --jobs 2
  cmp "$tmp/ax1/points.csv" "$tmp/am/points.csv" || die "axes: merged points.csv differs from the single run"
  # bad axes: FILE:LINE:COL: key '...': problem
  mk() { printf 'include: %s/%s\nsweep:\n  axes:\n    %s\n' "$PWD" "$cfg" "$2" > "$tmp/$1.yaml"; }
  mk unknown 'prune.critrion: [mean_abs]'
  expect_error 1 "unknown.yaml:4:5: key 'sweep.axes.prune.critrion': .*did you mean 'prune.criterion'" "$sasp" sweep "$tmp/unknown.yaml" -o "$tmp/x"
  mk badval 'prune.criterion: [mean_abs, bogus]'
  expect_error 1 "badval.yaml:4:33: key 'sweep.axes.prune.criterion': expected one of" "$sasp" sweep "$tmp/badval.yaml" -o "$tmp/x"
  mk empty 'prune.criterion: []'
  expect_error 1 "empty.yaml:4:.*key 'sweep.axes.prune.criterion': empty list" "$sasp" sweep "$tmp/empty.yaml" -o "$tmp/x"
  mk range 'prune.layer_cap: [0.5, 1.5]'
  expect_error 1 "range.yaml:4:.*key 'sweep.axes.prune.layer_cap': expected a number from 0 to 1" "$sasp" sweep "$tmp/range.yaml" -o "$tmp/x"
  mk gridkey 'array.rows: [4, 8]'
  expect_error 1 "gridkey.yaml:4:5: key 'sweep.axes.array.rows': cannot be a sweep axis" "$sasp" sweep "$tmp/gridkey.yaml" -o "$tmp/x"
  mk big 'host.add: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    host.relu: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    host.gelu: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    host.argmax: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]'
  expect_error 1 "big.yaml:4:5: key 'sweep.axes': the grid has .* points .* more than 100000" "$sasp" sweep "$tmp/big.yaml" -o "$tmp/x"
  [ -e "$tmp/x" ] && die "a rejected axes sweep created its directory"
  ;;
v2)
  # array.act_type fp32 (the paper's v2): the WER stage runs the engine's fp32 x int8 mode,
  # as 'sasp wer --mode fp32_int8' on the point's own mask; int8 points as --mode int8. On
  # this fixture (4 utterances of the unseen set, 4x4 tiles at rate 0.5) the two modes
  # recognise differently, so the comparison tells them apart. The footprint columns equal
  # 'sasp sim' on the same mask.
  printf 'include: %s/%s\nintegration: cpu_fed\nworkload: {testset: %s/workloads/asr/testsets/unseen, max_utts: 4}\nsweep:\n  arrays: [4x4]\n  rates: [0.5]\n  rtl_check: off\n  axes:\n    array.act_type: [int8, fp32]\n    cpu_fed.skip_format: [csr]\n' "$PWD" "$cfg" "$PWD" > "$tmp/v2.yaml"
  want_rc=0 run_sweep "$tmp/v2.yaml" "$tmp/v2" --jobs 2
  for at in int8 fp32; do
    mode=int8; [ $at = fp32 ] && mode=fp32_int8
    "$sasp" wer --model workloads/asr --mask "$tmp/v2/masks/4x4-rate0.5-$at-csr.mask" \
      --testset workloads/asr/testsets/unseen --max-utts 4 --mode $mode --seed 1 \
      --json "$tmp/wer-$at.json" > /dev/null 2>&1 || die "sasp wer --mode $mode failed"
    printf 'include: %s/%s\nintegration: cpu_fed\narray: {rows: 4, cols: 4, act_type: %s}\ncpu_fed: {skip_format: csr}\n' "$PWD" "$cfg" $at > "$tmp/sim-$at.yaml"
    "$sasp" sim "$tmp/sim-$at.yaml" --mask "$tmp/v2/masks/4x4-rate0.5-$at-csr.mask" \
      --json "$tmp/sim-$at.json" > /dev/null 2>&1 || die "sasp sim $at failed"
  done
  $py - "$tmp" <<'PY' || die "v2: points.csv / summary.json vs sasp wer and sasp sim"
import csv, json, sys
t = sys.argv[1]
pts = {r["axis.array.act_type"]: r for r in csv.DictReader(open(f"{t}/v2/points.csv"))}
summ = {p["axis.array.act_type"]: p for p in json.load(open(f"{t}/v2/summary.json"))["points"]}
for at, mode in (("int8", "int8"), ("fp32", "fp32_int8")):
    p, w, s = pts[at], json.load(open(f"{t}/wer-{at}.json")), json.load(open(f"{t}/sim-{at}.json"))
    assert p["wer_engine"] == mode and summ[at]["wer_engine"] == mode, (at, p["wer_engine"])
    assert w["mode"] == mode, w["mode"]
    got = (p["wer_sub"], p["wer_ins"], p["wer_del"], p["wer_words"], p["wer"], p["wer_lo"], p["wer_hi"])
    want = tuple(str(w[k]) for k in ("sub", "ins", "del", "words")) + tuple(
        f"{w[k]:.3f}" for k in ("wer_pct", "ci95_lo_pct", "ci95_hi_pct"))
    assert got == want, (at, got, want)
    fp = s["footprint"]
    assert (int(p["weight_bytes"]), int(p["meta_bytes"])) == (fp["weight_bytes"], fp["meta_bytes"]), (at, p["weight_bytes"], p["meta_bytes"], fp)
    assert int(p["footprint_bytes"]) == fp["weight_bytes"] + fp["meta_bytes"]
# the fixture must tell the modes apart, else the comparison above proves nothing
assert pts["int8"]["wer"] != pts["fp32"]["wer"], "int8 and fp32_int8 agree on this fixture"
PY
  ;;
rules)
  # The configuration's rules between keys hold for every combination of the axes' values,
  # checked before anything is written: FILE:LINE:COL of the offending axis value.
  mk() { printf 'include: %s/%s\n%ssweep:\n  arrays: [4x4]\n  rates: [0.3]\n  rtl_check: off\n  axes:\n%s\n' "$PWD" "$cfg" "$2" "$3" > "$tmp/$1.yaml"; }
  mk dmafp32 '' '    integration: [dma, cpu_fed]
    array.act_type: [int8, fp32]'
  expect_error 1 "dmafp32.yaml:8:28: sweep.axes combination integration=dma, array.act_type=fp32: key 'array.act_type': fp32 activations are modelled for integration cpu_fed only" "$sasp" sweep "$tmp/dmafp32.yaml" -o "$tmp/x" --no-plot
  mk bus 'integration: cpu_fed
buffers: {weight_kib: 64}
' '    cpu_fed.bus_bits: [32, 48]
    array.act_type: [int8, fp32]'
  "$sasp" sweep "$tmp/bus.yaml" -o "$tmp/x" --no-plot > "$tmp/out" 2> "$tmp/err" && die "bus: accepted"
  grep -q "^sasp sweep: .*bus.yaml:9:28: sweep.axes combination cpu_fed.bus_bits=48, array.act_type=fp32: key 'cpu_fed.bus_bits': 48 must be a multiple of the 32-bit activations" "$tmp/err" || { die "bus: message"; cat "$tmp/err"; }
  [ -e "$tmp/x" ] && die "a sweep refused by the rules created its directory"
  # keys a combination's integration ignores: one warning each (at the axis value that makes
  # them ignored), an error with --strict; the file's own ignored keys as before
  mk ign '' '    integration: [dma, cpu_fed]
    cpu_fed.skip_format: [csr, bitmap]'
  expect_error 1 "ign.yaml:8:27: key 'cpu_fed.skip_format' is ignored by integration dma \(sweep.axes combination integration=dma, cpu_fed.skip_format=csr\) \(--strict\)" "$sasp" sweep "$tmp/ign.yaml" -o "$tmp/x" --strict
  [ -e "$tmp/x" ] && die "a --strict refusal created its directory"
  "$sasp" sweep "$tmp/ign.yaml" -o "$tmp/ig" --no-plot --jobs 2 > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ $rc = 0 ] || { die "ign: exit $rc"; cat "$tmp/err"; }
  [ "$(grep -c "warning: key 'cpu_fed.skip_format' is ignored by integration dma" "$tmp/err")" = 1 ] || { die "ign: skip_format warning not given once"; cat "$tmp/err"; }
  grep -q "^sasp sweep: .*ign.yaml:7:24: warning: key 'buffers.weight_kib' is ignored by integration cpu_fed (sweep.axes combination integration=cpu_fed, cpu_fed.skip_format=csr)" "$tmp/err" || { die "ign: buffers warning"; cat "$tmp/err"; }
  ;;
fail)
  # a model whose weights file is truncated: one line, exit 1, nothing created
  mkdir -p "$tmp/m"
  cp workloads/asr/manifest.yaml workloads/asr/vocab.txt "$tmp/m/"
  head -c 100000 workloads/asr/model.safetensors > "$tmp/m/model.safetensors"
  printf 'include: %s/%s\nworkload: {manifest: %s/m/manifest.yaml}\n' "$PWD" "$cfg" "$tmp" > "$tmp/trunc.yaml"
  expect_error 1 "model.safetensors: .*truncated" "$sasp" sweep "$tmp/trunc.yaml" -o "$tmp/t" --no-plot
  [ -e "$tmp/t" ] && die "a sweep failing on a truncated weights file left $tmp/t"
  # a sweep whose first point fails removes what it created
  printf 'include: %s/%s\nworkload: {testset: %s/nonexistent}\n' "$PWD" "$cfg" "$tmp" > "$tmp/nots.yaml"
  "$sasp" sweep "$tmp/nots.yaml" -o "$tmp/n" --no-plot --jobs 1 > "$tmp/out" 2> "$tmp/err" && die "a failing sweep exited 0"
  grep -q "nonexistent" "$tmp/err" || die "the failure is not named"
  [ -e "$tmp/n" ] && { die "a sweep failing at its first point left:"; ls -R "$tmp/n"; }
  # interrupted (SIGINT) after some points: exit 130, a line saying how to resume, INCOMPLETE
  # until resumed; merge and plot refuse the directory meanwhile
  "$sasp" sweep "$cfg" -o "$tmp/i" --no-plot --jobs 1 > "$tmp/out" 2> "$tmp/err" &
  pid=$!
  for _ in $(seq 3000); do
    [ "$(ls "$tmp/i/points" 2> /dev/null | grep -c '\.tsv$')" -ge 1 ] && break
    sleep 0.02
  done
  kill -INT $pid
  wait $pid; rc=$?
  [ $rc = 130 ] || die "interrupted sweep: exit $rc, want 130"
  grep -q "sasp sweep $cfg -o $tmp/i --resume" "$tmp/out" || { die "no resume hint:"; cat "$tmp/out"; }
  [ -f "$tmp/i/INCOMPLETE" ] || die "an interrupted sweep did not mark its directory INCOMPLETE"
  [ -e "$tmp/i/points.csv" ] && die "an interrupted sweep wrote points.csv"
  expect_error 1 "unfinished sweep" "$sasp" merge "$tmp/i" -o "$tmp/im"
  expect_error 1 "unfinished sweep" "$sasp" plot "$tmp/i"
  run_sweep "$cfg" "$tmp/i" --resume
  [ -e "$tmp/i/INCOMPLETE" ] && die "--resume did not finish the directory"
  $py "$here/check_points.py" "$tmp/i/points.csv" "$arrays" "$rates" "$rtl" || die "resumed points.csv checks"
  ;;
*) echo "unknown part $part"; exit 2 ;;
esac
exit $fail
