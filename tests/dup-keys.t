#!/usr/bin/env bash
# Duplicate keys in a record: every tool reads them as Python's json does
# (the last value wins, docs/records.md), so a tool and a Python reader of
# the same file never disagree.
. "$(dirname "$0")/lib.sh"
need_python json
export PUMA_CONFIG_DIR="$ROOT/config"

# pyjson FILE EXPR: EXPR over the records r of a JSON Lines file, as Python reads them.
pyjson() {
	"$PYTHON" -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))' "$1" "$2"
}

printf '%s\n' '{"id":"a","scenario":"triage_jira","gold":"Critical","gold":"Trivial","pred":"Trivial","confidence":0.9}' \
	'{"id":"b","scenario":"triage_jira","gold":"Major","pred":"Minor","pred":"Major","confidence":0.2,"confidence":0.8}' >"$TMP/pred"

puma-metrics "$TMP/pred" >"$TMP/m" 2>"$TMP/err"
is "$(pyjson "$TMP/m" 'r[0]["accuracy"]')" "$(pyjson "$TMP/pred" 'sum(x["gold"] == x["pred"] for x in r) / len(r)')" \
	"puma-metrics scores the last gold and pred, as Python reads them"

puma-ece --bins 10 "$TMP/pred" >"$TMP/e" 2>"$TMP/err"
is "$(pyjson "$TMP/e" 'r[0]["bins"][8]["n"], r[0]["bins"][2]["n"]')" "(1, 0)" \
	"puma-ece bins the last confidence"

printf '%s\n' '{"id":"a","scenario":"triage_jira","gold":"Major","response":"Minor","response":"Critical","pred":"Trivial","pred":"x","error":null}' >"$TMP/resp"
puma-parse "$TMP/resp" >"$TMP/p" 2>"$TMP/err"
is "$(pyjson "$TMP/p" 'r[0]["pred"], r[0]["response"]')" "('Critical', 'Critical')" \
	"puma-parse parses the last response and its pred is the one a reader sees"
is "$(grep -o '"pred"' "$TMP/p" | wc -l)" 1 "puma-parse writes the key once"

# Inside the logprobs too (puma-parse reads them without building a tree):
# the last "token", "logprob" and "top_logprobs" of an entry count, as in
# the Python transcription of PUMA's parser.
printf '%s\n' '{"id":"a","scenario":"triage_jira","gold":"Critical","response":"Critical","logprobs":[{"token":"Maj","token":"Critical","logprob":-2.0,"logprob":-0.5,"top_logprobs":[{"token":"X","logprob":-0.01}],"top_logprobs":[{"token":"Critical","logprob":-0.5},{"token":"Major","logprob":-1.2},{"token":"Minor","logprob":-3.0}]}],"error":null}' >"$TMP/lp"
puma-parse "$TMP/lp" >"$TMP/lpc" 2>"$TMP/err"
"$PYTHON" "$ROOT/tests/ref/puma_ref.py" parse <"$TMP/lp" >"$TMP/lpr"
is "$(pyjson "$TMP/lpc" 'r[0]["confidence"]')" "$(pyjson "$TMP/lpr" 'r[0]["confidence"]')" \
	"puma-parse's confidence from logprobs with repeated keys is Python's"

printf '%s\n' '{"id":"x","scenario":"estimation_tawos","gold":3,"gold":8,"pred":8}' >"$TMP/est"
is "$(puma-metrics "$TMP/est" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["mae"])')" "0.0" \
	"puma-metrics: the last gold of an estimation record"

# puma-diff pairs records by their id: the last one.
printf '%s\n' '{"id":"1","id":"2","scenario":"triage_jira","gold":"Major","pred":"Major","response":"Major"}' >"$TMP/A"
printf '%s\n' '{"id":"2","scenario":"triage_jira","gold":"Major","pred":"Major","response":"Major"}' >"$TMP/B"
puma-diff "$TMP/A" "$TMP/B" >"$TMP/d" 2>"$TMP/err"
is "$(pyjson "$TMP/d" 'r[0]["compared"]["paired"]')" 1 "puma-diff pairs by the last id"

done_testing
