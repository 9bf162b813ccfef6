# Shared helpers of the hardening tests (sourced). Tests run with the source root as working
# directory; each makes its own temporary directory, removed at exit.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sasp-hard.XXXXXX") || exit 1
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fails=0

die() { echo "FAIL: $*" >&2; exit 1; }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# A failed run must have exited 1 with a message and no crash, sanitizer report or
# internal error. usage: clean_failure WHAT RC STDERR_FILE
clean_failure() {
  what=$1 rc=$2 err=$3
  if [ "$rc" -ge 128 ] || [ "$rc" -ne 1 ]; then
    bad "$what: exit status $rc (want 1): $(tail -n 3 "$err")"
    return 1
  fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|internal error|Segmentation' "$err"; then
    bad "$what: $(grep -m1 -E 'AddressSanitizer|LeakSanitizer|runtime error|internal error|Segmentation' "$err")"
    return 1
  fi
  if [ ! -s "$err" ]; then
    bad "$what: failed without a message"
    return 1
  fi
  return 0
}

# No temporary file of sa_out may survive a run.
no_temp_files() {
  what=$1 dir=$2
  left=$(find "$dir" -name '*.tmp.*' 2>/dev/null | head -n 3)
  [ -z "$left" ] || bad "$what: temporary files left behind: $left"
}

# Two result files hold the same result: byte-identical, except the run time that text
# results record (a 'seconds' line of a .tsv, a "seconds" key of a .json).
same_result() {
  case $1 in
  *.json | *.tsv)
    grep -v -E '^seconds	|"seconds":' "$1" > "$tmp/.a"
    grep -v -E '^seconds	|"seconds":' "$2" > "$tmp/.b"
    cmp -s "$tmp/.a" "$tmp/.b" ;;
  *) cmp -s "$1" "$2" ;;
  esac
}

# Every file under DIR must be byte-identical to its namesake under REF (a file that exists
# after a failed run is complete, never truncated). usage: files_complete WHAT DIR REF
files_complete() {
  what=$1 dir=$2 ref=$3
  [ -d "$dir" ] || return 0
  for f in $(cd "$dir" && find . -type f ! -name '*.tmp.*' | sort); do
    case $f in */summary.json) continue ;; esac # run statistics (points resumed, times)
    if [ ! -f "$ref/$f" ]; then
      bad "$what: unexpected file $f"
    elif ! same_result "$dir/$f" "$ref/$f"; then
      bad "$what: $f differs from a complete run (truncated or half-written)"
    fi
  done
}

finish() {
  [ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
  echo "ok"
  exit 0
}
