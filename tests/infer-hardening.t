#!/usr/bin/env bash
# puma-infer against hostile or broken servers and outputs: the API key on
# every request, a response size limit, write errors, implausible figures.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
start_fake f
U="http://127.0.0.1:$PORT_f"
"$PYTHON" -c 'import json
for i in range(3): print(json.dumps({"id": "R-%d" % i, "scenario": "triage_jira", "title": "t%d" % i, "description": "d"}))' >"$TMP/in"

# ---- The API key goes with every request, Ollama's included ----
MYKEY=k-123456 puma-infer -m fake:1b -b ollama -u "$U" --api-key-env MYKEY --unload --no-cache \
	"$TMP/in" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "ollama with --api-key-env: the run succeeds"
is "$(stats "$PORT_f" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["noauth"], sorted(set(d["auth"])), len(d["auth"]))')" \
	"[] ['Bearer k-123456'] 6" \
	"ollama with --api-key-env: /api/version, /api/tags, the unload and every generate carry the key"

# ---- A response size limit ----
printf '%s\n' '{"id":"H-1","scenario":"triage_jira","title":"FAULT:huge-300000","description":""}' \
	'{"id":"H-2","scenario":"triage_jira","title":"small","description":""}' >"$TMP/huge"
puma-infer -m fake:1b -u "$U" --max-response 100000 --cache "$TMP/cache" --retries 0 \
	"$TMP/huge" >"$TMP/out" 2>"$TMP/err"
st=$?
is "$st:$(pyq "$TMP/out" 'r[0]["response"], r[0]["error"], r[1]["error"]')" \
	"3:(None, 'the response is larger than 100000 bytes (--max-response)', None)" \
	"a response over --max-response is an error record; the next record is answered"
n0=$(requests "$PORT_f")
puma-infer -m fake:1b -u "$U" --max-response 100000 --cache "$TMP/cache" --retries 0 \
	"$TMP/huge" >"$TMP/out" 2>"$TMP/err"
is "$(( $(requests "$PORT_f") - n0 )):$(pyq "$TMP/out" 'r[1]["cached"]')" "1:True" \
	"the refused response was never cached: it is asked again, the good one is not"
puma-infer -m fake:1b -u "$U" --max-response 400000 --no-cache "$TMP/huge" >"$TMP/out" 2>"$TMP/err"
is "$?:$(pyq "$TMP/out" 'len(r[0]["response"]), r[0]["error"]')" "0:(299946, None)" "under the limit the answer is whole"
puma-infer -m fake:1b -u "$U" --max-response 12 </dev/null 2>"$TMP/err"
is "$?" 2 "--max-response below 1024: usage error"
# Memory stays bounded with the default limit: a 64 MB answer.
printf '%s\n' '{"id":"H-3","scenario":"triage_jira","title":"FAULT:huge-64000000","description":""}' >"$TMP/huge2"
if [ -x /usr/bin/time ] && [ "${PUMA_SAN:-}" != 1 ] && [ -z "${PUMA_VALGRIND:-}" ]; then
	/usr/bin/time -f '%M' -o "$TMP/rss" puma-infer -m fake:1b -u "$U" --no-cache --retries 0 \
		"$TMP/huge2" >"$TMP/out" 2>"$TMP/err"
	is "$(pyq "$TMP/out" 'r[0]["error"]')" "the response is larger than 8388608 bytes (--max-response)" \
		"a 64 MB answer: over the default limit of 8 MiB"
	ok $(( $(tail -n 1 "$TMP/rss") < 40000 ? 0 : 1 )) "a 64 MB answer: peak memory under 40 MB ($(tail -n 1 "$TMP/rss") kB)"
else
	skip "peak memory (sanitizer or Valgrind run, or no /usr/bin/time)"
	skip "peak memory (sanitizer or Valgrind run, or no /usr/bin/time)"
fi

# ---- Write errors stop the run ----
"$PYTHON" -c 'import json
for i in range(60): print(json.dumps({"id": "W-%d" % i, "scenario": "triage_jira", "title": "w%d" % i, "description": "d"}))' >"$TMP/many"
n0=$(requests "$PORT_f")
puma-infer -m fake:1b -u "$U" --no-cache --summary "$TMP/sum.json" "$TMP/many" >/dev/full 2>"$TMP/err"
st=$?
sent=$(( $(requests "$PORT_f") - n0 ))
is "$st" 1 "output to /dev/full: exit 1"
ok $(( sent < 10 ? 0 : 1 )) "output to /dev/full: stops sending at once ($sent of 60 requests sent)"
is "$(pyq "$TMP/sum.json" 'r[0]["stopped"]')" "a write error on the output (No space left on device)" \
	"output to /dev/full: the summary says why it stopped"
grep -q "stopped early: a write error on the output" "$TMP/err"
ok $? "output to /dev/full: stderr says so"

# ---- With --no-cache, the stop message promises no cache ----
start_fake d
printf '%s\n' '{"id":"D-1","scenario":"triage_jira","title":"FAULT:die","description":""}' \
	'{"id":"D-2","scenario":"triage_jira","title":"x","description":""}' >"$TMP/die"
puma-infer -m fake:1b -u "http://127.0.0.1:$PORT_d" --no-cache --retries 0 --max-failures 1 \
	"$TMP/die" >"$TMP/out" 2>"$TMP/err"
is "$?:$(grep -c "stopped early" "$TMP/err"):$(grep -c -i cache "$TMP/err")" "1:1:0" \
	"--no-cache: the stop message does not mention a cache"

# ---- Implausible figures from a server are error records ----
start_fake o --openai-owner llamacpp
for f in neglatency fractokens hugetokens; do
	printf '{"id":"F-1","scenario":"triage_jira","title":"FAULT:%s","description":""}\n' "$f" >"$TMP/fig"
	for b in ollama openai; do
		if [ "$b" = ollama ]; then u=$U; else u="http://127.0.0.1:$PORT_o"; fi
		puma-infer -m fake:1b -b "$b" -u "$u" --no-cache --retries 0 "$TMP/fig" >"$TMP/out" 2>"$TMP/err"
		st=$?
		is "$st:$(pyq "$TMP/out" 'r[0]["response"] is None and r[0]["error"].startswith("HTTP 200: the server sent an implausible ")')" \
			"3:True" "$b, $f: an error record, exit 3 ($(pyq "$TMP/out" 'r[0]["error"]'))"
	done
done

done_testing
