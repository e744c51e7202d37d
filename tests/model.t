#!/usr/bin/env bash
# The shipped model (models/, docs/MODEL.md) behind a real llama-server: its
# digest, its chat template, and its quality on held-out triage issues run
# through puma-sample, puma-infer, puma-parse and puma-metrics, as the demo
# runs them. Needs the public Jira file (skips without it) and the
# llama-server fixture (skips without it unless PUMA_REQUIRE_LLAMA=1).
. "$(dirname "$0")/lib.sh"
need_python json
need_shared
FIX="$ROOT/tests/fixtures/llama"
GGUF="$ROOT/models/puma-llama-13m.Q4_K_M.gguf"
HELD="$ROOT/models/puma-llama-13m.heldout-ids.txt"

(cd "$ROOT/models" && sha256sum -c --quiet SHA256SUMS) >"$TMP/sum" 2>&1
ok $? "models/SHA256SUMS matches the shipped file"
size=$(wc -c <"$GGUF")
[ "$size" -le 12582912 ]
ok $? "the shipped file is at most 12 MB ($size bytes)"

start_llama -m "$GGUF" -a puma-llama-13m -c 2048
URL=$LURL

# The server reads the architecture, the context and the chat template from the file.
curl -s "$URL/props" >"$TMP/props.json"
curl -s "$URL/apply-template" -d '{"messages":[{"role":"user","content":"Q"}]}' >"$TMP/tmpl.json"
"$PYTHON" - "$TMP/props.json" "$TMP/tmpl.json" <<'EOF'
import json, sys
props, tmpl = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert props["default_generation_settings"]["n_ctx"] == 2048, props["default_generation_settings"]["n_ctx"]
assert "<|im_start|>" in props["chat_template"], props["chat_template"]
assert tmpl["prompt"] == "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n", tmpl
EOF
ok $? "llama-server serves a 2048-token context and the ChatML-like template"

# Held-out issues only: the ids the model never saw.
"$BIN/puma-prep" "$SHARED/jira_balanced_200.csv" >"$TMP/all.jsonl" 2>"$TMP/prep.err"
sed 's/.*/{"id":"&",/' "$HELD" >"$TMP/ids"
grep -F -f "$TMP/ids" "$TMP/all.jsonl" >"$TMP/held.jsonl"
is "$(wc -l <"$TMP/held.jsonl" | tr -d ' ')" 52 "52 of the 200 Jira issues are held out"
"$BIN/puma-sample" -n 24 --seed 42 --stratify gold "$TMP/held.jsonl" >"$TMP/in.jsonl"
"$BIN/puma-infer" -m puma-llama-13m -b openai -u "$URL" -s triage_jira -S zero-shot --no-cache -q \
	--logprobs --top-logprobs 5 <"$TMP/in.jsonl" >"$TMP/resp.jsonl"
is "$?" 0 "puma-infer answers 24 held-out issues"
"$BIN/puma-parse" -s triage_jira <"$TMP/resp.jsonl" >"$TMP/pred.jsonl" &&
	"$BIN/puma-metrics" <"$TMP/pred.jsonl" >"$TMP/m.json"
is "$?" 0 "puma-parse and puma-metrics score them"
"$PYTHON" - "$TMP/m.json" "$TMP/resp.jsonl" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["parse_failure_rate"] == 0, m
# One label and end of sequence: a trained answer, not a random model's babble.
for r in map(json.loads, open(sys.argv[2])):
    assert r["response"] in ("Critical", "Major", "Minor", "Trivial"), r["response"]
    assert r["done_reason"] == "stop", r["done_reason"]
# Four balanced classes: chance is a macro F1 of 0.25.
assert m["f1_macro"] > 0.25, m["f1_macro"]
print("# held-out macro F1 on 24 issues: %.4f" % m["f1_macro"])
EOF
ok $? "every answer is one label then a stop, and the macro F1 is above chance (0.25)"
done_testing
