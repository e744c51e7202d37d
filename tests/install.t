#!/usr/bin/env bash
# make install into a staging directory: every tool, its man page and the
# configuration, and the installed tools find their configuration there.
. "$(dirname "$0")/lib.sh"

dest="$TMP/stage"
env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$ROOT" install PREFIX=/opt/puma \
	"DESTDIR=$dest" >"$TMP/out" 2>&1
ok $? "make install PREFIX=/opt/puma DESTDIR=..."
missing=""
for src in "$ROOT"/src/puma-*.c; do
	t=$(basename "$src" .c)
	[ -x "$dest/opt/puma/bin/$t" ] || missing="$missing bin/$t"
	[ -f "$dest/opt/puma/share/man/man1/$t.1" ] || missing="$missing man/$t.1"
done
is "${missing:-none}" none "every tool and man page installed"
for f in scenarios/triage_jira.json profiles.json baselines.json carbon_intensity.json prompts/triage_jira/zero-shot.txt; do
	[ -f "$dest/opt/puma/share/puma/config/$f" ] || missing="$missing config/$f"
done
is "${missing:-none}" none "the configuration installed"
# The installed tools find the configuration beside them, even staged.
printf '{"id":"A","scenario":"triage_jira","gold":"Major","response":"Major."}\n' |
	env -u PUMA_CONFIG_DIR "$dest/opt/puma/bin/puma-parse" >"$TMP/p"
is "$?:$(grep -o '"pred":"Major"' "$TMP/p")" '0:"pred":"Major"' "an installed tool finds the installed configuration"
env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$ROOT" uninstall PREFIX=/opt/puma "DESTDIR=$dest" >/dev/null 2>&1
left=$(find "$dest" -type f | wc -l)
is "$left" 0 "make uninstall removes what install put there"
done_testing
