#!/usr/bin/env bash
# puma-infer with several -u: requests spread least-outstanding-first over
# two real llama-servers, each record naming the server that answered
# (without its password); one server killed mid-run loses nothing; servers
# that report different model digests make the run refuse.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
FIX="$ROOT/tests/fixtures/llama"

# ---- Digests must agree (fake servers report the digests asked of them) ----
"$PYTHON" - "$TMP/in.jsonl" <<'PY'
import json, sys
words = ["login", "crash", "typo", "footer", "database", "timeout", "colour", "report"]
with open(sys.argv[1], "w") as f:
    for i in range(24):
        f.write(json.dumps({"id": "E-%d" % i, "scenario": "triage_jira",
                            "title": "%s %s %d" % (words[i % 8], words[(i * 3) % 8], i),
                            "description": "The %s fails when the %s is used." % (words[i % 5], words[i % 7]),
                            "gold": "Major"}) + "\n")
PY
start_fake A --model m:1b --digest "$(printf 'a%.0s' $(seq 64))"
start_fake B --model m:1b --digest "$(printf 'b%.0s' $(seq 64))"
start_fake C --model m:1b --digest "$(printf 'a%.0s' $(seq 64))"
head -n 4 "$TMP/in.jsonl" | puma-infer -m m:1b -u "http://127.0.0.1:$PORT_A" -u "http://127.0.0.1:$PORT_B" --no-cache \
	>"$TMP/d.out" 2>"$TMP/d.err"
is "$?" 1 "two servers with different digests: the run refuses (exit 1)"
grep -q "do not serve the same model: http://127.0.0.1:$PORT_A says 'm:1b' has digest a\{64\}, http://127.0.0.1:$PORT_B says b\{64\}" "$TMP/d.err"
ok $? "the message names both servers and their digests"
ok $([ ! -s "$TMP/d.out" ] && [ "$(requests "$PORT_A")" -eq 0 ] && [ "$(requests "$PORT_B")" -eq 0 ]; echo $?) \
	"refused before any request: no records, no generation asked of either"
head -n 4 "$TMP/in.jsonl" | puma-infer -m m:1b -u "http://127.0.0.1:$PORT_A" -u "http://127.0.0.1:$PORT_C" --no-cache \
	>"$TMP/s.out" 2>"$TMP/s.err"
is "$?" 0 "two servers with the same digest: the run goes on"
is "$(pyq "$TMP/s.out" 'len(r), set(x["endpoint"] for x in r) == {"http://127.0.0.1:'"$PORT_A"'", "http://127.0.0.1:'"$PORT_C"'"}')" \
	"(4, True)" "the same digest: four records, both servers named"
puma-infer -m m:1b -u "http://127.0.0.1:$PORT_A" --model-digest "$(printf 'c%.0s' $(seq 64))" -u "http://127.0.0.1:$PORT_C" \
	--no-cache <"$TMP/in.jsonl" >/dev/null 2>"$TMP/md.err"
ok $([ $? -eq 1 ] && grep -q "not c\{64\} as --model-digest says" "$TMP/md.err"; echo $?) \
	"a --model-digest that the servers contradict: refused"

# ---- Two real llama-servers ----
start_two() {
	local s
	if ! s=$("$FIX/start-server.sh" -a tiny 2>"$TMP/start.err"); then
		if [ "${PUMA_REQUIRE_LLAMA:-0}" = 1 ]; then
			ok 1 "llama-server starts"
			sed 's/^/# /' "$TMP/start.err" | tail -n 5
			ok $(! grep -q 's3cret-pw' "$TMP/two.out" "$TMP/two.err" "$TMP/kill.out" "$TMP/kill.err"; echo $?) "the password is in no record and no message"
done_testing
			exit 1
		fi
		skip "llama-server fixture unavailable: $(tail -n 1 "$TMP/start.err")"
		ok $(! grep -q 's3cret-pw' "$TMP/two.out" "$TMP/two.err" "$TMP/kill.out" "$TMP/kill.err"; echo $?) "the password is in no record and no message"
done_testing
		exit 0
	fi
	echo "$s"
}
read -r P1 L1 <<<"$(start_two)"
read -r P2 L2 <<<"$(start_two)"
trap 'for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	"$FIX/stop-server.sh" "$L1" >/dev/null 2>&1; "$FIX/stop-server.sh" "$L2" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
U1="http://puma:s3cret-pw@127.0.0.1:$P1"
U2="http://127.0.0.1:$P2"
GGUF=$("$FIX/tiny-model.sh" 2>/dev/null)
DIG=$(sha256sum "$GGUF" | cut -c1-64)
ARGS=(-b openai -m tiny --no-cache --model-digest "$DIG" --logprobs --top-logprobs 3 --num-predict 12 --constrain)

