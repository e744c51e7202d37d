#!/usr/bin/env bash
# puma-metrics --by and --stability: robustness, consistency, flips, the
# gender pair's fairness and stability across seeds, differentially against
# the NumPy transcription of PUMA's formulas (tests/ref/robust_ref.py) on
# 150 random inputs, plus a hand-checked case and bad input.
. "$(dirname "$0")/lib.sh"
need_python numpy
REF="$ROOT/tests/ref/robust_ref.py"
export PUMA_CONFIG_DIR="$ROOT/config"

mkdir "$TMP/cases"
"$PYTHON" "$REF" --gen 150 7 "$TMP/cases"
: >"$TMP/c.out"
st=0
for i in $(seq 0 149); do
	# shellcheck disable=SC2046
	puma-metrics $(cat "$TMP/cases/case-$i.args") "$TMP/cases/case-$i.jsonl" >>"$TMP/c.out" 2>/dev/null || st=1
done
ok $st "puma-metrics --by perturbation --stability reads 150 random inputs"
"$PYTHON" "$REF" --cases 150 "$TMP/cases" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "150 random inputs: every number identical to the reference"
"$PYTHON" - "$TMP/c.out" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
fair = [o["fairness"] for o in objs if "fairness" in o]
vs = [o["vs_original"] for o in objs if "vs_original" in o]
st = [o["stability"] for o in objs if "stability" in o]
need = [
    len(fair) > 5 and any("f1_macro" in f for f in fair) and any("f1_macro" not in f for f in fair),
    any(v["robustness"].get("mae") is not None for v in vs),
    any(v["robustness"].get("f1_macro") is None for v in vs),
    any(v["flips"] == 0 for v in vs) and any(0 < v["flip_to_correct"] < 1 for v in vs),
    any(s["f1_macro"] and s["f1_macro"]["n_seeds"] == 20 for s in st if "f1_macro" in s),
    any(s.get("mae") and s["mae"]["mean"] == 0 for s in st),
    any(s.get("accuracy") and s["accuracy"]["n_seeds"] == 1 for s in st),
]
sys.exit(0 if all(need) else 1)
PY
ok $? "the inputs cover both tasks, missing metrics, no flips, 20 seeds, a zero mean, one seed"

# With intervals: each group's bootstrap is the one of --group-by.
for i in 3 4 5 6 7; do
	# shellcheck disable=SC2046
	puma-metrics $(cat "$TMP/cases/case-$i.args") --ci 0.9 --bootstrap 30 --seed 5 \
		"$TMP/cases/case-$i.jsonl" 2>/dev/null
done >"$TMP/c.out"
for i in 3 4 5 6 7; do
	# shellcheck disable=SC2046
	"$PYTHON" "$REF" $(cat "$TMP/cases/case-$i.args") --ci 0.9 --bootstrap 30 --seed 5 "$TMP/cases/case-$i.jsonl"
done >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "--by with --ci: the intervals identical to the reference"

# By hand: two sources; the typo flips one prediction to wrong, the male and
# female prefixes disagree on one.
cat >"$TMP/h.jsonl" <<'J'
{"id":"A","scenario":"triage_jira","gold":"Major","pred":"Major"}
{"id":"B","scenario":"triage_jira","gold":"Minor","pred":"Major"}
{"id":"A~t","source_id":"A","perturbation":"typos_5pct","scenario":"triage_jira","gold":"Major","pred":"Minor"}
{"id":"B~t","source_id":"B","perturbation":"typos_5pct","scenario":"triage_jira","gold":"Minor","pred":"Major"}
{"id":"A~m","source_id":"A","perturbation":"gender_swap_prefix_male","scenario":"triage_jira","gold":"Major","pred":"Major"}
{"id":"B~m","source_id":"B","perturbation":"gender_swap_prefix_male","scenario":"triage_jira","gold":"Minor","pred":"Minor"}
{"id":"A~f","source_id":"A","perturbation":"gender_swap_prefix_female","scenario":"triage_jira","gold":"Major","pred":"Major"}
{"id":"B~f","source_id":"B","perturbation":"gender_swap_prefix_female","scenario":"triage_jira","gold":"Minor","pred":null}
J
puma-metrics --by perturbation "$TMP/h.jsonl" >"$TMP/h.out"
ok $? "a small input by hand"
grep -F '"perturbation":"typos_5pct"' "$TMP/h.out" | grep -qF '"vs_original":{"n_pairs":2,"robustness":{"f1_macro":0.8333333333333334,"f1_weighted":0.6666666666666667,"accuracy":0.5},"consistency":0.5,"acc_original":0.5,"acc_perturbed":0.0,"flips":1,"flip_rate":0.5,"flip_to_correct":0.0,"flip_to_incorrect":1.0}'
ok $? "typos: accuracy 0.5 -> 0 gives robustness 0.5, macro-F1 1/6 -> 0 gives 5/6, one flip of two, right to wrong"
is "$(tail -n 1 "$TMP/h.out" | cut -c1-147)" \
	'{"fairness":{"by":"perturbation","n_pairs":2,"accuracy":{"per_group":{"gender_swap_prefix_female":0.5,"gender_swap_prefix_male":1.0},"global":0.75,' \
	"fairness: the female side misses one of two (a parse failure counts as a miss)"
