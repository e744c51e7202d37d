#!/usr/bin/env bash
# puma-prep beyond the golden cases: help and usage, stdin, input cut into
# pieces of every size, random CSV files against Python's csv module,
# fields of megabytes, memory that does not grow with the file, and the
# reject file's life cycle.
. "$(dirname "$0")/lib.sh"
need_python csv
P=puma-prep
FEED="$BUILD/helpers/prepfeed"

# Help goes to stdout and matches the man page's synopsis.
out=$($P --help)
is "$?" 0 "--help exits 0"
syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$ROOT/docs/man/puma-prep.1" | grep -v '^\.SH' |
	sed -e 's/^\.[A-Z]* //' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' | tr -s ' \n' '  ' | sed 's/ *$//')
use=$(printf '%s\n' "$out" | head -n 1 | sed 's/^Usage: //')
is "$use" "$syn" "usage line matches the man page's SYNOPSIS"
is "$($P --version)" "puma-prep (PUMA) $(cat "$ROOT/VERSION")" "--version"
$P --bogus </dev/null >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-prep: unknown option '--bogus'" "unknown option is a usage error"
$P -s </dev/null >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-prep: option '-s' needs a value" "missing option value is a usage error"
$P nonexistent.csv >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-prep: nonexistent.csv: cannot open: No such file or directory" "missing file"

# Standard input, as "-" or no argument, gives the same records.
printf 'issue_key,title,description,priority\nA-1,t,d,Major\n' >"$TMP/a.csv"
$P "$TMP/a.csv" >"$TMP/f.out" 2>/dev/null
$P - <"$TMP/a.csv" >"$TMP/s1.out" 2>/dev/null
$P <"$TMP/a.csv" >"$TMP/s2.out" 2>"$TMP/err"
same_file "$TMP/s1.out" "$TMP/f.out" "'-' reads standard input"
same_file "$TMP/s2.out" "$TMP/f.out" "no argument reads standard input"
is "$(cat "$TMP/err")" "puma-prep: <stdin>: 1 rows, 1 emitted, 0 rejected" "standard input is named <stdin>"

# Lone CRs end lines too (Python's universal newlines), so line numbers
# agree with Python's csv.reader.line_num.
printf 'issuekey,title,description,storypoint\rA-1,t,"a\rb",0\rA-2,t,d,1\r' >"$TMP/cr.csv"
$P "$TMP/cr.csv" >"$TMP/out" 2>"$TMP/err"
is "$(head -n 1 "$TMP/err")" "puma-prep: $TMP/cr.csv:2: row 1 (A-1): story points \"0\" are not > 0; not emitted" \
	"old Mac line ends: rows and line numbers"
is "$(cat "$TMP/out")" '{"id":"A-2","scenario":"estimation_tawos","title":"t","description":"d","gold":1,"row":2}' \
	"old Mac line ends: the record after a quoted CR"

# Random CSV files (layouts, quoting, CRLF, BOM, blank lines, quoted line
# breaks, 200 kB fields, story points good and bad) against Python's csv.
mkdir "$TMP/gen"
"$PYTHON" "$ROOT/tests/ref/csv_gen.py" 1 40 "$TMP/gen"
fails=0
: >"$TMP/list"
for seed in $(seq 1 40); do
	g="$TMP/gen/$seed.csv"
	if ! $P --rejects "$g.rej" --project PX "$g" >"$g.out" 2>"$TMP/err"; then
		fails=$((fails + 1))
		sed "s/^/# seed $seed: /" "$TMP/err" | head -n 3
	fi
	echo "$g $g.out $g.rej PX" >>"$TMP/list"
	# The same file fed in pieces of 1, 2 and 7 bytes converts the same.
	if [ "$seed" -le 10 ]; then
		"$FEED" 65536 "$g" >"$TMP/whole"
		for step in 1 2 7; do
			"$FEED" "$step" "$g" | cmp -s - "$TMP/whole" || {
				fails=$((fails + 1))
				echo "# seed $seed: pieces of $step bytes convert differently"
			}
		done
	fi
