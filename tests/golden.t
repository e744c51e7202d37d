#!/usr/bin/env bash
# Golden tests: each directory tests/golden/TOOL/CASE holds `cmd` (one shell
# command line, run inside a copy of the case directory with the tools on
# PATH), and optionally `stdin`, `stdout`, `stderr` and `status`.  A missing
# `stdout` or `stderr` means the stream must be empty; `status` defaults to 0.
. "$(dirname "$0")/lib.sh"

for dir in "$ROOT"/tests/golden/*/*/; do
	[ -f "$dir/cmd" ] || continue
	name=${dir%/}
	name=${name#"$ROOT"/tests/golden/}
	work="$TMP/$name"
	mkdir -p "$work"
	cp -R "$dir". "$work/"
	in=/dev/null
	[ -f "$work/stdin" ] && in="$work/stdin"
	(cd "$work" && bash -c "$(cat cmd)" <"$in" >"$TMP/out" 2>"$TMP/err")
	st=$?
	want=0
	[ -f "$dir/status" ] && want=$(cat "$dir/status")
	res=0
	msg=""
	if [ "$st" != "$want" ]; then
		res=1
		msg="status $st, expected $want"
	fi
	for s in stdout stderr; do
		exp=/dev/null
		[ -f "$dir/$s" ] && exp="$dir/$s"
		got="$TMP/out"
		[ $s = stderr ] && got="$TMP/err"
		if ! cmp -s "$got" "$exp"; then
			res=1
			msg="$msg $s differs"
			diff -u "$exp" "$got" | head -n 30 | sed 's/^/# /' >>"$TMP/diag"
		fi
	done
	ok $res "$name${msg:+: $msg}"
	[ -f "$TMP/diag" ] && { cat "$TMP/diag"; rm -f "$TMP/diag"; }
done
[ "$_n" -gt 0 ] || skip_all "no golden cases yet"
done_testing
