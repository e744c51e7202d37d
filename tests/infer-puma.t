#!/usr/bin/env bash
# puma-infer with PUMA's own templates (--prompts puma, -t FILE.jinja): the
# variables built as PUMA's runner builds them (each of the 21 templates
# renders the prompt jinja2 gave, golden/rendered_prompts.jsonl), the
# strategy map, --dry-run, and the Ollama request body checked field by
# field, in order, against what PUMA's client sends (docs/PROMPTS.md).
. "$(dirname "$0")/lib.sh"
need_python json
PP=$SHARED/puma-prompts
[ -d "$PP/golden" ] || skip_all "PUMA's templates not found at $PP (set PUMA_SHARED_DATA)"
export PUMA_CONFIG_DIR="$ROOT/config"
unset OLLAMA_HOST OPENAI_API_KEY PUMA_PROMPTS_DIR

# Our records for the golden instances: CRIT-001 as puma-prep makes it, the
# made-up story, and the (CRIT-001, CRIT-002) pair as puma-pair makes it.
puma-prep "$SHARED/jira_balanced_200.csv" 2>/dev/null | head -n 2 >"$TMP/jira2.jsonl"
head -n 1 "$TMP/jira2.jsonl" >"$TMP/crit1.jsonl"
"$PYTHON" - "$PP/golden/rendered_prompts.jsonl" "$TMP" <<'PY'
import json, sys
g = [json.loads(l) for l in open(sys.argv[1])]
est = next(x for x in g if x["scenario"] == "estimation_tawos")["instance"]
with open(sys.argv[2] + "/est.jsonl", "w") as f:
    f.write(json.dumps({"id": "EST-1", "scenario": "estimation_tawos", "title": est["title"],
                        "description": est["description"], "gold": int(est["story_points"])}) + "\n")
PY
puma-pair -n 1 <"$TMP/jira2.jsonl" >"$TMP/pair.jsonl"

# Every template, every strategy PUMA maps to it: the prompt is jinja2's.
"$PYTHON" - "$PP/golden/rendered_prompts.jsonl" >"$TMP/cases" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    x = json.loads(l)
    for s in x["strategies"]:
        print(x["scenario"], s, x["template"], x["prompt_hash"])
PY
bad=0
n=0
while read -r scen strat tmpl hash; do
	n=$((n + 1))
	case $scen in
	triage_jira) in=$TMP/crit1.jsonl; extra=() ;;
	estimation_tawos) in=$TMP/est.jsonl; extra=() ;;
	prioritization_jira) in=$TMP/pair.jsonl; extra=() ;;
	esac
	# PUMA's RunSpec takes self-consistency only above temperature 0.
	[ "$strat" = self-consistency ] && extra+=(--temperature 0.7)
	puma-infer --dry-run --prompts puma --prompts-dir "$PP" -m qwen2.5:3b -s "$scen" -S "$strat" "${extra[@]}" \
		<"$in" >"$TMP/o" 2>"$TMP/err" || { bad=$((bad + 1)); echo "# $scen $strat: exit $?: $(cat "$TMP/err")"; continue; }
	got=$("$PYTHON" -c 'import hashlib,json,sys; r=json.loads(open(sys.argv[1]).readline()); print(hashlib.sha256(r["prompt"].encode()).hexdigest()[:16], r["prompt_sha256"] == hashlib.sha256(r["prompt"].encode()).hexdigest())' "$TMP/o")
	if [ "$got" != "$hash True" ]; then
		bad=$((bad + 1))
		echo "# $scen $strat ($tmpl): prompt hash $got, jinja2's $hash"
	fi
done <"$TMP/cases"
is "$bad" 0 "--prompts puma: $n strategies x 3 scenarios render exactly jinja2's prompts"

# Self-consistency as PUMA has it: one request of zero_shot, refused at T=0.
puma-infer --dry-run --prompts puma --prompts-dir "$PP" -S self-consistency -m m -s triage_jira <"$TMP/crit1.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(grep -c "self-consistency at temperature 0" "$TMP/err")" "2:1" "--prompts puma: self-consistency at T=0 refused, as PUMA's RunSpec does"

# -t FILE.jinja renders the same as --prompts puma.
puma-infer --dry-run -t "$PP/triage_jira/rcoif.jinja" -m qwen2.5:3b -s triage_jira <"$TMP/crit1.jsonl" >"$TMP/t1" 2>&1
puma-infer --dry-run --prompts puma --prompts-dir "$PP" -S rcoif -m qwen2.5:3b -s triage_jira <"$TMP/crit1.jsonl" >"$TMP/t2" 2>&1
is "$("$PYTHON" -c 'import json,sys; a,b=[json.loads(open(f).readline()) for f in sys.argv[1:]]; print(a["prompt"]==b["prompt"], a["strategy"], b["strategy"])' "$TMP/t1" "$TMP/t2")" \
	"True rcoif rcoif" "-t FILE.jinja renders as --prompts puma does; the strategy is the file's name"