done
"$PYTHON" "$ROOT/tests/ref/prep_check.py" --list "$TMP/list" >"$TMP/chk" || fails=$((fails + 1))
grep '^#' "$TMP/chk" | head -n 20
ok $fails "40 random CSV files decode as Python's csv module decodes them, in pieces of any size"

# Fields of any size: a 3 MB description with quotes and line breaks.
"$PYTHON" - "$TMP/big.csv" <<'PY'
import csv, sys
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["issuekey", "title", "description", "storypoint"])
    w.writerow(["B-1", "big", ('x "quoted" é,\r\n' * 200000), "8"])
PY
$P "$TMP/big.csv" --rejects "$TMP/rej" >"$TMP/out" 2>/dev/null
"$PYTHON" "$ROOT/tests/ref/prep_check.py" "$TMP/big.csv" "$TMP/out" "$TMP/rej" >/dev/null
ok $? "a 3 MB field decodes exactly"

# Memory does not grow with the file: 40 MB of small rows stay within a
# few megabytes (not checked under the sanitizers, which add their own).
if [ "${PUMA_SAN:-}" = 1 ] || [ -n "${PUMA_VALGRIND:-}" ] || [ ! -x /usr/bin/time ]; then
	skip "peak memory (sanitizer build, or no /usr/bin/time)"
else
	"$PYTHON" - "$TMP/many.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("issuekey,title,description,storypoint\n")
    row = 'K-%d,"A title, with a comma","%s",%d\n'
    for i in range(200000):
        f.write(row % (i, "words " * 30, i % 13))
PY
	/usr/bin/time -f %M -o "$TMP/rss" $P "$TMP/many.csv" >/dev/null 2>&1
	rss=$(cat "$TMP/rss")
	[ "$rss" -lt 12000 ]
	ok $? "40 MB of rows converted in $rss kB of memory (< 12 MB)"
fi

# The reject file appears only when the conversion succeeds.
printf 'issuekey,title,description,storypoint\nA-1,t,d,0\nA-2,"open\n' >"$TMP/bad.csv"
$P --rejects "$TMP/rj.jsonl" "$TMP/bad.csv" >/dev/null 2>&1
is "$?:$(ls "$TMP" | grep -c '^rj\.jsonl')" "1:0" "no reject file (nor a temporary one) after a failure"
printf 'issuekey,title,description,storypoint\nA-1,t,d,0\nA-2,t,d,3\n' >"$TMP/ok.csv"
$P --rejects "$TMP/rj.jsonl" "$TMP/ok.csv" >/dev/null 2>&1
is "$?:$(ls "$TMP" | grep -c '^rj\.jsonl')" "0:1" "the reject file after a success, and nothing else"
$P --rejects "$TMP/nodir/rj.jsonl" "$TMP/ok.csv" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-prep: $TMP/nodir/rj.jsonl: cannot create: No such file or directory" \
	"a reject file that cannot be created fails before any work"

# Duplicate ids are emitted (nothing dropped) but never silently: each
# repeat is named with its line and the first one's.
printf 'issue_key,title,description,priority\nA-1,t,d,Major\nB-2,t,"two\nlines",Minor\nA-1,u,e,Trivial\nB-2,x,y,Major\nC-3,t,d,Major\n' >"$TMP/dup.csv"
$P "$TMP/dup.csv" >"$TMP/out" 2>"$TMP/err"
st=$?
is "$st:$(wc -l <"$TMP/out")" "0:5" "duplicate ids: every row emitted"
is "$(grep -v ' rows, ' "$TMP/err")" "puma-prep: $TMP/dup.csv:5: duplicate id \"A-1\" (first at line 2)
puma-prep: $TMP/dup.csv:6: duplicate id \"B-2\" (first at line 3)" "duplicate ids: a warning with both lines, for each"
printf 'project,title,description,storypoint\nP,t,d,3\nP,t,d,5\n' >"$TMP/nodup.csv"
$P "$TMP/nodup.csv" >/dev/null 2>"$TMP/err"
is "$(grep -c duplicate "$TMP/err")" 0 "ids made from project and row are never duplicates"
done_testing
