#!/usr/bin/env bash
# Every tool has --help, --version and a man page that documents every long
# option its --help lists, has an EXIT STATUS section, and whose SYNOPSIS
# is the usage line.
. "$(dirname "$0")/lib.sh"

version=$(cat "$ROOT/VERSION")
for src in "$ROOT"/src/puma-*.c; do
	tool=$(basename "$src" .c)
	man="$ROOT/docs/man/$tool.1"
	"$BIN/$tool" --help >"$TMP/help" 2>&1
	ok $? "$tool --help exits 0"
	grep -q "^Usage: $tool" "$TMP/help"
	ok $? "$tool --help starts with its usage line"
	is "$("$BIN/$tool" --version)" "$tool (PUMA) $version" "$tool --version"
	if [ ! -f "$man" ]; then
		ok 1 "$tool has a man page"
		continue
	fi
	ok 0 "$tool has a man page"
	grep -q '^\.SH EXIT STATUS' "$man"
	ok $? "$tool(1) has an EXIT STATUS section"
	missing=""
	for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$TMP/help" | sort -u); do
		o=${opt#--}
		grep -qE -- "\\\\-\\\\-${o//-/\\\\-}([^a-z0-9\\\\]|\\\\[^-]|$)" "$man" || missing="$missing $opt"
	done
	is "${missing:-none}" none "$tool(1) documents every option of --help"
	if command -v man >/dev/null 2>&1; then
		warnings=$(MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)
		is "${warnings:-none}" none "$tool(1) formats without warnings"
		# The usage line (with its continuation lines and other forms) is
		# the SYNOPSIS, words and brackets alike.
		syn=$(MANWIDTH=1000 man -l "$man" 2>/dev/null | col -bx |
			sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
		use=$(sed -n '1p; 2,/^[^ ]/{/^ /p}' "$TMP/help" | sed 's/^Usage: //' |
			tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
		is "$syn" "$use" "$tool(1)'s SYNOPSIS is the usage line of --help"
	fi
done
done_testing
