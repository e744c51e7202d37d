#!/usr/bin/env bash
# make prompts (pipelines/prompts.mk): PUMA's 21 templates from local
# copies or from URLs (file:// here, standing in for GitHub), each checked
# against the sha256 in config/puma-prompts.tsv; nothing half-written or
# foreign is kept, and failures say how to use local copies.
. "$(dirname "$0")/lib.sh"
PP=$SHARED/puma-prompts
[ -d "$PP" ] || skip_all "PUMA's templates not found at $PP (set PUMA_SHARED_DATA)"
unset MAKEFLAGS MAKELEVEL MFLAGS
command -v curl >/dev/null || skip_all "curl not installed (run: make deps)"
mk() { make -s --no-print-directory -C "$ROOT" "$@"; }
list=$ROOT/config/puma-prompts.tsv

# The list holds the manifest's facts, file for file.
"$PYTHON" - "$list" "$PP/MANIFEST.tsv" <<'PY'
import sys
ours = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith(("#", "scenario\t"))]
theirs = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.startswith("specs/prompts/")]
assert len(ours) == 21, len(ours)
assert [["specs/prompts/%s/%s" % (o[0], o[1])] + o[2:] for o in ours] == theirs
PY
ok $? "config/puma-prompts.tsv: the 21 templates, commits, sizes, sha256 and URLs of the manifest"

mk prompts DATA="$TMP/d1" PROMPTS_DIR="$PP" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "make prompts PROMPTS_DIR=... succeeds"
is "$(find "$TMP/d1/prompts/puma" -name '*.jinja' | wc -l)" 21 "21 templates in place"
bad=0
while IFS=$'\t' read -r scen file commit bytes sha url; do
	case $scen in '#'* | scenario) continue ;; esac
	f=$TMP/d1/prompts/puma/$scen/$file
	[ "$(sha256sum <"$f" | cut -c1-64)" = "$sha" ] && [ "$(wc -c <"$f")" -eq "$bytes" ] &&
		cmp -s "$f" "$PP/$scen/$file" || bad=$((bad + 1))
done <"$list"
is "$bad" 0 "each is byte for byte the local copy, with the listed size and sha256"
is "$(grep -c '^prompts: copying ' "$TMP/out")" 21 "each copy is named"
mk prompts DATA="$TMP/d1" PROMPTS_DIR="$PP" >"$TMP/out2" 2>&1
is "$?:$(cat "$TMP/out2")" "0:" "a second run has nothing to do"
mk prompts DATA="$TMP/d1" DATA_DIR="$SHARED" >"$TMP/out2" 2>&1
is "$?:$(cat "$TMP/out2")" "0:" "DATA_DIR serves too (DIR/puma-prompts/<scenario>/)"

# A checkout of PUMA's repository as the local copy.
mkdir -p "$TMP/puma/specs"
cp -R "$PP" "$TMP/puma/specs/prompts"
mk prompts DATA="$TMP/d2" PROMPTS_DIR="$TMP/puma" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "a checkout of pumacp/puma (specs/prompts/) as PROMPTS_DIR"

# Downloads, from file:// URLs standing in for GitHub.
mk prompts DATA="$TMP/d3" PROMPTS_URL="file://$PP" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "make prompts with curl succeeds"
is "$(grep -c "^prompts: fetching file://$PP/" "$TMP/out")" 21 "curl fetched the 21 files"
diff -r "$TMP/d1" "$TMP/d3" >/dev/null
ok $? "downloads and local copies give the same files"

# An edited template is refused, and nothing of it is kept.
cp -R "$PP" "$TMP/fake"
chmod -R u+w "$TMP/fake"
printf 'Title: {{ instance.title }}\n' >"$TMP/fake/triage_jira/rcoif.jinja"
mk prompts DATA="$TMP/d4" PROMPTS_DIR="$TMP/fake" >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "a changed template stops make"
grep -q "^prompts: triage_jira/rcoif.jinja: sha256 [0-9a-f]\{64\}, expected 49e71eceff52a798ea54384b67cddd416a465aa7693449563e8a186c23991495 (559 bytes at commit 5d57761c8a6164310590a45829fce724ab9df481): not PUMA's template" "$TMP/err"
ok $? "the sha256 mismatch is named"
ok $([ ! -e "$TMP/d4/prompts/puma/triage_jira/rcoif.jinja" ] && [ -z "$(find "$TMP/d4" -name '*.tmp')" ]; echo $?) \
	"nothing is kept of the changed file"
# A file in place that is not PUMA's is replaced by the real one.
cp "$TMP/fake/triage_jira/rcoif.jinja" "$TMP/d1/prompts/puma/triage_jira/rcoif.jinja"
mk prompts DATA="$TMP/d1" PROMPTS_DIR="$PP" >"$TMP/out" 2>&1
is "$?:$(cat "$TMP/out")" "0:prompts: copying $PP/triage_jira/rcoif.jinja" "a changed file in place is fetched again"

cp "$PP/triage_jira/rcoif.jinja" "$TMP/fake/triage_jira/rcoif.jinja"
rm "$TMP/fake/estimation_tawos/egi.jinja"
mk prompts DATA="$TMP/d5" PROMPTS_DIR="$TMP/fake" >/dev/null 2>"$TMP/err"
grep -q "^prompts: estimation_tawos/egi.jinja is not in $TMP/fake (looked for" "$TMP/err"
ok $? "a missing local copy is named"
mk prompts DATA="$TMP/d6" PROMPTS_URL="file://$TMP/nowhere" >/dev/null 2>"$TMP/err"
grep -q "^prompts: cannot fetch file://$TMP/nowhere/triage_jira/zero_shot.jinja (no network, or the URL no longer resolves). Use local copies: make prompts PROMPTS_DIR=DIR" "$TMP/err"
ok $? "a URL that does not resolve says how to use local copies"
is "$(find "$TMP" -name '*.tmp' | wc -l)" 0 "no temporary files left"
# The project holds none of PUMA's template text.
is "$(git -C "$ROOT" ls-files | grep -c '\.jinja$')" 0 "no .jinja file is part of the project"
done_testing
