#!/usr/bin/env bash
# C unit tests: each program in $PUMA_BUILD/unit prints a TAP line per
# check (tests/unit/check.h); each becomes a test point here, named by the
# program and the check, and one more point per program says it ran to
# the end (exit 0, its plan matching its checks) rather than crashing.
. "$(dirname "$0")/lib.sh"

found=0
for t in "$BUILD"/unit/*; do
	[ -x "$t" ] || continue
	found=1
	name=unit/$(basename "$t")
	"$t" >"$TMP/out" 2>&1
	st=$?
	checks=0
	bad=0
	plan=""
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*" - "*)
			checks=$((checks + 1))
			ok 0 "$name: ${line#ok * - }" ;;
		"not ok "[0-9]*" - "*)
			checks=$((checks + 1))
			bad=$((bad + 1))
			ok 1 "$name: ${line#not ok * - }" ;;
		1..[0-9]*)
			plan=${line#1..} ;;
		"#"*)
			printf '%s\n' "$line" ;;
		*)
			printf '# %s\n' "$line" ;;
		esac
	done <"$TMP/out"
	is "$st:$plan" "$([ "$checks" -gt 0 ] && [ "$bad" -eq 0 ] && echo 0 || echo 1):$checks" \
		"$name ran to the end: $checks checks, exit status and plan agree"
done
[ $found = 1 ] || skip "no unit test programs built"
done_testing
