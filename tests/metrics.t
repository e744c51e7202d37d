#!/usr/bin/env bash
# puma-metrics: PUMA's recorded run, differential tests against the NumPy
# transcription (tests/ref/puma_ref.py) on 1000 random runs and 1000
# bootstrap runs, output formats, grouping, baseline checks, bad input.
. "$(dirname "$0")/lib.sh"
need_python numpy
REF="$ROOT/tests/ref/puma_ref.py"
GEN="$ROOT/tests/ref/gen_cases.py"
export PUMA_CONFIG_DIR="$ROOT/config"

# PUMA's recorded canonical run: its caches as prediction records.
if [ -d "$SHARED/puma-recorded" ]; then
	R="$SHARED/puma-recorded"
	"$PYTHON" - "$R" "$TMP" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
with open(out + "/triage.jsonl", "w") as f:
    for k, v in json.load(open(src + "/triage_cache.json")).items():
        f.write(json.dumps({"id": k, "scenario": "triage_jira", "model": "qwen2.5:3b",
                            "strategy": "contextual-anchoring", "gold": v["priority"],
                            "pred": v["prediction"]}) + "\n")
with open(out + "/estimation.jsonl", "w") as f:
    for k, v in json.load(open(src + "/estimation_cache.json")).items():
        f.write(json.dumps({"id": k, "scenario": "estimation_tawos", "model": "qwen2.5:3b",
                            "gold": v["story_points"], "pred": v["prediction"]}) + "\n")
m = json.load(open(src + "/triage_metrics.json"))
open(out + "/cm", "w").write(json.dumps(m["confusion_matrix"], separators=(",", ":")))
PY
	puma-metrics "$TMP/triage.jsonl" >"$TMP/out"
	grep -q '"f1_macro":0.5867181234963913,' "$TMP/out"
	ok $? 'recorded triage run: "f1_macro":0.5867181234963913'
	grep -qF "\"confusion_matrix\":$(cat "$TMP/cm")," "$TMP/out"
	ok $? "recorded triage run: the confusion matrix of triage_metrics.json"
	grep -qF '"per_class":{"Critical":{"precision":0.6153846153846154,"recall":0.96,"f1":0.75,"support":50}' "$TMP/out"
	ok $? "recorded triage run: per-class F1 0.75 (2tp/(gold+pred), not 0.7500000000000001)"
	puma-metrics "$TMP/estimation.jsonl" >"$TMP/out"
	grep -q '"mae":1.8888888888888888,"mdae":2.0,' "$TMP/out"
	ok $? "recorded estimation cache: MAE 1.8888888888888888 and MdAE 2.0"
	grep -q '"n":10,"n_parsed":9,"n_errors":0,"parse_failure_rate":0.1,' "$TMP/out"
	ok $? "recorded estimation cache: the null prediction is a parse failure"
	puma-metrics --baseline triage_jira "$TMP/triage.jsonl" >/dev/null 2>"$TMP/err"
	is "$?:$(cat "$TMP/err")" \
		"0:puma-metrics: baseline triage_jira: PASS f1_macro 0.5867181234963913, expected 0.5867, delta +1.8123496391297955e-05, tolerance 0.01" \
		"the recorded run passes PUMA's canonical triage baseline"
else
	skip "PUMA's recorded run not found under $SHARED"
fi