puma-infer "${ARGS[@]}" -u "$U2" <"$TMP/in.jsonl" >"$TMP/one.out" 2>"$TMP/one.err"
is "$?" 0 "one server: the reference run"

puma-infer "${ARGS[@]}" -j 2 -u "$U1" -u "$U2" --summary "$TMP/two.json" <"$TMP/in.jsonl" >"$TMP/two.out" 2>"$TMP/two.err"
is "$?" 0 "two servers, -j 2"
is "$(pyq "$TMP/two.out" 'set(x["endpoint"] for x in r) == {"http://***@127.0.0.1:'"$P1"'", "http://127.0.0.1:'"$P2"'"}')" True \
	"each record names the server that answered, its user and password shown as ***"
n1=$(pyq "$TMP/two.out" 'sum(x["endpoint"].endswith(":'"$P1"'") for x in r)')
ok $((n1 >= 6 && n1 <= 18 ? 0 : 1)) "least outstanding first: the 24 records shared out ($n1 and $((24 - n1)))"
strip='import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    for k in ("latency_ms", "timings", "cached", "endpoint", "attempts"):
        r.pop(k, None)
    print(json.dumps(r, sort_keys=True))'
"$PYTHON" -c "$strip" "$TMP/one.out" >"$TMP/one.s"
"$PYTHON" -c "$strip" "$TMP/two.out" >"$TMP/two.s"
same_file "$TMP/two.s" "$TMP/one.s" "two servers: the same records as one, in input order (timings aside)"
is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted((e["url"], e["answered"]) for e in d["endpoints"]) == sorted((u, n) for u, n in zip(sys.argv[2:], (int(sys.argv[4]), 24 - int(sys.argv[4])))))' \
	"$TMP/two.json" "http://***@127.0.0.1:$P1" "http://127.0.0.1:$P2" "$n1")" True "the summary counts each server's answers"
ok $(! grep -o '"endpoints":\[[^]]*\]' "$TMP/two.json" | grep -q 's3cret-pw'; echo $?) "the summary's endpoints show no password"

# One server killed mid-run: its requests go to the other; nothing is lost.
puma-infer "${ARGS[@]}" -j 4 -u "$U1" -u "$U2" --summary "$TMP/kill.json" <"$TMP/in.jsonl" \
	>"$TMP/kill.out" 2>"$TMP/kill.err" &
inf=$!
for _ in $(seq 600); do
	[ "$(grep -c ":$P2\"" "$TMP/kill.out" 2>/dev/null)" -ge 2 ] && break
	kill -0 "$inf" 2>/dev/null || break
	sleep 0.05
done
before=$(wc -l <"$TMP/kill.out")
"$FIX/stop-server.sh" "$L2" >/dev/null 2>&1
wait "$inf"
is "$?" 0 "a server killed mid-run (after $before records): the run still succeeds"
ok $((before < 24 ? 0 : 1)) "the server was killed before the run ended ($before of 24 written)"
grep -q "http://127.0.0.1:$P2 failed (.*): taken out of rotation" "$TMP/kill.err"
ok $? "the dead server is said to be out of rotation"
is "$(pyq "$TMP/kill.out" 'len(r), sum(x["error"] is not None for x in r)')" "(24, 0)" "nothing lost: 24 records, none failed"
"$PYTHON" -c "$strip" "$TMP/kill.out" >"$TMP/kill.s"
same_file "$TMP/kill.s" "$TMP/one.s" "nothing lost: the same records as the one-server run, in order"
nb=$(pyq "$TMP/kill.out" 'sum(x["endpoint"].endswith(":'"$P2"'") for x in r)')
is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["endpoints"][1]["answered"])' "$TMP/kill.json")" "$nb" \
	"the records naming the killed server are the answers it gave ($nb), the rest came from the other"
is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([e["out_of_rotation"] is not None for e in d["endpoints"]], sum(e["answered"] for e in d["endpoints"]), d["stopped"])' "$TMP/kill.json")" \
	"[False, True] 24 None" "the summary: the second server out of rotation, 24 answers, not stopped"
ok $(! grep -q 's3cret-pw' "$TMP/two.out" "$TMP/two.err" "$TMP/kill.out" "$TMP/kill.err"; echo $?) "the password is in no record and no message"
done_testing
