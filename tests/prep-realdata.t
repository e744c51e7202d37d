#!/usr/bin/env bash
# puma-prep on the real datasets: all 200 Jira rows and all 811 + 476 +
# 2794 TAWOS rows convert, every title, description and gold value equals
# Python's csv module's decode of the same file, and the rows dropped for
# story points <= 0 are exactly the rejected ones.  Also the man page's
# examples, run on the same files.
. "$(dirname "$0")/lib.sh"
need_shared
need_python csv
P=puma-prep

check() {	# FILE ROWS: convert, compare with Python, check the counts
	local f=$1 rows=$2 name
	name=$(basename "$f")
	$P --rejects "$TMP/$name.rej" "$f" >"$TMP/$name.out" 2>"$TMP/$name.err"
	is "$?" 0 "$name: converts"
	"$PYTHON" "$ROOT/tests/ref/prep_check.py" "$f" "$TMP/$name.out" "$TMP/$name.rej" >"$TMP/$name.chk"
	ok $? "$name: every record and rejected row equals Python's csv decode, field by field"
	grep '^#' "$TMP/$name.chk" | head -n 10
	read -r all kept dropped <"$TMP/$name.chk"
	is "$all" "$rows" "$name: $rows data rows"
	is "$(cat "$TMP/$name.err")" \
		"puma-prep: $f: $rows rows, $kept emitted, $dropped rejected$([ "$dropped" = 0 ] || echo " (in $TMP/$name.rej)")" \
		"$name: the counts are reported"
}

check "$SHARED/jira_balanced_200.csv" 200
check "$SHARED/tawos/XD_deep-se.csv" 811
check "$SHARED/tawos/APSTUD_deep-se.csv" 476
check "$SHARED/tawos/TISTUD_deep-se.csv" 2794

# What PUMA keeps: all 200 triage rows, 50 of each label; story points > 0.
is "$(grep -o '"gold":"[A-Za-z]*"' "$TMP/jira_balanced_200.csv.out" | sort | uniq -c | awk '{print $2 $1}' | tr '\n' ' ')" \
	'"gold":"Critical"50 "gold":"Major"50 "gold":"Minor"50 "gold":"Trivial"50 ' "Jira: 50 rows of each label"
is "$(wc -l <"$TMP/XD_deep-se.csv.out"):$(wc -l <"$TMP/XD_deep-se.csv.rej")" "772:39" "XD: 39 rows with 0 points rejected"
"$PYTHON" - "$TMP/APSTUD_deep-se.csv.rej" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
big = max(recs, key=lambda r: len(r["description"]))
sys.exit(0 if len(big["description"]) == 1391584 and big["gold"] == "0" else 1)
PY
ok $? "APSTUD: the 1,391,584-character description comes through whole (rejected: 0 points)"

# The man page's examples.
cp "$SHARED/jira_balanced_200.csv" "$SHARED/tawos/XD_deep-se.csv" "$TMP/"
(cd "$TMP" && puma-prep jira_balanced_200.csv > triage_jira.jsonl) 2>/dev/null
ok $? "example: convert PUMA's Jira file"
(cd "$TMP" && puma-prep --rejects xd-rejects.jsonl XD_deep-se.csv > tawos_XD.jsonl) 2>/dev/null
is "$?:$(wc -l <"$TMP/tawos_XD.jsonl"):$(wc -l <"$TMP/xd-rejects.jsonl")" "0:772:39" "example: a TAWOS project with its rejects"
sed -e '1s/.*/project,title,description,story_points/' -e 's/^"XD-[0-9]*","[^"]*",/"MESOS",/' \
	"$SHARED/tawos/XD_deep-se.csv" >"$TMP/issues.csv"
(cd "$TMP" && puma-prep --scenario estimation_tawos --project MESOS issues.csv >mesos.jsonl) 2>/dev/null
is "$?:$(head -c 51 "$TMP/mesos.jsonl")" '0:{"id":"MESOS-1","scenario":"estimation_tawos","proj' \
	"example: a file whose name says nothing about its project"
done_testing