# Differential: 1000 random runs in one input (one group each): unpredicted
# classes, gold outside the labels, parse failures, all-failure runs, ties
# and even/odd medians, repeated latencies, runs of 1, >128 and >8192.
"$PYTHON" "$GEN" predictions 1000 23 >"$TMP/pred.jsonl"
puma-metrics --group-by case "$TMP/pred.jsonl" >"$TMP/c.out" 2>/dev/null
ok $? "puma-metrics reads 1000 random runs"
"$PYTHON" "$REF" metrics --group-by case <"$TMP/pred.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "1000 random runs: every number identical to the reference"
"$PYTHON" - "$TMP/c.out" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
big = sum(1 for o in objs if o["n"] > 8192)
mid = sum(1 for o in objs if 128 < o["n"] <= 8192)
none = sum(1 for o in objs if o["n_parsed"] == 0)
reg = sum(1 for o in objs if "mae" in o and o["mae"] is not None)
sys.exit(0 if len(objs) == 1000 and big and mid > 50 and none and reg > 100 else 1)
PY
ok $? "the random runs cover sizes above 128 and 8192, all-failure runs and both tasks"
"$PYTHON" "$GEN" predictions 60 31 >"$TMP/pred60.jsonl"
puma-metrics --pretty --group-by case "$TMP/pred60.jsonl" >"$TMP/c.out" 2>/dev/null
"$PYTHON" "$REF" metrics --pretty --group-by case <"$TMP/pred60.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "--pretty is json.dumps(indent=2)"

# Bootstrap intervals: 1000 small runs, MT19937 resampling as NumPy's
# RandomState(seed).randint(0, n, size=n).
"$PYTHON" "$GEN" bootstrap 1000 29 >"$TMP/bs.jsonl"
puma-metrics --group-by case --ci 0.9 --bootstrap 25 --seed 11 "$TMP/bs.jsonl" >"$TMP/c.out" 2>/dev/null
"$PYTHON" "$REF" metrics --group-by case --ci 0.9 --bootstrap 25 --seed 11 <"$TMP/bs.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "1000 bootstrap intervals identical to the reference"
a=$(puma-metrics --group-by case --ci 0.95 --seed 3 --bootstrap 50 "$TMP/bs.jsonl" 2>/dev/null | md5sum)
b=$(puma-metrics --group-by case --ci 0.95 --seed 3 --bootstrap 50 "$TMP/bs.jsonl" 2>/dev/null | md5sum)
c=$(puma-metrics --group-by case --ci 0.95 --seed 4 --bootstrap 50 "$TMP/bs.jsonl" 2>/dev/null | md5sum)
ok $([ "$a" = "$b" ] && [ "$a" != "$c" ] && echo 0 || echo 1) "intervals are fixed by the seed"

# The table for people (golden).
printf '%s\n' '{"scenario":"triage_jira","model":"m","gold":"Major","pred":"Major","latency_ms":100}' \
	'{"scenario":"triage_jira","model":"m","gold":"Minor","pred":"Major","latency_ms":300}' \
	'{"scenario":"triage_jira","model":"m","gold":"Critical","pred":null,"error":"timeout","latency_ms":200}' >"$TMP/small"
puma-metrics --format table "$TMP/small" >"$TMP/out"
cat >"$TMP/want" <<'EOF'
scenario              triage_jira
model                 m
n                     3
n_parsed              2
n_errors              1
parse_failure_rate    0.3333333333333333
f1_macro              0.16666666666666666
f1_weighted           0.3333333333333333
accuracy              0.5

label     precision     recall         f1  support
Critical     0.0000     0.0000     0.0000        0
Major        0.5000     1.0000     0.6667        1
Minor        0.0000     0.0000     0.0000        1
Trivial      0.0000     0.0000     0.0000        0

confusion matrix (rows: gold, columns: predicted)
          Critical     Major     Minor   Trivial
Critical         0         0         0         0
Major            0         1         0         0
Minor            0         1         0         0
Trivial          0         0         0         0

latency
  p50                 200.0
  p95                 290.0
  p99                 298.0
  mean                200.0
  min                 100.0
  max                 300.0
throughput_per_min    300.0
EOF
same_file "$TMP/out" "$TMP/want" "--format table"

# Mixing models or strategies needs --group-by.
printf '%s\n' '{"scenario":"triage_jira","model":"a","gold":"Major","pred":"Major"}' \
	'{"scenario":"triage_jira","model":"b","gold":"Major","pred":"Minor"}' >"$TMP/mix"