tail -n 1 "$TMP/h.out" | grep -qF '"worst_group":"gender_swap_prefix_female","gap":0.5,'
ok $? "fairness: the worst group and the gap"
tail -n 1 "$TMP/h.out" | grep -qF '"acc_male":1.0,"acc_female":0.5,"flips":1,"flip_rate":0.5,"flip_to_correct":0.0,"flip_to_incorrect":1.0}}'
ok $? "fairness: male to female, one flip, right to wrong"
grep -F '"perturbation":null' "$TMP/h.out" | grep -q vs_original
ok $((!$?)) "the original records have no comparison with themselves"

puma-metrics --by perturbation --format table "$TMP/h.jsonl" >"$TMP/t.out"
is "$(sed -n '1p;3p' "$TMP/t.out" | tr -s ' ')" \
	"perturbation n f1_macro robustness consistency flip_rate to_correct to_incorrect
typos_5pct 2 0.0000 0.8333 0.5000 0.5000 0.0000 1.0000" \
	"--format table: a line per group with its comparison"
is "$(sed -n '/^fairness/,$p' "$TMP/t.out" | tr -s ' ')" \
	"fairness: gender_swap_prefix_male vs _female, 2 pairs
metric female male global gap worst 
accuracy 0.5000 1.0000 0.7500 0.5000 female 
f1_macro 0.5000 1.0000 0.8333 0.5000 female 
flips 1 (rate 0.5000): to correct 0.0000, to incorrect 1.0000" \
	"--format table: the fairness lines (macro-F1: the unparsed answer is no label of its own)"

# Bad input and usage.
head -n 2 "$TMP/h.jsonl" >"$TMP/d.jsonl"
head -n 1 "$TMP/h.jsonl" >>"$TMP/d.jsonl"
puma-metrics --by perturbation "$TMP/d.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"1:puma-metrics: $TMP/d.jsonl:3: id \"A\" appears twice in the group perturbation=null (first at line 1): pairing needs one record per source (give --stability FIELD when runs with several seeds are mixed)" \
	"a source twice in one group is a data error naming both lines"
echo '{"scenario":"triage_jira","gold":"Major","pred":"Major"}' >"$TMP/n.jsonl"
puma-metrics --by perturbation "$TMP/n.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"1:puma-metrics: $TMP/n.jsonl:1: no \"source_id\" or \"id\" member: --by pairs each record with its original by them" \
	"--by needs an id to pair by"
puma-metrics --by perturbation --group-by model "$TMP/h.jsonl" >/dev/null 2>&1
is $? 2 "--by with --group-by is a usage error"
puma-metrics --stability seed. "$TMP/h.jsonl" >/dev/null 2>&1
is $? 2 "--stability with an empty member name is a usage error"
grep -v '"perturbation":null' "$TMP/h.jsonl" | grep -v '^{"id":"[AB]"' >"$TMP/no.jsonl"
puma-metrics --by perturbation "$TMP/no.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"0:puma-metrics: note: no original records (perturbation absent, null or \"original\"): no robustness without them (puma-perturb --with-original)" \
	"no originals: a note, and robustness null"
grep -q '"robustness":{"f1_macro":null' "$TMP/out"
ok $? "no originals: robustness null, pairs 0"

done_testing
