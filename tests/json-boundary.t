#!/usr/bin/env bash
# The tools reach JSON values only through json.h (jv_get, jv_len, jv_item,
# jv_key, jv_val, jv_string, jv_numtext, jv_member_text, ...): no
# src/puma-*.c touches an object's members, an array's items or a value's
# raw text.
. "$(dirname "$0")/lib.sh"

pattern='u\.mem|u\.items|->raw|\.raw\b'
for f in "$ROOT"/src/puma-*.c; do
	tool=$(basename "$f" .c)
	hits=$(grep -nE "$pattern" "$f")
	if [ -z "$hits" ]; then
		ok 0 "$tool: JSON values through the accessors only"
	else
		ok 1 "$tool: JSON values through the accessors only"
		printf '%s\n' "$hits" | head -n 20 | sed "s|^|# $tool.c:|"
	fi
done
# The check itself: a line that reaches inside a value is caught.
printf '\tconst jv *x = v->u.items[0];\n' >"$TMP/probe.c"
grep -qE "$pattern" "$TMP/probe.c"
ok $? "the pattern catches an item taken directly"
done_testing
