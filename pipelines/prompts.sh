#!/bin/sh
# pipelines/prompts.sh LIST DEST - PUMA's prompt templates, fetched or
# copied, checked and put in place: DEST/<scenario>/<file>.
#
# LIST is config/puma-prompts.tsv (scenario, file, commit, bytes, sha256,
# url).  Each file comes from the first of:
#   $PROMPTS_DIR (else $DATA_DIR), as DIR/<scenario>/<file>,
#     DIR/puma-prompts/<scenario>/<file> or DIR/specs/prompts/<scenario>/<file>
#     (a checkout of PUMA's repository);
#   $PROMPTS_URL/<scenario>/<file> when PROMPTS_URL is set;
#   the pinned URL of LIST.
# Its sha256 must be LIST's; it is written under a temporary name and
# renamed.  A file already in place with the right sha256 is left alone,
# so a second run prints nothing.  Exit 1 on the first file that cannot be
# had or is not PUMA's.
set -eu
list=$1
dest=$2
curl=${CURL:-curl}
dir=${PROMPTS_DIR:-${DATA_DIR:-}}
if command -v sha256sum >/dev/null 2>&1; then
	sum() { sha256sum <"$1" | cut -c1-64; }
else
	sum() { shasum -a 256 <"$1" | cut -c1-64; }
fi
tab=$(printf '\t')

n=0
while IFS=$tab read -r scen file commit bytes sha url; do
	case $scen in '#'* | scenario | '') continue ;; esac
	n=$((n + 1))
	out=$dest/$scen/$file
	if [ -f "$out" ] && [ "$(sum "$out")" = "$sha" ]; then
		continue
	fi
	mkdir -p "$dest/$scen"
	rm -f "$out.tmp"
	if [ -n "$dir" ]; then
		src=
		for c in "$dir/$scen/$file" "$dir/puma-prompts/$scen/$file" "$dir/specs/prompts/$scen/$file"; do
			if [ -f "$c" ]; then src=$c; break; fi
		done
		if [ -z "$src" ]; then
			echo "prompts: $scen/$file is not in $dir (looked for $dir/$scen/$file," \
				"$dir/puma-prompts/$scen/$file and $dir/specs/prompts/$scen/$file)" >&2
			exit 1
		fi
		echo "prompts: copying $src"
		cp "$src" "$out.tmp"
	else
		from=$url
		[ -z "${PROMPTS_URL:-}" ] || from=$PROMPTS_URL/$scen/$file
		echo "prompts: fetching $from"
		if ! "$curl" -fsSL --retry 2 -o "$out.tmp" "$from"; then
			rm -f "$out.tmp"
			echo "prompts: cannot fetch $from (no network, or the URL no longer resolves)." \
				"Use local copies: make prompts PROMPTS_DIR=DIR, where DIR holds" \
				"<scenario>/<file>.jinja or is a checkout of pumacp/puma at commit $commit" >&2
			exit 1
		fi
	fi
	got=$(sum "$out.tmp")
	if [ "$got" != "$sha" ]; then
		rm -f "$out.tmp"
		echo "prompts: $scen/$file: sha256 $got, expected $sha ($bytes bytes at commit $commit):" \
			"not PUMA's template" >&2
		exit 1
	fi
	mv "$out.tmp" "$out"
done <"$list"
if [ "$n" -eq 0 ]; then
	echo "prompts: $list lists no templates" >&2
	exit 1
fi
