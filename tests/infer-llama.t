#!/usr/bin/env bash
# puma-infer against a real llama.cpp llama-server with the tiny random-weight
# Qwen2 model (tests/fixtures/llama/), directly over the OpenAI API and through
# an Ollama-protocol server (tests/helpers/ollama-proxy.py) in front of it.
# The fixture builds llama-server the first time (minutes) and caches it.
# Without the fixture (no build tools, no npm registry) the test is skipped,
# unless PUMA_REQUIRE_LLAMA=1 makes that a failure.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
FIX="$ROOT/tests/fixtures/llama"

if ! started=$("$FIX/start-server.sh" -a tiny 2>"$TMP/start.err"); then
	why=$(tail -n 1 "$TMP/start.err")
	if [ "${PUMA_REQUIRE_LLAMA:-0}" = 1 ]; then
		echo "not ok 1 - llama-server fixture: $why"
		echo "1..1"
		exit 1
	fi
	skip_all "llama-server fixture unavailable: $why"
fi
read -r LPORT LPID <<<"$started"
proxy=""
trap '[ -n "$proxy" ] && kill "$proxy" 2>/dev/null && wait "$proxy" 2>/dev/null; "$FIX/stop-server.sh" "$LPID" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
LURL="http://127.0.0.1:$LPORT"
GGUF=$("$FIX/tiny-model.sh" 2>/dev/null)

"$PYTHON" - "$TMP/in.jsonl" <<'EOF'
import json, sys
items = [("Login crashes", "Every user sees a crash right after entering the password."),
         ("Typo in footer", "The footer says Copyrigth."),
         ("Report is slow", "The monthly report takes ten minutes to render."),
         ("Data loss on save", "Saving a draft twice deletes the first version."),
         ("Button misaligned", "The OK button is two pixels too low on the settings page."),
         ("Search ignores accents", "Searching for caf\u00e9 does not find cafe.")]
with open(sys.argv[1], "w") as f:
    for i, (t, d) in enumerate(items):
        f.write(json.dumps({"id": "L-%d" % i, "scenario": "triage_jira", "title": t,
                            "description": d, "gold": "Major"}) + "\n")
EOF

# ---- OpenAI API, answers restricted to the labels by a grammar ----
puma-infer -b openai -u "$LURL" -m tiny --no-cache --constrain --logprobs --top-logprobs 3 -n 8 \
	<"$TMP/in.jsonl" >"$TMP/c" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "openai, constrained: exit 0"
is "$(pyq "$TMP/c" 'all(x["response"] in ("Critical", "Major", "Minor", "Trivial") and x["done_reason"] == "stop" for x in r)')" True \
	"the grammar makes the real model answer with a label"
is "$(pyq "$TMP/c" 'all(len(x["logprobs"]) == x["tokens_out"] and all(len(e["top_logprobs"]) == 3 and isinstance(e["logprob"], float) for e in x["logprobs"]) for x in r)')" True \
	"one logprob entry per generated token, three alternatives each"
is "$(pyq "$TMP/c" '"".join(e["token"] for e in r[0]["logprobs"]) == r[0]["response"]')" True \
	"the tokens spell the response"
is "$(pyq "$TMP/c" 'r[0]["server_version"].startswith("b"), r[0]["quantization"], r[0]["options"]["cache_prompt"], r[0]["constrained"], r[0]["model_digest"]')" \
	"(True, 'Q8_0', False, True, None)" "llama-server recognised: build, quantisation, cache_prompt:false"
is "$(pyq "$TMP/c" 'sorted(r[0]["timings"])')" "['eval_ms', 'prompt_ms']" "llama-server's own timings"

# ---- Determinism: the same input twice, no cache ----
strip() { sed -E 's/"latency_ms":[0-9.e+-]+,//; s/"timings":\{[^}]*\},//' "$1"; }
puma-infer -b openai -u "$LURL" -m tiny --no-cache --logprobs -n 6 <"$TMP/in.jsonl" >"$TMP/u1" 2>/dev/null
puma-infer -b openai -u "$LURL" -m tiny --no-cache --logprobs -n 6 <"$TMP/in.jsonl" >"$TMP/u2" 2>/dev/null
same_file <(strip "$TMP/u2") <(strip "$TMP/u1") \
	"unconstrained, twice: byte-identical responses and logprobs (and errors, if any)"
