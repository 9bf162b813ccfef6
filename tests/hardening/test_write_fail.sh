#!/bin/sh
# Write failures end with a clear error, exit 1, and leave neither a temporary file nor a
# truncated result behind; a device given as the output is written, never replaced.
# usage: test_write_fail.sh SASP CASE
#   CASE full:     results written to a full device (a private node like /dev/full; /dev/full
#                  itself is never a target, as a broken writer could replace it)
#   CASE efbig:    the file-size limit (prlimit --fsize) makes writes fail with EFBIG
#   CASE readonly: output into a read-only directory (as root: run as 'nobody') and under a
#                  path whose parent is a regular file
#   CASE stdout:   standard output is /dev/full (opened by the shell, never replaced)
. "$(dirname "$0")/lib.sh"
sasp=$1 case=$2
model=workloads/asr
cfg=configs/regress.yaml

# expect_fail WHAT CMD...: the command must fail cleanly
expect_fail() {
  what=$1
  shift
  "$@" > /dev/null 2> "$tmp/err"
  rc=$?
  if [ $rc -eq 0 ]; then
    bad "$what: succeeded although its output could not be written"
    return 1
  fi
  clean_failure "$what" $rc "$tmp/err" || return 1
  echo "$what: $(tail -n 1 "$tmp/err")"
}

case $case in
full)
  mknod "$tmp/full" c 1 7 2> /dev/null || { echo "cannot create a device node (not root?)"; exit 77; }
  echo x > "$tmp/full" 2> /dev/null && die "the private full device accepts writes"
  expect_fail "sim --json FULL" "$sasp" sim $cfg --json "$tmp/full"
  expect_fail "wer --hyp FULL" "$sasp" wer --model $model --max-utts 1 --boot 10 --threads 1 \
    --hyp "$tmp/full"
  expect_fail "wer --json FULL" "$sasp" wer --model $model --max-utts 1 --boot 10 --threads 1 \
    --json "$tmp/full"
  [ -c "$tmp/full" ] || bad "the device node was replaced by a regular file"
  no_temp_files "full" "$tmp"
  ;;
efbig)
  command -v prlimit > /dev/null || { echo "prlimit missing"; exit 77; }
  # SIGXFSZ ignored (inherited through exec), so writes past the limit fail with EFBIG
  limited() { sh -c 'trap "" XFSZ; exec prlimit --fsize=20000 "$@"' sh "$@"; }
  expect_fail "prune (model over the size limit)" limited "$sasp" prune --model $model \
    --tile 16x16 --rate 0.5 -o "$tmp/p"
  for f in "$tmp/p"/*; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -lt 20000 ] || bad "prune left $f at the size limit (truncated)"
  done
  [ -e "$tmp/p/model.safetensors" ] && bad "prune left a model.safetensors behind"
  expect_fail "sim --json (over the size limit)" limited "$sasp" sim $cfg --json "$tmp/sim.json"
  [ -e "$tmp/sim.json" ] && bad "sim left a truncated sim.json"
  no_temp_files "efbig" "$tmp"
  ;;
readonly)
  mkdir "$tmp/ro" && chmod 555 "$tmp/ro" && chmod 755 "$tmp"
  as_user() { "$@"; }
  if [ "$(id -u)" = 0 ]; then
    command -v setpriv > /dev/null || { echo "root without setpriv: cannot drop privileges"; exit 77; }
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  fi
  expect_fail "sim --json into a read-only directory" as_user "$sasp" sim $cfg \
    --json "$tmp/ro/sim.json"
  expect_fail "prune -o under a read-only directory" as_user "$sasp" prune --model $model \
    --tile 16x16 --rate 0.5 -o "$tmp/ro/p"
  [ -z "$(ls -A "$tmp/ro")" ] || bad "files appeared in the read-only directory: $(ls -A "$tmp/ro")"
  : > "$tmp/plain"
  expect_fail "prune -o under a regular file" "$sasp" prune --model $model --tile 16x16 \
    --rate 0.5 -o "$tmp/plain/p"
  expect_fail "wer --json under a regular file" "$sasp" wer --model $model --max-utts 1 \
    --boot 10 --threads 1 --json "$tmp/plain/w.json"
  ;;
stdout)
  for c in "config $cfg" "sim $cfg"; do
    # shellcheck disable=SC2086
    "$sasp" $c > /dev/full 2> "$tmp/err"
    rc=$?
    if [ $rc -eq 0 ]; then
      bad "sasp ${c%% *}: exit 0 although standard output (/dev/full) failed"
    else
      clean_failure "sasp ${c%% *} > /dev/full" $rc "$tmp/err"
    fi
  done
  ;;
*) die "unknown case $case" ;;
esac
finish
