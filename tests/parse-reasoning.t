#!/usr/bin/env bash
# puma-parse's confidence for a model that reasons first: taken from the
# first ANSWER token, never a reasoning token, whether the reasoning is
# inline (<think>...</think> in the response) or returned apart
# ("thinking", puma-infer --think on); checked against PUMA's formula
# computed here in Python.
. "$(dirname "$0")/lib.sh"
need_python json
export PUMA_CONFIG_DIR="$ROOT/config"
"$PYTHON" - "$TMP" <<'PY'
import json, math, sys
d = sys.argv[1]
def e(tok, lp, tops):
    return {"token": tok, "logprob": lp, "top_logprobs": [{"token": t, "logprob": l} for t, l in tops]}
think = [e("<think>", -0.01, [("<think>", -0.01), ("Minor", -5.0)]),
         e("Minor", -0.2, [("Minor", -0.2), ("Major", -1.8)]),
         e(" maybe", -0.3, [(" maybe", -0.3)]),
         e("</think>", -0.05, [("</think>", -0.05)]),
         e("\n\n", -0.1, [("\n\n", -0.1)])]
answer = [e("Major", -0.4, [("Major", -0.4), ("Minor", -1.2), ("Critical", -2.5)]), e(".", -0.9, [(".", -0.9)])]
recs = [
    # inline reasoning: the tokens spell "<think>Minor maybe</think>\n\nMajor."
    {"id": "R-1", "scenario": "triage_jira", "gold": "Major", "response": "<think>Minor maybe</think>\n\nMajor.",
     "logprobs": think + answer},
    # reasoning apart, its tokens first
    {"id": "R-2", "scenario": "triage_jira", "gold": "Major", "response": "Major.", "thinking": "Minor maybe",
     "logprobs": think[1:3] + answer},
    # reasoning apart, only the answer's tokens
    {"id": "R-3", "scenario": "triage_jira", "gold": "Major", "response": "Major.", "thinking": "Minor maybe",
     "logprobs": answer},
    # no reasoning: the first token, as PUMA takes it
    {"id": "R-4", "scenario": "triage_jira", "gold": "Major", "response": "Major.", "logprobs": answer},
    # reasoning that never ends: no answer token, no confidence
    {"id": "R-5", "scenario": "triage_jira", "gold": "Major", "response": "<think>Major or Minor",
     "logprobs": think[:3]},
    # a reasoning token only a tree decodes (a surrogate pair escaped)
    {"id": "R-6", "scenario": "triage_jira", "gold": "Major", "response": "<think>\U0001F914 maybe</think>\n\nMajor.",
     "logprobs": [think[0], e("\U0001F914", -0.2, [])] + think[2:] + answer},
]
with open(d + "/in.jsonl", "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
    # a repeated "token" key: the last counts, as Python reads it
    dup = json.dumps(recs[0]).replace('{"token": "</think>"', '{"token": "x", "token": "</think>"')
    assert dup != json.dumps(recs[0])
    f.write(dup + "\n")
# an entry whose token is no string: a bad record
with open(d + "/bad.jsonl", "w") as f:
    f.write(json.dumps(recs[0]).replace('{"token": "</think>"', '{"token": 7') + "\n")
PY
want=$("$PYTHON" - <<'PY'
import json, math
# PUMA (calibration.py): softmax over the first answer token and its
# alternatives, every entry in the denominator; the probabilities kept by
# token (a repeated token once); a label's score sums its spellings;
# renormalised over the labels.
c = [("Major", -0.4), ("Major", -0.4), ("Minor", -1.2), ("Critical", -2.5)]
m = max(l for _, l in c)
z = sum(math.exp(l - m) for _, l in c)
by_token = {t: math.exp(l - m) / z for t, l in c}
p = {lab: sum(by_token.get(s, 0.0) for s in (lab, lab.lower(), lab.upper(), lab[0], lab[0].lower()))
     for lab in ("Critical", "Major", "Minor", "Trivial")}
print(repr(p["Major"] / sum(p.values())))
PY
)
puma-parse <"$TMP/in.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "puma-parse reads the records"
got=$("$PYTHON" -c 'import json,sys; print([(json.loads(l)["pred"], json.loads(l)["confidence"]) for l in open(sys.argv[1])])' "$TMP/out")
w=$(printf '%s' "$want")
is "$got" "[('Major', $w), ('Major', $w), ('Major', $w), ('Major', $w), (None, None), ('Major', $w), ('Major', $w)]" \
	"the first answer token's confidence (inline, apart, apart without its tokens, none; a token with a surrogate pair; a repeated key); none for unfinished reasoning"
puma-parse <"$TMP/bad.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-parse: <stdin>:1: \"logprobs\" does not start with {\"token\": string, \"logprob\": number, \"top_logprobs\": [...]}" \
	"a reasoning entry whose token is no string is a bad record"
done_testing
