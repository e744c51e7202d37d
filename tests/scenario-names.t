#!/usr/bin/env bash
# A record's "scenario" is data, never a path: puma-parse, puma-metrics,
# puma-diff and puma-infer accept only names of [a-z0-9_]+ that resolve
# inside the config directory, and reject anything else as bad input
# naming the file and line, without opening what the name points at.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"

# Bait: a valid scenario config and prompt templates outside config/, which
# a record must not be able to reach.
mkdir -p "$TMP/evil/scenarios" "$TMP/evil/zero-shot"
cp "$ROOT/config/scenarios/triage_jira.json" "$TMP/x.json"
cp "$ROOT/config/scenarios/triage_jira.json" "$TMP/evil/scenarios/evil.json"
printf 'BAIT {{title}}\n' >"$TMP/evil/zero-shot.txt"
up=$(printf '%s' "$ROOT/config/prompts" | sed 's|[^/][^/]*|..|g')

# rec SCENARIO [FIELDS]: one record with that scenario (a JSON string).
rec() {
	"$PYTHON" -c 'import json,sys; d={"id":"H-1","scenario":sys.argv[1],"title":"t","description":"d",
"gold":"Major","response":"Major","pred":"Major"}; print(json.dumps({"id":"H-0","scenario":"triage_jira","gold":"Major","pred":"Major","response":"Major","title":"t","description":"d"})); print(json.dumps(d))' "$1"
}

for s in "$TMP/x.json" "../../../../etc/passwd" "$up$TMP/evil" "../$(basename "$TMP")/x" "Triage_jira" \
	"triage_jira/" "" "triage jira" "triage_jira.json" "triage-jira"; do
	rec "$s" >"$TMP/in"
	for tool in puma-parse puma-metrics; do
		$tool "$TMP/in" >"$TMP/out" 2>"$TMP/err"
		st=$?
		is "$st:$(cat "$TMP/err")" "1:$tool: $TMP/in:2: \"scenario\" is not a scenario name (lower-case letters, digits and '_')" \
			"$tool: scenario '$s' is bad input at its line"
	done
	head -n 1 "$TMP/in" >"$TMP/a"
	puma-diff "$TMP/a" "$TMP/in" >"$TMP/out" 2>"$TMP/err"
	is "$?:$(cat "$TMP/err")" "2:puma-diff: $TMP/in:2: \"scenario\" is not a scenario name (lower-case letters, digits and '_')" \
		"puma-diff: scenario '$s' is invalid input at its line"
done

# puma-infer: the record fails at its line; the bait template is never used.
start_fake f
for s in "$up$TMP/evil" "../../x" "$TMP/evil" "Triage_jira"; do
	rec "$s" >"$TMP/in"
	puma-infer -m fake:1b -b ollama -u "http://127.0.0.1:$PORT_f" --no-cache --keep-prompt \
		--template "$TMP/evil/zero-shot.txt" "$TMP/in" >"$TMP/out" 2>"$TMP/err"
	st=$?
	is "$st:$(grep -c . "$TMP/out"):$(cat "$TMP/err")" \
		"1:1:puma-infer: $TMP/in:2: \"scenario\" is not a scenario name (lower-case letters, digits and '_')" \
		"puma-infer: scenario '$s' is bad input at its line"
	rec "$s" >"$TMP/in"
	puma-infer -m fake:1b -b ollama -u "http://127.0.0.1:$PORT_f" --no-cache --keep-prompt \
		"$TMP/in" >"$TMP/out" 2>"$TMP/err"
	st=$?
	ok $((st == 1 && $(grep -c BAIT "$TMP/out") == 0 ? 0 : 1)) "puma-infer: scenario '$s' reaches no template outside config/"
done
# A good name still works, and --scenario may still name a file.
rec triage_jira | tail -n 1 >"$TMP/in"
puma-metrics "$TMP/in" >/dev/null 2>"$TMP/err"
ok $? "a good scenario name is read"
"$PYTHON" -c 'import json; print(json.dumps({"id":"1","gold":"Major","pred":"Major"}))' >"$TMP/in"
puma-metrics --scenario "$TMP/x.json" "$TMP/in" >/dev/null 2>"$TMP/err"
ok $? "--scenario FILE (an option, not a record) may name a file"

done_testing
