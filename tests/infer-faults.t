#!/usr/bin/env bash
# puma-infer when things go wrong (tests/helpers/fake-llm.py on 127.0.0.1):
# errors, retries with backoff and Retry-After, timeouts, broken bodies, a
# server that dies (--max-failures), a 1.4 MB prompt, and resuming after
# SIGKILL from the cache.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"

# One record per fault; the title carries the instruction to the server.
"$PYTHON" - "$TMP/f.jsonl" <<'EOF'
import json, sys
faults = ["none", "FAULT:status-500-x1", "FAULT:retry-after-1", "FAULT:status-429-xall",
          "FAULT:status-429-x2", "FAULT:slow-3000", "FAULT:cut", "FAULT:truncated",
          "FAULT:invalid", "FAULT:nofield", "FAULT:model404", "FAULT:status-400-x1",
          "FAULT:status-503-xall", "big"]
with open(sys.argv[1], "w") as f:
    for i, t in enumerate(faults):
        d = "x" * 1400000 + "\u00e9" if t == "big" else "d"
        f.write(json.dumps({"id": "F-%d" % i, "scenario": "triage_jira", "title": t,
                            "description": d}) + "\n")
EOF

start_fake A --model m
URL="http://127.0.0.1:$PORT_A"
t0=$(date +%s.%N)
puma-infer -m m -u "$URL" --no-cache --timeout 0.5 --retries 2 --backoff 0.05 --summary "$TMP/s.json" \
	<"$TMP/f.jsonl" >"$TMP/o" 2>"$TMP/err"
st=$?
t1=$(date +%s.%N)
is "$st:$(cat "$TMP/err")" "3:puma-infer: 9 of 14 records failed (see their \"error\" field)" \
	"failed requests: exit 3 (finished, some records failed), one line saying how many"
is "$(pyq "$TMP/o" '[x["id"] for x in r] == ["F-%d" % i for i in range(14)]')" True \
	"every input record comes out, in order"
# id: attempts, whether it has a response, the error.
pyq "$TMP/o" '"\n".join("%s %s %s %s" % (x["id"], x["attempts"], x["response"] is not None, x["error"]) for x in r)' >"$TMP/got"
cat >"$TMP/want" <<'EOF'
F-0 1 True None
F-1 2 True None
F-2 2 True None
F-3 3 False HTTP 429: fault status-429-xall on attempt 3
F-4 3 True None
F-5 3 False Operation timed out after 500 milliseconds with 0 bytes received
F-6 3 False transfer closed with 184 bytes remaining to read
F-7 1 False HTTP 200: the answer is not valid JSON (premature EOF; 28 bytes)
F-8 1 False HTTP 200: the answer is not valid JSON (lexical error: invalid char in json text. (at byte 2); 32 bytes)
F-9 1 False HTTP 200: the answer has no "response" string
F-10 1 False HTTP 404: model "m" not found, try pulling it first
F-11 1 False HTTP 400: fault status-400-x1 on attempt 1
F-12 3 False HTTP 503: fault status-503-xall on attempt 3
F-13 1 True None
EOF
# curl rounds the timeout it reports to the millisecond it noticed.
sed -i -E 's/after [0-9]+ milliseconds/after 500 milliseconds/' "$TMP/got"
same_file "$TMP/got" "$TMP/want" \
	"each fault: retried (5xx, 429, timeout, cut body) or not (bad JSON, missing field, 4xx), with the reason"
is "$(pyq "$TMP/o" '[[x["response"], x["done_reason"], x["tokens_in"], x["tokens_out"], x["cached"], type(x["latency_ms"]).__name__, "logprobs" in x, "timings" in x] for x in r[3:4]]')" \
	"[[None, None, None, None, False, 'float', False, False]]" "a failed record: response and counts null, latency of the last attempt"
is "$(pyq "$TMP/o" 'int(r[13]["response"].split()[1][2:]) > 1400000')" \
	True "a 1.4 MB prompt arrives whole"
is "$(pyq "$TMP/o" 'r[13]["response"].split()[2] == "sha=" + r[13]["prompt_sha256"]')" True \
	"the 1.4 MB prompt the server hashed is the one recorded"
