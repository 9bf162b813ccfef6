#!/bin/sh
# docs/config.md must be exactly what 'sasp config --doc' generates from the schema.
set -eu
sasp=$1 doc=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$sasp" config --doc > "$tmp"
if ! cmp -s "$tmp" "$doc"; then
  echo "docs/config.md is out of date: regenerate with 'sasp config --doc > docs/config.md'" >&2
  diff -u "$doc" "$tmp" | head -20 >&2
  exit 1
fi