# PUMA's variables: the row dict with PUMA's names and Python types.
printf '{{ instance.issue_key }}|{{ instance.priority }}|{{ instance.description }}|{{ labels|join("/") }}|{{ scenario }}\n' >"$TMP/vars.jinja"
printf '{"id":"X-1","scenario":"triage_jira","title":"t","description":"","gold":"Major"}\n{"id":"X-2","scenario":"triage_jira","title":"t","description":"NA","gold":"Minor"}\n{"id":"X-3","scenario":"triage_jira","title":"t","description":"None at all","gold":"Minor"}\n' >"$TMP/v.jsonl"
puma-infer --dry-run -t "$TMP/vars.jinja" -m m <"$TMP/v.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$("$PYTHON" -c 'import json,sys; print([json.loads(l)["prompt"] for l in open(sys.argv[1])])' "$TMP/o")" \
	"0:['X-1|Major|nan|Critical/Major/Minor/Trivial|triage_jira', 'X-2|Minor|nan|Critical/Major/Minor/Trivial|triage_jira', 'X-3|Minor|None at all|Critical/Major/Minor/Trivial|triage_jira']" \
	"triage: issue_key, priority; an empty or NA cell is NaN (nan), as pandas reads it; labels; scenario"
printf '{{ instance.story_points }} {{ instance.story_id }} {{ instance.project_key }} {{ labels|join("/") }}.\n' >"$TMP/est.jinja"
printf '{"id":"XD-7","scenario":"estimation_tawos","project":"XD","title":"t","description":"d","gold":5}\n{"id":"M-1","scenario":"estimation_tawos","title":"t","description":"d","gold":2.5}\n' |
	puma-infer --dry-run -t "$TMP/est.jinja" -m m >"$TMP/o" 2>"$TMP/err"
is "$?:$("$PYTHON" -c 'import json,sys; print([json.loads(l)["prompt"] for l in open(sys.argv[1])])' "$TMP/o")" \
	"0:['5.0 XD-7 XD .', '2.5 M-1 nan .']" "estimation: story_points a float (5.0), story_id, project_key; no labels"

# --max-chars cuts the instance's description (by characters), and says so.
puma-infer --dry-run --prompts puma --prompts-dir "$PP" -S zero-shot -m m -s triage_jira --max-chars 15 \
	<"$TMP/crit1.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$("$PYTHON" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(r["prompt"].endswith("Description: The production "), r["truncated"])' "$TMP/o")" \
	"0:True True" "--max-chars 15: the description cut to 15 characters, the record marked"

# PUMA's runner passes no examples: few-shot-3 needs none and gets none;
# given some, the strategy keeps as many as its name says.
puma-prep "$SHARED/jira_balanced_200.csv" 2>/dev/null | sed -n '1p;60p;110p;160p;3p' >"$TMP/pool.jsonl"
puma-infer --dry-run --prompts puma --prompts-dir "$PP" -S few-shot-3 -m m -s triage_jira --examples "$TMP/pool.jsonl" \
	<"$TMP/crit1.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$("$PYTHON" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(len(r["examples"]), "CRIT-001" in r["examples"], r["prompt"].count("Example "), all("Title: " + x["title"] in r["prompt"] for x in map(json.loads, open(sys.argv[2])) if x["id"] in r["examples"]))' "$TMP/o" "$TMP/pool.jsonl")" \
	"0:3 False 3 True" "with --examples, few-shot-3 keeps 3, written into the prompt (never the instance itself)"
puma-infer --dry-run --prompts puma --prompts-dir "$PP" -S one-shot -m m -s triage_jira --examples "$TMP/pool.jsonl" \
	<"$TMP/crit1.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$("$PYTHON" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(len(r["examples"]), r["prompt"].count("Example "))' "$TMP/o")" \
	"1 1" "one-shot keeps 1"

