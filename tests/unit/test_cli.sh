#!/bin/sh
# The command line: help, version, per-command help (one layout, the exit statuses), unknown
# commands and options, bad configs, the "sasp CMD: " prefix of every message, exit statuses
# 0/1/2 with the same meaning everywhere, flag limits identical to the config keys' limits.
set -u
sasp=$1
fail=0
out=/tmp/sasp-cli.$$
check() { # expected-status description command...
  want=$1 what=$2; shift 2
  "$@" > $out 2>&1; got=$?
  if [ "$got" != "$want" ]; then echo "FAIL: $what: exit $got, want $want"; cat $out; fail=1; fi
}
# errs STATUS CMD PATTERN args...: 'sasp CMD args' exits STATUS with one line on stderr that
# starts with "sasp CMD: " and matches PATTERN
errs() {
  want=$1 cmd=$2 pat=$3; shift 3
  "$sasp" "$cmd" "$@" > /dev/null 2> $out; got=$?
  [ "$got" = "$want" ] || { echo "FAIL: sasp $cmd $*: exit $got, want $want"; cat $out; fail=1; return; }
  [ "$(wc -l < $out)" = 1 ] || { echo "FAIL: sasp $cmd $*: not one line:"; cat $out; fail=1; return; }
  grep -q "^sasp $cmd: " $out || { echo "FAIL: sasp $cmd $*: no 'sasp $cmd: ' prefix:"; cat $out; fail=1; }
  grep -qE -- "$pat" $out || { echo "FAIL: sasp $cmd $*: message does not match '$pat':"; cat $out; fail=1; }
}
check 0 "help" "$sasp" help
check 0 "--version" "$sasp" --version
"$sasp" --version | grep -q '^sasp [0-9][0-9.]* (git [0-9a-f]*\(-dirty\)\?\|unknown)' ||
  { echo "FAIL: version text: $("$sasp" --version)"; fail=1; }
check 2 "no command" "$sasp"
check 2 "unknown command" "$sasp" frobnicate
for c in sweep merge prune sim cosim wer plot config; do
  check 0 "$c --help" "$sasp" "$c" --help
  # one help layout: usage, options, the same exit statuses
  grep -q "^usage: sasp $c " $out || { echo "FAIL: $c --help: no usage line"; fail=1; }
  grep -q "^options:" $out || { echo "FAIL: $c --help: no options section"; fail=1; }
  grep -q "^  -h, --help " $out || { echo "FAIL: $c --help: no -h, --help"; fail=1; }
  grep -q "^exit status: 0 success; 1 failure" $out || { echo "FAIL: $c --help: exit statuses"; fail=1; }
  # usage errors: exit 2, prefixed, one line
  errs 2 "$c" "unknown option '--frobnicate'" --frobnicate
done
check 0 "config default" "$sasp" config configs/default.yaml
errs 1 config "/nonexistent.yaml: cannot open" /nonexistent.yaml
errs 2 config "CONFIG is required"
errs 2 sweep "unexpected argument" configs/default.yaml configs/regress.yaml
errs 2 sweep "needs a value" configs/default.yaml -o
printf 'tech: tech/45nm.yaml\nworkload: {manifest: m.yaml}\narray: {rows: sixteen}\n' > configs/.cli-test.yaml
errs 1 config "^sasp config: configs/.cli-test.yaml:3:15: key 'array.rows': expected" configs/.cli-test.yaml
errs 1 sim "configs/.cli-test.yaml:3:15: key 'array.rows'" configs/.cli-test.yaml
errs 1 sweep "configs/.cli-test.yaml:3:15: key 'array.rows'" configs/.cli-test.yaml --no-plot -o /tmp/sasp-cli-never.$$
printf 'tech: tech/45nm.yaml\nworkload: {manifest: m.yaml}\narray: {rows: 1}\n' > configs/.cli-test.yaml
errs 1 config "key 'array.rows': expected an integer from 2 to 4096" configs/.cli-test.yaml
rm -f configs/.cli-test.yaml
[ ! -e /tmp/sasp-cli-never.$$ ] || { echo "FAIL: a refused sweep created its directory"; fail=1; rm -rf /tmp/sasp-cli-never.$$; }
# flag limits are the config keys' limits
m=workloads/asr
errs 2 prune "--tile '1x1': expected RxC with R in 2..4096" --model $m --tile 1x1 --rate 0.3 -o /tmp/sasp-cli-never.$$
errs 2 prune "--tile '8x8192'" --model $m --tile 8x8192 --rate 0.3 -o /tmp/sasp-cli-never.$$
errs 2 prune "--rate '1.5': expected a number from 0 to 1" --model $m --tile 8x8 --rate 1.5 -o /tmp/sasp-cli-never.$$
errs 2 prune "--cap '-0.1': expected a number from 0 to 1" --model $m --tile 8x8 --rate 0.3 --cap -0.1 -o /tmp/sasp-cli-never.$$
errs 2 prune "-o OUT is required" --model $m --tile 8x8 --rate 0.3
errs 2 wer "--tile '1x1'" --model $m --mask x.bin --tile 1x1
errs 2 wer "--max-utts '-1': expected an integer from 0 to" --model $m --max-utts -1
errs 2 wer "--seed '2147483648'" --model $m --seed 2147483648
errs 2 cosim "--sample '0': expected an integer from 1 to 1000000" configs/regress.yaml --sample 0
errs 2 sweep "--jobs '0'" configs/regress.yaml --jobs 0
errs 2 sweep "--shard '3/2'" configs/regress.yaml --shard 3/2
errs 2 sim "--system 'gem5'" configs/regress.yaml --system gem5
[ ! -e /tmp/sasp-cli-never.$$ ] || { echo "FAIL: a refused prune wrote its output"; fail=1; }
rm -f $out
exit $fail
