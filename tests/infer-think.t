#!/usr/bin/env bash
# --think and the reasoning a server returns apart: sent only when asked,
# recorded as "thinking" after "response" (also from the cache), and the
# confidence taken from the first answer token, not a reasoning one
# (tests/helpers/fake-llm.py reasons when asked, its reasoning's tokens
# first in the logprobs).  Also --no-truncate against an older Ollama.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
start_fake A --model m
start_fake B --model m --openai-owner fake
start_fake C --model m --version 0.12.5
U="http://127.0.0.1:$PORT_A"
"$PYTHON" -c 'import json
for i, t in enumerate(["Login crashes", "Typo in footer", "Slow report"]):
    print(json.dumps({"id": "T-%d" % i, "scenario": "triage_jira", "title": t, "description": "d", "gold": "Major"}))' >"$TMP/in.jsonl"

puma-infer -u "$U" -m m --no-cache -q --logprobs <"$TMP/in.jsonl" >"$TMP/plain" 2>"$TMP/err"
is "$?:$(pyq "$TMP/plain" '[("thinking" in x, "think" in x["options"]) for x in r]')" \
	"0:[(False, False), (False, False), (False, False)]" "without --think: nothing sent, no thinking recorded"
puma-infer -u "$U" -m m --cache "$TMP/cache" -q --logprobs --think on <"$TMP/in.jsonl" >"$TMP/think" 2>"$TMP/err"
is "$?:$(pyq "$TMP/think" '[(list(x)[list(x).index("response") + 1], x["thinking"].startswith("Is it "), x["options"]["think"]) for x in r]')" \
	"0:[('thinking', True, True), ('thinking', True, True), ('thinking', True, True)]" \
	"--think on: think true sent; the reasoning recorded as thinking, right after response"
is "$(pyq "$TMP/think" '[x["response"] for x in r]')" "$(pyq "$TMP/plain" '[x["response"] for x in r]')" \
	"the answer itself is the same"
puma-infer -u "$U" -m m --cache "$TMP/cache" -q --logprobs --think on <"$TMP/in.jsonl" >"$TMP/think2" 2>/dev/null
is "$(pyq "$TMP/think2" '[(x["cached"], x["thinking"]) for x in r]')" "$(pyq "$TMP/think" '[(True, x["thinking"]) for x in r]')" \
	"a cached answer keeps its thinking"
puma-parse <"$TMP/think" >"$TMP/pt" 2>"$TMP/err" && puma-parse <"$TMP/plain" >"$TMP/pp" 2>>"$TMP/err"
is "$(pyq "$TMP/pt" '[(x["pred"], x["confidence"]) for x in r]')" "$(pyq "$TMP/pp" '[(x["pred"], x["confidence"]) for x in r]')" \
	"the confidence is the first answer token's, as without reasoning"
is "$(pyq "$TMP/think" 'len(r[0]["logprobs"]) - len(r[0]["response"].split(" "))')" 5 \
	"(the reasoning's 5 tokens came first in the logprobs)"
puma-infer -b openai -u "http://127.0.0.1:$PORT_B" -m m --no-cache -q --think on <"$TMP/in.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$(pyq "$TMP/o" 'r[0]["thinking"].startswith("Is it "), r[0]["options"]["think"]')" "0:(True, True)" \
	"openai: reasoning_content recorded as thinking"
puma-infer -u "$U" -m m --no-cache -q --think off <"$TMP/in.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$(pyq "$TMP/o" '[("thinking" in x, x["options"]["think"]) for x in r][0]')" "0:(False, False)" "--think off: think false sent"
puma-infer -u "$U" -m m --think maybe <"$TMP/in.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: --think: 'maybe' is neither on nor off" "--think takes on or off"

# --no-truncate: sent; an Ollama older than 0.12.6 is warned about.
puma-infer -u "$U" -m m --no-cache -q --no-truncate <"$TMP/in.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$(pyq "$TMP/o" 'r[0]["options"]["truncate"]'):$(cat "$TMP/err")" "0:False:" "--no-truncate: truncate false sent and recorded"
puma-infer -u "http://127.0.0.1:$PORT_C" -m m --no-cache -q --no-truncate <"$TMP/in.jsonl" >/dev/null 2>"$TMP/err"
grep -q "^puma-infer: Ollama 0.12.5 ignores truncate:false (it came in 0.12.6)" "$TMP/err"
ok $? "--no-truncate on Ollama 0.12.5: warned that it is ignored there"
done_testing
