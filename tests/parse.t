#!/usr/bin/env bash
# puma-parse: the parser case table, differential tests against the NumPy
# transcription (tests/ref/puma_ref.py) in every confidence mode, options,
# pass-through, and bad input with its messages and exit codes.
. "$(dirname "$0")/lib.sh"
need_python numpy
REF="$ROOT/tests/ref/puma_ref.py"
GEN="$ROOT/tests/ref/gen_cases.py"
export PUMA_CONFIG_DIR="$ROOT/config"

# The case table, against the reference and against the tool.
out=$("$PYTHON" "$REF" cases "$ROOT/tests/parse_cases.tsv")
st=$?
ncases=$(grep -cv '^#' "$ROOT/tests/parse_cases.tsv")
is "$st:$(tail -n 1 <<<"$out")" "0:$ncases cases, 0 wrong" "reference agrees with the $ncases-case table"
[ "$ncases" -ge 60 ]
ok $? "the table holds at least 60 cases"
"$PYTHON" - "$ROOT/tests/parse_cases.tsv" >"$TMP/cases.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    scen, resp, want = line.split("\t")
    if "\\" in resp:
        resp = resp.encode("latin-1", "backslashreplace").decode("unicode_escape")
    print(json.dumps({"scenario": scen, "gold": 1 if scen.startswith("estimation") else "x",
                      "response": resp, "want": want}, ensure_ascii=False))
PY
puma-parse "$TMP/cases.jsonl" >"$TMP/cases.out"
ok $? "puma-parse reads the case table"
"$PYTHON" - "$TMP/cases.out" <<'PY'
import json, sys
bad = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    p = r["pred"]
    got = "null" if p is None else p if isinstance(p, str) else json.dumps(p)
    if got != r["want"]:
        bad += 1
        print("# %r: got %s, expected %s" % (r["response"], got, r["want"]))
sys.exit(1 if bad else 0)
PY
ok $? "puma-parse gives every expected answer of the case table"

# Differential: 3000 random responses (mixed scenarios, reasoning blocks,
# numbers, logprobs with repeated and shared tokens), byte for byte.
"$PYTHON" "$GEN" responses 3000 17 >"$TMP/resp.jsonl"
for mode in puma fixed off; do
	puma-parse --confidence "$mode" "$TMP/resp.jsonl" >"$TMP/c.out"
	"$PYTHON" "$REF" parse --confidence "$mode" <"$TMP/resp.jsonl" >"$TMP/r.out"
	same_file "$TMP/c.out" "$TMP/r.out" "3000 random records, --confidence $mode: identical to the reference"
done
n=$(grep -c '"confidence":[0-9]' "$TMP/c.out")
is "$n" 0 "--confidence off gives no confidence"
puma-parse "$TMP/resp.jsonl" | grep -c '"confidence":[0-9]' >"$TMP/n"
[ "$(cat "$TMP/n")" -gt 100 ]
ok $? "the random records exercise the confidence ($(cat "$TMP/n") computed)"

# The same records written with \u escapes (surrogate pairs included) and
# spaces: other code paths of the record reader, the same answers.
"$PYTHON" -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    print(json.dumps(json.loads(line), ensure_ascii=True, separators=(", ", " : ")))' "$TMP/resp.jsonl" >"$TMP/resp-ascii.jsonl"
puma-parse "$TMP/resp-ascii.jsonl" >"$TMP/c.out"
"$PYTHON" "$REF" parse <"$TMP/resp.jsonl" >"$TMP/r.out"
"$PYTHON" - "$TMP/c.out" "$TMP/r.out" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
b = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
same = len(a) == len(b) and all(x == y and repr(x["confidence"]) == repr(y["confidence"]) for x, y in zip(a, b))
sys.exit(0 if same else 1)
PY
ok $? "3000 records with ASCII escapes and spaces: the same records and numbers"

# PUMA's defects and the fixed mode.
rec='{"scenario":"triage_jira","gold":"Major","response":"Major","logprobs":[{"token":"M","logprob":-0.1,"top_logprobs":[{"token":"M","logprob":-0.1}]}]}'
is "$(puma-parse <<<"$rec" | grep -o '"confidence":.*')" '"confidence":0.5}' \
	"puma mode: M counts for both Major and Minor"
is "$(puma-parse --confidence fixed <<<"$rec" | grep -o '"confidence":.*')" '"confidence":null}' \
	"fixed mode: a first token shared by two labels gives null"
rec='{"scenario":"triage_jira","gold":"Major","response":"**Major**","logprobs":[{"token":"**","logprob":-0.01,"top_logprobs":[{"token":"**","logprob":-0.01},{"token":"\n","logprob":-5}]}]}'
is "$(puma-parse <<<"$rec" | grep -o '"confidence":.*')" '"confidence":0.0}' \
	"puma mode: a first token matching no spelling gives 0.0"
is "$(puma-parse --confidence fixed <<<"$rec" | grep -o '"confidence":.*')" '"confidence":null}' \
	"fixed mode: it gives null"
rec='{"scenario":"triage_jira","gold":"Major","response":"Major","logprobs":[{"token":"Major","logprob":-0.2,"top_logprobs":[{"token":"Major","logprob":-0.2},{"token":"M","logprob":-1.0},{"token":"Minor","logprob":-3}]}]}'
puma-parse --confidence fixed <<<"$rec" | "$PYTHON" -c '
import json, math, sys
r = json.loads(sys.stdin.read())
a, c = math.exp(-0.2), math.exp(-3)
sys.exit(0 if abs(r["confidence"] - a / (a + c)) < 1e-15 else 1)'
ok $? "fixed mode: the shared M is left out of both labels"

