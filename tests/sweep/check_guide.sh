#!/bin/sh
# docs/guide.md's column table equals 'sasp sweep --columns' (regenerate: see the marker).
set -u
sasp=$1 guide=$2
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
"$sasp" sweep --columns > "$want" || exit 1
sed -n '/^<!-- columns:/,/^<!-- end columns -->/p' "$guide" | sed '1d;$d' > "$got"
if ! cmp -s "$want" "$got"; then
  echo "docs/guide.md column table is out of step with 'sasp sweep --columns':"
  diff "$got" "$want"
  exit 1
fi
