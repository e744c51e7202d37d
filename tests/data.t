#!/usr/bin/env bash
# make data (pipelines/data.mk): local copies and downloads (curl, here
# from file:// URLs) give the same records; checksums are checked; nothing
# half-written is left behind.
. "$(dirname "$0")/lib.sh"
need_shared
unset MAKEFLAGS MAKELEVEL MFLAGS
command -v curl >/dev/null || skip_all "curl not installed (run: make deps)"
mk() { make -s --no-print-directory -C "$ROOT" SAN="${PUMA_SAN:-}" "$@"; }

mk data DATA="$TMP/d1" DATA_DIR="$SHARED" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "make data DATA_DIR=... succeeds"
counts=""
for f in triage_jira tawos_XD tawos_APSTUD tawos_TISTUD estimation_tawos; do
	counts="$counts $f:$(wc -l <"$TMP/d1/$f.jsonl")"
done
is "$counts" " triage_jira:200 tawos_XD:772 tawos_APSTUD:449 tawos_TISTUD:2697 estimation_tawos:3918" \
	"the records of each file"
is "$(cat "$TMP/d1/tawos_XD.rejects.jsonl" "$TMP/d1/tawos_APSTUD.rejects.jsonl" "$TMP/d1/tawos_TISTUD.rejects.jsonl" | wc -l)" \
	163 "the 39 + 27 + 97 rejected rows are kept"
grep -q "XD_deep-se.csv: 811 rows, 772 emitted, 39 rejected" "$TMP/err"
ok $? "per-file counts are printed"
cat "$TMP/d1/tawos_XD.jsonl" "$TMP/d1/tawos_APSTUD.jsonl" "$TMP/d1/tawos_TISTUD.jsonl" | cmp -s - "$TMP/d1/estimation_tawos.jsonl"
ok $? "estimation_tawos.jsonl is the projects in order"
is "$(find "$TMP/d1/prompts/puma" -name '*.jinja' | wc -l)" 21 "make data runs make prompts: PUMA's 21 templates from DATA_DIR"
is "$(find "$TMP/d1" -name '*.tmp*' | wc -l)" 0 "no temporary files left"
mk data DATA="$TMP/d1" DATA_DIR="$SHARED" >"$TMP/out2" 2>"$TMP/err2"
is "$?:$(cat "$TMP/err2")" "0:" "a second run has nothing to do"

# Downloads, from file:// URLs standing in for GitHub.
mk data DATA="$TMP/d2" JIRA_URL="file://$SHARED" TAWOS_URL="file://$SHARED/tawos" PROMPTS_URL="file://$SHARED/puma-prompts" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "make data with curl succeeds"
grep -q "fetching file://$SHARED/tawos/TISTUD_deep-se.csv" "$TMP/out"
ok $? "curl fetched the files"
diff -r "$TMP/d1" "$TMP/d2" >/dev/null
ok $? "downloads and local copies give the same files"

# A file that is not the published one is refused before it is used.
mkdir -p "$TMP/fake/tawos"
cp "$SHARED/jira_balanced_200.csv" "$SHARED"/tawos/*.csv "$TMP/fake/tawos/"
sed -i '2s/System crash/System halt/' "$TMP/fake/tawos/jira_balanced_200.csv"
mk data DATA="$TMP/d3" DATA_DIR="$TMP/fake" >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "a changed file stops make"
grep -q "^data: jira_balanced_200.csv: sha256 [0-9a-f]*, expected bfec679f95f5f5f28ac62df2e2636ec4b80b4da9409942787b525c12598f505e: not the published file" "$TMP/err"
ok $? "the sha256 mismatch is named"
is "$(ls "$TMP/d3" "$TMP/d3/raw" 2>/dev/null | grep -c 'jira\|triage')" 0 "nothing is kept from the changed file"
mk data DATA="$TMP/d4" DATA_DIR="$TMP/nowhere" >/dev/null 2>"$TMP/err"
grep -q "^data: jira_balanced_200.csv is neither in $TMP/nowhere nor in $TMP/nowhere/tawos" "$TMP/err"
ok $? "a missing local copy is named"
mk data DATA="$TMP/d5" JIRA_URL="file://$TMP/nowhere" PROMPTS_URL="file://$SHARED/puma-prompts" >/dev/null 2>"$TMP/err"
grep -q "^data: cannot fetch file://$TMP/nowhere/jira_balanced_200.csv (no network? use DATA_DIR=DIR with local copies)" "$TMP/err"
ok $? "a failed download says what to do"
done_testing
