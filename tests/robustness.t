#!/usr/bin/env bash
# make robustness and make fairness (pipelines/robustness.mk) end to end on
# a small sample against the real llama-server with the tiny model: the run
# directory, the perturbed instances, metrics.json from puma-metrics --by,
# the manifest, resuming, and the report's robustness and fairness sections.
. "$(dirname "$0")/lib.sh"
need_python json
FIX="$ROOT/tests/fixtures/llama"
RUNS="$TMP/runs"
pmake() { project_make "RUNS=$RUNS" "$@"; }
# jl FILE EXPR: EXPR over the JSON objects r of a file of several.
jl() {
	"$PYTHON" -c 'import json,sys
t=open(sys.argv[1]).read(); r=[]; i=0
while i < len(t):
    if t[i].isspace(): i += 1; continue
    o, i = json.JSONDecoder().raw_decode(t, i); r.append(o)
print(eval(sys.argv[2]))' "$1" "$2"
}

"$PYTHON" - "$TMP/tri.jsonl" <<'PY'
import json, sys
labels = ["Critical", "Major", "Minor", "Trivial"]
words = ["login", "crash", "typo", "footer", "database", "timeout", "colour", "report"]
with open(sys.argv[1], "w") as f:
    for i in range(12):
        f.write(json.dumps({"id": "R-%d" % i, "scenario": "triage_jira",
                            "title": "The %s %s fails %d" % (words[i % 8], words[(i * 3) % 8], i),
                            "description": "The application database is failing when the %s is used." % words[i % 7],
                            "gold": labels[i % 4], "row": i + 1}) + "\n")
PY

start_llama -a tiny
port=$LPORT
S=(BACKEND=openai "URL=http://127.0.0.1:$port" MODEL=tiny N=3 SEED=42 NUM_PREDICT=6 CONSTRAIN=1
	LOGPROBS=1 TOP_LOGPROBS=3 "DATASET=$TMP/tri.jsonl")

pmake robustness "${S[@]}" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "make robustness against llama-server"
d=$(ls -d "$RUNS"/robustness-triage_jira-zero-shot__* 2>/dev/null)
[[ $(basename "$d") =~ ^robustness-triage_jira-zero-shot__[0-9a-f]{16}__[0-9]{8}T[0-9]{6}$ ]]
ok $? "one run directory, named robustness-SCENARIO-STRATEGY: $(basename "$d")"
is "$(tail -n 1 "$d/settings.txt")" "perturbations=all" "the perturbations are a setting of the run"
is "$(json "$d/manifest.json" 'd["complete"], d["settings"]["perturbations"], sorted(d["files"])')" \
	"(True, 'all', ['ece.json', 'host.json', 'instances.jsonl', 'metrics.json', 'predictions.jsonl', 'reliability.svg', 'responses.jsonl', 'settings.txt', 'summary.json'])" \
	"the manifest: complete, with every file"
"$BIN/puma-sample" -n 3 --seed 42 --stratify gold <"$TMP/tri.jsonl" |
	"$BIN/puma-perturb" --perturbations all --with-original --seed 42 >"$TMP/inst"
same_file "$d/instances.jsonl" "$TMP/inst" "instances: the sample, perturbed by puma-perturb --perturbations all --with-original"
is "$(wc -l <"$d/predictions.jsonl")" 27 "3 instances x (the original and 8 perturbations): 27 predictions"
PUMA_CONFIG_DIR="$ROOT/config" "$BIN/puma-metrics" --pretty -s triage_jira --by perturbation \
	<"$d/predictions.jsonl" >"$TMP/m.json" 2>/dev/null
same_file "$d/metrics.json" "$TMP/m.json" "metrics.json is puma-metrics --by perturbation"
is "$(jl "$d/metrics.json" '[o["group"]["perturbation"] for o in r if "group" in o]')" \
	"['original', 'typos_5pct', 'case_upper', 'case_lower', 'truncate_50pct', 'tech_noise', 'gender_swap_prefix_male', 'gender_swap_prefix_female', 'register_shift_informal']" \
	"one object per perturbation, the original first"
is "$(jl "$d/metrics.json" 'all(o["vs_original"]["n_pairs"] == 3 for o in r if "vs_original" in o), r[-1]["fairness"]["n_pairs"]')" \
	"(True, 3)" "every perturbation paired with its 3 originals; the gender pair's fairness over 3 pairs"
is "$(json "$d/ece.json" 'd["n"]')" 3 "ece.json covers the original records only"
grep -q '^perturbation  *n  *f1_macro  *robustness' "$TMP/out" && grep -q '^fairness: gender_swap_prefix_male vs _female, 3 pairs' "$TMP/out"
ok $? "make robustness ends with the robustness table and the fairness lines"

# Interrupted after inference: the same target resumes the run, every
# answer from its cache, to the same metrics.
cp "$d/metrics.json" "$TMP/m1.json"
rm -f "$d/manifest.json" "$d/metrics.json" "$d/ece.json" "$d/predictions.jsonl" "$d/responses.jsonl"
pmake robustness "${S[@]}" >/dev/null 2>"$TMP/err2"
is "$?:$(ls -d "$RUNS"/robustness-* | wc -l)" "0:1" "make robustness again resumes the unfinished run"
grep -q "run: resuming $d" "$TMP/err2"
ok $? "it says so"
same_file "$d/metrics.json" "$TMP/m1.json" "the answers from the run's cache give the same metrics"
is "$(grep -c '"cached":true' "$d/responses.jsonl")" 27 "all 27 answers came from the cache"

pmake report "RUN=$d" >/dev/null 2>"$TMP/err"
is "$?" 0 "make report on a robustness run"
is "$(grep '^## ' "$d/report.md" | tr '\n' '|')" \
	"## Settings|## Host|## Metrics (original records)|## Calibration|## Robustness|## Fairness|" "report sections"
grep -q '^tech_noise  ' "$d/report.md" && grep -q '^accuracy  ' "$d/report.md"
ok $? "report: a row per perturbation and the fairness table"

pmake fairness "${S[@]}" >/dev/null 2>"$TMP/err"
is "$?" 0 "make fairness"
f=$(ls -d "$RUNS"/fairness-triage_jira-zero-shot__*)
is "$(tail -n 1 "$f/settings.txt"):$(wc -l <"$f/predictions.jsonl")" \
	"perturbations=gender_swap_prefix_male,gender_swap_prefix_female:9" "fairness: the original and the gender pair, 9 records"
is "$(jl "$f/metrics.json" '[o["group"]["perturbation"] for o in r if "group" in o], list(r[-1]["fairness"]["accuracy"]["per_group"]), r[-1]["fairness"]["n_pairs"]')" \
	"(['original', 'gender_swap_prefix_male', 'gender_swap_prefix_female'], ['gender_swap_prefix_female', 'gender_swap_prefix_male'], 3)" \
	"fairness: three groups, then the pair's fairness over 3 sources"

done_testing
