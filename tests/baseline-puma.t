#!/usr/bin/env bash
# The canonical triage baseline with PUMA's templates, end to end: make
# baseline-triage against the real llama-server (tiny model, named
# qwen2.5:3b) behind Ollama's API (tests/helpers/ollama-proxy.py, which
# logs every body it receives).  For CRIT-001 the prompt sent is exactly
# what python3-jinja2 renders from PUMA's template with PUMA's settings and
# what golden/rendered_prompts.jsonl holds, in a body shaped as PUMA's
# client shapes it; the run records the template set, file and origin.
. "$(dirname "$0")/lib.sh"
need_python jinja2
PP=$SHARED/puma-prompts
[ -d "$PP/golden" ] || skip_all "PUMA's templates not found at $PP (set PUMA_SHARED_DATA)"
FIX="$ROOT/tests/fixtures/llama"
unset OLLAMA_HOST OPENAI_API_KEY PUMA_PROMPTS_DIR
start_llama -a tiny
GGUF=$("$FIX/tiny-model.sh" 2>/dev/null)
start_ollama_proxy --model qwen2.5:3b --gguf "$GGUF" --log "$TMP/bodies"
URL=$OURL

# Three issues (N=200 takes them all, in file order), to keep it short.
mkdir -p "$TMP/data"
puma-prep "$SHARED/jira_balanced_200.csv" 2>/dev/null | head -n 3 >"$TMP/data/triage_jira.jsonl"
project_make "RUNS=$TMP/runs" "DATA=$TMP/data" "PROMPTS_DIR=$PP" "URL=$URL" baseline-triage >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "make baseline-triage against llama-server behind Ollama's API"
run=$(ls -d "$TMP/runs"/baseline-triage__* | head -n 1)
is "$(find "$TMP/data/prompts/puma" -name '*.jinja' | wc -l)" 21 "the run fetched PUMA's templates first (from PROMPTS_DIR)"

# The prompt for CRIT-001, three ways: as sent, as jinja2 renders it, as
# the golden file has it.
"$PYTHON" - "$TMP/bodies" "$TMP/data/prompts/puma/triage_jira" "$PP/golden/rendered_prompts.jsonl" \
	"$TMP/data/triage_jira.jsonl" >"$TMP/cmp" <<'PY'