is "$(pyq "$TMP/u1" 'sum(x["response"] is not None for x in r) >= 3')" True \
	"most unconstrained short answers succeed ($(pyq "$TMP/u1" 'sum(x["response"] is not None for x in r)') of 6)"

# -j 2 on a one-slot server: the server queues, order and answers stay.
puma-infer -b openai -u "$LURL" -m tiny --no-cache --logprobs -n 6 -j 2 <"$TMP/in.jsonl" >"$TMP/u3" 2>/dev/null
same_file <(strip "$TMP/u3") <(strip "$TMP/u1") "-j 2 against one slot: the same records in the same order"

# ---- Ollama's API, through the proxy, on the same server ----
"$PYTHON" "$ROOT/tests/helpers/ollama-proxy.py" --upstream "$LURL" --model tiny-qwen2:q8 --gguf "$GGUF" \
	>"$TMP/proxy.port" 2>"$TMP/proxy.err" &
proxy=$!
for _ in $(seq 200); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
OURL="http://127.0.0.1:$(cat "$TMP/proxy.port")"
puma-infer -u "$OURL" -m tiny-qwen2:q8 --no-cache --logprobs -n 6 <"$TMP/in.jsonl" >"$TMP/o1" 2>/dev/null
is "$(pyq "$TMP/o1" 'r[0]["backend"], r[0]["model_digest"], r[0]["quantization"], r[0]["server_version"]')" \
	"('ollama', '$(sha256sum "$GGUF" | cut -c1-64)', 'Q8_0', '0.12.11')" \
	"ollama: the digest and quantisation from /api/tags"
is "$(pyq "$TMP/o1" '[(x["response"], x["logprobs"], x["tokens_in"], x["tokens_out"], x["done_reason"]) for x in r]')" \
	"$(pyq "$TMP/u1" '[(x["response"], x["logprobs"], x["tokens_in"], x["tokens_out"], x["done_reason"]) for x in r]')" \
	"ollama and openai give the same answers and logprobs from the same server"
is "$(pyq "$TMP/o1" '[x["error"] is None or x["error"].startswith("HTTP 500: ") for x in r]')" \
	"$(pyq "$TMP/u1" '[True for x in r]')" "the model's unparseable outputs fail alike on both paths"
is "$(pyq "$TMP/o1" '[sorted(x["timings"]) for x in r if x["error"] is None][0]')" "['eval_ms', 'prompt_ms', 'total_ms']" \
	"ollama timings from nanosecond durations (a zero load_duration is left out)"
puma-infer -u "$OURL" -m tiny-qwen2:q8 --no-cache --constrain -n 12 <"$TMP/in.jsonl" >"$TMP/o2" 2>/dev/null
is "$(pyq "$TMP/o2" 'all(x["response"].startswith("{") for x in r if x["error"] is None), r[0]["constrained"]')" "(True, True)" \
	"ollama --constrain sends a JSON schema: the answer is JSON"

# ---- A prompt longer than the context: the server refuses, --max-chars helps ----
"$PYTHON" -c 'import json; print(json.dumps({"id": "BIG", "scenario": "triage_jira", "title": "t", "description": "word " * 6000}))' >"$TMP/big.jsonl"
puma-infer -b openai -u "$LURL" -m tiny --no-cache --constrain -n 4 --backoff 0.05 <"$TMP/big.jsonl" >"$TMP/b" 2>/dev/null
is "$?:$(pyq "$TMP/b" 'r[0]["attempts"], r[0]["error"].split(" (")[0]')" \
	"3:(1, 'HTTP 400: request')" "a prompt over the context: HTTP 400, not retried, a failed record: exit 3"
puma-infer -b openai -u "$LURL" -m tiny --no-cache --constrain -n 4 --max-chars 2000 <"$TMP/big.jsonl" >"$TMP/b" 2>/dev/null
is "$?:$(pyq "$TMP/b" 'r[0]["truncated"], r[0]["error"]')" "0:(True, None)" "--max-chars 2000: it fits, marked truncated"

done_testing
