#!/bin/sh
# The command line: help, version, per-command help, unknown commands, bad configs.
set -u
sasp=$1
fail=0
check() { # expected-status description command...
  want=$1 what=$2; shift 2
  "$@" > /tmp/sasp-cli.$$ 2>&1; got=$?
  if [ "$got" != "$want" ]; then echo "FAIL: $what: exit $got, want $want"; cat /tmp/sasp-cli.$$; fail=1; fi
}
check 0 "help" "$sasp" help
check 0 "--version" "$sasp" --version
"$sasp" --version | grep -q '^sasp [0-9]' || { echo "FAIL: version text"; fail=1; }
check 2 "no command" "$sasp"
check 2 "unknown command" "$sasp" frobnicate
for c in sweep merge prune sim cosim wer plot config; do
  check 0 "$c --help" "$sasp" "$c" --help
done
check 0 "config default" "$sasp" config configs/default.yaml
check 1 "config missing file" "$sasp" config /nonexistent.yaml
printf 'tech: tech/45nm.yaml\nworkload: {manifest: m.yaml}\narray: {rows: sixteen}\n' > configs/.cli-test.yaml
"$sasp" config configs/.cli-test.yaml 2> /tmp/sasp-cli.$$; st=$?
rm -f configs/.cli-test.yaml
[ "$st" = 1 ] || { echo "FAIL: bad config exit $st"; fail=1; }
grep -q "^configs/.cli-test.yaml:3:15: key 'array.rows': expected" /tmp/sasp-cli.$$ || { echo "FAIL: bad config message"; cat /tmp/sasp-cli.$$; fail=1; }
[ "$(wc -l < /tmp/sasp-cli.$$)" = 1 ] || { echo "FAIL: error is not one line"; fail=1; }
rm -f /tmp/sasp-cli.$$
exit $fail