import csv, json, sys
import jinja2
bodies = [json.loads(l, object_pairs_hook=lambda p: p) for l in open(sys.argv[1], "rb")]
sent = [b for b in bodies if "prompt" in dict(b)]
first = dict(sent[0])
env = jinja2.Environment(loader=jinja2.FileSystemLoader(sys.argv[2]), autoescape=jinja2.select_autoescape([]),
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
rec = json.loads(open(sys.argv[4]).readline())
row = {"issue_key": rec["id"], "title": rec["title"], "description": rec["description"], "priority": rec["gold"]}
ref = env.get_template("contextual_anchoring.jinja").render(instance=row, examples=[],
        labels=["Critical", "Major", "Minor", "Trivial"], scenario="triage_jira")
gold = next(json.loads(l) for l in open(sys.argv[3]) if '"contextual_anchoring.jinja"' in l and '"triage_jira"' in l)
print(len(set(dict(b)["prompt"] for b in sent)), rec["id"], first["prompt"] == ref, first["prompt"] == gold["prompt"])
print([k for k, _ in sent[0]], [k for k, _ in first["options"]])
print(first["model"], first["stream"], dict(first["options"]), first["logprobs"], first["top_logprobs"])
unload = [dict(b) for b in bodies if "prompt" not in dict(b)]
print(unload)
PY
is "$(sed -n 1p "$TMP/cmp")" "3 CRIT-001 True True" "3 prompts (retries aside); CRIT-001's, the first sent, is exactly jinja2's, and the golden one"
is "$(sed -n 2p "$TMP/cmp")" "['model', 'prompt', 'stream', 'options', 'logprobs', 'top_logprobs'] ['temperature', 'seed', 'num_predict']" \
	"the body's keys in PUMA's order, nothing else"
is "$(sed -n 3p "$TMP/cmp")" "qwen2.5:3b False {'temperature': 0.0, 'seed': 42, 'num_predict': 256} True 5" \
	"PUMA's canonical settings: qwen2.5:3b, T 0.0, seed 42, 256 tokens (logprobs with the top 5)"
is "$(sed -n 4p "$TMP/cmp")" "[{'model': 'qwen2.5:3b', 'keep_alive': 0}]" "one unload before the run, fresh model state"

# What the run records.
"$PYTHON" - "$run" "$PP/golden/rendered_prompts.jsonl" >"$TMP/rec" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
t = m["prompt_template"]
gold = next(json.loads(l) for l in open(sys.argv[2]) if '"contextual_anchoring.jinja"' in l and '"triage_jira"' in l)
r = json.loads(open(os.path.join(d, "responses.jsonl")).readline())
print(m["prompts"], m["settings"]["prompts"], m["settings"]["strategy"], os.path.basename(t["path"]))
print(t["sha256"] == hashlib.sha256(open(t["path"], "rb").read()).hexdigest() == m["settings"]["template_sha256"] == t["origin"]["sha256"])
print(t["origin"]["commit"], t["origin"]["path"])
print(r["prompt_sha256"] == hashlib.sha256(gold["prompt"].encode()).hexdigest())
s = m["inference"]
print(s["prompts"], s["templates"][0]["origin"], s["templates"][0]["sha256"] == t["sha256"], s["timeout_s"])
PY
is "$(sed -n 1p "$TMP/rec")" "puma puma contextual-anchoring contextual_anchoring.jinja" "the manifest and the run id's settings say prompts=puma"
is "$(sed -n 2p "$TMP/rec")" True "the template's sha256: the file's, the settings', the pinned one"
is "$(sed -n 3p "$TMP/rec")" "5d57761c8a6164310590a45829fce724ab9df481 specs/prompts/triage_jira/contextual_anchoring.jinja" \
	"the template's origin: PUMA's repository, commit and path"
is "$(sed -n 4p "$TMP/rec")" True "the record's prompt_sha256 is the golden prompt's"
is "$(sed -n 5p "$TMP/rec")" "puma pumacp/puma@5d57761c8a6164310590a45829fce724ab9df481:specs/prompts/triage_jira/contextual_anchoring.jinja True 120.0" \
	"the inference summary: set, origin, sha256, the catalog's timeout for qwen2.5:3b"

# PROMPTS=own: the project's templates, another run id.
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 "BINDIR=$BIN" \
	"RUNS=$TMP/runs" "DATA=$TMP/data" "URL=$URL" PROMPTS=own baseline-triage >/dev/null 2>"$TMP/err"
is "$?" 0 "make baseline-triage PROMPTS=own"
own=$(ls -d "$TMP/runs"/baseline-triage__* | grep -v "$run")
ok $([ "$(basename "${own%__*}")" != "$(basename "${run%__*}")" ]; echo $?) "PROMPTS=own: another settings hash"
is "$("$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["prompts"], m["prompt_template"]["path"], m["prompt_template"]["origin"])' "$own/manifest.json")" \
	"own config/prompts/triage_jira/contextual-anchoring.txt this project (config/prompts)" "PROMPTS=own: the project's template recorded"
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 "BINDIR=$BIN" \
	"RUNS=$TMP/runs" cross-arch "A=$run" "B=$own" >/dev/null 2>"$TMP/err"
st=$?
grep -q "^cross-arch: .* sent different prompt templates (sha256 [0-9a-f]\{64\} and [0-9a-f]\{64\}; .*not comparable" "$TMP/err"
ok $(( st != 0 ? $? : 1 )) "cross-arch refuses two runs that sent different templates"
done_testing
