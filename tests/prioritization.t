#!/usr/bin/env bash
# The prioritization scenario: puma-pair's pairs and gold against pandas and
# NumPy transcriptions (tests/ref/pair_ref.py), PUMA's A/B parser against
# Python's re, accuracy, NDCG and MRR against NumPy (tests/ref/prio_ref.py),
# and a whole run against the real llama-server fixture.
. "$(dirname "$0")/lib.sh"
need_python numpy
need_python pandas
REF="$ROOT/tests/ref"
FIX="$ROOT/tests/fixtures/llama"
KEYS='["id_a","id_b","priority_a","priority_b","rank_a","rank_b","title_a","title_b","description_a","description_b","gold"]'
# fields FILE: the pair fields pair_ref.py prints, one object a line.
fields() {
	"$PYTHON" -c 'import json,sys
K = json.loads(sys.argv[2])
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l); print(json.dumps({k: r[k] for k in K}, sort_keys=True))' "$1" "$KEYS"
}

# ---- Pairs and gold: random issues (every rank, odd spellings, no ids) ----
"$PYTHON" "$REF/prio_ref.py" issues 300 3 >"$TMP/issues.jsonl"
bad=""
for n in 1 5 40 150 200; do
	puma-sample -n $((2 * n)) --stratify gold <"$TMP/issues.jsonl" | puma-pair -n "$n" >"$TMP/p" 2>/dev/null
	fields "$TMP/p" >"$TMP/got"
	"$PYTHON" "$REF/pair_ref.py" puma "$n" 42 "$TMP/issues.jsonl" >"$TMP/want"
	cmp -s "$TMP/got" "$TMP/want" || bad="$bad puma:$n"
	for seed in 1 7; do
		puma-pair --pairs mixed -n "$n" --seed "$seed" <"$TMP/issues.jsonl" >"$TMP/p" 2>/dev/null
		fields "$TMP/p" >"$TMP/got"
		"$PYTHON" "$REF/pair_ref.py" mixed "$n" "$seed" "$TMP/issues.jsonl" >"$TMP/want"
		cmp -s "$TMP/got" "$TMP/want" || bad="$bad mixed:$n:$seed"
	done
done
is "${bad:-none}" none "pairs, ranks and gold as PUMA's pandas code (puma) and the NumPy transcription (mixed)"

puma-pair --pairs mixed <"$TMP/issues.jsonl" >"$TMP/m"
is "$("$PYTHON" -c 'import json,sys
r = [json.loads(l) for l in open(sys.argv[1])]
a = sum(x["gold"] == "A" for x in r)
print(a - (len(r) - a) in (0, 1), all(x["rank_a"] != x["rank_b"] for x in r),
      all((x["gold"] == "A") == (x["rank_a"] > x["rank_b"]) for x in r),
      len({i for x in r for i in (x["id_a"], x["id_b"])}) == 2 * len(r), r[0]["pairing"])' "$TMP/m")" \
	"True True True True mixed" "mixed: gold half A, half B; two priorities in every pair; no issue twice"

# ---- PUMA's file: its pairs are of one class, so the gold is always A ----
if [ -f "$SHARED/jira_balanced_200.csv" ]; then
	puma-prep "$SHARED/jira_balanced_200.csv" >"$TMP/jira.jsonl" 2>/dev/null
	puma-sample -n 200 --stratify gold <"$TMP/jira.jsonl" | puma-pair -n 100 >"$TMP/p"
	fields "$TMP/p" >"$TMP/got"
	"$PYTHON" "$REF/pair_ref.py" puma 100 42 "$TMP/jira.jsonl" >"$TMP/want"
	same_file "$TMP/got" "$TMP/want" "PUMA's 100 pairs of jira_balanced_200.csv, as PUMA makes them"
	is "$(grep -c '"gold":"A"' "$TMP/p") $(head -n 1 "$TMP/p" | cut -c1-40)" \
		'100 {"id":"CRIT-001+CRIT-002","scenario":"pr' "every PUMA pair is A; ids stable, never random"
else
	skip "public datasets not found at $SHARED"
	skip "public datasets not found at $SHARED"
fi

# ---- Bad input ----
printf '%s\n' '{"id":"x","title":"t"}' | puma-pair >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	'1:puma-pair: <stdin>:1: "gold" is missing; a pair needs each issue'"'"'s priority as a string' \
	"an issue without gold: exit 1, naming the line"
puma-pair --pairs random </dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-pair: --pairs: 'random' is not puma or mixed" "an unknown pairing: exit 2"
puma-pair -n 5 <"$TMP/issues.jsonl" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-pair: write error: No space left on device" "a full disk: exit 1"

# ---- PUMA's parser: the first stand-alone A or B, any case ----
"$PYTHON" "$REF/prio_ref.py" answers 3000 5 >"$TMP/answers"
"$PYTHON" -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.dumps({"scenario": "prioritization_jira", "gold": "A", "response": json.loads(l)}))' \
	"$TMP/answers" >"$TMP/resp.jsonl"
puma-parse <"$TMP/resp.jsonl" | "$PYTHON" -c 'import json,sys
for l in sys.stdin:
    print(json.dumps(json.loads(l)["pred"]))' >"$TMP/got"
"$PYTHON" "$REF/prio_ref.py" parse "$TMP/answers" >"$TMP/want"
same_file "$TMP/got" "$TMP/want" "3000 answers parsed as PUMA's regex parses them (the article a counts)"

