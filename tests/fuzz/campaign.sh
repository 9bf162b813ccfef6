#!/bin/sh
# Long fuzz campaign of one harness (docs/testing.md): fuzzes for SECONDS, keeping the
# corpus it grows under DIR/READER (default build-fuzz/campaign) so later runs continue from
# it. It carries on past a failing input (fork mode); each one lands in DIR/READER-artifacts/:
# copy it into tests/fuzz/corpus/READER/ as a regression once it is fixed.
# usage: tests/fuzz/campaign.sh READER SECONDS [BUILD_DIR [DIR]]
set -u
cd "$(dirname "$0")/../.." || exit 1
reader=$1 seconds=$2 build=${3:-build-fuzz}
dir=${4:-$build/campaign}
harness=$build/tests/fuzz/fuzz_$reader
# undefined behaviour is a failure too, not a message
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
[ -x "$harness" ] || { echo "no harness $harness (see docs/testing.md to configure $build)"; exit 2; }
mkdir -p "$dir/$reader" "$dir/$reader-artifacts" || exit 1
set --
[ -f "tests/fuzz/$reader.dict" ] && set -- -dict="tests/fuzz/$reader.dict"
exec "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -artifact_prefix="$dir/$reader-artifacts/" -print_final_stats=1 -print_pcs=0 \
  -fork=1 -ignore_crashes=1 "$@" "$dir/$reader" "tests/fuzz/corpus/$reader" </dev/null