puma-metrics "$TMP/mix" >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -c <"$TMP/out"):$(cat "$TMP/err")" \
	"1:0:puma-metrics: $TMP/mix:2: input mixes models (first seen at line 1): give --group-by model or split the input" \
	"mixed models are an error"
puma-metrics --group-by model "$TMP/mix" >"$TMP/out"
is "$?:$(cut -d, -f1-4 "$TMP/out" | tr '\n' '|')" \
	'0:{"group":{"model":"a"},"scenario":"triage_jira","model":"a","n":1|{"group":{"model":"b"},"scenario":"triage_jira","model":"b","n":1|' \
	"--group-by model gives one object per model"
printf '%s\n' '{"scenario":"triage_jira","strategy":"zero-shot","gold":"Major","pred":"Major"}' \
	'{"scenario":"triage_jira","strategy":"few-shot","gold":"Major","pred":"Minor"}' | puma-metrics >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"1:puma-metrics: <stdin>:2: input mixes strategies (first seen at line 1): give --group-by strategy or split the input" \
	"mixed strategies are an error"

# Baseline validation: PASS 0, FAIL 1, missing metric 2, both expected 2.
mk() { "$PYTHON" -c '
import json, sys
tp, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    g = ["Critical", "Major", "Minor", "Trivial"][i % 4]
    print(json.dumps({"scenario": "triage_jira", "gold": g, "pred": g if i < tp else ("Major" if g != "Major" else "Minor")}))' "$@"; }
mk 8 10 >"$TMP/b1"
puma-metrics "$TMP/b1" | grep -q '"f1_macro":0.8166666666666667,' &&
	"$PYTHON" "$REF" metrics <"$TMP/b1" | grep -q '"f1_macro":0.8166666666666667,'
ok $? "the check's input scores f1_macro 0.8166666666666667 (tool and reference)"
puma-metrics --expected-f1 0.81 "$TMP/b1" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:puma-metrics: PASS f1_macro 0.8166666666666667, expected 0.81, delta +0.006666666666666599, tolerance 0.01" \
	"--expected-f1 within the default tolerance 0.01: PASS, exit 0"
puma-metrics --expected-f1 0.8 "$TMP/b1" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-metrics: FAIL f1_macro 0.8166666666666667, expected 0.8, delta +0.016666666666666607, tolerance 0.01" \
	"outside it: FAIL, exit 1"
puma-metrics --expected-f1 0.8 --tolerance 0.02 "$TMP/b1" >/dev/null 2>"$TMP/err"
is "$?" 0 "--tolerance widens the check"
puma-metrics --expected-f1 0.5 --expected-mae 3 "$TMP/b1" >/dev/null 2>"$TMP/err"
is "$?" 2 "both expected values: exit 2"
puma-metrics --expected-mae 3 "$TMP/b1" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:puma-metrics: mae is not computed for scenario triage_jira (a classification task)" \
	"a metric the scenario lacks: exit 2"
printf '%s\n' '{"scenario":"estimation_tawos","gold":5,"pred":null}' >"$TMP/b2"
puma-metrics --expected-mae 5.715 "$TMP/b2" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:puma-metrics: mae is missing: no record parsed (1 records)" "nothing parsed: exit 2"
grep -q '"mae":null,"mdae":null,"rmse":null,"mae_by_bin":{"1-3":null,"5-8":null,"13-21":null,"34+":null}' "$TMP/out"
ok $? "nothing parsed: the metrics are null"
printf '%s\n' '{"scenario":"estimation_tawos","model":"qwen2.5:3b","strategy":"zero-shot","gold":13,"pred":21}' \
	'{"scenario":"estimation_tawos","model":"qwen2.5:3b","strategy":"zero-shot","gold":5,"pred":8}' \
	'{"scenario":"estimation_tawos","model":"qwen2.5:3b","strategy":"zero-shot","gold":8,"pred":2}' >"$TMP/b3"
puma-metrics --baseline estimation_tawos "$TMP/b3" >/dev/null 2>"$TMP/err"
is "$?:$(tail -n 1 "$TMP/err")" "0:puma-metrics: baseline estimation_tawos: PASS mae 5.666666666666667, expected 5.715, delta -0.048333333333332895, tolerance 0.05" \
	"--baseline reads value and tolerance from config/baselines.json"
grep -q "note: baseline estimation_tawos was measured on 200 records, the input has 3" "$TMP/err"
ok $? "--baseline notes a configuration that differs from the reference's"
puma-metrics --baseline nope "$TMP/b3" >/dev/null 2>"$TMP/err"
is "$?" 2 "an unknown baseline is a usage error"

# Bad input.
bad() {	# NAME RECORD MESSAGE
	printf '%s\n%s\n' '{"scenario":"triage_jira","gold":"Major","pred":"Major"}' "$2" >"$TMP/bad"
	puma-metrics "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
	st=$?
	is "$st:$(wc -c <"$TMP/out"):$(cat "$TMP/err")" "1:0:puma-metrics: $TMP/bad:2: $3" "$1"
}
bad "missing gold" '{"scenario":"triage_jira","pred":"Major"}' 'no "gold" member'
bad "missing pred" '{"scenario":"triage_jira","gold":"Major"}' 'no "pred" member (run puma-parse first)'
bad "non-numeric estimation gold" '{"scenario":"estimation_tawos","gold":"5","pred":5}' \
	'"gold" is a string, not a number (story points)'
bad "record not an object" '"Major"' 'record is a string, not a JSON object'
bad "non-numeric latency" '{"scenario":"triage_jira","gold":"Major","pred":"Major","latency_ms":"fast"}' \
	'"latency_ms" is a string, not a number'
bad "mixed scenarios" '{"scenario":"estimation_tawos","gold":5,"pred":5}' \
	'input mixes scenarios "triage_jira" and "estimation_tawos": give --group-by scenario or split the input'
printf '%s\n' '{"scenario":"triage_jira","gold":"Major","pred":"Major"}' '{"pred":"Major"}' '[]' >"$TMP/bad"
puma-metrics --lenient "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(grep -o '"n":[0-9]*' "$TMP/out"):$(tail -n 1 "$TMP/err")" "0:\"n\":1:puma-metrics: $TMP/bad: skipped 2 bad lines" \
	"--lenient skips and counts"
puma-metrics </dev/null >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-metrics: <stdin>: no records: nothing to score" "empty input is an error"
puma-metrics "$TMP/small" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-metrics: write error: No space left on device" "write errors are reported"
puma-metrics --ci 1.5 </dev/null 2>/dev/null
is "$?" 2 "--ci outside (0, 1) is a usage error"

# A figure that overflows a double is null, and says so (in "notes" and on
# stderr), never a silent null.
printf '%s\n' '{"id":"1","scenario":"estimation_tawos","gold":1e308,"pred":-1e308}' \
	'{"id":"2","scenario":"estimation_tawos","gold":3,"pred":5}' >"$TMP/ovf"
puma-metrics "$TMP/ovf" >"$TMP/out" 2>"$TMP/err"
st=$?
is "$st:$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["mae"], d["rmse"], d["notes"])' "$TMP/out")" \
	"0:None None ['mae overflows a double (errors too large to sum): null', 'mdae overflows a double (errors too large to sum): null', 'rmse overflows a double (errors too large to sum): null']" \
	"MAE overflow: null, with a note in the output"
grep -q "^puma-metrics: note: the input: mae overflows a double" "$TMP/err"
ok $? "MAE overflow: the note is on stderr too"
printf '%s\n' '{"id":"2","scenario":"estimation_tawos","gold":3,"pred":5}' | puma-metrics >"$TMP/out"
is "$("$PYTHON" -c 'import json,sys; print("notes" in json.load(open(sys.argv[1])))' "$TMP/out")" False \
	"no overflow: no notes"
done_testing