# ---- Accuracy, parse failures, NDCG and MRR against NumPy ----
"$PYTHON" -c 'import json,random,sys
g = random.Random(9)
for l in open(sys.argv[1]):
    r = json.loads(l)
    r["pred"] = g.choice(["A", "B", "A", None])
    print(json.dumps(r))' "$TMP/m" >"$TMP/pred.jsonl"
puma-metrics <"$TMP/pred.jsonl" >"$TMP/met"
is "$("$PYTHON" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(json.dumps({k: d[k] for k in ("n", "n_parsed", "parse_failure_rate", "accuracy", "ranking")}, sort_keys=True))' "$TMP/met")" \
	"$("$PYTHON" "$REF/prio_ref.py" metrics "$TMP/pred.jsonl")" \
	"accuracy over parsed pairs, parse failure rate, NDCG and MRR as NumPy computes them"

# ---- A whole run against llama-server ----
start_llama -a tiny

puma-pair --pairs mixed -n 6 --seed 3 <"$TMP/issues.jsonl" >"$TMP/pairs.jsonl"
for strategy in zero-shot contextual-anchoring; do
	puma-infer -b openai -u "$LURL" -m tiny --no-cache --constrain --logprobs --top-logprobs 3 --num-predict 4 \
		-S "$strategy" --keep-prompt <"$TMP/pairs.jsonl" >"$TMP/resp" 2>"$TMP/err"
	is "$?:$(cat "$TMP/err")" "0:" "$strategy: six pairs through llama-server"
	puma-parse <"$TMP/resp" >"$TMP/pred" 2>"$TMP/err"
	is "$("$PYTHON" -c 'import json,sys
r = [json.loads(l) for l in open(sys.argv[1])]
print(all(x["response"] in ("A", "B") and x["pred"] == x["response"] for x in r),
      all(0 <= x["confidence"] <= 1 for x in r),
      all(x["title_a"] in x["prompt"] and x["description_b"] in x["prompt"] and "A, B" in x["prompt"] for x in r))' "$TMP/pred")" \
		"True True True" "$strategy: the grammar's answer is A or B, parsed, with a confidence; both issues in the prompt"
	"$PYTHON" "$REF/puma_ref.py" parse <"$TMP/resp" >"$TMP/pred.ref"
	is "$("$PYTHON" -c 'import json,sys
a, b = ([(r["pred"], r["confidence"]) for r in map(json.loads, open(f))] for f in sys.argv[1:])
print(a == b, len(a))' "$TMP/pred" "$TMP/pred.ref")" "True 6" \
		"$strategy: labels and confidences (first token, A/a and B/b) as PUMA's transcription computes them"
	puma-metrics <"$TMP/pred" >"$TMP/met"
	is "$("$PYTHON" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(json.dumps({k: d[k] for k in ("n", "n_parsed", "parse_failure_rate", "accuracy", "ranking")}, sort_keys=True))' "$TMP/met")" \
		"$("$PYTHON" "$REF/prio_ref.py" metrics "$TMP/pred")" "$strategy: the run's metrics as NumPy computes them"
done

# Few-shot: solved pairs from another draw are really placed in the prompt.
puma-pair --pairs mixed -n 10 --seed 99 <"$TMP/issues.jsonl" >"$TMP/pool.jsonl"
puma-infer -b openai -u "$LURL" -m tiny --no-cache --constrain --num-predict 4 -S few-shot-3 \
	--examples "$TMP/pool.jsonl" --keep-prompt <"$TMP/pairs.jsonl" >"$TMP/fs" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "few-shot-3: six pairs through llama-server"
is "$("$PYTHON" -c 'import json,sys
pool = {r["id"]: r for r in map(json.loads, open(sys.argv[2]))}
r = [json.loads(l) for l in open(sys.argv[1])]
print(all(len(x["examples"]) == 3 and x["id"] not in x["examples"] and
          all(("Issue A: %s\nIssue B: %s\nHigher priority: %s" % (pool[e]["title_a"], pool[e]["title_b"], pool[e]["gold"])) in x["prompt"]
              for e in x["examples"]) for x in r), all(x["response"] in ("A", "B") for x in r))' "$TMP/fs" "$TMP/pool.jsonl")" \
	"True True" "few-shot-3: three solved pairs of the pool in each prompt, with their gold"

# make run: the run directory of a prioritization run (PUMA's pairing).
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 "BINDIR=$BIN" \
	"RUNS=$TMP/runs" run SCENARIO=prioritization_jira STRATEGY=zero-shot BACKEND=openai "URL=$LURL" \
	MODEL=tiny N=3 NUM_PREDICT=4 CONSTRAIN=1 LOGPROBS=1 TOP_LOGPROBS=3 "DATASET=$TMP/issues.jsonl" \
	NAME=prio >"$TMP/run.out" 2>"$TMP/run.err"
is "$?" 0 "make run SCENARIO=prioritization_jira against llama-server"
run=$(ls -d "$TMP"/runs/prio__* | head -n 1)
puma-sample -n 6 --stratify gold <"$TMP/issues.jsonl" | puma-pair -n 3 >"$TMP/want"
same_file "$run/instances.jsonl" "$TMP/want" "the run's instances: PUMA's pairs of a stratified sample of 2N"
is "$("$PYTHON" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["scenario"], d["n"], d["ranking"]["n"] == d["n_parsed"])' "$run/metrics.json")" \
	"prioritization_jira 3 True" "metrics.json has accuracy and the ranking metrics"

done_testing
