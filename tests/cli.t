#!/usr/bin/env bash
# One command line for every tool (docs/CLI.md): a bad option gets the same
# two lines on stderr, nothing on stdout and exit 2 from every tool; and the
# short letters a tool accepts are exactly those the letter map of
# docs/CLI.md gives it, each with the map's long option.  What a tool
# accepts is found by asking it: every letter a-z, A-Z is tried, so a letter
# missing from --help is caught as well as one with another meaning.
. "$(dirname "$0")/lib.sh"

MAP="$ROOT/docs/CLI.md"
TOOLS=$(cd "$ROOT/src" && ls puma-*.c | sed 's/\.c$//')
ALL=$(printf '%s ' $TOOLS)
cd "$TMP" || exit 1

# read_map FILE: "letter long tools..." per row of the table whose rows
# start with | `-X` | `--long` |; "every tool" stands for all of them.
read_map() {
	sed -n 's/^| `-\([A-Za-z]\)` | `--\([a-z0-9-]*\)` | [^|]* | \(.*\) |$/\1 \2 \3/p' "$1" |
		sed "s/every tool/$ALL/"
}
read_map "$MAP" >"$TMP/map"

# follows_map TOOL MAP: the letters of --help ($TMP/help.letters, "x long")
# are the map's rows that name the tool, each with the map's long option.
follows_map() {
	awk -v t="$1" '{ for (i = 3; i <= NF; i++) if ($i == t) print $1, $2 }' "$2" | sort >"$TMP/want"
	cmp -s "$TMP/help.letters" "$TMP/want"
}
is "$(wc -l <"$TMP/map" | tr -d ' ')" "$(cut -d' ' -f1 "$TMP/map" | sort -u | wc -l | tr -d ' ')" \
	"docs/CLI.md: each letter has one row"
[ -s "$TMP/map" ]
ok $? "docs/CLI.md has a letter map ($(wc -l <"$TMP/map" | tr -d ' ') letters)"
# A long option has at most one letter.
is "$(cut -d' ' -f2 "$TMP/map" | sort | uniq -d | tr '\n' ' ')" "" "docs/CLI.md: no long option has two letters"

# two_lines TOOL EXPECTED-FIRST-LINE NAME ARGS...: the bad option's two lines.
two_lines() {
	local tool=$1 first=$2 name=$3
	shift 3
	"$BIN/$tool" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	local st=$?
	is "$st|$(wc -c <"$TMP/out" | tr -d ' ')|$(cat "$TMP/err")" \
		"2|0|$first
Try '$tool --help' for more information." "$tool $name"
}

for tool in $TOOLS; do
	two_lines "$tool" "$tool: unknown option '--bogus'" "--bogus: two lines, exit 2" --bogus
	two_lines "$tool" "$tool: unknown option '--bogus'" "--bogus=1: the same" --bogus=1
	two_lines "$tool" "$tool: option '--help' takes no value" "--help=x: takes no value" --help=x

	# The letters --help lists ("  -x, --long"), and its options with a value.
	"$BIN/$tool" --help >"$TMP/help" 2>&1
	sed -n 's/^  -\([A-Za-z]\), --\([a-z0-9-]*\).*/\1 \2/p' "$TMP/help" | sort >"$TMP/help.letters"
	valued=$(sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}--\([a-z0-9-]*\) [A-Z].*/\2/p' "$TMP/help" | head -n 1)
	if [ -n "$valued" ]; then
		two_lines "$tool" "$tool: option '--$valued' needs a value" "--$valued without its value" "--$valued"
	else
		skip "$tool has no option with a value"
	fi
	short=$(sed -n 's/^  -\([A-Za-z]\), --[a-z0-9-]* [A-Z].*/\1/p' "$TMP/help" | head -n 1)
	if [ -n "$short" ]; then
		two_lines "$tool" "$tool: option '-$short' needs a value" "-$short without its value" "-$short"
	else
		skip "$tool has no short letter with a value"
	fi

	# Every letter, tried: accepted unless the tool calls it unknown.
	: >"$TMP/accepted"
	for l in {a..z} {A..Z}; do
		timeout 20 "$BIN/$tool" "-$l" </dev/null >/dev/null 2>"$TMP/err"
		grep -qF "$tool: unknown option '-$l'" "$TMP/err" || echo "$l" >>"$TMP/accepted"
	done
	is "$(LC_ALL=C sort "$TMP/accepted" | tr '\n' ' ')" "$(cut -d' ' -f1 "$TMP/help.letters" | LC_ALL=C sort | tr '\n' ' ')" \
		"$tool: the letters it accepts are those its --help lists"
	# An unknown letter gets the same two lines.
	un=$(printf '%s\n' {A..Z} {a..z} | grep -vxF -f "$TMP/accepted" | head -n 1)
	two_lines "$tool" "$tool: unknown option '-$un'" "-$un: two lines, exit 2" "-$un"

	# The map, both ways: the letters of this tool are the map's rows that
	# name it, each with the map's long option.
	if follows_map "$tool" "$TMP/map"; then
		ok 0 "$tool: its letters follow docs/CLI.md"
	else
		ok 1 "$tool: its letters follow docs/CLI.md"
		diff "$TMP/want" "$TMP/help.letters" | sed 's/^/# /'
	fi
	# A long option that has a letter in the map has it in this tool too.
	missing=""
	while read -r l long _; do
		grep -qE -- "^ +(-[A-Za-z], )?--$long( |$)" "$TMP/help" &&
			! grep -q "^$l $long\$" "$TMP/help.letters" && missing="$missing -$l(--$long)"
	done <"$TMP/map"
	is "${missing:-none}" none "$tool: every long option with a letter in docs/CLI.md has it"
done

# Numbers: the whole argument, in range, or a usage error naming both.
two_lines puma-sample "puma-sample: --count: ' 5' is not a whole number from 0 to 9223372036854775807" \
	"-n ' 5': no leading space" -n ' 5'
two_lines puma-sample "puma-sample: --seed: '4294967296' is not a whole number from 0 to 4294967295" \
	"--seed above its range" -n 1 --seed 4294967296
two_lines puma-detect "puma-detect: --timeout: 'nan' is not a number from 0.001 to 3600" \
	"--timeout nan" --timeout nan
for tool in puma-board puma-diff puma-metrics; do
	two_lines $tool "$tool: --ci: '1' is not a level between 0 and 1 (both excluded)" "--ci 1" --ci 1
done

# The check can fail: a map that gives -s another meaning, or gives
# puma-infer a letter it lacks, does not fit puma-infer.
"$BIN/puma-infer" --help | sed -n 's/^  -\([A-Za-z]\), --\([a-z0-9-]*\).*/\1 \2/p' | sort >"$TMP/help.letters"
follows_map puma-infer "$TMP/map"
ok $? "puma-infer follows the map"
sed 's/^| `-s` | `--scenario` |/| `-s` | `--seed` |/' "$MAP" >"$TMP/bad.md"
read_map "$TMP/bad.md" >"$TMP/bad.map"
! follows_map puma-infer "$TMP/bad.map"
ok $? "...but not a map where -s is --seed"
sed 's/^\(| `-p` | .*\) |$/\1 puma-infer |/' "$MAP" >"$TMP/bad.md"
read_map "$TMP/bad.md" >"$TMP/bad.map"
! follows_map puma-infer "$TMP/bad.map"
ok $? "...nor one that gives it -p"
done_testing
