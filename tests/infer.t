#!/usr/bin/env bash
# puma-infer against a test server on 127.0.0.1 (tests/helpers/fake-llm.py):
# options, prompts (checked against tests/ref/prompt.py), both request
# shapes, records, cache, order under -j, and the API key's secrecy.
# Faults and resume are in infer-faults.t; the real llama-server in
# infer-llama.t.
. "$(dirname "$0")/lib.sh"
need_python numpy
. "$ROOT/tests/infer-lib.sh"
REF="$ROOT/tests/ref/prompt.py"
CFG="$ROOT/config"

# Instances: id, scenario, title, description, gold.
"$PYTHON" - "$TMP" <<'EOF'
import json, sys
d = sys.argv[1]
tri = [("T-1", "Login crashes", "Every user sees a crash on login.", "Critical"),
       ("T-2", "Typo in footer", "Footer says Copyrigth.", "Trivial"),
       ("T-3", "Slow report", "The monthly report takes \u00e9 10 minutes \u2014 too slow.", "Major")]
with open(d + "/tri.jsonl", "w") as f:
    for i, t, desc, g in tri:
        f.write(json.dumps({"id": i, "scenario": "triage_jira", "title": t,
                            "description": desc, "gold": g, "row": 1}) + "\n")
with open(d + "/est.jsonl", "w") as f:
    f.write(json.dumps({"id": "XD-1", "scenario": "estimation_tawos", "title": "Add export",
                        "description": "CSV export of the board.", "gold": 5}) + "\n")
# A pool of 12 solved triage examples (3 per class, with T-2 among them)
# and 6 estimation ones.
with open(d + "/pool.jsonl", "w") as f:
    n = 0
    for g in ["Critical", "Major", "Minor", "Trivial"]:
        for k in range(3):
            n += 1
            i = "T-2" if (g, k) == ("Trivial", 1) else "P-%d" % n
            f.write(json.dumps({"id": i, "scenario": "triage_jira", "title": "ex %d" % n,
                                "description": "example %d \u00fc" % n, "gold": g}) + "\n")
    for n, sp in enumerate([1, 2, 3, 5, 8, 13]):
        f.write(json.dumps({"id": "E-%d" % n, "scenario": "estimation_tawos",
                            "title": "story %d" % n, "description": "x", "gold": sp}) + "\n")
EOF

# ---- Usage ----
puma-infer --help >"$TMP/out" 2>"$TMP/err"
ok $? "--help exits 0"
grep -q '^Usage: puma-infer -m MODEL' "$TMP/out"
ok $? "--help prints the usage on stdout"
is "$(puma-infer --version)" "puma-infer (PUMA) $(cat "$ROOT/VERSION")" "--version"
puma-infer </dev/null >"$TMP/out" 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: no model: name one with -m MODEL (e.g. -m qwen2.5:3b)" \
	"no model: usage error"
puma-infer -m x -b nope </dev/null 2>"$TMP/err"
is "$?" 2 "unknown backend: exit 2"
puma-infer -m x -s triage_jira -S best-ever </dev/null 2>"$TMP/err"
st=$?
grep -q "no template for strategy 'best-ever' of scenario 'triage_jira'.*its strategies: contextual-anchoring, cot-few-shot, egi, few-shot, one-shot, rcoif, zero-shot, zero-shot-cot" "$TMP/err"
ok $((st != 2 || $?)) "unknown strategy: exit 2, the message lists the strategies"
puma-infer -m x -S few-shot-3 </dev/null 2>"$TMP/err"
st=$?
grep -q "few-shot-3 places 3 solved examples in each prompt: give them with --examples FILE" "$TMP/err"
ok $((st != 2 || $?)) "few-shot without --examples: exit 2, says how to fix"
puma-infer -m x -S few-shot-2305843009213693953 --examples /dev/null </dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" \
	"2:puma-infer: --strategy few-shot-2305843009213693953: K of few-shot-K is a whole number from 1 to 1000" \
	"few-shot-K with K out of range: usage error"