# Pass-through, failures and reruns.
printf '%s\n' '{"id":"a","n":1.50e2,"scenario":"triage_jira","gold":"Minor","response":null,"error":"HTTP 500"}' \
	'{"id":"b","scenario":"triage_jira","gold":"Minor","response":"Minor","error":"timeout"}' \
	'{"id":"c","scenario":"triage_jira","pred":"Major","gold":"Minor","response":"minor","confidence":0.3}' \
	'{"id":"d","scenario":"estimation_tawos","gold":5,"response":"about 4"}' >"$TMP/pt"
puma-parse "$TMP/pt" >"$TMP/out"
cat >"$TMP/want" <<'EOF'
{"id":"a","n":1.50e2,"scenario":"triage_jira","gold":"Minor","response":null,"error":"HTTP 500","pred":null,"confidence":null}
{"id":"b","scenario":"triage_jira","gold":"Minor","response":"Minor","error":"timeout","pred":null,"confidence":null}
{"id":"c","scenario":"triage_jira","pred":"Minor","gold":"Minor","response":"minor","confidence":null}
{"id":"d","scenario":"estimation_tawos","gold":5,"response":"about 4","pred":3,"confidence":null}
EOF
same_file "$TMP/out" "$TMP/want" "failed requests give null and are kept; a rerun replaces pred in place"

# --scenario, --labels.
echo '{"gold":"Minor","response":"minor"}' | puma-parse --scenario triage_jira >"$TMP/out"
is "$(cat "$TMP/out")" '{"gold":"Minor","response":"minor","pred":"Minor","confidence":null}' \
	"--scenario applies to records without one"
is "$(echo '{"gold":"Blocker","response":"a blocker","scenario":"triage_jira"}' | puma-parse --labels triage_jira_5 | grep -o '"pred":"[A-Za-z]*"')" \
	'"pred":"Blocker"' "--labels names a label set"
is "$(echo '{"gold":"P1","response":"p2 then P1","scenario":"triage_jira"}' | puma-parse --labels 'P1, P2' | grep -o '"pred":"[A-Za-z0-9]*"')" \
	'"pred":"P2"' "--labels takes a list"
puma-parse --labels Critical </dev/null >/dev/null 2>"$TMP/err"
is "$?" 2 "--labels with neither a list nor a set is a usage error"
puma-parse --confidence maybe </dev/null >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-parse: --confidence: 'maybe' is not puma, fixed or off" "bad --confidence"

# Bad input: strict stops at the first bad line (exit 1), lenient skips.
bad() {	# NAME RECORD MESSAGE
	printf '%s\n%s\n' '{"scenario":"triage_jira","gold":"Major","response":"Major"}' "$2" >"$TMP/bad"
	puma-parse "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
	st=$?
	is "$st:$(wc -l <"$TMP/out"):$(cat "$TMP/err")" "1:1:puma-parse: $TMP/bad:2: $3" "$1"
}
bad "missing gold" '{"scenario":"triage_jira","response":"Major"}' 'no "gold" member'
bad "non-numeric estimation gold" '{"scenario":"estimation_tawos","gold":"five","response":"5"}' \
	'"gold" is a string, not a number (story points)'
bad "non-string response" '{"scenario":"triage_jira","gold":"Major","response":["Major"]}' \
	'"response" is an array, not a string or null'
bad "record not an object" '["Major"]' 'record is an array, not a JSON object'
bad "missing response" '{"scenario":"triage_jira","gold":"Major"}' 'no "response" member'
bad "unknown scenario" '{"scenario":"nope","gold":"Major","response":"x"}' \
	'unknown scenario "nope": no readable config/scenarios/nope.json (see --config-dir)'
bad "malformed logprobs" '{"scenario":"triage_jira","gold":"Major","response":"Major","logprobs":[{"token":1}]}' \
	'"logprobs" does not start with {"token": string, "logprob": number, "top_logprobs": [...]}'
bad "invalid JSON" '{"scenario":' 'invalid JSON: premature EOF'
printf '%s\n' '{"scenario":"triage_jira","response":"Major"}' '{"scenario":"triage_jira","gold":"Major","response":"Major"}' \
	'{"gold":"x","response":"x"}' >"$TMP/bad"
puma-parse --lenient "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -l <"$TMP/out"):$(tail -n 1 "$TMP/err")" "0:1:puma-parse: $TMP/bad: skipped 2 bad lines" \
	"--lenient skips and counts"
grep -q "bad:3: no \"scenario\" member (give --scenario NAME)" "$TMP/err"
ok $? "--lenient still names each bad line"
puma-parse </dev/null >"$TMP/out"
is "$?:$(wc -c <"$TMP/out")" "0:0" "empty input: empty output"
puma-parse "$TMP/pt" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-parse: write error: No space left on device" "write errors are reported"
puma-parse "$TMP/missing" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-parse: $TMP/missing: cannot open: No such file or directory" "a missing file"
puma-parse --help | head -n 1 | grep -q '^Usage: puma-parse'
ok $? "--help prints usage"
done_testing
