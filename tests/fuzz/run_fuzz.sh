#!/bin/sh
# Short fuzz run of one libFuzzer harness for the test suite: replays every seed and crash
# regression of the corpus, then fuzzes for SECONDS (with tests/fuzz/READER.dict if present).
# New inputs go to a temporary directory, never into the source tree; a failing input is kept
# as WORKDIR/HARNESS-crash-* (or -leak-, -timeout-, -oom-) and printed in base64.
# usage: run_fuzz.sh HARNESS CORPUS_DIR SECONDS WORKDIR
set -u
harness=$1 corpus=$2 seconds=$3 work=$4
[ -d "$corpus" ] || { echo "missing corpus $corpus"; exit 1; }
mkdir -p "$work" || exit 1
rm -f "$work/$(basename "$harness")"-*
new=$(mktemp -d "${TMPDIR:-/tmp}/sasp-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$new"' EXIT
trap 'exit 1' INT TERM
name=$(basename "$harness")
# undefined behaviour is a failure too, not a message
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
dict=$(dirname "$corpus")/../$(basename "$corpus").dict
set --
[ -f "$dict" ] && set -- -dict="$dict"
# -timeout: one input taking over 10 s is a hang; -rss_limit_mb/-malloc_limit_mb: an input
# that makes a reader allocate over 1 GiB is a failure (readers must bound allocations).
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -artifact_prefix="$work/$name-" -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 \
  "$@" "$new" "$corpus" </dev/null
rc=$?
if [ $rc -ne 0 ]; then
  for f in "$work/$name"-*; do
    [ -f "$f" ] || continue
    echo "failing input $f (base64):"
    base64 "$f" | head -c 4000
    echo
  done
fi
# never 77, which meson reads as "skipped" (and is libFuzzer's default error status)
[ $rc -eq 0 ] || exit 1