puma-infer -m x --top-logprobs 21 </dev/null 2>/dev/null
is "$?" 2 "--top-logprobs above 20: exit 2"
puma-infer -m x -S self-consistency </dev/null 2>"$TMP/err"
st=$?
grep -q "self-consistency is a way of sampling" "$TMP/err"
ok $((st != 2 || $?)) "self-consistency is explained, not run"

# The man page documents every option, and its synopsis is the usage line.
MAN="$ROOT/docs/man/puma-infer.1"
missing=""
for o in $(puma-infer --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$MAN" || missing="$missing $o"
done
is "$missing" "" "every option of --help is in the man page"
syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$MAN" | sed '1d;$d' |
	sed -E 's/\\f[BIR]//g; s/\\-/-/g; s/^\.B //' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//')
use=$(puma-infer --help | sed -n '1,2p' | sed 's/^Usage: //' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//')
is "$syn" "$use" "the man page's synopsis is the usage line"

# ---- Start-up ----
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
puma-infer -m x -u "http://127.0.0.1:$port" --retries 0 --no-cache <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
st=$?
grep -q "cannot reach an Ollama server at http://127.0.0.1:$port (GET /api/version: Failed to connect.*start it with 'ollama serve'" "$TMP/err"
ok $((st != 1 || $?)) "no server at start: exit 1, says how to start one"
is "$(wc -c <"$TMP/out")" 0 "no server at start: no output"

start_fake A --model qwen-test:1b --digest "$(printf 'd%.0s' $(seq 64))"
URL="http://127.0.0.1:$PORT_A"
puma-infer -m llama9:70b -u "$URL" --no-cache <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-infer: model 'llama9:70b' is not on the Ollama server at $URL; fetch it with: ollama pull llama9:70b" \
	"unknown Ollama model: exit 1, suggests ollama pull"
puma-infer -m llama9:70b -b openai -u "$URL/v1/" --no-cache <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-infer: model 'llama9:70b' is not served at $URL (it serves 'qwen-test:1b'); pass one of these with --model (llama-server names its model with --alias)" \
	"unknown OpenAI model: exit 1, lists the served ones"
OLLAMA_HOST="127.0.0.1:$PORT_A" puma-infer -m qwen-test:1b --no-cache -q <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
ok $? "OLLAMA_HOST without a scheme is used"
OLLAMA_HOST=":$PORT_A" puma-infer -m qwen-test:1b --no-cache -q --summary "$TMP/hs.json" <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(pyq "$TMP/hs.json" 'r[0]["url"]')" "0:http://127.0.0.1:$PORT_A" "OLLAMA_HOST=:PORT is this machine, as Ollama reads it"
OLLAMA_HOST="[::1]" puma-infer -m qwen-test:1b --no-cache -q --timeout 2 --retries 0 </dev/null >/dev/null 2>"$TMP/err"
grep -q 'at http://\[::1\]:11434 ' "$TMP/err"
ok $? "OLLAMA_HOST=[::1] gets Ollama's port"

# ---- Records (Ollama) ----
puma-infer -m qwen-test:1b -u "$URL" --no-cache --keep-prompt --logprobs --top-logprobs 3 \
	-s triage_jira <"$TMP/tri.jsonl" >"$TMP/o1" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "three records: exit 0, quiet stderr (no terminal)"
is "$(pyq "$TMP/o1" '",".join(list(r[0]))')" \
	"id,scenario,title,description,gold,row,model,model_digest,quantization,backend,server_version,strategy,prompt_sha256,prompt,constrained,options,response,done_reason,latency_ms,tokens_in,tokens_out,timings,logprobs,attempts,cached,error" \
	"fields in the documented order, input fields first and untouched"
is "$(pyq "$TMP/o1" '[x["id"] for x in r]')" "['T-1', 'T-2', 'T-3']" "input order"
compact=$(head -n 1 "$TMP/tri.jsonl" | "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin), separators=(",", ":"))[:-1])')
is "$(head -c ${#compact} "$TMP/o1")" "$compact" "input fields pass through byte for byte"
is "$(pyq "$TMP/o1" 'r[0]["model_digest"], r[0]["quantization"], r[0]["server_version"], r[0]["backend"], r[0]["strategy"]')" \
	"('$(printf 'd%.0s' $(seq 64))', 'Q4_K_M', '0.12.11', 'ollama', 'zero-shot')" "digest, quantisation, version from /api/tags and /api/version"
is "$(pyq "$TMP/o1" 'r[0]["options"]')" "{'temperature': 0.0, 'seed': 42, 'num_predict': 256, 'logprobs': True, 'top_logprobs': 3}" \
	"options: the canonical settings and the logprob request"
# The server answers "<label> n=<bytes> sha=<sha256 of the prompt it got>".
is "$(pyq "$TMP/o1" 'all(x["response"].endswith("n=%d sha=%s" % (len(x["prompt"].encode()), x["prompt_sha256"])) for x in r)')" True \
	"the server got exactly the prompt the record keeps, and prompt_sha256 is its hash"
is "$(pyq "$TMP/o1" '__import__("hashlib").sha256(r[2]["prompt"].encode()).hexdigest() == r[2]["prompt_sha256"]')" True \
	"prompt_sha256 is the sha256 of the prompt (non-ASCII included)"
is "$(pyq "$TMP/o1" 'r[0]["timings"], r[0]["tokens_out"], r[0]["done_reason"], r[0]["attempts"], r[0]["cached"], r[0]["error"]')" \
	"({'total_ms': 1.5, 'prompt_ms': 0.25, 'eval_ms': 1.0}, 3, 'stop', 1, False, None)" \
	"timings converted from nanoseconds; counts, done_reason, attempts, cached, error"
is "$(pyq "$TMP/o1" 'r[0]["logprobs"][1] == {"token": " " + r[0]["response"].split()[1], "logprob": -0.25, "top_logprobs": [{"token": " " + r[0]["response"].split()[1], "logprob": -0.25}, {"token": "alt0", "logprob": -1.75}, {"token": "alt1", "logprob": -2.75}]}, len(r[0]["logprobs"]) == r[0]["tokens_out"]')" \
	"(True, True)" "logprobs in the one shape (bytes dropped), one per token"
grep -q '"latency_ms":[0-9]' "$TMP/o1"
ok $? "latency_ms is a number"

# ---- Prompts, against the Python transcription ----
"$PYTHON" "$REF" "$CFG/prompts/triage_jira/zero-shot.txt" --labels "Critical,Major,Minor,Trivial" \
	<"$TMP/tri.jsonl" >"$TMP/ref"
is "$(pyq "$TMP/o1" '[x["prompt"] for x in r]')" "$(pyq "$TMP/ref" '[x["prompt"] for x in r]')" \
	"zero-shot prompts equal the reference rendering"
for sc in triage_jira estimation_tawos; do
	in=$TMP/tri.jsonl
	[ $sc = estimation_tawos ] && in=$TMP/est.jsonl
	labels=$(pyq /dev/null "', '.join(map(str, (lambda c: c.get('labels') or c['scale'])(json.load(open('$CFG/scenarios/$sc.json')))))" | tr -d ' ')
	bad=""
	for t in "$CFG"/prompts/$sc/*.txt; do
		strat=$(basename "$t" .txt)
		[ "$strat" = example ] && continue
		k=0
		case $strat in one-shot) k=1 ;; few-shot) k=5 ;; cot-few-shot) k=3 ;; esac
		s=$strat
		[ "$strat" = few-shot ] && s=few-shot-5
		puma-infer -m qwen-test:1b -u "$URL" --no-cache --keep-prompt -S "$s" --examples "$TMP/pool.jsonl" \
			<"$in" >"$TMP/o" 2>"$TMP/err" || bad="$bad $s(exit)"
		"$PYTHON" "$REF" "$t" --labels "$labels" --example-template "$CFG/prompts/$sc/example.txt" \
			--pool "$TMP/pool.jsonl" --k $k --scenario $sc <"$in" >"$TMP/ref"
		[ "$(pyq "$TMP/o" '[(x["prompt"], x.get("examples")) for x in r]')" = \
			"$(pyq "$TMP/ref" '[(x["prompt"], x["examples"]) for x in r]')" ] || bad="$bad $s"
		grep -q '{{' "$TMP/o" && bad="$bad $s({{)"
		[ "$(pyq "$TMP/o" 'r[0]["strategy"]')" = "$s" ] || bad="$bad $s(name)"
	done
	is "$bad" "" "$sc: every strategy's prompt and examples equal the reference"
done
puma-infer -m qwen-test:1b -u "$URL" --no-cache -S few-shot-4 --examples "$TMP/pool.jsonl" \
	<"$TMP/tri.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$(pyq "$TMP/o" '[sorted(x["examples"]) for x in r]')" \
	"$(pyq "$TMP/o" '[sorted(r[0]["examples"])] + [sorted(x["examples"]) for x in r[1:]]')" \
	"few-shot-4: examples are chosen the same way for every instance"
is "$(pyq "$TMP/o" '[sorted({e[0] for e in x["examples"]}) != [] and len(x["examples"]) for x in r]')" "[4, 4, 4]" \
	"few-shot-4: four examples each"
is "$(pyq "$TMP/o" '"T-2" in r[1]["examples"], all(len({json.loads(l)["gold"] for l in open("'"$TMP"'/pool.jsonl") if json.loads(l)["id"] in x["examples"]}) == 4 for x in r)')" \
	"(False, True)" "few-shot-4: never the instance itself, one example of each class"
puma-infer -m qwen-test:1b -u "$URL" --no-cache -S few-shot-4 --seed 7 --examples "$TMP/pool.jsonl" \
	<"$TMP/tri.jsonl" >"$TMP/o7" 2>"$TMP/err"
"$PYTHON" "$REF" "$CFG/prompts/triage_jira/few-shot.txt" --example-template "$CFG/prompts/triage_jira/example.txt" \
	--pool "$TMP/pool.jsonl" --k 4 --seed 7 --labels a --scenario triage_jira <"$TMP/tri.jsonl" >"$TMP/ref7"
is "$(pyq "$TMP/o7" 'r[0]["examples"]')" "$(pyq "$TMP/ref7" 'r[0]["examples"]')" \
	"another seed: the reference's choice for that seed"
[ "$(pyq "$TMP/o7" 'r[0]["examples"]')" != "$(pyq "$TMP/o" 'r[0]["examples"]')" ]
ok $? "another seed picks other examples"

# --max-chars: a cut at a character boundary, marked.
"$PYTHON" -c 'import json; print(json.dumps({"id":"U-1","title":"t","description":"\u00e9\u00e9\u20ac\U0001F600abc"})); print(json.dumps({"id":"U-2","title":"t","description":"four"}))' >"$TMP/u.jsonl"
puma-infer -m qwen-test:1b -u "$URL" --no-cache -s triage_jira --keep-prompt --max-chars 4 <"$TMP/u.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$(pyq "$TMP/o" '[x["prompt"].split("Description: ")[1] for x in r], [x.get("truncated") for x in r]')" \
	"(['éé€😀', 'four'], [True, None])" "--max-chars 4 keeps 4 characters (multi-byte), marks only the cut record"

# A template of our own, a record without the field it names.
printf 'Q: {{ title }} / {{project}} / {{gold}}\n' >"$TMP/my.txt"
printf '%s\n' '{"id":"a","title":"T","project":"XD","gold":5.0}' '{"id":"b","title":"U","gold":1}' |
	puma-infer -m qwen-test:1b -u "$URL" --no-cache --keep-prompt -t "$TMP/my.txt" >"$TMP/o" 2>"$TMP/err"
st=$?
is "$(pyq "$TMP/o" '[(x["prompt"], x["strategy"]) for x in r]')" "[('Q: T / XD / 5.0', 'my')]" \
	"--template: placeholders from the record, numbers as written; strategy named after the file"
is "$st:$(cat "$TMP/err")" "1:puma-infer: <stdin>:2: no \"project\" field, which the template uses" \
	"a record without a field the template needs: named with its line, exit 1"
printf '%s\n' '{"id":"a","title":"T","project":"XD","gold":5}' 'not json' '{"id":"b","title":"U","project":"P","gold":1}' |
	puma-infer -m qwen-test:1b -u "$URL" --no-cache -t "$TMP/my.txt" -l >"$TMP/o" 2>"$TMP/err"
is "$?:$(wc -l <"$TMP/o"):$(tail -n 1 "$TMP/err")" "0:2:puma-infer: <stdin>: skipped 1 bad line" \
	"--lenient skips a bad line and counts it"
printf '%s\n' '{"id":"a","title":"T","project":"XD","gold":5}' 'not json' '{"id":"b","title":"U","project":"P","gold":1}' |
	puma-infer -m qwen-test:1b -u "$URL" --no-cache -t "$TMP/my.txt" >"$TMP/o" 2>"$TMP/err"
is "$?:$(wc -l <"$TMP/o"):$(head -c 37 "$TMP/err")" "1:1:puma-infer: <stdin>:2: invalid JSON: " \
	"strict: a bad line stops the input, the records before it are written"

# ---- OpenAI shape, constraint, key ----
start_fake B --model tiny --openai-owner llamacpp
URLB="http://127.0.0.1:$PORT_B"
OPENAI_API_KEY=sk-test-5ecret-key-123 puma-infer -b openai -m tiny -u "$URLB" --no-cache --logprobs \
	--constrain -s triage_jira --summary "$TMP/sum.json" <"$TMP/tri.jsonl" >"$TMP/o2" 2>"$TMP/err"
is "$?" 0 "openai backend, llama-server flavour: exit 0 (the server insists on cache_prompt:false)"
is "$(pyq "$TMP/o2" 'r[0]["options"], r[0]["constrained"], r[0]["server_version"], r[0]["quantization"], r[0]["model_digest"]')" \
	"({'temperature': 0.0, 'seed': 42, 'max_tokens': 256, 'logprobs': True, 'top_logprobs': 5, 'cache_prompt': False}, True, 'fake-1', 'Q4_K_M', None)" \
	"openai options record max_tokens and cache_prompt; build from /props"
is "$(pyq "$TMP/o2" '[len(x["logprobs"][0]["top_logprobs"]) for x in r]')" "[5, 5, 5]" "top_logprobs default 5"
is "$(stats "$PORT_B" | "$PYTHON" -c 'import json,sys; print(sorted(set(json.load(sys.stdin)["auth"])))')" \
	"['Bearer sk-test-5ecret-key-123']" "the key goes in the Authorization header"
printf '%s\n' '{"id":"k","scenario":"triage_jira","title":"FAULT:echoauth","description":""}' |
	OPENAI_API_KEY=sk-test-5ecret-key-123 puma-infer -b openai -m tiny -u "$URLB" --no-cache \
	--max-failures 1 --summary "$TMP/sum2.json" >"$TMP/o3" 2>"$TMP/err3"
is "$?:$(pyq "$TMP/o3" 'r[0]["error"]')" "1:HTTP 401: invalid key: Bearer [key]" \
	"a server quoting the key back: the key is blotted out of the error"
cat "$TMP/o2" "$TMP/err" "$TMP/sum.json" "$TMP/o3" "$TMP/err3" "$TMP/sum2.json" | grep -c 5ecret >"$TMP/n"
is "$(cat "$TMP/n")" 0 "the key appears in no record, message or summary"
grep -q 'failed in a row (the last: HTTP 401: invalid key: Bearer \[key\])' "$TMP/sum2.json"
ok $? "the reason the run stopped quotes the error without the key"
printf '%s\n' '{"id":"k","scenario":"triage_jira","title":"FAULT:echoauth","description":""}' |
	OPENAI_API_KEY='key]' puma-infer -b openai -m tiny -u "$URLB" --no-cache >"$TMP/o4" 2>/dev/null
is "$?:$(pyq "$TMP/o4" 'r[0]["error"]')" "3:HTTP 401: invalid key: Bearer ****" \
	"a short key is blotted out in place (the text never grows); the record failed: exit 3"
MYKEY=abc puma-infer -b openai -m tiny -u "$URLB" --api-key-env NOPE_UNSET --no-cache </dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: --api-key-env: the environment variable NOPE_UNSET is not set" \
	"--api-key-env naming an unset variable: usage error"
is "$(pyq "$TMP/sum.json" 'sorted(r[0])')" \
	"['backend', 'cache_hits', 'energy', 'failed', 'jobs', 'model', 'model_digest', 'model_digest_source', 'not_sent', 'ok', 'prompts', 'quantization', 'records', 'requests', 'retries', 'server_version', 'skipped', 'started', 'stopped', 'strategy', 'templates', 'timeout_s', 'tool', 'unloaded', 'url', 'version', 'wall_s']" \
	"--summary writes one JSON object with the run's figures"
is "$(pyq "$TMP/sum.json" '(r[0]["records"], r[0]["ok"], r[0]["failed"], r[0]["requests"], r[0]["cache_hits"])')" "(3, 3, 0, 3, 0)" \
	"summary counts"
ls "$TMP"/sum.json.tmp* >/dev/null 2>&1
ok $((!$?)) "no temporary summary left behind"

# ---- Cache ----
C="$TMP/cache"
puma-infer -m qwen-test:1b -u "$URL" --cache "$C" -s triage_jira --logprobs <"$TMP/tri.jsonl" >"$TMP/c1" 2>"$TMP/err"
before=$(stats "$PORT_A" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
puma-infer -m qwen-test:1b -u "$URL" --cache "$C" -s triage_jira --logprobs --summary "$TMP/cs.json" \
	<"$TMP/tri.jsonl" >"$TMP/c2" 2>"$TMP/err"
after=$(stats "$PORT_A" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
is "$((after - before)):$(pyq "$TMP/c2" '[x["cached"] for x in r]')" "0:[True, True, True]" \
	"a second run is answered from the cache, no requests"
is "$(sed 's/"cached":true/"cached":false/' "$TMP/c2")" "$(cat "$TMP/c1")" \
	"cached records equal the originals byte for byte (latency included) apart from the flag"
is "$(pyq "$TMP/cs.json" 'r[0]["cache_hits"]')" 3 "the summary counts the cache hits"
puma-infer -m qwen-test:1b -u "$URL" --cache "$C" -s triage_jira --logprobs -n 100 <"$TMP/tri.jsonl" >"$TMP/c3" 2>"$TMP/err"
is "$(pyq "$TMP/c3" '[x["cached"] for x in r]')" "[False, False, False]" "another option: another cache key"
puma-infer -m qwen-test:1b -u "$URL" --cache "$C" -s triage_jira <"$TMP/tri.jsonl" >"$TMP/c4" 2>"$TMP/err"
is "$(pyq "$TMP/c4" '[x["cached"] for x in r]')" "[False, False, False]" "without --logprobs: another cache key"
is "$(find "$C" -name '*.tmp' | wc -l)" 0 "no temporary cache files left"
is "$(find "$C" -name '*.json' | wc -l)" 9 "one cache entry per distinct request"

# ---- Concurrency: order and keep-alive ----
"$PYTHON" -c '
import json
for i in range(24):
    d = 300 if i == 0 else (i % 5) * 20
    print(json.dumps({"id": "J-%d" % i, "title": "FAULT:delay-%d" % d, "description": str(i)}))' >"$TMP/j.jsonl"
start_fake C --model m
conn0=$(stats "$PORT_C" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["connections"])')
puma-infer -m m -u "http://127.0.0.1:$PORT_C" --no-cache -s triage_jira -j 4 <"$TMP/j.jsonl" >"$TMP/o" 2>"$TMP/err"
conn1=$(stats "$PORT_C" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["connections"])')
is "$?:$(pyq "$TMP/o" '[x["id"] for x in r] == ["J-%d" % i for i in range(24)]')" "0:True" \
	"-j 4: output in input order although the first answer comes last"
# Two start-up queries open their own connections; 24 requests share at most 4.
[ $((conn1 - conn0 - 1)) -le 6 ]
ok $? "-j 4: 24 requests over at most 4 kept-alive connections (+2 start-up, 1 stats; got $((conn1 - conn0)))"

# ---- Progress and output errors ----
script -qec "puma-infer -m m -u http://127.0.0.1:$PORT_C --no-cache -s triage_jira $TMP/j.jsonl >/dev/null" /dev/null >"$TMP/tty" 2>&1
grep -q 'puma-infer: 24/24 records, [0-9.]*/s, 0 failed, 0 cached' "$TMP/tty"
ok $? "on a terminal: a progress line with done/total, rate and failures"
script -qec "puma-infer -q -m m -u http://127.0.0.1:$PORT_C --no-cache -s triage_jira $TMP/j.jsonl >/dev/null" /dev/null >"$TMP/tty" 2>&1
is "$(wc -c <"$TMP/tty")" 0 "-q silences it"
puma-infer -m m -u "http://127.0.0.1:$PORT_C" --no-cache -s triage_jira <"$TMP/tri.jsonl" >/dev/full 2>"$TMP/err"
is "$?:$(tail -n 1 "$TMP/err")" "1:puma-infer: write error: No space left on device" "a full disk: write error, exit 1"

# ---- Fresh model state and a digest the server does not give ----
D64=$(printf 'd%.0s' $(seq 64))
E64=$(printf 'e%.0s' $(seq 64))
puma-infer -m qwen-test:1b -u "$URL" --no-cache --unload --summary "$TMP/unl.json" <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "--unload: exit 0"
is "$(stats "$PORT_A" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["unloads"])')" 1 "--unload: one unload request (keep_alive 0, no prompt) reached the server"
is "$("$PYTHON" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["unloaded"], s["model_digest_source"])' "$TMP/unl.json")" 	"True server" "--unload: the summary says the model was unloaded and where the digest came from"
puma-infer -m qwen-test:1b -b openai -u "$URL" --no-cache --unload <"$TMP/tri.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: --unload works with the ollama backend only (an OpenAI-compatible server has no unload request)" 	"--unload with the openai backend: usage error"
puma-infer -m qwen-test:1b -b openai -u "$URL" --no-cache --model-digest "sha256:$E64" --summary "$TMP/dg.json" \
	<"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(pyq "$TMP/out" 'set(x["model_digest"] for x in r)')" "0:{'$E64'}" "--model-digest stands in for the digest an OpenAI server does not give"
is "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["model_digest_source"])' "$TMP/dg.json")" 	"--model-digest" "the summary says the digest was given"
puma-infer -m qwen-test:1b -u "$URL" --no-cache --model-digest "$E64" <"$TMP/tri.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-infer: the server says model 'qwen-test:1b' has digest $D64, not $E64 as --model-digest says; check which model file it serves" \
	"--model-digest contradicting the server: exit 1 before any request"
is "$(wc -c <"$TMP/out")" 0 "a contradicted digest sends nothing"
puma-infer -m qwen-test:1b -u "$URL" --model-digest abc <"$TMP/tri.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: --model-digest: 'abc' is not a sha256 (64 lower-case hex digits)" "a malformed --model-digest"

done_testing