gap=$(curl -s "$URL/_stats" | "$PYTHON" -c '
import json, sys, hashlib
s = json.load(sys.stdin)
t = [v for v in s["times"].values() if len(v) == 2]
print(" ".join("%.2f" % (v[1] - v[0]) for v in t))')
"$PYTHON" -c 'import sys; g = [float(x) for x in sys.argv[1:]]; sys.exit(not (len(g) == 2 and max(g) >= 1.0 and min(g) < 0.5))' $gap
ok $? "Retry-After: 1 is honoured over a 0.05 s backoff (gaps: $gap)"
"$PYTHON" -c 'import sys; sys.exit(not (float(sys.argv[2]) - float(sys.argv[1]) < 8))' "$t0" "$t1"
ok $? "the whole fault run is bounded by the timeout and retry settings"
is "$(pyq "$TMP/s.json" '(r[0]["records"], r[0]["ok"], r[0]["failed"], r[0]["retries"], r[0]["requests"])')" "(14, 5, 9, 12, 26)" \
	"the summary counts records, failures, retries and requests"

# The same faults through the OpenAI API.
start_fake B --model m
puma-infer -b openai -m m -u "http://127.0.0.1:$PORT_B" --no-cache --timeout 0.5 --retries 2 --backoff 0.05 \
	<"$TMP/f.jsonl" >"$TMP/o2" 2>"$TMP/err"
is "$?" 3 "openai: exit 3"
is "$(pyq "$TMP/o2" '[(x["attempts"], x["response"] is None) for x in r]')" \
	"$(pyq "$TMP/o" '[(x["attempts"], x["response"] is None) for x in r]')" \
	"openai: the same attempts and failures"
is "$(pyq "$TMP/o2" 'r[9]["error"], r[10]["error"]')" \
	"('HTTP 200: the answer has no \"choices\"', 'HTTP 404: model \"m\" not found, try pulling it first')" \
	"openai: its own field names and error shape"

# A server that dies: --max-failures stops the run, and says so.
"$PYTHON" -c '
import json
for i in range(10):
    t = "FAULT:die" if i == 2 else "rec %d" % i
    print(json.dumps({"id": "D-%d" % i, "scenario": "triage_jira", "title": t, "description": ""}))' >"$TMP/d.jsonl"
start_fake C --model m
puma-infer -m m -u "http://127.0.0.1:$PORT_C" --no-cache --retries 1 --backoff 0.01 --max-failures 3 \
	--summary "$TMP/sd.json" <"$TMP/d.jsonl" >"$TMP/o" 2>"$TMP/err"
st=$?
is "$st:$(wc -l <"$TMP/o")" "1:10" "a dead server: exit 1 (did not finish), though still one record per input"
is "$(pyq "$TMP/o" '[(x["attempts"], x["error"] is None) for x in r]')" \
	"[(1, True), (1, True), (2, False), (2, False), (2, False), (0, False), (0, False), (0, False), (0, False), (0, False)]" \
	"three failures in a row stop the requests; the rest are not sent"
grep -q "^puma-infer: stopped early: 3 records failed in a row (the last: Failed to connect to 127.0.0.1 port $PORT_C.*); 5 records were not sent" "$TMP/err"
ok $? "the stop is explained on stderr"
is "$(pyq "$TMP/o" 'r[9]["error"].startswith("not sent: puma-infer stopped after 3 records failed in a row"), r[9]["latency_ms"]')" \
	"(True, None)" "an unsent record says why"
is "$(pyq "$TMP/sd.json" '(r[0]["not_sent"], r[0]["stopped"] is not None)')" "(5, True)" "the summary says it stopped"

# Resume: SIGKILL in the middle, rerun, and the output is the uninterrupted run's.
"$PYTHON" -c '
import json
for i in range(12):
    print(json.dumps({"id": "K-%d" % i, "scenario": "triage_jira", "title": "FAULT:delay-120", "description": "item %d" % i}))' >"$TMP/k.jsonl"
start_fake D --model m
UD="http://127.0.0.1:$PORT_D"
puma-infer -m m -u "$UD" --cache "$TMP/c1" --logprobs <"$TMP/k.jsonl" >"$TMP/full" 2>/dev/null
puma-infer -m m -u "$UD" --cache "$TMP/c2" --logprobs <"$TMP/k.jsonl" >"$TMP/part" 2>/dev/null &
victim=$!
for _ in $(seq 200); do
	[ "$(find "$TMP/c2" -name '*.json' 2>/dev/null | wc -l)" -ge 5 ] && break
	sleep 0.02
done
{ kill -9 $victim && wait $victim; } 2>/dev/null
killed=$(wc -l <"$TMP/part")
n0=$(requests "$PORT_D")
puma-infer -m m -u "$UD" --cache "$TMP/c2" --logprobs <"$TMP/k.jsonl" >"$TMP/resumed" 2>"$TMP/err"
is "$?" 0 "the rerun after SIGKILL succeeds"
n1=$(requests "$PORT_D")
hits=$(pyq "$TMP/resumed" 'sum(x["cached"] for x in r)')
[ "$killed" -lt 12 ] && [ "$hits" -ge 5 ] && [ "$hits" -lt 12 ]
ok $? "killed after $killed records; the rerun took $hits from the cache"
is "$((n1 - n0))" "$((12 - hits))" "the rerun sent only what the cache lacked"
strip() { sed -E 's/"latency_ms":[0-9.e+-]+,//; s/"cached":(true|false),//' "$1"; }
is "$(strip "$TMP/resumed")" "$(strip "$TMP/full")" \
	"record for record the uninterrupted run's output (measured latency and the cache flag aside)"
is "$(pyq "$TMP/resumed" '[x["id"] for x in r] == ["K-%d" % i for i in range(12)]')" True \
	"nothing lost, nothing duplicated"
is "$(find "$TMP/c2" -type f | grep -vc '\.json$')" 0 "no half-written cache entry"

done_testing
