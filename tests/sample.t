#!/usr/bin/env bash
# puma-sample beyond the golden cases: help and usage, the edges of -n and
# --seed, pipes against files, numbers as classes, bad lines, and memory
# that depends on the number of records, not their size.
. "$(dirname "$0")/lib.sh"
S=puma-sample

out=$($S --help)
is "$?" 0 "--help exits 0"
syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$ROOT/docs/man/puma-sample.1" | grep -v '^\.SH' |
	sed -e 's/^\.[A-Z]* //' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' | tr -s ' \n' '  ' | sed 's/ *$//')
is "$(printf '%s\n' "$out" | head -n 1 | sed 's/^Usage: //')" "$syn" "usage line matches the man page's SYNOPSIS"
is "$($S --version)" "puma-sample (PUMA) $(cat "$ROOT/VERSION")" "--version"
for bad in "-n x" "-n -1" "-n 1 --seed 4294967296" "-n 1 --seed 1.5" "-n 1 --stratify="; do
	# shellcheck disable=SC2086
	$S $bad </dev/null >/dev/null 2>&1
	is "$?" 2 "usage error: $bad"
done

for i in $(seq 0 99); do printf '{"i":%d,"c":"%s","v":%s}\n' "$i" "$(( (i * 7) % 3 ))" "$(( i % 4 )).0"; done >"$TMP/in"
$S -n 0 "$TMP/in" >"$TMP/out"
is "$?:$(wc -c <"$TMP/out")" "0:0" "-n 0 writes nothing"
$S -n 100 "$TMP/in" | cmp -s - "$TMP/in"
ok $? "-n equal to the count: all records, in input order"
$S -n 5000 "$TMP/in" | cmp -s - "$TMP/in"
ok $? "-n above the count: all records, in input order"
$S -n 10 --seed 4294967295 "$TMP/in" >"$TMP/a"
is "$?:$(wc -l <"$TMP/a")" "0:10" "the largest seed"
cat "$TMP/in" | $S -n 10 --seed 4294967295 | cmp -s - "$TMP/a"
ok $? "a pipe gives the same sample as the file"
$S -n 10 --seed 4294967295 - <"$TMP/in" | cmp -s - "$TMP/a"
ok $? "'-' reads standard input"
(read -r _ && $S -n 5 --seed 1) <"$TMP/in" >"$TMP/a"
tail -n +2 "$TMP/in" | $S -n 5 --seed 1 | cmp -s - "$TMP/a"
ok $? "standard input that does not start at the file's beginning"
$S -n 30 --seed 1 "$TMP/in" | sort | uniq -d | wc -l >"$TMP/dups"
is "$(cat "$TMP/dups")" 0 "no record is chosen twice"

# Whitespace is dropped, everything else passes through byte for byte.
printf '{ "i" : 1 ,\t"s":"a  b",  "n": 1.50e2 }\r\n\n{"i":2}\n' | $S -n 5 >"$TMP/out"
is "$(tr '\n' '|' <"$TMP/out")" '{"i":1,"s":"a  b","n":1.50e2}|{"i":2}|' "records written compact, blank lines skipped"

# Numbers as classes are grouped by value (1 and 1.0 are one class).
printf '{"id":"a","g":2}\n{"id":"b","g":1.0}\n{"id":"c","g":1}\n{"id":"d","g":10}\n{"id":"e","g":2}\n' >"$TMP/num"
$S -n 3 --seed 3 --stratify g "$TMP/num" >"$TMP/out"
is "$?:$(wc -l <"$TMP/out")" "0:3" "numbers as classes"
printf '{"id":"a","g":2}\n{"id":"b","g":"2"}\n' | $S -n 1 --stratify g >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-sample: <stdin>:2: \"g\" is a string here but a number before; --stratify needs one kind" \
	"strings and numbers do not mix"
printf '{"id":"a","g":null}\n' | $S -n 0 --stratify g >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-sample: <stdin>:1: \"g\" is null; --stratify needs a string or a number in every record" \
	"null is not a class"

# Bad lines: strict stops before writing anything; lenient skips them.
printf '{"i":1}\n[2]\n{"i":3}\nnot json\n{"i":5}\n' >"$TMP/bad"
$S -n 9 "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -c <"$TMP/out"):$(cat "$TMP/err")" "1:0:puma-sample: $TMP/bad:2: record is an array, not a JSON object" \
	"strict: the first bad line stops it, nothing written"
$S -n 9 -l "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(tr '\n' '|' <"$TMP/out")" '0:{"i":1}|{"i":3}|{"i":5}|' "lenient: bad lines skipped"
is "$(tail -n 1 "$TMP/err")" "puma-sample: $TMP/bad: skipped 2 bad lines" "lenient: bad lines counted"
printf '{"i":1}\n{"i":"\0"}\n{"i":3}\n{"i":4}\n' >"$TMP/nul"
$S -n 2 --seed 1 -l "$TMP/nul" >"$TMP/out" 2>/dev/null
is "$?:$(tr '\n' '|' <"$TMP/out")" '0:{"i":1}|{"i":4}|' "lenient: a NUL line is skipped on every pass"

# A full disk mid-output is a write error and nothing else (the output
# loop stopping early is not the input changing).
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"i\":%d,\"pad\":\"%s\"}\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' >"$TMP/mid"
$S -n 30000 "$TMP/mid" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-sample: write error: No space left on device" \
	"a full disk in input order: only the write error"
$S -n 19000 --seed 3 "$TMP/mid" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-sample: write error: No space left on device" \
	"a full disk in sampled order: only the write error"

# Memory: 100,000 records of 1 kB (100 MB) are sampled in little memory.
if [ "${PUMA_SAN:-}" = 1 ] || [ -n "${PUMA_VALGRIND:-}" ] || [ ! -x /usr/bin/time ]; then
	skip "peak memory (sanitizer build, or no /usr/bin/time)"
else
	pad=$(head -c 1000 /dev/zero | tr '\0' x)
	awk -v pad="$pad" 'BEGIN { for (i = 0; i < 100000; i++) printf "{\"i\":%d,\"pad\":\"%s\"}\n", i, pad }' >"$TMP/big"
	/usr/bin/time -f %M -o "$TMP/rss" $S -n 1000 "$TMP/big" >/dev/null
	rss=$(cat "$TMP/rss")
	[ "$rss" -lt 16000 ]
	ok $? "100 MB of records sampled in $rss kB of memory (< 16 MB)"
	rm -f "$TMP/big"
fi
done_testing
