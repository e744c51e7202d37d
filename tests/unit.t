#!/usr/bin/env bash
# C unit tests: each program in $PUMA_BUILD/unit is one test point that
# passes when it exits 0; what it prints shows up as diagnostics.
. "$(dirname "$0")/lib.sh"

found=0
for t in "$BUILD"/unit/*; do
	[ -x "$t" ] || continue
	found=1
	out=$("$t" 2>&1)
	ok $? "unit/$(basename "$t")"
	[ -n "$out" ] && printf '%s\n' "$out" | head -n 40 | sed 's/^/# /'
done
[ $found = 1 ] || skip "no unit test programs built"
done_testing
