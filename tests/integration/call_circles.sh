#!/usr/bin/env bash
# call_circles.sh - no .c file calls into a file that calls back into it
# (directly or around a longer loop), checked on the objects of the build
# under test with tests/call_circles.py (nm + strongly connected
# components). Prints PASS/FAIL lines for tests/run.sh.
set -u
obj="${VG_BIN:?VG_BIN not set}/../obj"
root="${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
out=$(python3 "$root/tests/call_circles.py" "$obj" 2>&1); rc=$?
echo "$out"
if [ "$rc" -eq 0 ] && echo "$out" | grep -q ' 0 circle(s)$'; then
  echo "PASS no call circles between .c files"
else
  echo "FAIL call circles between .c files (see above)"
fi
# the check itself must see a circle when there is one
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'int b(void);\nint a(void) { return b(); }\n' >"$tmp/a.c"
printf 'int a(void);\nint b(void) { return a() + 1; }\n' >"$tmp/b.c"
mkdir -p "$tmp/obj/x"
cc -c "$tmp/a.c" -o "$tmp/obj/x/a.o" && cc -c "$tmp/b.c" -o "$tmp/obj/x/b.o"
if python3 "$root/tests/call_circles.py" "$tmp/obj" >/dev/null 2>&1; then
  echo "FAIL the circle check missed a planted circle a.c <-> b.c"
else
  echo "PASS the circle check finds a planted circle"
fi
