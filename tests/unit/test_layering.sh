#!/bin/sh
# The layering of README.md "Source layout" holds for the source tree (scripts/check-layering),
# and the checker does fail on an include that crosses it, on a header shared by C and C++
# without extern "C", and on a folder the README omits.
#   test_layering.sh SOURCE_ROOT
set -u
src=$1
check=$src/scripts/check-layering
fail=0
/usr/bin/python3 "$check" "$src" || { echo "FAIL: the source tree breaks its layering (above)"; fail=1; }

tmp=$(mktemp -d /tmp/sasp-layering.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/low" "$tmp/high"
cat > "$tmp/README.md" <<'MD'
## Source layout

- `low/` — the bottom. Uses: nothing.
- `high/` — the top. Uses: low.

## Next
MD
printf '#include "low.h"\n' > "$tmp/low/low.h"
printf '#include "low.h"\n#include <stdio.h>\n' > "$tmp/high/high.c"
printf '/* high */\n' > "$tmp/high/high.h"
/usr/bin/python3 "$check" "$tmp" > "$tmp/out" || { echo "FAIL: a clean toy tree refused:"; cat "$tmp/out"; fail=1; }
printf '#include "high.h"\n' > "$tmp/low/low.c"        # low may not use high
/usr/bin/python3 "$check" "$tmp" > "$tmp/out" && { echo "FAIL: an upward include passed"; fail=1; }
grep -q '^low/low.c:1: includes high.h of high/, which low/ may not use' "$tmp/out" ||
  { echo "FAIL: upward include message:"; cat "$tmp/out"; fail=1; }
rm "$tmp/low/low.c"
# a C header that C (both.c) and C++ (x.cpp, through high.h) include needs extern "C"
printf '#include "low.h"\n' > "$tmp/high/both.c"
printf '#include "high.h"\n' > "$tmp/high/x.cpp"
printf '#include "low.h"\n' > "$tmp/high/high.h"
/usr/bin/python3 "$check" "$tmp" > "$tmp/out" && { echo "FAIL: a C header used from C++ without extern C passed"; fail=1; }
grep -q "^low/low.h: included from C and C++ but has no extern" "$tmp/out" || { echo "FAIL: extern C message:"; cat "$tmp/out"; fail=1; }
rm "$tmp/high/both.c" "$tmp/high/x.cpp"
mkdir "$tmp/other" && printf 'int x;\n' > "$tmp/other/x.c"  # a folder the README omits
/usr/bin/python3 "$check" "$tmp" > "$tmp/out" && { echo "FAIL: an undocumented folder passed"; fail=1; }
grep -q "^other/x.c: its folder has no line" "$tmp/out" || { echo "FAIL: undocumented folder message:"; cat "$tmp/out"; fail=1; }
exit $fail