# Errors: a template that is not PUMA's, a missing one, a strategy PUMA lacks.
mkdir -p "$TMP/pp/triage_jira"
cp "$PP/triage_jira/"*.jinja "$TMP/pp/triage_jira/"
chmod u+w "$TMP/pp/triage_jira/"*
printf 'x\n' >>"$TMP/pp/triage_jira/egi.jinja"
puma-infer --dry-run --prompts puma --prompts-dir "$TMP/pp" -S egi -m m -s triage_jira <"$TMP/crit1.jsonl" >/dev/null 2>"$TMP/err"
st=$?
grep -q "^puma-infer: $TMP/pp/triage_jira/egi.jinja: sha256 [0-9a-f]*, expected 4ad92ffddfaa9c50a3541b7949b034c742283527189d493df56f7278303df971: not PUMA's template (commit ac88579); fetch it again with 'make prompts'" "$TMP/err"
ok $(( st == 2 ? $? : 1 )) "an edited template is refused (usage error, before any request)"
puma-infer --dry-run --prompts puma --prompts-dir "$TMP/none" -S egi -m m -s triage_jira <"$TMP/crit1.jsonl" >/dev/null 2>"$TMP/err"
grep -q "^puma-infer: PUMA's template $TMP/none/triage_jira/egi.jinja: No such file or directory; fetch PUMA's templates with 'make prompts'" "$TMP/err"
ok $? "a missing template says how to fetch them"
puma-infer --dry-run --prompts puma -S few-shot -m m -s triage_jira <"$TMP/crit1.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(grep -c "^puma-infer: --prompts puma: PUMA has no strategy 'few-shot'" "$TMP/err")" "2:1" "a strategy PUMA does not have"
printf '{{ instance.title | upper }}\n' >"$TMP/bad.jinja"
puma-infer --dry-run -t "$TMP/bad.jinja" -m m -s triage_jira <"$TMP/crit1.jsonl" >/dev/null 2>"$TMP/err"
st=$?
grep -q "bad.jinja:1:" "$TMP/err"
ok $(( st != 0 ? $? : 1 )) "a construct outside the subset is an error naming file:line:col"

# ---- The request, as PUMA's client sends it (PUMA-FIDELITY section 3) ----
body() {
	puma-infer --dry-run --prompts puma --prompts-dir "$PP" -S contextual-anchoring -m qwen2.5:3b -s triage_jira "$@" \
		<"$TMP/crit1.jsonl" >"$TMP/b" 2>"$TMP/err"
}
# Field by field, in order, with Python's types: PUMA's client builds
# {"model", "prompt", "stream": False, "options": {"temperature", "seed",
# "num_predict"}} then adds "logprobs": True, "top_logprobs": k when on.
check='import json, sys
g = {x["template"]: x for x in map(json.loads, open(sys.argv[2])) if x["scenario"] == "triage_jira"}
r = json.loads(open(sys.argv[1]).readline(), object_pairs_hook=lambda p: p)
rec = dict(r)
req = dict(rec["request"])
body = req["body"]
def typed(v):
    if isinstance(v, list):
        return [(k, typed(x)) for k, x in v]
    return (type(v).__name__, v)
want = [("model", "qwen2.5:3b"), ("prompt", g["contextual_anchoring.jinja"]["prompt"]), ("stream", False),
        ("options", [("temperature", 0.0), ("seed", 42), ("num_predict", 256)])]
want += eval(sys.argv[3])
print(req["url"], typed(body) == typed(want) or (typed(body), typed(want)))'
body
is "$?:$("$PYTHON" -c "$check" "$TMP/b" "$PP/golden/rendered_prompts.jsonl" '[]')" \
	"0:http://127.0.0.1:11434/api/generate True" "the body: model, prompt, stream false, options {temperature 0.0, seed 42, num_predict 256}; nothing else"
body --logprobs --top-logprobs 0
is "$("$PYTHON" -c "$check" "$TMP/b" "$PP/golden/rendered_prompts.jsonl" '[("logprobs", True), ("top_logprobs", 0)]')" \
	"http://127.0.0.1:11434/api/generate True" "with logprobs: logprobs true and top_logprobs k, even 0, last"
body --think off --no-truncate
is "$("$PYTHON" -c "$check" "$TMP/b" "$PP/golden/rendered_prompts.jsonl" '[("think", False), ("truncate", False)]')" \
	"http://127.0.0.1:11434/api/generate True" "beyond PUMA, only when asked: think false, truncate false"
body --think on
is "$("$PYTHON" -c "$check" "$TMP/b" "$PP/golden/rendered_prompts.jsonl" '[("think", True)]')" \
	"http://127.0.0.1:11434/api/generate True" "--think on: think true"
is "$("$PYTHON" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(r["options"])' "$TMP/b")" \
	"{'temperature': 0.0, 'seed': 42, 'num_predict': 256, 'think': True}" "the record's options say think"
puma-infer --dry-run -b openai --prompts puma --prompts-dir "$PP" -S rcoif -m m -s triage_jira --think off \
	<"$TMP/crit1.jsonl" >"$TMP/b" 2>&1
is "$("$PYTHON" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); b=r["request"]["body"]; print(r["request"]["url"], b["messages"][0]["content"] == r["prompt"], b["chat_template_kwargs"])' "$TMP/b")" \
	"http://127.0.0.1:8080/v1/chat/completions True {'enable_thinking': False}" "openai: the prompt as the user message; --think as the chat template's switch"
done_testing
